"""Events: lists, the overview, create and edit, the status workflow and the event's staff."""

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from app import audit, i18n, policy
from app.accounts import service as accounts_service
from app.accounts.models import User
from app.crossings import schedule as crossing_schedule
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.events.models import Event, EventStaff, EventStatus, StaffRole
from app.events.schemas import EventCreate, EventFilter, EventUpdate
from app.i18n import _
from app.initiatives import service as initiative_service
from app.initiatives.models import Initiative, InitiativeStatus
from app.pagination import MAX_PER_PAGE, Page, paginate
from app.policy import Action

log = logging.getLogger(__name__)

# The workflow, in order; an event may step forward or back, or be archived from anywhere.
WORKFLOW = (
    EventStatus.DRAFT,
    EventStatus.PLANNED,
    EventStatus.REGISTRATION_OPEN,
    EventStatus.ONGOING,
    EventStatus.CONCLUDED,
)



def status_label(status: EventStatus) -> str:
    """The status in the reader's language ("Registration open")."""
    return i18n.label(status)


def require_open(event: Event) -> None:
    """Archived events are read-only records."""
    if event.status == EventStatus.ARCHIVED:
        raise Conflict(_("This event is archived. Restore it before changing it."))


# --- reading -------------------------------------------------------------------------------------


def _visible(viewer: User | None) -> Select[tuple[Event]]:
    return select(Event).options(joinedload(Event.initiative)).where(policy.visible_events(viewer))


def get_for_viewer(db: Session, *, viewer: User | None, event_id: int) -> Event:
    """The event with its initiative, or NotFound when it does not exist or is not visible."""
    event = db.scalar(_visible(viewer).where(Event.id == event_id))
    if event is None or not policy.sees_event(viewer, event):
        raise NotFound()
    return event


def list_events(
    db: Session, *, viewer: User | None, filters: EventFilter, page: int, per_page: int = 50
) -> Page[Event]:
    """Visible events, newest first, each with its initiative loaded."""
    query = _visible(viewer)
    if filters.status is not None:
        query = query.where(Event.status == filters.status)
    if filters.initiative_id is not None:
        query = query.where(Event.initiative_id == filters.initiative_id)
    if filters.q:
        q = filters.q.strip()
        query = query.where(
            or_(
                Event.title.icontains(q, autoescape=True),
                Event.city.icontains(q, autoescape=True),
                Event.venue.icontains(q, autoescape=True),
            )
        )
    query = query.order_by(Event.starts_on.desc(), Event.id.desc())
    return paginate(db, query, page=page, per_page=per_page)


def list_for_initiative(db: Session, *, viewer: User | None, initiative: Initiative) -> list[Event]:
    """The initiative's events the viewer may see, in date order."""
    policy.require(viewer, Action.INITIATIVE_VIEW, initiative)
    query = (
        _visible(viewer)
        .where(Event.initiative_id == initiative.id)
        .order_by(Event.starts_on, Event.id)
    )
    return list(db.scalars(query))


@dataclass(frozen=True)
class Transition:
    status: EventStatus
    kind: str  # "next", "previous", "archive" or "restore"


@dataclass(frozen=True)
class Overview:
    event: Event
    staff: list[EventStaff] | None  # None: the viewer may not see who works on the event
    transitions: list[Transition]
    # The crossings with checklist steps past their deadline (None: the viewer sees no crossing).
    overdue: "list[crossing_schedule.Overdue] | None" = None


def overview(db: Session, *, viewer: User | None, event: Event) -> Overview:
    policy.require(viewer, Action.EVENT_VIEW, event)
    staff = None
    if policy.can(viewer, Action.EVENT_VIEW_INTERNAL, event):
        # The whole list (as the staff page's first page shows it), without counting it first.
        query = _staff(event).order_by(*STAFF_ORDER).limit(MAX_PER_PAGE)
        staff = list(db.scalars(query))
    overdue = crossing_schedule.overdue(db, viewer=viewer, event=event)
    return Overview(event=event, staff=staff, transitions=transitions(viewer, event), overdue=overdue)


# --- create and edit -----------------------------------------------------------------------------


def _initiative(
    db: Session, actor: User, initiative_id: int | None, current: Initiative | None
) -> Initiative | None:
    if initiative_id is None:
        return None
    if current is not None and current.id == initiative_id:
        return current
    try:
        initiative = initiative_service.get_for_viewer(
            db, viewer=actor, initiative_id=initiative_id
        )
    except NotFound:
        raise FieldError("initiative_id", _("Choose an initiative from the list.")) from None
    if initiative.status == InitiativeStatus.ARCHIVED:
        raise FieldError("initiative_id", _("This initiative is archived. Choose an active one."))
    return initiative


def create(db: Session, *, actor: User, data: EventCreate) -> Event:
    """A new event, in draft."""
    policy.require(actor, Action.EVENT_CREATE)
    if data.ends_on < data.starts_on:
        raise FieldError("ends_on", _("The end date cannot be before the start date."))
    initiative = _initiative(db, actor, data.initiative_id, None)
    event = Event(
        **data.model_dump(exclude={"initiative_id"}),
        initiative=initiative,
        status=EventStatus.DRAFT,
        staff=[],
    )
    db.add(event)
    db.flush()
    audit.record(db, actor, "event.create", event, initiative_id=event.initiative_id)
    log.info("event %s created by %s", event.id, accounts_service.actor_label(actor))
    return event


def check_editable(*, actor: User, event: Event) -> None:
    """For the edit page: may the actor change this event now?"""
    policy.require(actor, Action.EVENT_EDIT, event)
    require_open(event)


def update(db: Session, *, actor: User, event: Event, data: EventUpdate) -> Event:
    check_editable(actor=actor, event=event)
    given = data.model_dump(exclude_unset=True)
    changed = {key: value for key, value in given.items() if getattr(event, key) != value}
    starts_on = changed.get("starts_on", event.starts_on)
    ends_on = changed.get("ends_on", event.ends_on)
    assert isinstance(starts_on, date) and isinstance(ends_on, date)
    if ends_on < starts_on:
        raise FieldError("ends_on", _("The end date cannot be before the start date."))
    if "initiative_id" in changed:
        initiative_id = changed.pop("initiative_id")
        assert initiative_id is None or isinstance(initiative_id, int)
        event.initiative = _initiative(db, actor, initiative_id, event.initiative)
        changed_fields = [*changed, "initiative_id"]
    else:
        changed_fields = list(changed)
    if not changed_fields:
        return event
    for key, value in changed.items():
        setattr(event, key, value)
    db.flush()
    audit.record(db, actor, "event.update", event, fields=sorted(changed_fields))
    log.info("event %s updated by %s", event.id, accounts_service.actor_label(actor))
    return event


# --- the status workflow -------------------------------------------------------------------------


def allowed_transitions(status: EventStatus) -> list[Transition]:
    """Where an event in `status` may go: one step on, one step back, archived; archived → concluded."""
    if status == EventStatus.ARCHIVED:
        return [Transition(EventStatus.CONCLUDED, "restore")]
    index = WORKFLOW.index(status)
    steps = []
    if index + 1 < len(WORKFLOW):
        steps.append(Transition(WORKFLOW[index + 1], "next"))
    if index > 0:
        steps.append(Transition(WORKFLOW[index - 1], "previous"))
    steps.append(Transition(EventStatus.ARCHIVED, "archive"))
    return steps


def transitions(viewer: User | None, event: Event) -> list[Transition]:
    """The transitions this viewer may make now (for the buttons)."""
    if not policy.can(viewer, Action.EVENT_CHANGE_STATUS, event):
        return []
    return [
        t
        for t in allowed_transitions(event.status)
        if t.kind != "restore" or (viewer is not None and viewer.is_admin)
    ]


def check_transition(*, actor: User, event: Event, status: EventStatus) -> Transition:
    """The transition to `status`, or the reason it is refused (Forbidden, Conflict)."""
    policy.require(actor, Action.EVENT_CHANGE_STATUS, event)
    if status == event.status:
        raise Conflict(_("The event is “%(status)s” already.") % {"status": i18n.label(status)})
    transition = next((t for t in allowed_transitions(event.status) if t.status == status), None)
    if transition is None:
        raise Conflict(
            _("An event cannot go from “%(current)s” to “%(target)s”: it moves one step at a time, or is archived.")
            % {"current": i18n.label(event.status), "target": i18n.label(status)}
        )
    if transition.kind == "restore" and not actor.is_admin:
        raise Forbidden(_("Only an administrator can restore an archived event."))
    return transition


def change_status(db: Session, *, actor: User, event: Event, status: EventStatus) -> Event:
    check_transition(actor=actor, event=event, status=status)
    previous = event.status
    event.status = status
    db.flush()
    audit.record(db, actor, "event.status", event, previous=previous.value, status=status.value)
    log.info("event %s: %s → %s by %s", event.id, previous.value, status.value, accounts_service.actor_label(actor))
    return event


# --- staff ---------------------------------------------------------------------------------------


def _staff(event: Event) -> Select[tuple[EventStaff]]:
    return (
        select(EventStaff)
        .join(EventStaff.user)
        .options(contains_eager(EventStaff.user))
        .where(EventStaff.event_id == event.id)
    )


STAFF_ORDER = (EventStaff.role, User.full_name, EventStaff.id)


def list_staff(
    db: Session, *, viewer: User | None, event: Event, page: int = 1, per_page: int = MAX_PER_PAGE
) -> Page[EventStaff]:
    """Organisers, then press officers, by name; each with its user loaded."""
    policy.require(viewer, Action.EVENT_VIEW_INTERNAL, event)
    query = _staff(event).order_by(*STAFF_ORDER)
    return paginate(db, query, page=page, per_page=per_page)


def get_staff(db: Session, *, viewer: User | None, event: Event, staff_id: int) -> EventStaff:
    """One role at this event (NotFound under any other event), with its user."""
    policy.require(viewer, Action.EVENT_VIEW_INTERNAL, event)
    staff = db.scalar(_staff(event).where(EventStaff.id == staff_id))
    if staff is None:
        raise NotFound()
    return staff


def check_staff_change(*, actor: User, event: Event) -> None:
    """For the pages that change staff: may the actor do it now?"""
    policy.require(actor, Action.EVENT_MANAGE_STAFF, event)
    require_open(event)


def add_staff(db: Session, *, actor: User, event: Event, email: str, role: StaffRole) -> EventStaff:
    """Give an existing, active user a role at the event."""
    check_staff_change(actor=actor, event=event)
    user = accounts_service.get_by_email(db, email)
    if user is None or not user.is_active:
        raise FieldError(
            "email", _("No active account uses this e-mail address. An administrator can create one.")
        )
    taken = select(EventStaff.id).where(
        EventStaff.event_id == event.id, EventStaff.user_id == user.id, EventStaff.role == role
    )
    if db.scalar(taken) is not None:
        raise FieldError(
            "email",
            _("This person already has the role “%(role)s” at this event.") % {"role": i18n.label(role)},
        )
    staff = EventStaff(event=event, user=user, role=role)
    db.add(staff)
    db.flush()
    audit.record(db, actor, "event_staff.add", staff, user_id=user.id, role=role.value)
    log.info("user %s added as %s to event %s by %s", user.id, role.value, event.id, accounts_service.actor_label(actor))
    return staff


def remove_staff(db: Session, *, actor: User, event: Event, staff: EventStaff) -> None:
    check_staff_change(actor=actor, event=event)
    if staff.event_id != event.id:
        raise NotFound()
    db.delete(staff)
    db.flush()
    audit.record(
        db, actor, "event_staff.remove", staff, user_id=staff.user_id, role=staff.role.value
    )
    log.info(
        "user %s removed as %s from event %s by %s",
        staff.user_id,
        staff.role.value,
        event.id,
        accounts_service.actor_label(actor),
    )
