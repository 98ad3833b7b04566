"""Every permission decision and visibility scope in one place.

Services call `require(actor, Action.X, obj)` before they act and list functions filter with the
`visible_*` scopes; templates call `can` only to show or hide buttons. Decisions are made in
memory from the user's loaded grants (`User.event_roles`, `User.coordinator_roles`,
`User.person`, see `app.accounts.service.GRANTS`), so checking issues no query.

Roles: an administrator may do everything; at an event, an organiser runs it and a press officer
sees it from the inside but sees no personal data; a coordinator manages the people of one
delegation; a delegate (a person with an account) sees and keeps their own registration.
"""

from enum import StrEnum

from sqlalchemy import ColumnElement, false, or_, true

from app.accounts.models import User
from app.crossings.models import Crossing
from app.delegations.models import Delegation
from app.errors import Forbidden
from app.events.models import PUBLIC_STATUSES, Event, EventStatus, StaffRole
from app.initiatives.models import Initiative, InitiativeStatus
from app.invitations.models import Invitation
from app.recommendations.models import Recommendation, RecommendationStatus
from app.registrations.models import Registration


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
    EVENT_PURGE_PERSONAL_DATA = "event.purge_personal_data"
    DELEGATION_VIEW = "delegation.view"
    DELEGATION_MANAGE = "delegation.manage"
    # On an Event: the participants of the delegations one may see; on a Delegation: its people.
    PARTICIPANT_LIST = "participant.list"
    PARTICIPANT_MANAGE = "participant.manage"
    CHECK_IN = "participant.check_in"
    REGISTRATION_VIEW = "registration.view"
    REGISTRATION_EDIT = "registration.edit"
    REGISTRATION_DECIDE = "registration.decide"
    REGISTRATION_CANCEL = "registration.cancel"
    DOCUMENT_REVEAL = "document.reveal"
    INVITATION_MANAGE = "invitation.manage"
    # The whole agenda with its internal sessions, rooms and officials; the public programme
    # (published sessions of a public event) needs only EVENT_VIEW.
    AGENDA_VIEW = "agenda.view"
    AGENDA_MANAGE = "agenda.manage"
    # Crossing points are the administrators'; organisers and coordinators choose among them.
    CROSSING_POINT_VIEW = "crossing_point.view"
    CROSSING_POINT_MANAGE = "crossing_point.manage"
    # On an Event: the board (of the delegations one may see); on a Crossing: it and its manifest.
    CROSSING_VIEW = "crossing.view"
    CROSSING_MANAGE = "crossing.manage"
    # Recording what the authorities decided and what happened: cleared, completed.
    CROSSING_DECIDE = "crossing.decide"
    # Session outcomes (rapporteur notes and key points): seen by the event's staff inside.
    OUTCOME_VIEW = "outcome.view"
    OUTCOME_MANAGE = "outcome.manage"
    # On an Event: its recommendations; on an Initiative: those of the initiative as a whole
    # (administrators); on a Recommendation: it, by its event or initiative.
    RECOMMENDATION_MANAGE = "recommendation.manage"
    # Drafts, versions and approvals of press items, and the media-coverage log; the public
    # sees published items with EVENT_VIEW.
    PRESS_VIEW = "press.view"
    PRESS_MANAGE = "press.manage"
    # On a Delegation: approve joint statements for that side.
    PRESS_APPROVE = "press.approve"
    # The internal variant of the post-event summary; the public one needs EVENT_VIEW once
    # published.
    SUMMARY_VIEW = "summary.view"
    SUMMARY_MANAGE = "summary.manage"
    # Moving a whole event between instances (its archive holds everyone's personal data).
    EVENT_TRANSFER = "event.transfer"
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
        Action.CROSSING_POINT_MANAGE,
        Action.EVENT_TRANSFER,
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
            Action.EVENT_PURGE_PERSONAL_DATA,
            Action.DELEGATION_VIEW,
            Action.DELEGATION_MANAGE,
            Action.PARTICIPANT_LIST,
            Action.PARTICIPANT_MANAGE,
            Action.CHECK_IN,
            Action.REGISTRATION_VIEW,
            Action.REGISTRATION_EDIT,
            Action.REGISTRATION_DECIDE,
            Action.REGISTRATION_CANCEL,
            Action.DOCUMENT_REVEAL,
            Action.INVITATION_MANAGE,
            Action.AGENDA_VIEW,
            Action.AGENDA_MANAGE,
            Action.CROSSING_VIEW,
            Action.CROSSING_MANAGE,
            Action.CROSSING_DECIDE,
            Action.OUTCOME_VIEW,
            Action.OUTCOME_MANAGE,
            Action.RECOMMENDATION_MANAGE,
            Action.PRESS_VIEW,
            Action.PRESS_MANAGE,
            Action.SUMMARY_VIEW,
            Action.SUMMARY_MANAGE,
        }
    ),
    StaffRole.PRESS_OFFICER: frozenset(
        {
            Action.EVENT_VIEW,
            Action.EVENT_VIEW_INTERNAL,
            Action.DELEGATION_VIEW,
            Action.AGENDA_VIEW,
            Action.OUTCOME_VIEW,
            Action.PRESS_VIEW,
            Action.PRESS_MANAGE,
            Action.SUMMARY_VIEW,
        }
    ),
}

# What a coordinator may do at their event, and to their own delegation and its people.
# (On the event, the lists and forms open to them; each record is then checked against the
# delegation, and the lists are scoped to it.)
COORDINATOR_EVENT_GRANTS = frozenset(
    {
        Action.EVENT_VIEW,
        Action.DELEGATION_VIEW,
        Action.PARTICIPANT_LIST,
        Action.PARTICIPANT_MANAGE,
        Action.INVITATION_MANAGE,
        Action.AGENDA_VIEW,
        Action.CROSSING_VIEW,
        Action.CROSSING_MANAGE,
        Action.PRESS_VIEW,
        # The approval forms; the approval itself is checked on their own delegation.
        Action.PRESS_APPROVE,
    }
)
COORDINATOR_GRANTS = frozenset(
    {
        Action.DELEGATION_VIEW,
        Action.PARTICIPANT_LIST,
        Action.PARTICIPANT_MANAGE,
        Action.REGISTRATION_VIEW,
        Action.REGISTRATION_EDIT,
        Action.REGISTRATION_DECIDE,
        Action.REGISTRATION_CANCEL,
        Action.DOCUMENT_REVEAL,
        Action.INVITATION_MANAGE,
        Action.CROSSING_VIEW,
        Action.CROSSING_MANAGE,
        Action.PRESS_APPROVE,
    }
)

# What a delegate may do to their own registration.
OWN_REGISTRATION_GRANTS = frozenset(
    {
        Action.REGISTRATION_VIEW,
        Action.REGISTRATION_EDIT,
        Action.REGISTRATION_CANCEL,
        Action.DOCUMENT_REVEAL,
    }
)

# Once an event is archived its records are read-only, whoever asks.
READ_ONLY = frozenset(
    {
        Action.EVENT_VIEW,
        Action.EVENT_VIEW_INTERNAL,
        Action.EVENT_CHANGE_STATUS,
        Action.EVENT_PURGE_PERSONAL_DATA,
        Action.DELEGATION_VIEW,
        Action.PARTICIPANT_LIST,
        Action.REGISTRATION_VIEW,
        Action.DOCUMENT_REVEAL,
        Action.AGENDA_VIEW,
        Action.CROSSING_VIEW,
        Action.OUTCOME_VIEW,
        Action.PRESS_VIEW,
        Action.SUMMARY_VIEW,
    }
)


def roles_at(user: User | None, event_id: int) -> set[StaffRole]:
    if user is None:
        return set()
    return {grant.role for grant in user.event_roles if grant.event_id == event_id}


def staff_event_ids(user: User) -> set[int]:
    return {grant.event_id for grant in user.event_roles}


def coordinated_delegation_ids(user: User | None) -> set[int]:
    if user is None:
        return set()
    return {grant.delegation_id for grant in user.coordinator_roles}


def _coordinates_at(user: User | None, event_id: int) -> bool:
    return user is not None and any(g.event_id == event_id for g in user.coordinator_roles)


def person_id(user: User | None) -> int | None:
    return user.person.id if user is not None and user.person is not None else None


def sees_travel_documents(user: User) -> bool:
    """The roles for which an administrator may require a second factor."""
    return (
        user.is_admin
        or any(g.role == StaffRole.ORGANISER for g in user.event_roles)
        or bool(user.coordinator_roles)
    )


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
    if isinstance(obj, Delegation):
        return _can_delegation(user, action, obj)
    if isinstance(obj, Registration):
        return _can_registration(user, action, obj)
    if isinstance(obj, Crossing):
        archived = obj.event.status == EventStatus.ARCHIVED
        return _staff_may(user, action, obj.event_id, obj.delegation_id, archived)
    if isinstance(obj, Recommendation):
        # Not bound by the archive: a recommendation goes on after its event.
        return (
            action == Action.RECOMMENDATION_MANAGE
            and obj.event_id is not None
            and action in _event_grants(user, obj.event_id)
        )
    if action == Action.CROSSING_POINT_VIEW:
        return user is not None and (
            any(g.role == StaffRole.ORGANISER for g in user.event_roles)
            or bool(user.coordinator_roles)
        )
    if isinstance(obj, Invitation):
        return action == Action.INVITATION_MANAGE and _staff_may(
            user, action, obj.event_id, obj.delegation_id, None
        )
    return False


def _event_grants(user: User | None, event_id: int) -> set[Action]:
    granted: set[Action] = set().union(*(EVENT_GRANTS[r] for r in roles_at(user, event_id)))
    if _coordinates_at(user, event_id):
        granted |= COORDINATOR_EVENT_GRANTS
    return granted


def _can_event(user: User | None, action: Action, event: Event) -> bool:
    if action == Action.EVENT_VIEW and event.status in PUBLIC_STATUSES:
        return True
    granted = _event_grants(user, event.id)
    if event.status == EventStatus.ARCHIVED:
        granted &= READ_ONLY
    return action in granted


def _staff_may(
    user: User | None, action: Action, event_id: int, delegation_id: int, archived: bool | None
) -> bool:
    """An organiser of the event, or a coordinator of the delegation, may do `action`."""
    granted = set().union(*(EVENT_GRANTS[r] for r in roles_at(user, event_id)))
    if delegation_id in coordinated_delegation_ids(user):
        granted |= COORDINATOR_GRANTS
    if archived:
        granted &= READ_ONLY
    return action in granted


def _can_delegation(user: User | None, action: Action, delegation: Delegation) -> bool:
    archived = delegation.event.status == EventStatus.ARCHIVED
    if action == Action.DELEGATION_VIEW:
        return action in _event_grants(user, delegation.event_id)
    return _staff_may(user, action, delegation.event_id, delegation.id, archived)


def _can_registration(user: User | None, action: Action, registration: Registration) -> bool:
    archived = registration.event.status == EventStatus.ARCHIVED
    if _staff_may(user, action, registration.event_id, registration.delegation_id, archived):
        return True
    own = registration.person_id == person_id(user)
    allowed = OWN_REGISTRATION_GRANTS & READ_ONLY if archived else OWN_REGISTRATION_GRANTS
    return own and action in allowed


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
    ids = staff_event_ids(user) | {g.event_id for g in user.coordinator_roles}
    return or_(public, Event.id.in_(ids)) if ids else public


def visible_initiatives(user: User | None) -> ColumnElement[bool]:
    if user is not None and user.is_active and user.is_admin:
        return true()
    return Initiative.status == InitiativeStatus.ACTIVE


# What the public sees of an initiative's recommendations: those the sides agreed to.
PUBLIC_RECOMMENDATION_STATUSES = frozenset(
    {RecommendationStatus.AGREED, RecommendationStatus.IN_PROGRESS, RecommendationStatus.DONE}
)


def visible_recommendations(user: User | None) -> ColumnElement[bool]:
    """Agreed recommendations for everyone; every one of their events for its staff and
    coordinators; all of them for administrators. (The initiative must be visible too.)"""
    if user is not None and user.is_active and user.is_admin:
        return true()
    public = Recommendation.status.in_(PUBLIC_RECOMMENDATION_STATUSES)
    if user is None or not user.is_active:
        return public
    ids = staff_event_ids(user) | {g.event_id for g in user.coordinator_roles}
    return or_(public, Recommendation.event_id.in_(ids)) if ids else public


def visible_registrations(user: User | None) -> ColumnElement[bool]:
    """Whose personal data a viewer may see: organisers their events', coordinators their
    delegation's, a delegate their own; press officers and the public nobody's."""
    if user is None or not user.is_active:
        return false()
    if user.is_admin:
        return true()
    organised = {g.event_id for g in user.event_roles if g.role == StaffRole.ORGANISER}
    conditions = []
    if organised:
        conditions.append(Registration.event_id.in_(organised))
    if coordinated := coordinated_delegation_ids(user):
        conditions.append(Registration.delegation_id.in_(coordinated))
    if (own := person_id(user)) is not None:
        conditions.append(Registration.person_id == own)
    return or_(*conditions) if conditions else false()


def sees_event(user: User | None, event: Event) -> bool:
    return can(user, Action.EVENT_VIEW, event)
