from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.config import get_settings
from app.crossings import service
from app.crossings.models import (
    Crossing,
    CrossingDirection,
    CrossingStatus,
    ManifestEntry,
    ManifestStatus,
    ProcedureStep,
    ResponsibleSide,
)
from app.crossings.schemas import CrossingIn, VehicleIn
from app.errors import Conflict, FieldError, Forbidden
from app.events.models import Event, EventStatus
from app.registrations.models import RegistrationStatus
from tests.factories import (
    CrossingFactory,
    CrossingPointFactory,
    DelegationFactory,
    EventFactory,
    ManifestEntryFactory,
    ProcedureTemplateFactory,
    RegistrationFactory,
    VehicleFactory,
    coordinator,
    organiser,
    with_document,
)

YEREVAN = ZoneInfo("Asia/Yerevan")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=YEREVAN)


def loaded(db, crossing: Crossing) -> Crossing:
    """The crossing as the pages load it: through the path loader, then its lists."""
    db.flush()
    db.expire_all()
    event = db.get(Event, crossing.event_id)
    return service.get_for_viewer(db, viewer=organiser(event), event=event, crossing_id=crossing.id)


def kinds(problems) -> list[tuple[int | None, str]]:
    return [(p.entry_id, p.kind) for p in problems]


def ready(crossing: Crossing, n: int = 1, seats: int = 20) -> list[ManifestEntry]:
    """`n` confirmed people with valid documents and a vehicle seating them all."""
    vehicle = VehicleFactory(crossing=crossing, seats=seats)
    entries = [ManifestEntryFactory(crossing=crossing, vehicle=vehicle) for _ in range(n)]
    for entry in entries:
        with_document(entry.registration, number=f"AB{entry.id:07d}")
    return entries


def data(delegation, point, **changes) -> CrossingIn:
    fields = {
        "delegation_id": delegation.id, "crossing_point_id": point.id, "direction": "arrival",
        "planned_at": at(13, 8), "meeting_point": "Hotel lobby", "meeting_at": at(13, 6, 30),
    }
    return CrossingIn(**{**fields, **changes})


# --- create, update, delete ----------------------------------------------------------------------


def test_create_generates_the_checklist_from_the_points_procedures(db):
    delegation = DelegationFactory()
    point = CrossingPointFactory()
    ProcedureTemplateFactory(crossing_point=point, title="Receive clearance", lead_days=2, position=2)
    ProcedureTemplateFactory(crossing_point=point, title="Submit the passenger list", lead_days=10, position=1,
                             responsible_side=ResponsibleSide.HOST)
    actor = organiser(delegation.event)

    crossing = service.create(db, actor=actor, event=delegation.event, data=data(delegation, point))

    assert crossing.status == CrossingStatus.DRAFT
    assert crossing.planned_at == datetime(2026, 2, 13, 4, 0, tzinfo=UTC)
    assert [(s.title, s.lead_days, s.responsible_side, s.position) for s in crossing.steps] == [
        ("Submit the passenger list", 10, ResponsibleSide.HOST, 0),
        ("Receive clearance", 2, ResponsibleSide.VISITING, 1),
    ]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "crossing.create"))
    assert (entry.object_id, entry.actor_id, entry.details) == (crossing.id, actor.id, {"steps": 2})


def test_create_refuses_an_inactive_point_another_events_delegation_and_a_far_day(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    actor = organiser(event)
    retired = CrossingPointFactory(is_active=False)
    point = CrossingPointFactory()

    with pytest.raises(FieldError) as inactive:
        service.create(db, actor=actor, event=event, data=data(delegation, retired))
    with pytest.raises(FieldError) as other:
        service.create(db, actor=actor, event=event, data=data(DelegationFactory(), point))
    with pytest.raises(FieldError) as far:
        service.create(db, actor=actor, event=event, data=data(delegation, point, planned_at=at(1, 8).replace(month=6)))

    assert (inactive.value.field, inactive.value.message) == ("crossing_point_id", "Choose an active crossing point.")
    assert (other.value.field, other.value.message) == ("delegation_id", "Choose a delegation of this event.")
    assert far.value.field == "planned_at" and "around the event's dates" in far.value.message


def test_a_coordinator_creates_for_their_delegation_only(db):
    event = EventFactory()
    ours, theirs = DelegationFactory(event=event), DelegationFactory(event=event)
    actor = coordinator(ours)
    point = CrossingPointFactory()

    crossing = service.create(db, actor=actor, event=event, data=data(ours, point))
    with pytest.raises(FieldError) as refused:
        service.create(db, actor=actor, event=event, data=data(theirs, point))

    assert crossing.delegation_id == ours.id
    assert refused.value.field == "delegation_id"


def test_press_officer_and_delegate_cannot_create(db):
    from tests.factories import delegate, press_officer

    delegation = DelegationFactory()
    point = CrossingPointFactory()
    person = delegate(RegistrationFactory(delegation=delegation, status=RegistrationStatus.CONFIRMED))

    for actor in (press_officer(delegation.event), person):
        with pytest.raises(Forbidden):
            service.create(db, actor=actor, event=delegation.event, data=data(delegation, point))


def test_archived_event_refuses_changes(db):
    crossing = CrossingFactory(delegation__event__status=EventStatus.ARCHIVED)
    crossing = loaded(db, crossing)
    actor = organiser(crossing.event)

    with pytest.raises(Forbidden):
        service.update(db, actor=actor, crossing=crossing, changes={"notes": "Late"})


def test_update_in_draft_changes_the_point_and_its_checklist(db):
    crossing = CrossingFactory()
    crossing.steps.append(ProcedureStep(title="Old step", lead_days=1, responsible_side=ResponsibleSide.BOTH))
    point = CrossingPointFactory()
    ProcedureTemplateFactory(crossing_point=point, title="New step", lead_days=3)
    crossing = loaded(db, crossing)

    service.update(db, actor=organiser(crossing.event), crossing=crossing,
                   changes={"crossing_point_id": point.id, "planned_at": at(13, 9), "host_escort": "Captain A."})
    db.expire_all()

    steps = db.scalars(select(ProcedureStep).where(ProcedureStep.crossing_id == crossing.id)).all()
    assert [s.title for s in steps] == ["New step"]
    saved = db.get(Crossing, crossing.id)
    assert (saved.crossing_point_id, saved.planned_at, saved.host_escort) == (point.id, at(13, 9), "Captain A.")


def test_point_and_direction_change_only_in_draft(db):
    crossing = loaded(db, CrossingFactory(status=CrossingStatus.SUBMITTED))

    with pytest.raises(Conflict) as refused:
        service.update(db, actor=organiser(crossing.event), crossing=crossing, changes={"direction": "departure"})
    service.update(db, actor=organiser(crossing.event), crossing=crossing, changes={"planned_at": at(13, 10)})

    assert "only while the crossing is a draft" in refused.value.message
    assert crossing.planned_at == at(13, 10)


def test_a_completed_crossing_takes_only_its_notes(db):
    crossing = loaded(db, CrossingFactory(status=CrossingStatus.COMPLETED))
    actor = organiser(crossing.event)

    with pytest.raises(Conflict) as refused:
        service.update(db, actor=actor, crossing=crossing, changes={"notes": "All well", "planned_at": at(13, 11)})
    service.update(db, actor=actor, crossing=crossing, changes={"notes": "All well", "planned_at": crossing.planned_at})

    assert refused.value.message == "This crossing is completed: only its notes can be changed."
    assert crossing.notes == "All well" and crossing.planned_at == at(13, 8)
    with pytest.raises(Conflict):
        service.add_vehicle(db, actor=actor, crossing=crossing, data=VehicleIn(label="Van", plate="11 AA 111", seats=8))


def test_only_a_draft_is_deleted(db):
    draft, submitted = CrossingFactory(), CrossingFactory(status=CrossingStatus.SUBMITTED)
    draft_id, submitted_id = draft.id, submitted.id

    draft = loaded(db, draft)
    service.delete(db, actor=organiser(draft.event), crossing=draft)
    submitted = loaded(db, submitted)
    with pytest.raises(Conflict):
        service.delete(db, actor=organiser(submitted.event), crossing=submitted)

    assert db.get(Crossing, draft_id) is None and db.get(Crossing, submitted_id) is not None


# --- the manifest --------------------------------------------------------------------------------


def test_add_all_confirmed_adds_the_delegations_confirmed_people_once(db):
    crossing = CrossingFactory()
    delegation = crossing.delegation
    confirmed = RegistrationFactory(delegation=delegation, status=RegistrationStatus.CONFIRMED)
    attended = RegistrationFactory(delegation=delegation, status=RegistrationStatus.ATTENDED)
    RegistrationFactory(delegation=delegation, status=RegistrationStatus.REGISTERED)
    RegistrationFactory(delegation=DelegationFactory(event=crossing.event), status=RegistrationStatus.CONFIRMED)
    already = ManifestEntryFactory(crossing=crossing)
    crossing = loaded(db, crossing)
    actor = coordinator(crossing.delegation)

    added = service.add_all_confirmed(db, actor=actor, crossing=crossing)
    again = service.add_all_confirmed(db, actor=actor, crossing=crossing)

    assert sorted(e.registration_id for e in added) == sorted([confirmed.id, attended.id])
    assert again == []
    on = db.scalars(select(ManifestEntry.registration_id).where(ManifestEntry.crossing_id == crossing.id)).all()
    assert sorted(on) == sorted([confirmed.id, attended.id, already.registration_id])


def test_add_one_refuses_the_other_delegations_people_and_doubles(db):
    crossing = CrossingFactory()
    other_side = RegistrationFactory(delegation=DelegationFactory(event=crossing.event))
    ours = RegistrationFactory(delegation=crossing.delegation)
    crossing = loaded(db, crossing)
    actor = organiser(crossing.event)

    entry = service.add_entry(db, actor=actor, crossing=crossing, registration_id=ours.id)
    with pytest.raises(FieldError) as double:
        service.add_entry(db, actor=actor, crossing=crossing, registration_id=ours.id)
    with pytest.raises(FieldError) as other:
        service.add_entry(db, actor=actor, crossing=crossing, registration_id=other_side.id)

    assert entry.status == ManifestStatus.LISTED
    assert "on the manifest already" in double.value.message
    assert other.value.message == "Choose a participant of this delegation."


def test_people_are_added_and_removed_in_draft_only(db):
    crossing = CrossingFactory(status=CrossingStatus.SUBMITTED)
    entry = ManifestEntryFactory(crossing=crossing)
    crossing = loaded(db, crossing)
    entry = service.get_entry(db, crossing=crossing, entry_id=entry.id)
    actor = organiser(crossing.event)

    with pytest.raises(Conflict):
        service.add_all_confirmed(db, actor=actor, crossing=crossing)
    with pytest.raises(Conflict):
        service.remove_entry(db, actor=actor, entry=entry)
    service.set_entry_status(db, actor=actor, entry=entry, status=ManifestStatus.REFUSED)

    assert entry.status == ManifestStatus.REFUSED


def test_a_vehicle_of_another_crossing_is_refused_and_removing_a_vehicle_unseats_its_people(db):
    crossing = CrossingFactory()
    vehicle = VehicleFactory(crossing=crossing)
    entry = ManifestEntryFactory(crossing=crossing)
    elsewhere = VehicleFactory()
    crossing = loaded(db, crossing)
    actor = organiser(crossing.event)
    entry = service.get_entry(db, crossing=crossing, entry_id=entry.id)

    service.assign_vehicle(db, actor=actor, entry=entry, vehicle_id=vehicle.id)
    with pytest.raises(FieldError) as refused:
        service.assign_vehicle(db, actor=actor, entry=entry, vehicle_id=elsewhere.id)
    service.remove_vehicle(db, actor=actor, vehicle=service.get_vehicle(db, crossing=crossing, vehicle_id=vehicle.id))
    db.expire_all()

    assert refused.value.field == "vehicle_id"
    assert db.get(ManifestEntry, entry.id).vehicle_id is None


# --- problems ------------------------------------------------------------------------------------


def _problems(db, crossing):
    return service.check(db, crossing=loaded(db, crossing))


def test_a_ready_manifest_has_no_problems(db):
    crossing = CrossingFactory()
    ready(crossing, 2)

    assert _problems(db, crossing) == []


def test_no_travel_document_is_a_problem(db):
    crossing = CrossingFactory()
    VehicleFactory(crossing=crossing)
    entry = ManifestEntryFactory(crossing=crossing, vehicle=crossing.vehicles[0])

    found = _problems(db, crossing)

    assert kinds(found) == [(entry.id, service.NO_DOCUMENT)]
    assert found[0].message == "No travel document." and found[0].blocking


@pytest.mark.parametrize(
    ("expires", "kind"),
    [
        (date(2026, 2, 12), service.DOCUMENT_EXPIRED),  # the day before the crossing
        (date(2026, 2, 13), service.DOCUMENT_EXPIRING),  # valid on the day, not after
        (date(2026, 5, 13), service.DOCUMENT_EXPIRING),  # 89 days after
        (date(2026, 5, 14), None),  # 90 days after: enough
    ],
)
def test_a_document_expiring_within_the_margin_after_the_crossing_is_a_problem(db, expires, kind):
    crossing = CrossingFactory()
    (entry,) = ready(crossing)
    with_document(entry.registration, doc_expires_on=expires)

    found = _problems(db, crossing)

    assert kinds(found) == ([(entry.id, kind)] if kind else [])
    if kind == service.DOCUMENT_EXPIRED:
        assert found[0].message == "The travel document expires on Feb 12, 2026, before the crossing."


def test_the_margin_is_configurable(db, monkeypatch):
    monkeypatch.setenv("PARLEY_DOCUMENT_EXPIRY_MARGIN_DAYS", "200")
    get_settings.cache_clear()
    crossing = CrossingFactory()
    (entry,) = ready(crossing)
    with_document(entry.registration, doc_expires_on=date(2026, 6, 1))

    found = _problems(db, crossing)

    assert kinds(found) == [(entry.id, service.DOCUMENT_EXPIRING)]
    assert "less than 200 days after the crossing" in found[0].message


@pytest.mark.parametrize(
    ("status", "problem"),
    [
        (RegistrationStatus.CONFIRMED, False),
        (RegistrationStatus.ATTENDED, False),
        (RegistrationStatus.REGISTERED, True),
        (RegistrationStatus.CANCELLED, True),
        (RegistrationStatus.NO_SHOW, True),
    ],
)
def test_a_registration_not_confirmed_is_a_problem(db, status, problem):
    crossing = CrossingFactory()
    (entry,) = ready(crossing)
    entry.registration.status = status

    found = _problems(db, crossing)

    assert kinds(found) == ([(entry.id, service.NOT_CONFIRMED)] if problem else [])


def test_someone_on_another_crossing_in_the_same_direction_is_a_problem(db):
    crossing = CrossingFactory()
    (entry,) = ready(crossing)
    other = CrossingFactory(delegation=crossing.delegation, planned_at=at(13, 18))
    ManifestEntryFactory(crossing=other, registration=entry.registration)
    departure = CrossingFactory(delegation=crossing.delegation, direction=CrossingDirection.DEPARTURE)
    ManifestEntryFactory(crossing=departure, registration=entry.registration)

    found = _problems(db, crossing)

    assert kinds(found) == [(entry.id, service.ON_ANOTHER_CROSSING)]
    assert found[0].message == "Also on another arrival, planned for Feb 13, 2026, 18:00."


def test_refused_on_the_other_crossing_is_no_problem(db):
    crossing = CrossingFactory()
    (entry,) = ready(crossing)
    other = CrossingFactory(delegation=crossing.delegation)
    ManifestEntryFactory(crossing=other, registration=entry.registration, status=ManifestStatus.REFUSED)

    assert _problems(db, crossing) == []


def test_more_people_than_seats_is_a_problem_of_the_crossing(db):
    crossing = CrossingFactory()
    ready(crossing, 3, seats=2)

    found = _problems(db, crossing)

    assert (service.NOT_ENOUGH_SEATS, "3 people for 2 seats: add a vehicle or seats.") in [(p.kind, p.message) for p in found]
    assert kinds(found) == [(None, service.NOT_ENOUGH_SEATS), (None, service.VEHICLE_FULL)]


def test_refused_people_take_no_seat_and_are_not_checked(db):
    crossing = CrossingFactory()
    ready(crossing, 2, seats=2)
    ManifestEntryFactory(crossing=crossing, status=ManifestStatus.REFUSED)

    assert _problems(db, crossing) == []


def test_no_vehicle_and_an_empty_manifest_are_problems(db):
    empty = CrossingFactory()
    walking = CrossingFactory()
    entry = ManifestEntryFactory(crossing=walking)
    with_document(entry.registration)

    assert kinds(_problems(db, walking)) == [(None, service.NO_VEHICLE)]
    assert kinds(_problems(db, empty)) == [(None, service.EMPTY_MANIFEST)]


def test_a_person_without_a_seat_is_a_note_that_does_not_block(db):
    crossing = CrossingFactory()
    VehicleFactory(crossing=crossing)
    entry = ManifestEntryFactory(crossing=crossing)
    with_document(entry.registration)

    (found,) = _problems(db, crossing)

    assert (found.kind, found.blocking) == (service.NO_SEAT, False)


# --- the workflow --------------------------------------------------------------------------------


def test_submit_is_refused_with_the_list_of_blocking_problems(db):
    crossing = CrossingFactory()
    entry = ManifestEntryFactory(crossing=crossing)
    crossing = loaded(db, crossing)

    with pytest.raises(service.ManifestProblems) as refused:
        service.submit(db, actor=coordinator(crossing.delegation), crossing=crossing)

    assert kinds(refused.value.problems) == [(entry.id, service.NO_DOCUMENT), (None, service.NO_VEHICLE)]
    assert refused.value.status_code == 409
    assert crossing.status == CrossingStatus.DRAFT


def test_submit_clear_and_complete_record_who_and_when(db):
    crossing = CrossingFactory()
    first, second = ready(crossing, 2)
    third = ManifestEntryFactory(crossing=crossing, vehicle=first.vehicle, status=ManifestStatus.REFUSED)
    crossing = loaded(db, crossing)
    boss, helper = organiser(crossing.event), coordinator(crossing.delegation)

    service.submit(db, actor=helper, crossing=crossing)
    with pytest.raises(Forbidden):
        service.clear(db, actor=helper, crossing=crossing)
    service.clear(db, actor=boss, crossing=crossing)
    with pytest.raises(Conflict):
        service.clear(db, actor=boss, crossing=crossing)
    service.complete(db, actor=boss, crossing=crossing, actual_at=at(13, 8, 40))
    db.expire_all()

    saved = db.get(Crossing, crossing.id)
    assert saved.status == CrossingStatus.COMPLETED
    assert (saved.submitted_by_id, saved.cleared_by_id, saved.completed_by_id) == (helper.id, boss.id, boss.id)
    assert None not in (saved.submitted_at, saved.cleared_at, saved.completed_at)
    assert saved.actual_at == at(13, 8, 40)
    statuses = {e.id: e.status for e in db.scalars(select(ManifestEntry).where(ManifestEntry.crossing_id == crossing.id))}
    assert statuses == {first.id: ManifestStatus.CROSSED, second.id: ManifestStatus.CROSSED, third.id: ManifestStatus.REFUSED}
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "crossing").order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["crossing.submit", "crossing.clear", "crossing.complete"]


def test_complete_without_a_time_is_now(db):
    crossing = loaded(db, CrossingFactory(status=CrossingStatus.CLEARED))
    before = datetime.now(UTC)

    service.complete(db, actor=organiser(crossing.event), crossing=crossing)

    assert crossing.actual_at >= before.replace(microsecond=0)


def test_complete_needs_a_cleared_crossing(db):
    crossing = loaded(db, CrossingFactory(status=CrossingStatus.SUBMITTED))

    with pytest.raises(Conflict) as refused:
        service.complete(db, actor=organiser(crossing.event), crossing=crossing)

    assert refused.value.message == "Only a cleared crossing can be marked as completed."


# --- the checklist -------------------------------------------------------------------------------


def test_deadlines_count_back_on_the_events_clock(db):
    crossing = CrossingFactory(planned_at=at(13, 8))
    crossing.steps.append(ProcedureStep(title="Submit the list", lead_days=2, responsible_side=ResponsibleSide.BOTH))
    crossing.steps.append(ProcedureStep(title="Brief the escort", lead_days=0, responsible_side=ResponsibleSide.HOST,
                                        position=1))
    crossing = loaded(db, crossing)
    found = service.detail(db, viewer=organiser(crossing.event), crossing=crossing, now=at(12, 9))

    (first, second) = found.summary.steps
    assert first.due_at == at(11, 8) and first.due_at.utcoffset().total_seconds() == 4 * 3600
    assert first.due_at.astimezone(UTC) == datetime(2026, 2, 11, 4, 0, tzinfo=UTC)
    assert (first.overdue, second.overdue) == (True, False)


def test_a_step_done_records_who_and_when_and_can_be_undone(db):
    crossing = CrossingFactory()
    crossing.steps.append(ProcedureStep(title="Submit the list", lead_days=2, responsible_side=ResponsibleSide.BOTH))
    crossing = loaded(db, crossing)
    step = db.scalar(select(ProcedureStep).where(ProcedureStep.crossing_id == crossing.id))
    step = service.get_step(db, crossing=crossing, step_id=step.id)
    actor = coordinator(crossing.delegation)

    service.set_step_done(db, actor=actor, step=step, done=True)
    done = (step.done_at is not None, step.done_by_id)
    service.set_step_done(db, actor=actor, step=step, done=False)

    assert done == (True, actor.id)
    assert (step.done_at, step.done_by_id) == (None, None)
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "procedure_step")).all()
    assert actions == ["procedure_step.done", "procedure_step.undone"]


# --- reconciliation and the board ----------------------------------------------------------------


def test_reconciliation_lists_who_crossed_in_and_is_unaccounted_for(db):
    arrival = CrossingFactory(status=CrossingStatus.COMPLETED)
    leaving, staying, missing = (ManifestEntryFactory(crossing=arrival, status=ManifestStatus.CROSSED) for _ in range(3))
    staying.staying_reason = "Stays for the follow-up working group"
    ManifestEntryFactory(crossing=arrival, status=ManifestStatus.REFUSED)
    departure = CrossingFactory(delegation=arrival.delegation, direction=CrossingDirection.DEPARTURE, planned_at=at(14, 19))
    ManifestEntryFactory(crossing=departure, registration=leaving.registration)
    db.flush()

    (found,) = service.reconciliation(db, viewer=organiser(arrival.event), event=arrival.event)

    assert [e.id for e in found.crossed_in] == sorted([leaving.id, staying.id, missing.id])
    assert [e.id for e in found.departing] == [leaving.id]
    assert [e.id for e in found.staying] == [staying.id]
    assert [e.id for e in found.unaccounted] == [missing.id]
    assert not found.balanced


def test_the_board_scopes_a_coordinator_to_their_delegation(db):
    event = EventFactory()
    ours = CrossingFactory(delegation=DelegationFactory(event=event))
    theirs = CrossingFactory(delegation=DelegationFactory(event=event))

    as_coordinator = service.board(db, viewer=coordinator(ours.delegation), event=event)
    as_organiser = service.board(db, viewer=organiser(event), event=event)

    assert [s.crossing.id for s in as_coordinator.summaries] == [ours.id]
    assert sorted(s.crossing.id for s in as_organiser.summaries) == sorted([ours.id, theirs.id])


def test_the_board_counts_and_problems(db):
    crossing = CrossingFactory()
    ready(crossing, 2, seats=1)
    ManifestEntryFactory(crossing=crossing, status=ManifestStatus.REFUSED)

    (summary,) = service.board(db, viewer=organiser(crossing.event), event=crossing.event).summaries

    assert (summary.people, summary.seats) == (2, 1)
    assert summary.counts == {ManifestStatus.LISTED: 2, ManifestStatus.CLEARED: 0, ManifestStatus.REFUSED: 1,
                              ManifestStatus.CROSSED: 0}
    assert [p.kind for p in summary.blocking] == [service.NOT_ENOUGH_SEATS, service.VEHICLE_FULL]
