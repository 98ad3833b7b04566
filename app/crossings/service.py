"""Crossings of an event: a delegation's movement through a crossing point, its manifest of
registrations, its vehicles and its checklist of procedures.

Times are stored in UTC and read on the event's clock. The manifest is checked per person before
it is submitted (`problems`); blocking problems refuse the submission. Travel-document numbers
are never decrypted here: the manifest shows the masked number (the exports show them in full).
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, false, func, select, true
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, i18n, policy
from app.accounts.models import User
from app.accounts.service import actor_label
from app.config import get_settings
from app.crossings import points
from app.crossings.models import (
    Crossing,
    CrossingDirection,
    CrossingPoint,
    CrossingStatus,
    ManifestEntry,
    ManifestStatus,
    ProcedureStep,
    ProcedureTemplate,
    Vehicle,
)
from app.crossings.schemas import CrossingIn, VehicleIn
from app.db import utcnow
from app.delegations.models import Delegation
from app.errors import Conflict, FieldError, NotFound
from app.events import service as events_service
from app.events.models import Event, StaffRole
from app.i18n import N_, _, format_day
from app.itineraries import changes as itinerary_changes
from app.pagination import Page
from app.policy import Action
from app.registrations.models import Person, Registration, RegistrationStatus

log = logging.getLogger(__name__)

# Registrations that may cross: a confirmed place (or already checked in).
CONFIRMED = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED})
# A planned time this far around the event's dates is accepted (arrive the day before, …).
WINDOW_DAYS = 14
# The fields a completed crossing still takes.
AFTER_COMPLETION = frozenset({"notes"})
# The fields that change only in draft.
DRAFT_ONLY = frozenset({"crossing_point_id", "direction"})
SCALAR_FIELDS = (
    "planned_at", "actual_at", "meeting_point", "meeting_at", "host_escort", "host_contact",
    "visiting_escort", "visiting_contact", "notes",
)
VEHICLE_FIELDS = ("label", "plate", "driver_name", "driver_phone", "seats")

# --- the event's clock ---------------------------------------------------------------------------


def zone(event: Event) -> ZoneInfo:
    return ZoneInfo(event.timezone)


def local(event: Event, moment: datetime) -> datetime:
    """A stored (UTC) moment on the event's clock."""
    return moment.astimezone(zone(event))


def when(event: Event, moment: datetime) -> str:
    """"13 Feb 2026, 08:00" on the event's clock."""
    at = local(event, moment)
    return f"{format_day(at.date())}, {at:%H:%M}"


def crossing_day(crossing: Crossing) -> date:
    """The day of the crossing on the event's clock (documents are checked against it)."""
    return local(crossing.event, crossing.planned_at).date()


def label(crossing: Crossing) -> str:
    """"Arrival of Delegation X, 13 Feb 2026, 08:00" (for titles and messages)."""
    if crossing.direction == CrossingDirection.ARRIVAL:
        text = _("Arrival of %(delegation)s, %(when)s")
    else:
        text = _("Departure of %(delegation)s, %(when)s")
    return text % {"delegation": crossing.delegation.name, "when": when(crossing.event, crossing.planned_at)}


# --- permissions ---------------------------------------------------------------------------------


def check_manageable(*, actor: User | None, obj: Event | Crossing) -> None:
    """For the pages that change crossings: may the actor do it now? (Before any form is read.)"""
    policy.require(actor, Action.CROSSING_MANAGE, obj)
    events_service.require_open(obj if isinstance(obj, Event) else obj.event)


def check_decidable(*, actor: User | None, crossing: Crossing) -> None:
    """Recording what the authorities decided and what happened: organisers only."""
    policy.require(actor, Action.CROSSING_DECIDE, crossing)
    events_service.require_open(crossing.event)


def may_manage(viewer: User | None, event: Event, delegation: Delegation) -> bool:
    """Whether the viewer may prepare crossings of this delegation (asked of a crossing-to-be)."""
    probe = Crossing(event_id=event.id, delegation_id=delegation.id)
    set_committed_value(probe, "event", event)
    return policy.can(viewer, Action.CROSSING_MANAGE, probe)


def _require_not_completed(crossing: Crossing) -> None:
    if crossing.status == CrossingStatus.COMPLETED:
        raise Conflict(_("This crossing is completed: only its notes can be changed."))


def _require_draft(crossing: Crossing, message: str) -> None:
    if crossing.status != CrossingStatus.DRAFT:
        raise Conflict(message)


def _visible(viewer: User | None, event: Event) -> ColumnElement[bool]:
    """The event's crossings a viewer may see: all for organisers, their delegation's for
    coordinators (as the participant list is scoped)."""
    if viewer is None or not viewer.is_active:
        return false()
    if viewer.is_admin or StaffRole.ORGANISER in policy.roles_at(viewer, event.id):
        return true()
    ids = policy.coordinated_delegation_ids(viewer)
    return Crossing.delegation_id.in_(ids) if ids else false()


# --- reading -------------------------------------------------------------------------------------


def get_for_viewer(db: Session, *, viewer: User | None, event: Event, crossing_id: int) -> Crossing:
    """A crossing of this event the viewer may see (with its delegation and point), or NotFound:
    never 403, so that the other side's crossings do not reveal that they exist."""
    crossing = db.scalar(
        select(Crossing)
        .options(joinedload(Crossing.delegation), joinedload(Crossing.crossing_point))
        .where(Crossing.id == crossing_id, Crossing.event_id == event.id)
    )
    if crossing is None:
        raise NotFound()
    set_committed_value(crossing, "event", event)
    set_committed_value(crossing.delegation, "event", event)
    if not policy.can(viewer, Action.CROSSING_VIEW, crossing):
        raise NotFound()
    return crossing


def get_vehicle(db: Session, *, crossing: Crossing, vehicle_id: int) -> Vehicle:
    """A vehicle of this crossing, or NotFound."""
    vehicle = db.scalar(select(Vehicle).where(Vehicle.id == vehicle_id, Vehicle.crossing_id == crossing.id))
    if vehicle is None:
        raise NotFound()
    set_committed_value(vehicle, "crossing", crossing)
    return vehicle


def get_entry(db: Session, *, crossing: Crossing, entry_id: int) -> ManifestEntry:
    """A manifest entry of this crossing (with its person), or NotFound."""
    entry = db.scalar(
        select(ManifestEntry)
        .options(joinedload(ManifestEntry.registration).joinedload(Registration.person))
        .where(ManifestEntry.id == entry_id, ManifestEntry.crossing_id == crossing.id)
    )
    if entry is None:
        raise NotFound()
    set_committed_value(entry, "crossing", crossing)
    return entry


def get_step(db: Session, *, crossing: Crossing, step_id: int) -> ProcedureStep:
    """A checklist step of this crossing, or NotFound."""
    step = db.scalar(select(ProcedureStep).where(ProcedureStep.id == step_id, ProcedureStep.crossing_id == crossing.id))
    if step is None:
        raise NotFound()
    set_committed_value(step, "crossing", crossing)
    return step


def _load_lists(db: Session, crossings: Sequence[Crossing]) -> None:
    """Vehicles, manifest entries (with the people) and steps of the crossings: three queries."""
    by_id = {c.id: c for c in crossings}
    vehicles: dict[int, list[Vehicle]] = {i: [] for i in by_id}
    entries: dict[int, list[ManifestEntry]] = {i: [] for i in by_id}
    steps: dict[int, list[ProcedureStep]] = {i: [] for i in by_id}
    if by_id:
        for vehicle in db.scalars(
            select(Vehicle).where(Vehicle.crossing_id.in_(by_id)).order_by(Vehicle.position, Vehicle.id)
        ):
            vehicles[vehicle.crossing_id].append(vehicle)
        for entry in db.scalars(
            select(ManifestEntry)
            .join(ManifestEntry.registration)
            .join(Registration.person)
            .options(joinedload(ManifestEntry.registration).joinedload(Registration.person))
            .where(ManifestEntry.crossing_id.in_(by_id))
            .order_by(func.lower(Person.family_name), func.lower(Person.given_name), ManifestEntry.id)
        ):
            entries[entry.crossing_id].append(entry)
        for step in db.scalars(
            select(ProcedureStep).where(ProcedureStep.crossing_id.in_(by_id)).order_by(ProcedureStep.position, ProcedureStep.id)
        ):
            steps[step.crossing_id].append(step)
    for crossing_id, crossing in by_id.items():
        set_committed_value(crossing, "vehicles", vehicles[crossing_id])
        set_committed_value(crossing, "entries", entries[crossing_id])
        set_committed_value(crossing, "steps", steps[crossing_id])
        seated = {v.id: v for v in vehicles[crossing_id]}
        for vehicle in vehicles[crossing_id]:
            set_committed_value(vehicle, "crossing", crossing)
        for entry in entries[crossing_id]:
            set_committed_value(entry, "crossing", crossing)
            set_committed_value(entry, "vehicle", seated.get(entry.vehicle_id) if entry.vehicle_id else None)
        for step in steps[crossing_id]:
            set_committed_value(step, "crossing", crossing)


# --- the checklist -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    """A step with its deadline: `lead_days` before the planned time, on the event's clock."""

    step: ProcedureStep
    due_at: datetime  # aware, on the event's clock
    overdue: bool


def due_at(crossing: Crossing, step: ProcedureStep) -> datetime:
    """Counted back in days on the event's wall clock (a change of summer time keeps the hour)."""
    return local(crossing.event, crossing.planned_at) - timedelta(days=step.lead_days)


def checklist(crossing: Crossing, *, now: datetime | None = None) -> list[StepView]:
    """The crossing's steps (loaded) with their deadlines; overdue: not done and past due."""
    now = now or utcnow()
    views = []
    for step in crossing.steps:
        due = due_at(crossing, step)
        views.append(StepView(step=step, due_at=due, overdue=step.done_at is None and due < now))
    return views


# --- problems ------------------------------------------------------------------------------------

NO_DOCUMENT = "no_document"
DOCUMENT_EXPIRED = "document_expired"
DOCUMENT_EXPIRING = "document_expiring"
NOT_CONFIRMED = "not_confirmed"
ON_ANOTHER_CROSSING = "on_another_crossing"
NO_SEAT = "no_seat"
VEHICLE_FULL = "vehicle_over_capacity"
NOT_ENOUGH_SEATS = "not_enough_seats"
NO_VEHICLE = "no_vehicle"
EMPTY_MANIFEST = "empty_manifest"
# All but a person without a seat in a vehicle refuse the submission.
NOT_BLOCKING = frozenset({NO_SEAT})


@dataclass(frozen=True)
class Problem:
    """A check the manifest fails: of a person (`entry`) or of the whole crossing (None)."""

    kind: str
    message: str
    entry: ManifestEntry | None = None

    @property
    def blocking(self) -> bool:
        return self.kind not in NOT_BLOCKING

    @property
    def entry_id(self) -> int | None:
        return self.entry.id if self.entry is not None else None


class ManifestProblems(Conflict):
    """The manifest cannot be submitted while it has blocking problems."""

    default_message = N_("The manifest cannot be submitted while it has blocking problems.")

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(" ".join([_(self.default_message), *(p.message for p in problems)]))


def _counted(crossing: Crossing) -> list[ManifestEntry]:
    """Who is expected to cross: everyone on the manifest but those refused."""
    return [e for e in crossing.entries if e.status != ManifestStatus.REFUSED]


def _person_problems(
    crossing: Crossing, entry: ManifestEntry, others: Mapping[int, list[Crossing]], margin: int
) -> list[Problem]:
    registration = entry.registration
    found = []
    day = crossing_day(crossing)
    if registration.doc_number is None:
        found.append(Problem(NO_DOCUMENT, _("No travel document."), entry))
    elif registration.doc_expires_on is None:
        found.append(Problem(NO_DOCUMENT, _("The travel document has no expiry date."), entry))
    elif registration.doc_expires_on < day:
        found.append(Problem(
            DOCUMENT_EXPIRED,
            _("The travel document expires on %(date)s, before the crossing.") % {"date": format_day(registration.doc_expires_on)},
            entry,
        ))
    elif registration.doc_expires_on < day + timedelta(days=margin):
        found.append(Problem(
            DOCUMENT_EXPIRING,
            _("The travel document expires on %(date)s, less than %(days)s days after the crossing.")
            % {"date": format_day(registration.doc_expires_on), "days": margin},
            entry,
        ))
    if registration.status not in CONFIRMED:
        found.append(Problem(
            NOT_CONFIRMED,
            _("The registration is not confirmed (%(status)s).") % {"status": i18n.label(registration.status)},
            entry,
        ))
    for other in others.get(registration.id, []):
        if other.direction == CrossingDirection.ARRIVAL:
            text = _("Also on another arrival, planned for %(when)s.")
        else:
            text = _("Also on another departure, planned for %(when)s.")
        found.append(Problem(ON_ANOTHER_CROSSING, text % {"when": when(crossing.event, other.planned_at)}, entry))
    if crossing.vehicles and entry.vehicle_id is None:
        found.append(Problem(NO_SEAT, _("Not given a seat in a vehicle."), entry))
    return found


def problems(crossing: Crossing, *, others: Mapping[int, list[Crossing]] | None = None) -> list[Problem]:
    """The checks of a crossing (its vehicles and entries loaded): each person's, then the
    crossing's. `others` maps a registration to the other crossings in the same direction it is
    on. A completed crossing has none (it happened)."""
    if crossing.status == CrossingStatus.COMPLETED:
        return []
    margin = get_settings().document_expiry_margin_days
    counted = _counted(crossing)
    found = [p for entry in counted for p in _person_problems(crossing, entry, others or {}, margin)]
    seats = sum(v.seats for v in crossing.vehicles)
    if not counted:
        found.append(Problem(EMPTY_MANIFEST, _("Nobody is on the manifest yet.")))
    elif not crossing.vehicles:
        found.append(Problem(NO_VEHICLE, _("No vehicle yet: add the vehicles with their plates and drivers.")))
    elif len(counted) > seats:
        found.append(Problem(
            NOT_ENOUGH_SEATS,
            _("%(people)s people for %(seats)s seats: add a vehicle or seats.") % {"people": len(counted), "seats": seats},
        ))
    for vehicle in crossing.vehicles:
        seated = sum(1 for e in counted if e.vehicle_id == vehicle.id)
        if seated > vehicle.seats:
            found.append(Problem(
                VEHICLE_FULL,
                _("%(vehicle)s has %(people)s people for %(seats)s seats.")
                % {"vehicle": vehicle.label, "people": seated, "seats": vehicle.seats},
            ))
    return found


def _others_in_memory(crossings: Sequence[Crossing]) -> dict[int, dict[int, list[Crossing]]]:
    """For each crossing: its registrations' other crossings in the same direction (loaded)."""
    on: dict[tuple[CrossingDirection, int], list[Crossing]] = {}
    for crossing in crossings:
        for entry in _counted(crossing):
            on.setdefault((crossing.direction, entry.registration_id), []).append(crossing)
    return {
        crossing.id: {
            entry.registration_id: [c for c in on[(crossing.direction, entry.registration_id)] if c.id != crossing.id]
            for entry in _counted(crossing)
        }
        for crossing in crossings
    }


def _others_in_database(db: Session, crossing: Crossing) -> dict[int, list[Crossing]]:
    """The other crossings of the event in the same direction that this manifest's people are
    on (not refused there): one query."""
    ids = [e.registration_id for e in _counted(crossing)]
    if not ids:
        return {}
    rows = db.execute(
        select(ManifestEntry.registration_id, Crossing)
        .join(ManifestEntry.crossing)
        .where(
            Crossing.event_id == crossing.event_id,
            Crossing.direction == crossing.direction,
            Crossing.id != crossing.id,
            ManifestEntry.status != ManifestStatus.REFUSED,
            ManifestEntry.registration_id.in_(ids),
        )
        .order_by(Crossing.planned_at, Crossing.id)
    )
    found: dict[int, list[Crossing]] = {}
    for registration_id, other in rows:
        found.setdefault(registration_id, []).append(other)
    return found


def check(db: Session, *, crossing: Crossing) -> list[Problem]:
    """The problems of one crossing as they are now (loads what it needs)."""
    _load_lists(db, [crossing])
    return problems(crossing, others=_others_in_database(db, crossing))


# --- the board -----------------------------------------------------------------------------------


@dataclass
class Summary:
    """A crossing with what the board shows of it (its lists loaded)."""

    crossing: Crossing
    problems: list[Problem]
    steps: list[StepView]

    @property
    def counts(self) -> dict[ManifestStatus, int]:
        counts = dict.fromkeys(ManifestStatus, 0)
        for entry in self.crossing.entries:
            counts[entry.status] += 1
        return counts

    @property
    def people(self) -> int:
        return len(_counted(self.crossing))

    @property
    def seats(self) -> int:
        return sum(v.seats for v in self.crossing.vehicles)

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def overdue(self) -> list[StepView]:
        return [s for s in self.steps if s.overdue]

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.step.done_at is not None)

    def problems_of(self, entry: ManifestEntry) -> list[Problem]:
        return [p for p in self.problems if p.entry is entry]

    @property
    def crossing_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.entry is None]


@dataclass
class Reconciliation:
    """A delegation's arrivals against its departures: everyone who crossed in must be on a
    departure (not refused there) or marked as staying, with a reason, on their arrival."""

    delegation: Delegation
    arrivals: list[Crossing] = field(default_factory=list)
    departures: list[Crossing] = field(default_factory=list)
    crossed_in: list[ManifestEntry] = field(default_factory=list)
    departing: list[ManifestEntry] = field(default_factory=list)  # arrival entries, on a departure
    staying: list[ManifestEntry] = field(default_factory=list)
    unaccounted: list[ManifestEntry] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.unaccounted


def reconcile(delegation: Delegation, crossings: Sequence[Crossing]) -> Reconciliation:
    """In memory, from the delegation's crossings with their entries loaded."""
    result = Reconciliation(delegation=delegation)
    leaving: set[int] = set()
    for crossing in crossings:
        if crossing.delegation_id != delegation.id:
            continue
        if crossing.direction == CrossingDirection.ARRIVAL:
            result.arrivals.append(crossing)
        else:
            result.departures.append(crossing)
            leaving.update(e.registration_id for e in _counted(crossing))
    seen: set[int] = set()
    for crossing in result.arrivals:
        for entry in crossing.entries:
            if entry.status != ManifestStatus.CROSSED or entry.registration_id in seen:
                continue
            seen.add(entry.registration_id)
            result.crossed_in.append(entry)
            if entry.registration_id in leaving:
                result.departing.append(entry)
            elif entry.staying_reason.strip():
                result.staying.append(entry)
            else:
                result.unaccounted.append(entry)
    return result


@dataclass
class Board:
    event: Event
    summaries: list[Summary]
    reconciliations: list[Reconciliation]

    @property
    def problems(self) -> int:
        return sum(len(s.blocking) for s in self.summaries)

    @property
    def overdue(self) -> int:
        return sum(len(s.overdue) for s in self.summaries)


def _visible_crossings(db: Session, viewer: User | None, event: Event) -> list[Crossing]:
    crossings = list(
        db.scalars(
            select(Crossing)
            .options(joinedload(Crossing.delegation), joinedload(Crossing.crossing_point))
            .where(Crossing.event_id == event.id, _visible(viewer, event))
            .order_by(Crossing.planned_at, Crossing.id)
        )
    )
    for crossing in crossings:
        set_committed_value(crossing, "event", event)
        set_committed_value(crossing.delegation, "event", event)
    return [c for c in crossings if policy.can(viewer, Action.CROSSING_VIEW, c)]


def board(db: Session, *, viewer: User | None, event: Event, now: datetime | None = None) -> Board:
    """Every crossing of the event the viewer may see, with counts, problems and overdue steps,
    and the reconciliation of each delegation that has an arrival: four queries."""
    policy.require(viewer, Action.CROSSING_VIEW, event)
    crossings = _visible_crossings(db, viewer, event)
    _load_lists(db, crossings)
    others = _others_in_memory(crossings)
    summaries = [
        Summary(crossing=c, problems=problems(c, others=others[c.id]), steps=checklist(c, now=now)) for c in crossings
    ]
    delegations: dict[int, Delegation] = {}
    for crossing in crossings:
        if crossing.direction == CrossingDirection.ARRIVAL:
            delegations.setdefault(crossing.delegation_id, crossing.delegation)
    reconciliations = [reconcile(d, crossings) for d in delegations.values()]
    return Board(event=event, summaries=summaries, reconciliations=reconciliations)


def list_for_event(
    db: Session, *, viewer: User | None, event: Event, page: int = 1, per_page: int = 50, now: datetime | None = None
) -> Page[Summary]:
    """The board's crossings, one page of them (by planned time)."""
    summaries = board(db, viewer=viewer, event=event, now=now).summaries
    start = (max(page, 1) - 1) * per_page
    return Page(items=summaries[start : start + per_page], total=len(summaries), page=page, per_page=per_page)


def reconciliation(db: Session, *, viewer: User | None, event: Event) -> list[Reconciliation]:
    """Each visible delegation's arrivals against its departures."""
    return board(db, viewer=viewer, event=event).reconciliations


# --- one crossing --------------------------------------------------------------------------------


@dataclass
class Detail:
    """One crossing with everything its page and the API show."""

    summary: Summary
    candidates: list[Registration]  # the delegation's people not on the manifest
    users: dict[int, User]  # who submitted, cleared, completed, and did each step

    @property
    def crossing(self) -> Crossing:
        return self.summary.crossing

    def user_name(self, user_id: int | None) -> str:
        user = self.users.get(user_id) if user_id is not None else None
        return user.full_name if user is not None else ""


def detail(db: Session, *, viewer: User | None, crossing: Crossing, now: datetime | None = None) -> Detail:
    """The crossing (from get_for_viewer) with vehicles, manifest, problems, checklist, the
    people who could be added and who did what: at most six queries."""
    policy.require(viewer, Action.CROSSING_VIEW, crossing)
    _load_lists(db, [crossing])
    summary = Summary(
        crossing=crossing,
        problems=problems(crossing, others=_others_in_database(db, crossing)),
        steps=checklist(crossing, now=now),
    )
    on = {e.registration_id for e in crossing.entries}
    candidates = [r for r in _delegation_people(db, crossing) if r.id not in on]
    ids = {crossing.submitted_by_id, crossing.cleared_by_id, crossing.completed_by_id}
    ids |= {s.done_by_id for s in crossing.steps}
    ids.discard(None)
    users = {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return Detail(summary=summary, candidates=candidates, users=users)


def _delegation_people(db: Session, crossing: Crossing, statuses: frozenset[RegistrationStatus] | None = None) -> list[Registration]:
    query = (
        select(Registration)
        .join(Registration.person)
        .options(joinedload(Registration.person))
        .where(Registration.delegation_id == crossing.delegation_id, Registration.event_id == crossing.event_id)
        .order_by(func.lower(Person.family_name), func.lower(Person.given_name), Registration.id)
    )
    if statuses is not None:
        query = query.where(Registration.status.in_(statuses))
    return list(db.scalars(query))


@dataclass
class Choices:
    delegations: list[Delegation]
    points: list[CrossingPoint]


def choices(db: Session, *, viewer: User | None, event: Event, current: CrossingPoint | None = None) -> Choices:
    """What the crossing form offers: the delegations the viewer manages, the active points
    (and the crossing's own, should it have been retired since)."""
    policy.require(viewer, Action.CROSSING_VIEW, event)
    delegations = list(db.scalars(select(Delegation).where(Delegation.event_id == event.id).order_by(Delegation.id)))
    for delegation in delegations:
        set_committed_value(delegation, "event", event)
    return Choices(
        delegations=[d for d in delegations if may_manage(viewer, event, d)],
        points=points.choices(db, viewer=viewer, include_id=current.id if current is not None else None),
    )


# --- create, edit, delete ------------------------------------------------------------------------


def _delegation(db: Session, actor: User, event: Event, delegation_id: int) -> Delegation:
    delegation = db.scalar(select(Delegation).where(Delegation.id == delegation_id, Delegation.event_id == event.id))
    if delegation is None:
        raise FieldError("delegation_id", _("Choose a delegation of this event."))
    set_committed_value(delegation, "event", event)
    if not may_manage(actor, event, delegation):
        raise FieldError("delegation_id", _("Choose a delegation of this event."))
    return delegation


def _point(db: Session, point_id: int, current: CrossingPoint | None = None) -> CrossingPoint:
    if current is not None and current.id == point_id:
        return current
    point = db.scalar(select(CrossingPoint).where(CrossingPoint.id == point_id))
    if point is None or not point.is_active:
        raise FieldError("crossing_point_id", _("Choose an active crossing point."))
    return point


def _check_planned(event: Event, planned_at: datetime, name: str = "planned_at") -> None:
    day = local(event, planned_at).date()
    first, last = event.starts_on - timedelta(days=WINDOW_DAYS), event.ends_on + timedelta(days=WINDOW_DAYS)
    if not first <= day <= last:
        raise FieldError(name, _("Choose a day from %(first)s to %(last)s (around the event's dates).")
                         % {"first": format_day(first), "last": format_day(last)})


def _steps_of(db: Session, point: CrossingPoint) -> list[ProcedureStep]:
    templates = db.scalars(
        select(ProcedureTemplate)
        .where(ProcedureTemplate.crossing_point_id == point.id)
        .order_by(ProcedureTemplate.position, ProcedureTemplate.id)
    )
    return [
        ProcedureStep(
            title=t.title, description=t.description, lead_days=t.lead_days,
            responsible_side=t.responsible_side, position=n,
        )
        for n, t in enumerate(templates)
    ]


def create(db: Session, *, actor: User, event: Event, data: CrossingIn) -> Crossing:
    """A new crossing in draft, its checklist generated from the point's procedures."""
    check_manageable(actor=actor, obj=event)
    delegation = _delegation(db, actor, event, data.delegation_id)
    point = _point(db, data.crossing_point_id)
    _check_planned(event, data.planned_at)
    if data.meeting_at is not None:
        _check_planned(event, data.meeting_at, "meeting_at")
    crossing = Crossing(
        event=event, delegation=delegation, crossing_point=point, direction=data.direction,
        planned_at=data.planned_at, meeting_at=data.meeting_at, status=CrossingStatus.DRAFT,
        vehicles=[], entries=[], steps=_steps_of(db, point),
        **data.model_dump(include={"meeting_point", "host_escort", "host_contact", "visiting_escort",
                                   "visiting_contact", "notes"}),
    )
    db.add(crossing)
    db.flush()
    audit.record(db, actor, "crossing.create", crossing, steps=len(crossing.steps))
    log.info("crossing %s created by %s", crossing.id, actor_label(actor))
    return crossing


def update(db: Session, *, actor: User, crossing: Crossing, changes: Mapping[str, Any]) -> Crossing:
    """Change the given fields (CrossingUpdate's names). A completed crossing takes its notes
    only; the point and the direction change in draft only, and a new point brings its
    checklist (the old one's steps go, done or not)."""
    check_manageable(actor=actor, obj=crossing)
    changed = sorted(
        k for k, v in changes.items()
        if k in DRAFT_ONLY | set(SCALAR_FIELDS) and getattr(crossing, k) != v
    )
    if not changed:
        return crossing
    if crossing.status == CrossingStatus.COMPLETED and set(changed) - AFTER_COMPLETION:
        raise Conflict(_("This crossing is completed: only its notes can be changed."))
    if DRAFT_ONLY & set(changed):
        _require_draft(crossing, _("The crossing point and the direction change only while the crossing is a draft."))
    if "planned_at" in changed:
        _check_planned(crossing.event, changes["planned_at"])
    if "meeting_at" in changed and changes["meeting_at"] is not None:
        _check_planned(crossing.event, changes["meeting_at"], "meeting_at")
    if "actual_at" in changed and changes["actual_at"] is not None:
        _check_planned(crossing.event, changes["actual_at"], "actual_at")
    if "crossing_point_id" in changed:
        point = _point(db, changes["crossing_point_id"])
        old = list(db.scalars(select(ProcedureStep).where(ProcedureStep.crossing_id == crossing.id)))
        set_committed_value(crossing, "steps", old)
        crossing.crossing_point = point
        crossing.steps = _steps_of(db, point)
    if "direction" in changed:
        crossing.direction = changes["direction"]
    before = itinerary_changes.crossing_before(crossing)
    for key in changed:
        if key in SCALAR_FIELDS:
            setattr(crossing, key, changes[key])
    db.flush()
    audit.record(db, actor, "crossing.update", crossing, fields=changed)
    itinerary_changes.record_crossing_change(db, crossing=crossing, before=before)
    log.info("crossing %s updated by %s", crossing.id, actor_label(actor))
    return crossing


def delete(db: Session, *, actor: User, crossing: Crossing) -> None:
    """Only a draft is deleted; once submitted, the crossing is part of the record."""
    check_manageable(actor=actor, obj=crossing)
    _require_draft(crossing, _("Only a draft crossing can be deleted: this one has been submitted."))
    audit.record(db, actor, "crossing.delete", crossing, delegation_id=crossing.delegation_id,
                 direction=crossing.direction.value)
    db.delete(crossing)
    db.flush()
    log.info("crossing %s deleted by %s", crossing.id, actor_label(actor))


# --- vehicles ------------------------------------------------------------------------------------


def add_vehicle(db: Session, *, actor: User, crossing: Crossing, data: VehicleIn) -> Vehicle:
    check_manageable(actor=actor, obj=crossing)
    _require_not_completed(crossing)
    last = db.scalar(select(func.max(Vehicle.position)).where(Vehicle.crossing_id == crossing.id))
    vehicle = Vehicle(crossing_id=crossing.id, position=(last or 0) + 1, **data.model_dump())
    db.add(vehicle)
    db.flush()
    set_committed_value(vehicle, "crossing", crossing)
    audit.record(db, actor, "vehicle.create", vehicle, event_id=crossing.event_id, crossing_id=crossing.id)
    log.info("vehicle %s added to crossing %s by %s", vehicle.id, crossing.id, actor_label(actor))
    return vehicle


def update_vehicle(db: Session, *, actor: User, vehicle: Vehicle, changes: Mapping[str, Any]) -> Vehicle:
    crossing = vehicle.crossing
    check_manageable(actor=actor, obj=crossing)
    changed = sorted(k for k, v in changes.items() if k in VEHICLE_FIELDS and getattr(vehicle, k) != v)
    if not changed:
        return vehicle
    _require_not_completed(crossing)
    for key in changed:
        setattr(vehicle, key, changes[key])
    db.flush()
    audit.record(db, actor, "vehicle.update", vehicle, event_id=crossing.event_id, fields=changed)
    log.info("vehicle %s updated by %s", vehicle.id, actor_label(actor))
    return vehicle


def remove_vehicle(db: Session, *, actor: User, vehicle: Vehicle) -> None:
    """The vehicle goes; the people seated in it have no seat until they are given another."""
    crossing = vehicle.crossing
    check_manageable(actor=actor, obj=crossing)
    _require_not_completed(crossing)
    db.execute(
        sql_update(ManifestEntry)
        .where(ManifestEntry.vehicle_id == vehicle.id)
        .values(vehicle_id=None)
        .execution_options(synchronize_session="fetch")
    )
    audit.record(db, actor, "vehicle.delete", vehicle, event_id=crossing.event_id, crossing_id=crossing.id)
    db.delete(vehicle)
    db.flush()
    log.info("vehicle %s removed from crossing %s by %s", vehicle.id, crossing.id, actor_label(actor))


# --- the manifest --------------------------------------------------------------------------------


def _manifest_open(crossing: Crossing) -> None:
    _require_draft(crossing, _("The manifest has been submitted: people can no longer be added or removed."))


def _entry(crossing: Crossing, registration: Registration) -> ManifestEntry:
    entry = ManifestEntry(crossing_id=crossing.id, registration=registration, status=ManifestStatus.LISTED, staying_reason="")
    set_committed_value(entry, "crossing", crossing)
    return entry


def add_entry(db: Session, *, actor: User, crossing: Crossing, registration_id: int) -> ManifestEntry:
    """One registration of the crossing's delegation (of any status: the checks say whether it
    may cross)."""
    check_manageable(actor=actor, obj=crossing)
    _manifest_open(crossing)
    registration = db.scalar(
        select(Registration)
        .options(joinedload(Registration.person))
        .where(
            Registration.id == registration_id,
            Registration.event_id == crossing.event_id,
            Registration.delegation_id == crossing.delegation_id,
        )
    )
    if registration is None:
        raise FieldError("registration_id", _("Choose a participant of this delegation."))
    taken = select(ManifestEntry.id).where(
        ManifestEntry.crossing_id == crossing.id, ManifestEntry.registration_id == registration.id
    )
    if db.scalar(taken) is not None:
        raise FieldError("registration_id", _("%(name)s is on the manifest already.") % {"name": registration.person.full_name})
    entry = _entry(crossing, registration)
    db.add(entry)
    db.flush()
    audit.record(db, actor, "manifest.add", entry, event_id=crossing.event_id, crossing_id=crossing.id,
                 registration_id=registration.id)
    log.info("registration %s added to crossing %s by %s", registration.id, crossing.id, actor_label(actor))
    return entry


def add_all_confirmed(db: Session, *, actor: User, crossing: Crossing) -> list[ManifestEntry]:
    """Every confirmed (or attended) registration of the delegation not on the manifest yet;
    the new entries (none when everyone is on already)."""
    check_manageable(actor=actor, obj=crossing)
    _manifest_open(crossing)
    on = set(db.scalars(select(ManifestEntry.registration_id).where(ManifestEntry.crossing_id == crossing.id)))
    added = [_entry(crossing, r) for r in _delegation_people(db, crossing, CONFIRMED) if r.id not in on]
    if not added:
        return []
    db.add_all(added)
    db.flush()
    audit.record(db, actor, "manifest.add_all", crossing, registration_ids=[e.registration_id for e in added])
    log.info("%s registrations added to crossing %s by %s", len(added), crossing.id, actor_label(actor))
    return added


def update_entry(db: Session, *, actor: User, entry: ManifestEntry, changes: Mapping[str, Any]) -> ManifestEntry:
    """A person's status, vehicle (None: no seat) or staying reason. A completed crossing keeps
    its manifest, but for the staying reasons of an arrival (reconciliation comes after it)."""
    crossing = entry.crossing
    check_manageable(actor=actor, obj=crossing)
    changed = sorted(k for k, v in changes.items() if k in ("status", "vehicle_id", "staying_reason") and getattr(entry, k) != v)
    if not changed:
        return entry
    if crossing.status == CrossingStatus.COMPLETED and set(changed) - {"staying_reason"}:
        raise Conflict(_("This crossing is completed: its manifest can no longer be changed."))
    if "staying_reason" in changed and crossing.direction != CrossingDirection.ARRIVAL:
        raise FieldError("staying_reason", _("Only people who arrived are marked as staying."))
    if "vehicle_id" in changed and changes["vehicle_id"] is not None:
        vehicle = db.scalar(
            select(Vehicle).where(Vehicle.id == changes["vehicle_id"], Vehicle.crossing_id == crossing.id)
        )
        if vehicle is None:
            raise FieldError("vehicle_id", _("Choose a vehicle of this crossing."))
        entry.vehicle = vehicle
    elif "vehicle_id" in changed:
        entry.vehicle = None
    if "status" in changed:
        entry.status = changes["status"]
    if "staying_reason" in changed:
        entry.staying_reason = changes["staying_reason"].strip()
    db.flush()
    audit.record(db, actor, "manifest.update", entry, event_id=crossing.event_id, crossing_id=crossing.id, fields=changed)
    log.info("manifest entry %s updated by %s", entry.id, actor_label(actor))
    return entry


def set_entry_status(db: Session, *, actor: User, entry: ManifestEntry, status: ManifestStatus) -> ManifestEntry:
    return update_entry(db, actor=actor, entry=entry, changes={"status": status})


def assign_vehicle(db: Session, *, actor: User, entry: ManifestEntry, vehicle_id: int | None) -> ManifestEntry:
    return update_entry(db, actor=actor, entry=entry, changes={"vehicle_id": vehicle_id})


def set_staying_reason(db: Session, *, actor: User, entry: ManifestEntry, reason: str) -> ManifestEntry:
    return update_entry(db, actor=actor, entry=entry, changes={"staying_reason": reason.strip()})


def remove_entry(db: Session, *, actor: User, entry: ManifestEntry) -> None:
    crossing = entry.crossing
    check_manageable(actor=actor, obj=crossing)
    _manifest_open(crossing)
    audit.record(db, actor, "manifest.remove", entry, event_id=crossing.event_id, crossing_id=crossing.id,
                 registration_id=entry.registration_id)
    db.delete(entry)
    db.flush()
    log.info("manifest entry %s removed from crossing %s by %s", entry.id, crossing.id, actor_label(actor))


# --- the workflow --------------------------------------------------------------------------------


def submit(db: Session, *, actor: User, crossing: Crossing) -> Crossing:
    """Draft → submitted, refused (ManifestProblems, 409) while blocking problems remain."""
    check_manageable(actor=actor, obj=crossing)
    _require_draft(crossing, _("This crossing has been submitted already."))
    if blocking := [p for p in check(db, crossing=crossing) if p.blocking]:
        raise ManifestProblems(blocking)
    crossing.status = CrossingStatus.SUBMITTED
    crossing.submitted_at, crossing.submitted_by_id = utcnow(), actor.id
    db.flush()
    audit.record(db, actor, "crossing.submit", crossing, people=len(_counted(crossing)))
    log.info("crossing %s submitted by %s", crossing.id, actor_label(actor))
    return crossing


def _mark(db: Session, crossing: Crossing, before: frozenset[ManifestStatus], after: ManifestStatus) -> int:
    result = db.execute(
        sql_update(ManifestEntry)
        .where(ManifestEntry.crossing_id == crossing.id, ManifestEntry.status.in_(before))
        .values(status=after, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def clear(db: Session, *, actor: User, crossing: Crossing) -> Crossing:
    """Submitted → cleared (the authorities' clearance): the people listed become cleared; those
    refused stay refused."""
    check_decidable(actor=actor, crossing=crossing)
    if crossing.status != CrossingStatus.SUBMITTED:
        raise Conflict(_("Only a submitted crossing can be marked as cleared."))
    cleared = _mark(db, crossing, frozenset({ManifestStatus.LISTED}), ManifestStatus.CLEARED)
    crossing.status = CrossingStatus.CLEARED
    crossing.cleared_at, crossing.cleared_by_id = utcnow(), actor.id
    db.flush()
    audit.record(db, actor, "crossing.clear", crossing, people=cleared)
    log.info("crossing %s cleared by %s", crossing.id, actor_label(actor))
    return crossing


def complete(db: Session, *, actor: User, crossing: Crossing, actual_at: datetime | None = None) -> Crossing:
    """Cleared → completed: it happened (at `actual_at`, else now, unless recorded before);
    everyone listed or cleared crossed, those refused did not. Afterwards only the notes change."""
    check_decidable(actor=actor, crossing=crossing)
    if crossing.status != CrossingStatus.CLEARED:
        raise Conflict(_("Only a cleared crossing can be marked as completed."))
    if actual_at is not None:
        _check_planned(crossing.event, actual_at, "actual_at")
        crossing.actual_at = actual_at
    elif crossing.actual_at is None:
        crossing.actual_at = utcnow()
    crossed = _mark(db, crossing, frozenset({ManifestStatus.LISTED, ManifestStatus.CLEARED}), ManifestStatus.CROSSED)
    crossing.status = CrossingStatus.COMPLETED
    crossing.completed_at, crossing.completed_by_id = utcnow(), actor.id
    db.flush()
    audit.record(db, actor, "crossing.complete", crossing, people=crossed)
    log.info("crossing %s completed by %s", crossing.id, actor_label(actor))
    return crossing


# --- the checklist -------------------------------------------------------------------------------


def set_step_done(db: Session, *, actor: User, step: ProcedureStep, done: bool) -> ProcedureStep:
    """Done (by whom, when) or not done again."""
    crossing = step.crossing
    check_manageable(actor=actor, obj=crossing)
    _require_not_completed(crossing)
    if (step.done_at is not None) == done:
        return step
    step.done_at, step.done_by_id = (utcnow(), actor.id) if done else (None, None)
    db.flush()
    audit.record(db, actor, "procedure_step.done" if done else "procedure_step.undone", step,
                 event_id=crossing.event_id, crossing_id=crossing.id)
    log.info("step %s of crossing %s marked %s by %s", step.id, crossing.id, "done" if done else "not done",
             actor_label(actor))
    return step
