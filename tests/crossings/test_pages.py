from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.crossings.models import (
    Crossing,
    CrossingDirection,
    CrossingStatus,
    ManifestEntry,
    ManifestStatus,
    ProcedureStep,
    ResponsibleSide,
    Vehicle,
)
from app.registrations.models import RegistrationStatus
from tests.factories import (
    CrossingFactory,
    CrossingPointFactory,
    DelegationFactory,
    EventFactory,
    ManifestEntryFactory,
    ProcedureTemplateFactory,
    RegistrationFactory,
    UserFactory,
    VehicleFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
    with_document,
)
from tests.support import settle

YEREVAN = ZoneInfo("Asia/Yerevan")
FORM = {"crossing_point_id": "", "direction": "arrival", "day": "2026-02-13", "time": "08:00",
        "meeting_point": "Hotel Tsaghkadzor lobby", "meeting_time": "06:30"}


def url(crossing: Crossing) -> str:
    return f"/events/{crossing.event_id}/crossings/{crossing.id}"


def ready(crossing: Crossing, n: int = 1, seats: int = 20) -> list[ManifestEntry]:
    vehicle = VehicleFactory(crossing=crossing, seats=seats)
    entries = [ManifestEntryFactory(crossing=crossing, vehicle=vehicle) for _ in range(n)]
    for entry in entries:
        with_document(entry.registration, number=f"EF{entry.id:07d}")
    return entries


def with_step(crossing: Crossing, title: str = "Submit the passenger list", lead_days: int = 2) -> None:
    crossing.steps.append(ProcedureStep(title=title, lead_days=lead_days, responsible_side=ResponsibleSide.VISITING))


# --- the board -----------------------------------------------------------------------------------


def test_board_shows_each_crossing_with_counts_problems_and_reconciliation(client, login, db):
    arrival = CrossingFactory(status=CrossingStatus.COMPLETED)
    (left, stays) = (ManifestEntryFactory(crossing=arrival, status=ManifestStatus.CROSSED) for _ in range(2))
    departure = CrossingFactory(delegation=arrival.delegation, direction=CrossingDirection.DEPARTURE,
                                planned_at=datetime(2026, 2, 14, 19, tzinfo=YEREVAN))
    ManifestEntryFactory(crossing=departure, registration=left.registration)
    with_step(departure)
    login(organiser(arrival.event))
    settle(db)

    r = client.get(f"/events/{arrival.event_id}/crossings")

    assert r.status_code == 200
    assert f"<title>Crossings · {arrival.event.title} · Parley</title>" in r.text
    assert r.text.count('<tr class="crossing">') == 2
    assert "Feb 14, 2026, 19:00" in r.text and "Times in Asia/Yerevan." in r.text
    assert "2 problems" in r.text  # the departure: no document, no vehicle
    assert "1 person unaccounted for:" in r.text
    stays_name = db.get(ManifestEntry, stays.id).registration_id
    assert r.text.count('<ul class="unaccounted">') == 1 and str(stays_name)
    assert "0 of 1 done" in r.text


def test_board_without_crossings_shows_an_empty_state(client, login, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/crossings")

    assert "No crossings yet." in r.text and f'href="/events/{event.id}/crossings/new"' in r.text
    assert "No arrivals yet." in r.text


def test_board_of_a_coordinator_shows_their_delegation_only(client, login, db):
    event = EventFactory()
    ours = CrossingFactory(delegation=DelegationFactory(event=event, name="Visiting side"))
    CrossingFactory(delegation=DelegationFactory(event=event, name="Host side people"))
    login(coordinator(ours.delegation))
    settle(db)

    r = client.get(f"/events/{event.id}/crossings")

    assert r.text.count('<tr class="crossing">') == 1
    assert "Visiting side" in r.text and "Host side people" not in r.text


@pytest.mark.parametrize("who", ["press_officer", "delegate", "stranger"])
def test_board_is_refused_to_those_who_may_not_see_crossings(client, login, db, who):
    crossing = CrossingFactory()
    entry = ManifestEntryFactory(crossing=crossing)
    login({"press_officer": lambda: press_officer(crossing.event), "delegate": lambda: delegate(entry.registration),
           "stranger": UserFactory}[who]())
    settle(db)

    r = client.get(f"/events/{crossing.event_id}/crossings")

    assert r.status_code in (403, 404)
    assert "Crossings" not in r.text or r.status_code == 403


def test_the_event_page_links_to_the_crossings_for_those_who_may_see_them(client, login, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)
    organisers = client.get(f"/events/{event.id}")
    login(press_officer(db.get(type(event), event.id)))
    press = client.get(f"/events/{event.id}")

    assert f'href="/events/{event.id}/crossings"' in organisers.text
    assert f'href="/events/{event.id}/crossings"' not in press.text


@pytest.mark.parametrize("n", [1, 3])
def test_board_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    for hour in range(n):
        crossing = CrossingFactory(delegation=delegation, planned_at=datetime(2026, 2, 13, 6 + hour, tzinfo=YEREVAN))
        ready(crossing, n)
        with_step(crossing)
    login(organiser(event))
    settle(db)
    board = f"/events/{event.id}/crossings"

    with count_queries() as count:
        r = client.get(board)

    assert r.text.count('<tr class="crossing">') == n
    # the sign-in session with its grants, the event, crossings, vehicles, entries, steps
    assert count() == 6


@pytest.mark.parametrize("n", [1, 3])
def test_detail_query_count_is_constant(client, login, db, count_queries, n):
    crossing = CrossingFactory()
    ready(crossing, n)
    RegistrationFactory(delegation=crossing.delegation)
    for _ in range(n):
        with_step(crossing)
    crossing.steps[0].done_at, crossing.steps[0].done_by_id = datetime.now(UTC), organiser(crossing.event).id
    login(organiser(crossing.event))
    settle(db)
    page = url(crossing)

    with count_queries() as count:
        r = client.get(page)

    assert r.text.count('<tr class="manifest-entry"') == n
    # session, event, crossing; vehicles, entries, steps; the other crossings; candidates; users
    assert count() == 9


# --- create and edit -----------------------------------------------------------------------------


def test_create_saves_on_the_events_clock_and_generates_the_checklist(client, login, form, db):
    delegation = DelegationFactory()
    point = CrossingPointFactory(name_a="Voskepar", name_b="Ashaghi Askipara")
    ProcedureTemplateFactory(crossing_point=point, title="Register the vehicles", lead_days=3)
    CrossingPointFactory(name_a="Retired", is_active=False)
    login(coordinator(delegation))
    settle(db)

    page = client.get(f"/events/{delegation.event_id}/crossings/new")
    r = form(f"/events/{delegation.event_id}/crossings/new",
             {**FORM, "delegation_id": delegation.id, "crossing_point_id": point.id})

    assert "Voskepar (AM) / Ashaghi Askipara (AZ)" in page.text and "Retired" not in page.text
    assert "Planned time (in Asia/Yerevan)" in page.text
    assert r.status_code == 303
    crossing = db.scalar(select(Crossing).where(Crossing.delegation_id == delegation.id))
    assert r.headers["location"] == url(crossing)
    assert crossing.planned_at == datetime(2026, 2, 13, 4, tzinfo=UTC)
    assert crossing.meeting_at == datetime(2026, 2, 13, 2, 30, tzinfo=UTC)
    detail = client.get(url(crossing))
    assert "The crossing has been created, with its checklist." in detail.text
    assert "Register the vehicles" in detail.text and "Feb 10, 2026, 08:00" in detail.text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"day": ""}, "day", "Enter a date as YYYY-MM-DD."),
        ({"time": "25:00"}, "time", None),
        ({"crossing_point_id": "999999"}, "crossing_point_id", "Choose an active crossing point."),
        ({"day": "2026-07-01"}, "day", "around the event"),
        ({"meeting_day": "2026-02-12", "meeting_time": ""}, "meeting_time", "Give the time to meet"),
    ],
)
def test_create_with_bad_input_rerenders_422_with_the_error_beside_its_field(client, login, form, db, change, field, message):
    delegation = DelegationFactory()
    point = CrossingPointFactory()
    login(organiser(delegation.event))
    settle(db)

    r = form(f"/events/{delegation.event_id}/crossings/new",
             {**FORM, "delegation_id": delegation.id, "crossing_point_id": point.id, **change})

    assert r.status_code == 422
    assert f'id="e-{field}"' in r.text and 'aria-invalid="true"' in r.text
    if message:
        assert message in r.text
    assert db.scalar(select(Crossing.id).where(Crossing.delegation_id == delegation.id)) is None


def test_a_post_from_someone_who_may_not_is_refused_before_the_form_is_read(client, login, form, db):
    event = EventFactory()
    crossing = CrossingFactory(delegation=DelegationFactory(event=event))
    login(press_officer(event))
    settle(db)

    created = form(f"/events/{event.id}/crossings/new", {"day": "not a day"})
    edited = form(url(crossing) + "/edit", {"day": "not a day"})
    vehicle = form(url(crossing) + "/vehicles/new", {"seats": "many"})

    assert created.status_code == 403
    assert (edited.status_code, vehicle.status_code) == (404, 404)


def test_edit_a_completed_crossing_offers_the_notes_only(client, login, form, db):
    crossing = CrossingFactory(status=CrossingStatus.COMPLETED)
    login(organiser(crossing.event))
    settle(db)

    page = client.get(url(crossing) + "/edit")
    saved = form(url(crossing) + "/edit", {"notes": "Crossed in 40 minutes.", "day": "2026-02-01"})

    assert "only its notes can be changed" in page.text and 'name="day"' not in page.text
    assert saved.status_code == 303
    db.expire_all()
    assert db.get(Crossing, crossing.id).notes == "Crossed in 40 minutes."
    assert db.get(Crossing, crossing.id).planned_at == datetime(2026, 2, 13, 4, tzinfo=UTC)


def test_edit_moves_the_planned_time(client, login, form, db):
    crossing = CrossingFactory()
    login(coordinator(crossing.delegation))
    settle(db)

    page = client.get(url(crossing) + "/edit")
    r = form(url(crossing) + "/edit", {**FORM, "crossing_point_id": crossing.crossing_point_id, "time": "09:15"})

    assert 'value="08:00"' in page.text
    assert r.status_code == 303
    db.expire_all()
    assert db.get(Crossing, crossing.id).planned_at == datetime(2026, 2, 13, 5, 15, tzinfo=UTC)


def test_delete_asks_first_then_deletes_a_draft(client, login, form, db):
    crossing = CrossingFactory()
    login(organiser(crossing.event))
    settle(db)

    confirm = client.get(url(crossing) + "/delete")
    r = form(url(crossing) + "/delete")

    assert "Delete this crossing?" in confirm.text and f'action="{url(crossing)}/delete"' in confirm.text
    assert r.status_code == 303 and r.headers["location"] == f"/events/{crossing.event_id}/crossings"
    assert db.get(Crossing, crossing.id) is None


# --- the detail page -----------------------------------------------------------------------------


def test_detail_shows_problems_beside_each_person_masked_documents_and_exports(client, login, db):
    crossing = CrossingFactory()
    (good,) = ready(crossing)
    bare = ManifestEntryFactory(crossing=crossing, vehicle=good.vehicle)
    with_step(crossing, lead_days=30)
    login(organiser(crossing.event))
    settle(db)

    r = client.get(url(crossing))

    assert "<title>Arrival: " in r.text
    row = r.text[r.text.index(f'id="entry-{bare.id}"'):]
    row = row[: row.index("</tr>")]
    assert "No travel document." in row
    good_row = r.text[r.text.index(f'id="entry-{good.id}"'):]
    good_row = good_row[: good_row.index("</tr>")]
    assert "•••••" + f"EF{good.id:07d}"[-4:] in good_row and "No problems" in good_row
    assert f"EF{good.id:07d}" not in r.text
    assert '<tr class="step is-overdue"' in r.text and "Overdue" in r.text
    for export in ("manifest.csv", "manifest.pdf", "seating.pdf"):
        assert f'href="{url(crossing)}/{export}"' in r.text


def test_prepare_and_submit_a_manifest(client, login, form, db):
    crossing = CrossingFactory()
    first, second = (RegistrationFactory(delegation=crossing.delegation, status=RegistrationStatus.CONFIRMED)
                     for _ in range(2))
    with_document(first, number="AZ1000001")
    with_document(second, number="AZ1000002")
    login(coordinator(crossing.delegation))
    settle(db)

    added = form(url(crossing) + "/manifest/add-all")
    refused = form(url(crossing) + "/submit")
    vehicle = form(url(crossing) + "/vehicles/new", {"label": "Minibus", "plate": "10 AZ 123", "seats": "1"})
    still = form(url(crossing) + "/submit")
    bigger = db.scalar(select(Vehicle).where(Vehicle.crossing_id == crossing.id))
    edited = form(f"{url(crossing)}/vehicles/{bigger.id}/edit", {"label": "Minibus", "plate": "10 AZ 123", "seats": "12"})
    entries = db.scalars(select(ManifestEntry).where(ManifestEntry.crossing_id == crossing.id)).all()
    for entry in entries:
        form(f"{url(crossing)}/manifest/{entry.id}/vehicle", {"vehicle_id": str(bigger.id)})
    submitted = form(url(crossing) + "/submit")
    page = client.get(url(crossing))

    assert added.status_code == 303 and vehicle.status_code == 303 and edited.status_code == 303
    assert refused.status_code == 409
    assert "The manifest cannot be submitted yet." in refused.text
    assert "No vehicle yet: add the vehicles with their plates and drivers." in refused.text
    assert still.status_code == 409 and "2 people for 1 seats" in still.text
    assert submitted.status_code == 303
    assert "The manifest has been submitted." in page.text and "Submitted" in page.text
    assert 'action="' + url(crossing) + '/manifest/add-all"' not in page.text


def test_add_one_person_and_remove_them_after_confirming(client, login, form, db):
    crossing = CrossingFactory()
    person = RegistrationFactory(delegation=crossing.delegation)
    other_side = RegistrationFactory(delegation=DelegationFactory(event=crossing.event))
    login(organiser(crossing.event))
    settle(db)

    page = client.get(url(crossing))
    wrong = form(url(crossing) + "/manifest/add", {"registration_id": str(other_side.id)})
    added = form(url(crossing) + "/manifest/add", {"registration_id": str(person.id)})
    entry = db.scalar(select(ManifestEntry).where(ManifestEntry.crossing_id == crossing.id))
    confirm = client.get(f"{url(crossing)}/manifest/{entry.id}/remove")
    removed = form(f"{url(crossing)}/manifest/{entry.id}/remove")

    assert f'<option value="{person.id}">' in page.text and f'value="{other_side.id}"' not in page.text
    assert wrong.status_code == 422 and 'id="e-registration_id"' in wrong.text
    assert "Choose a participant of this delegation." in wrong.text
    assert added.status_code == 303
    assert "Remove this person from the manifest?" in confirm.text
    assert removed.status_code == 303
    assert db.scalar(select(ManifestEntry).where(ManifestEntry.crossing_id == crossing.id)) is None


def test_bad_vehicle_rerenders_the_page_with_the_error_beside_its_field(client, login, form, db):
    crossing = CrossingFactory()
    login(organiser(crossing.event))
    settle(db)

    r = form(url(crossing) + "/vehicles/new", {"label": "Bus", "plate": "", "seats": "0"})

    assert r.status_code == 422
    assert 'id="e-plate"' in r.text and 'id="e-seats"' in r.text
    assert db.scalar(select(Vehicle).where(Vehicle.crossing_id == crossing.id)) is None


def test_entry_status_vehicle_and_a_bad_value(client, login, form, db):
    crossing = CrossingFactory()
    (entry,) = ready(crossing)
    login(organiser(crossing.event))
    settle(db)

    refused = form(f"{url(crossing)}/manifest/{entry.id}/status", {"status": "refused"})
    bad = form(f"{url(crossing)}/manifest/{entry.id}/status", {"status": "teleported"})
    unseated = form(f"{url(crossing)}/manifest/{entry.id}/vehicle", {"vehicle_id": ""})

    assert refused.status_code == 303 and unseated.status_code == 303
    assert bad.status_code == 422 and "Choose one of the options." in bad.text
    db.expire_all()
    saved = db.get(ManifestEntry, entry.id)
    assert (saved.status, saved.vehicle_id) == (ManifestStatus.REFUSED, None)


def test_steps_done_and_undone_show_who_and_when(client, login, form, db):
    crossing = CrossingFactory()
    with_step(crossing)
    user = coordinator(crossing.delegation, full_name="Leyla Coordinator")
    login(user)
    settle(db)
    step = db.scalar(select(ProcedureStep).where(ProcedureStep.crossing_id == crossing.id))

    done = form(f"{url(crossing)}/steps/{step.id}/done")
    page = client.get(url(crossing))
    undone = form(f"{url(crossing)}/steps/{step.id}/undone")

    assert done.status_code == 303 and done.headers["location"].endswith(f"#step-{step.id}")
    assert "by Leyla Coordinator" in page.text
    assert undone.status_code == 303
    db.expire_all()
    assert db.get(ProcedureStep, step.id).done_at is None


def test_clear_and_complete_by_an_organiser(client, login, form, db):
    crossing = CrossingFactory(status=CrossingStatus.SUBMITTED)
    ready(crossing)
    login(coordinator(crossing.delegation))
    settle(db)
    page = client.get(url(crossing))
    as_coordinator = form(url(crossing) + "/clear")
    login(organiser(crossing_event(db, crossing)))

    cleared = form(url(crossing) + "/clear")
    bad = form(url(crossing) + "/complete", {"actual_day": "2026-02-13"})
    completed = form(url(crossing) + "/complete", {"actual_day": "2026-02-13", "actual_time": "08:40"})

    assert "Mark as cleared" not in page.text and as_coordinator.status_code == 403
    assert cleared.status_code == 303
    assert bad.status_code == 422 and "Give both the day and the time" in bad.text
    assert completed.status_code == 303
    db.expire_all()
    saved = db.get(Crossing, crossing.id)
    assert saved.status == CrossingStatus.COMPLETED and saved.actual_at == datetime(2026, 2, 13, 4, 40, tzinfo=UTC)


def crossing_event(db, crossing):  # type: ignore[no-untyped-def]
    from app.events.models import Event

    return db.get(Event, db.get(Crossing, crossing.id).event_id)


def test_staying_reason_on_a_completed_arrival(client, login, form, db):
    crossing = CrossingFactory(status=CrossingStatus.COMPLETED)
    entry = ManifestEntryFactory(crossing=crossing, status=ManifestStatus.CROSSED)
    login(organiser(crossing.event))
    settle(db)

    page = client.get(url(crossing))
    r = form(f"{url(crossing)}/manifest/{entry.id}/staying", {"staying_reason": "Joins the follow-up working group"})
    board = client.get(f"/events/{crossing.event_id}/crossings")

    assert "Staying after the delegation leaves, because" in page.text
    assert r.status_code == 303
    assert "Joins the follow-up working group" in board.text and "Everyone is accounted for." in board.text


# --- who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_coordinator", "press_officer", "delegate", "stranger"])
def test_every_crossing_page_is_404_to_outsiders(client, login, form, db, who):
    event = EventFactory()
    crossing = CrossingFactory(delegation=DelegationFactory(event=event))
    with_step(crossing)
    (entry,) = ready(crossing)
    db.flush()
    step_id, vehicle_id = crossing.steps[0].id, crossing.vehicles[0].id
    user = {
        "other_coordinator": lambda: coordinator(DelegationFactory(event=event)),
        "press_officer": lambda: press_officer(event),
        "delegate": lambda: delegate(entry.registration),
        "stranger": UserFactory,
    }[who]()
    login(user)
    settle(db)
    base = url(crossing)
    gets = ["", "/edit", "/delete", f"/vehicles/{vehicle_id}/edit", f"/vehicles/{vehicle_id}/remove",
            f"/manifest/{entry.id}/remove"]
    posts = ["/edit", "/delete", "/submit", "/clear", "/complete", "/vehicles/new", f"/vehicles/{vehicle_id}/edit",
             f"/vehicles/{vehicle_id}/remove", "/manifest/add", "/manifest/add-all", f"/manifest/{entry.id}/status",
             f"/manifest/{entry.id}/vehicle", f"/manifest/{entry.id}/staying", f"/manifest/{entry.id}/remove",
             f"/steps/{step_id}/done", f"/steps/{step_id}/undone"]

    answers = [client.get(base + g).status_code for g in gets] + [form(base + p).status_code for p in posts]

    assert answers == [404] * len(answers)
    assert db.get(Crossing, crossing.id).status == CrossingStatus.DRAFT
