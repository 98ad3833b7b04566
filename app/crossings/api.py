"""/api/v1/events/{event_id}/crossings: crossings, their vehicles, manifests and checklists."""

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.accounts.models import User
from app.crossings import service
from app.crossings.deps import CrossingDep, EntryDep, StepDep, VehicleDep
from app.crossings.models import Crossing
from app.crossings.schemas import (
    CompleteIn,
    CrossingCreate,
    CrossingDetail,
    CrossingRead,
    CrossingUpdate,
    EntryRead,
    EntryUpdate,
    ManifestAdd,
    ProblemRead,
    ReconciliationPerson,
    ReconciliationRead,
    StepRead,
    StepUpdate,
    VehicleIn,
    VehicleRead,
    VehicleUpdate,
)
from app.db import utcnow
from app.deps import CsrfChecked, CurrentUser, DbSession, PageNumber, declare
from app.errors import API_ERRORS, ApiError
from app.events.deps import EventDep
from app.events.models import Event
from app.pagination import PageOut, PerPage
from app.policy import Action
from app.registrations.models import Registration

router = APIRouter(prefix="/api/v1", tags=["crossings"], dependencies=[CsrfChecked], responses=API_ERRORS)

VIEW = declare(Action.CROSSING_VIEW)
MANAGE = declare(Action.CROSSING_MANAGE)
DECIDE = declare(Action.CROSSING_DECIDE)
BASE = "/events/{event_id}/crossings"
ONE = BASE + "/{crossing_id}"
VEHICLES = ONE + "/vehicles"
VEHICLE = VEHICLES + "/{vehicle_id}"
MANIFEST = ONE + "/manifest"
ENTRY = MANIFEST + "/{entry_id}"
STEP = ONE + "/steps/{step_id}"
PROBLEMS = {
    409: {
        "model": ApiError,
        "description": "ManifestProblems: one item per blocking problem (`loc` names the entry or the "
        "crossing, `type` the check); or the crossing's status does not allow this; or the event is archived.",
    }
}


def _local(event: Event, moment):  # type: ignore[no-untyped-def]
    return service.local(event, moment) if moment is not None else None


def _problem(problem: service.Problem) -> ProblemRead:
    return ProblemRead(kind=problem.kind, message=problem.message, blocking=problem.blocking, entry_id=problem.entry_id)


def _read(summary: service.Summary, cls: type[CrossingRead] = CrossingRead, **extra: object) -> CrossingRead:
    crossing: Crossing = summary.crossing
    event = crossing.event
    return cls(
        id=crossing.id, event_id=crossing.event_id, delegation_id=crossing.delegation_id,
        delegation_name=crossing.delegation.name, crossing_point_id=crossing.crossing_point_id,
        crossing_point=crossing.crossing_point.label, direction=crossing.direction, status=crossing.status,
        planned_at=service.local(event, crossing.planned_at), actual_at=_local(event, crossing.actual_at),
        meeting_point=crossing.meeting_point, meeting_at=_local(event, crossing.meeting_at), timezone=event.timezone,
        host_escort=crossing.host_escort, host_contact=crossing.host_contact,
        visiting_escort=crossing.visiting_escort, visiting_contact=crossing.visiting_contact, notes=crossing.notes,
        submitted_at=crossing.submitted_at, submitted_by_id=crossing.submitted_by_id,
        cleared_at=crossing.cleared_at, cleared_by_id=crossing.cleared_by_id,
        completed_at=crossing.completed_at, completed_by_id=crossing.completed_by_id,
        people=summary.people, seats=summary.seats, counts=summary.counts,
        blocking_problems=len(summary.blocking), overdue_steps=len(summary.overdue), **extra,
    )


def _detail(db: DbSession, user: User, crossing: Crossing) -> CrossingDetail:
    found = service.detail(db, viewer=user, crossing=crossing)
    summary = found.summary
    entries = [
        EntryRead(
            id=e.id, registration_id=e.registration_id, name=e.registration.person.full_name,
            registration_status=e.registration.status, masked_document=e.registration.masked_document,
            doc_expires_on=e.registration.doc_expires_on, status=e.status, vehicle_id=e.vehicle_id,
            staying_reason=e.staying_reason, problems=[_problem(p) for p in summary.problems_of(e)],
        )
        for e in crossing.entries
    ]
    steps = [
        StepRead(
            id=v.step.id, title=v.step.title, description=v.step.description, lead_days=v.step.lead_days,
            responsible_side=v.step.responsible_side, position=v.step.position, due_at=v.due_at, overdue=v.overdue,
            done_at=v.step.done_at, done_by_id=v.step.done_by_id,
        )
        for v in summary.steps
    ]
    return _read(  # type: ignore[return-value]
        summary, CrossingDetail,
        vehicles=[VehicleRead.model_validate(v) for v in crossing.vehicles], entries=entries, steps=steps,
        problems=[_problem(p) for p in summary.problems],
    )


def _refused(exc: service.ManifestProblems) -> JSONResponse:
    """409 ManifestProblems, one item per blocking problem."""
    detail = [
        {"loc": ["entries", p.entry_id] if p.entry_id is not None else ["crossing"], "msg": p.message, "type": p.kind}
        for p in exc.problems
    ]
    return JSONResponse({"error": exc.name, "detail": detail}, status_code=exc.status_code)


def _person(registration: Registration, reason: str = "") -> ReconciliationPerson:
    return ReconciliationPerson(registration_id=registration.id, name=registration.person.full_name, staying_reason=reason)


# --- crossings -----------------------------------------------------------------------------------


@router.get(BASE, response_model=PageOut[CrossingRead], dependencies=[VIEW])
def list_crossings(
    db: DbSession, user: CurrentUser, event: EventDep, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[CrossingRead]:
    """The event's crossings the caller may see (every delegation's for organisers, their own
    for coordinators), by planned time, with counts, blocking problems and overdue steps."""
    result = service.list_for_event(db, viewer=user, event=event, page=page, per_page=per_page)
    return PageOut[CrossingRead](
        items=[_read(s) for s in result.items], total=result.total, page=result.page, per_page=result.per_page
    )


@router.get(BASE + "/reconciliation", response_model=list[ReconciliationRead], dependencies=[VIEW])
def reconciliation(db: DbSession, user: CurrentUser, event: EventDep) -> list[ReconciliationRead]:
    """Of each delegation with an arrival: who crossed in, who is on a departure, who stays
    (with the reason on their arrival entry), and who is unaccounted for."""
    return [
        ReconciliationRead(
            delegation_id=r.delegation.id, delegation_name=r.delegation.name, crossed_in=len(r.crossed_in),
            departing=len(r.departing), staying=[_person(e.registration, e.staying_reason) for e in r.staying],
            unaccounted=[_person(e.registration) for e in r.unaccounted], balanced=r.balanced,
        )
        for r in service.reconciliation(db, viewer=user, event=event)
    ]


@router.post(BASE, response_model=CrossingDetail, status_code=201, dependencies=[MANAGE])
def create_crossing(db: DbSession, user: CurrentUser, event: EventDep, data: CrossingCreate) -> CrossingDetail:
    """A crossing in draft; its checklist comes from the crossing point's procedures. The
    delegation must be one the caller manages and the point active (422 otherwise)."""
    crossing = service.create(db, actor=user, event=event, data=data)
    return _detail(db, user, crossing)


@router.get(ONE, response_model=CrossingDetail, dependencies=[VIEW])
def get_crossing(db: DbSession, user: CurrentUser, crossing: CrossingDep) -> CrossingDetail:
    """The crossing with its vehicles, its manifest (each person with their problems; document
    numbers masked), its checklist with deadlines, and the crossing's own problems."""
    return _detail(db, user, crossing)


@router.patch(ONE, response_model=CrossingDetail, dependencies=[MANAGE], responses=PROBLEMS)
def update_crossing(db: DbSession, user: CurrentUser, crossing: CrossingDep, data: CrossingUpdate) -> CrossingDetail:
    """Change the given fields. A completed crossing takes only `notes` (409 otherwise)."""
    service.update(db, actor=user, crossing=crossing, changes=data.changes())
    return _detail(db, user, crossing)


@router.delete(ONE, status_code=204, dependencies=[MANAGE], responses=PROBLEMS)
def delete_crossing(db: DbSession, user: CurrentUser, crossing: CrossingDep) -> Response:
    """Only a draft is deleted (409 otherwise)."""
    service.delete(db, actor=user, crossing=crossing)
    return Response(status_code=204)


@router.post(ONE + "/submit", response_model=CrossingDetail, dependencies=[MANAGE], responses=PROBLEMS)
def submit_crossing(db: DbSession, user: CurrentUser, crossing: CrossingDep) -> CrossingDetail | Response:
    """Draft → submitted; refused with 409 ManifestProblems, listing them, while the manifest has
    blocking problems."""
    try:
        service.submit(db, actor=user, crossing=crossing)
    except service.ManifestProblems as exc:
        return _refused(exc)
    return _detail(db, user, crossing)


@router.post(ONE + "/clear", response_model=CrossingDetail, dependencies=[DECIDE], responses=PROBLEMS)
def clear_crossing(db: DbSession, user: CurrentUser, crossing: CrossingDep) -> CrossingDetail:
    """Submitted → cleared by the authorities (organisers record it); listed people become cleared."""
    service.clear(db, actor=user, crossing=crossing)
    return _detail(db, user, crossing)


@router.post(ONE + "/complete", response_model=CrossingDetail, dependencies=[DECIDE], responses=PROBLEMS)
def complete_crossing(
    db: DbSession, user: CurrentUser, crossing: CrossingDep, data: CompleteIn | None = None
) -> CrossingDetail:
    """Cleared → completed at `actual_at` (now when absent); everyone not refused crossed."""
    service.complete(db, actor=user, crossing=crossing, actual_at=data.actual_at if data else None)
    return _detail(db, user, crossing)


# --- vehicles ------------------------------------------------------------------------------------


@router.post(VEHICLES, response_model=VehicleRead, status_code=201, dependencies=[MANAGE], responses=PROBLEMS)
def add_vehicle(db: DbSession, user: CurrentUser, crossing: CrossingDep, data: VehicleIn) -> VehicleRead:
    return VehicleRead.model_validate(service.add_vehicle(db, actor=user, crossing=crossing, data=data))


@router.patch(VEHICLE, response_model=VehicleRead, dependencies=[MANAGE], responses=PROBLEMS)
def update_vehicle(db: DbSession, user: CurrentUser, vehicle: VehicleDep, data: VehicleUpdate) -> VehicleRead:
    changes = data.model_dump(exclude_unset=True)
    return VehicleRead.model_validate(service.update_vehicle(db, actor=user, vehicle=vehicle, changes=changes))


@router.delete(VEHICLE, status_code=204, dependencies=[MANAGE], responses=PROBLEMS)
def remove_vehicle(db: DbSession, user: CurrentUser, vehicle: VehicleDep) -> Response:
    """The people seated in it have no seat until they are given another."""
    service.remove_vehicle(db, actor=user, vehicle=vehicle)
    return Response(status_code=204)


# --- the manifest --------------------------------------------------------------------------------


@router.post(MANIFEST, response_model=CrossingDetail, status_code=201, dependencies=[MANAGE], responses=PROBLEMS)
def add_to_manifest(db: DbSession, user: CurrentUser, crossing: CrossingDep, data: ManifestAdd) -> CrossingDetail:
    """One registration of the delegation (422 on `registration_id` for anyone else or someone on
    already), or every confirmed one not on it yet; in draft only (409 otherwise)."""
    if data.all_confirmed:
        service.add_all_confirmed(db, actor=user, crossing=crossing)
    else:
        service.add_entry(db, actor=user, crossing=crossing, registration_id=data.registration_id or 0)
    return _detail(db, user, crossing)


@router.patch(ENTRY, response_model=CrossingDetail, dependencies=[MANAGE], responses=PROBLEMS)
def update_entry(db: DbSession, user: CurrentUser, crossing: CrossingDep, entry: EntryDep, data: EntryUpdate) -> CrossingDetail:
    """A person's status, vehicle or (on an arrival) staying reason."""
    service.update_entry(db, actor=user, entry=entry, changes=data.changes())
    return _detail(db, user, crossing)


@router.delete(ENTRY, status_code=204, dependencies=[MANAGE], responses=PROBLEMS)
def remove_from_manifest(db: DbSession, user: CurrentUser, entry: EntryDep) -> Response:
    service.remove_entry(db, actor=user, entry=entry)
    return Response(status_code=204)


# --- the checklist -------------------------------------------------------------------------------


@router.patch(STEP, response_model=StepRead, dependencies=[MANAGE], responses=PROBLEMS)
def update_step(db: DbSession, user: CurrentUser, crossing: CrossingDep, step: StepDep, data: StepUpdate) -> StepRead:
    """Done (by the caller, now) or not done again."""
    service.set_step_done(db, actor=user, step=step, done=data.done)
    due = service.due_at(crossing, step)
    return StepRead(
        id=step.id, title=step.title, description=step.description, lead_days=step.lead_days,
        responsible_side=step.responsible_side, position=step.position, due_at=due,
        overdue=step.done_at is None and due < utcnow(), done_at=step.done_at, done_by_id=step.done_by_id,
    )
