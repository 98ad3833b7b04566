"""The demonstration's crossings: the Voskepar / Ashaghi Askipara point with its procedures, the
visiting delegation's arrival and departure with their manifests and checklists."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import demo
from app.crossings import exports, schedule
from app.crossings import service as crossings
from app.crossings.models import Crossing, CrossingPoint, CrossingStatus, ManifestStatus
from app.events.models import Event
from app.registrations.models import HOLDS_PLACE, Registration, RegistrationStatus
from tests.factories import AdminFactory

YEREVAN = ZoneInfo("Asia/Yerevan")


def test_the_demo_has_the_visiting_delegations_crossings_with_manifests_and_a_partly_done_checklist(db):
    demo.load(db)
    db.expire_all()
    event = db.scalar(select(Event).where(Event.title == "Peace Bridge bilateral roundtable"))
    point = db.scalar(select(CrossingPoint).options(selectinload(CrossingPoint.procedures)))
    found = list(
        db.scalars(
            select(Crossing)
            .options(selectinload(Crossing.steps), selectinload(Crossing.entries), selectinload(Crossing.vehicles))
            .where(Crossing.event_id == event.id)
            .order_by(Crossing.planned_at)
        )
    )
    arrival, departure = found
    visitors = list(
        db.scalars(select(Registration).where(Registration.delegation_id == arrival.delegation_id))
    )

    assert (point.name_a, point.country_a, point.name_b, point.country_b, point.status) == (
        "Voskepar", "AM", "Ashaghi Askipara", "AZ", "delimited and demarcated"
    )
    assert [(p.title, p.lead_days) for p in point.procedures] == [
        ("Submit the passenger list to the border services", 10), ("Register the vehicles", 5),
        ("Receive clearance", 3), ("Brief the escort", 1),
    ]
    assert arrival.planned_at.astimezone(YEREVAN) == datetime(2026, 2, 13, 6, 30, tzinfo=YEREVAN)
    assert departure.planned_at.astimezone(YEREVAN) == datetime(2026, 2, 14, 19, 0, tzinfo=YEREVAN)
    assert (arrival.status, departure.status) == (CrossingStatus.COMPLETED, CrossingStatus.SUBMITTED)
    on_board = {r.id for r in visitors if r.status in HOLDS_PLACE and r.status != RegistrationStatus.NO_SHOW}
    assert {e.registration_id for e in arrival.entries} == on_board == {e.registration_id for e in departure.entries}
    assert {e.status for e in arrival.entries} == {ManifestStatus.CROSSED}
    assert all(e.vehicle_id is not None for e in arrival.entries) and len(arrival.vehicles) == 2
    assert [s.done_at is not None for s in arrival.steps] == [True, True, True, True]
    assert [s.done_at is not None for s in departure.steps] == [True, True, False, False]

    admin = AdminFactory()
    overdue = schedule.overdue(db, viewer=admin, event=event)
    assert [(o.crossing.id, [s.title for s in o.steps]) for o in overdue] == [
        (departure.id, ["Receive clearance", "Brief the escort"])
    ]
    loaded = crossings.get_for_viewer(db, viewer=admin, event=event, crossing_id=arrival.id)
    csv = exports.export(db, viewer=admin, crossing=loaded, file=exports.File.MANIFEST_CSV).content.decode("utf-8-sig")
    assert "AZ4200000" in csv and "Əliyeva" in csv
    assert demo.load(db) is None
