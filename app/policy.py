"""Every permission decision and visibility scope in one place.

Services call `require(actor, Action.X, obj)` before they act and list functions filter with the
`visible_*` scopes; templates call `can` only to show or hide buttons. Decisions are made in
memory from the user's loaded grants (`User.event_roles`), so checking issues no query.
"""

from enum import StrEnum

from sqlalchemy import ColumnElement, or_, true

from app.accounts.models import User
from app.errors import Forbidden
from app.events.models import PUBLIC_STATUSES, Event, EventStatus, StaffRole
from app.initiatives.models import Initiative, InitiativeStatus


class Action(StrEnum):
    INITIATIVE_VIEW = "initiative.view"
    INITIATIVE_CREATE = "initiative.create"
    INITIATIVE_EDIT = "initiative.edit"
    EVENT_VIEW = "event.view"
    EVENT_VIEW_INTERNAL = "event.view_internal"
    EVENT_CREATE = "event.create"
    EVENT_EDIT = "event.edit"
    EVENT_CHANGE_STATUS = "event.change_status"
    EVENT_MANAGE_STAFF = "event.manage_staff"
    ACCOUNT_MANAGE_OWN = "account.manage_own"
    USER_MANAGE = "user.manage"
    AUDIT_VIEW = "audit.view"
    SITE_MANAGE = "site.manage"


# Actions anyone may attempt without signing in (the object decides the answer).
PUBLIC_ACTIONS = frozenset({Action.INITIATIVE_VIEW, Action.EVENT_VIEW})

ADMIN_ONLY = frozenset(
    {
        Action.INITIATIVE_CREATE,
        Action.INITIATIVE_EDIT,
        Action.EVENT_CREATE,
        Action.USER_MANAGE,
        Action.AUDIT_VIEW,
        Action.SITE_MANAGE,
    }
)

# What each role at an event may do to that event.
EVENT_GRANTS: dict[StaffRole, frozenset[Action]] = {
    StaffRole.ORGANISER: frozenset(
        {
            Action.EVENT_VIEW,
            Action.EVENT_VIEW_INTERNAL,
            Action.EVENT_EDIT,
            Action.EVENT_CHANGE_STATUS,
            Action.EVENT_MANAGE_STAFF,
        }
    ),
    StaffRole.PRESS_OFFICER: frozenset({Action.EVENT_VIEW, Action.EVENT_VIEW_INTERNAL}),
}


def roles_at(user: User | None, event_id: int) -> set[StaffRole]:
    if user is None:
        return set()
    return {grant.role for grant in user.event_roles if grant.event_id == event_id}


def staff_event_ids(user: User) -> set[int]:
    return {grant.event_id for grant in user.event_roles}


def sees_travel_documents(user: User) -> bool:
    """The roles for which an administrator may require a second factor."""
    return user.is_admin or any(g.role == StaffRole.ORGANISER for g in user.event_roles)


def can(user: User | None, action: Action, obj: object = None) -> bool:
    if user is not None and not user.is_active:
        user = None
    if user is not None and user.is_admin:
        return True
    if action in ADMIN_ONLY:
        return False
    if action == Action.ACCOUNT_MANAGE_OWN:
        return user is not None and (obj is None or obj is user)
    if isinstance(obj, Initiative):
        return action == Action.INITIATIVE_VIEW and obj.status == InitiativeStatus.ACTIVE
    if isinstance(obj, Event):
        return _can_event(user, action, obj)
    return False


def _can_event(user: User | None, action: Action, event: Event) -> bool:
    if action == Action.EVENT_VIEW and event.status in PUBLIC_STATUSES:
        return True
    granted = set().union(*(EVENT_GRANTS[r] for r in roles_at(user, event.id)))
    if event.status == EventStatus.ARCHIVED:
        # An archived event is a read-only record for its staff.
        granted &= {Action.EVENT_VIEW, Action.EVENT_VIEW_INTERNAL, Action.EVENT_CHANGE_STATUS}
    return action in granted


def require(user: User | None, action: Action, obj: object = None) -> None:
    if not can(user, action, obj):
        raise Forbidden()


def visible_events(user: User | None) -> ColumnElement[bool]:
    """The events a viewer may see at all; for anything else the answer is 404."""
    if user is not None and user.is_active and user.is_admin:
        return true()
    public = Event.status.in_(PUBLIC_STATUSES)
    if user is None or not user.is_active:
        return public
    ids = staff_event_ids(user)
    return or_(public, Event.id.in_(ids)) if ids else public


def visible_initiatives(user: User | None) -> ColumnElement[bool]:
    if user is not None and user.is_active and user.is_admin:
        return true()
    return Initiative.status == InitiativeStatus.ACTIVE


def sees_event(user: User | None, event: Event) -> bool:
    return can(user, Action.EVENT_VIEW, event)

