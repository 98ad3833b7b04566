from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.crossings import points
from app.crossings.models import CrossingPoint, ProcedureTemplate, ResponsibleSide
from app.crossings.points_schemas import (
    CrossingPointCreate,
    CrossingPointUpdate,
    ProcedureCreate,
    ProcedureUpdate,
)
from app.errors import Conflict, FieldError, Forbidden, NotFound
from tests.factories import (
    AdminFactory,
    CrossingFactory,
    CrossingPointFactory,
    DelegationFactory,
    EventFactory,
    ProcedureTemplateFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
)

POINT = {
    "name_a": "Voskepar",
    "country_a": "am",
    "name_b": "Ashaghi Askipara",
    "country_b": "AZ",
    "latitude": "41.0998",
    "longitude": 45.0627,
    "status": "delimited and demarcated",
    "opening_hours": "08:00–20:00",
    "notes": "Escort meets the bus.\r\nNo photography.",
}
PROCEDURE = {"title": "Submit the passenger list", "lead_days": 10, "responsible_side": "visiting"}


def audited(db, action):
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def with_procedures(db, n=3, **kwargs):
    """A point with `n` procedures at positions 1..n, loaded as the path loader loads it."""
    point = CrossingPointFactory(**kwargs)
    for place in range(1, n + 1):
        ProcedureTemplateFactory(crossing_point=point, title=f"Step {place}", position=place)
    db.flush()
    db.expire(point)
    return points.get_for_viewer(db, viewer=AdminFactory(), crossing_point_id=point.id)


def titles(point):
    return [p.title for p in sorted(point.procedures, key=lambda p: p.position)]


# --- validation of the payloads ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name_a": ""}, "name_a", "at least 1 character"),
        ({"name_b": "x" * 201}, "name_b", "at most 200 characters"),
        ({"country_a": "XX"}, "country_a", "Choose a country from the list."),
        ({"country_b": "AZE"}, "country_b", "at most 2 characters"),
        ({"latitude": "90.5"}, "latitude", "Enter a latitude from -90 to 90"),
        ({"latitude": "north"}, "latitude", "Enter a latitude from -90 to 90"),
        ({"longitude": -180.01}, "longitude", "Enter a longitude from -180 to 180"),
        ({"longitude": "NaN"}, "longitude", "Enter a longitude from -180 to 180"),
        ({"status": "s" * 201}, "status", "at most 200 characters"),
        ({"opening_hours": "h" * 201}, "opening_hours", "at most 200 characters"),
        ({"notes": "n" * 5001}, "notes", "at most 5000 characters"),
    ],
)
def test_point_payload_refuses_invalid_fields(change, field, message):
    with pytest.raises(ValidationError) as caught:
        CrossingPointCreate(**{**POINT, **change})

    errors = {e["loc"][0]: e["msg"] for e in caught.value.errors()}
    assert message in errors[field]


def test_point_payload_normalises_countries_coordinates_and_line_breaks():
    data = CrossingPointCreate(**{**POINT, "latitude": "41.09981234"})

    assert (data.country_a, data.country_b) == ("AM", "AZ")
    assert (data.latitude, data.longitude) == (Decimal("41.099812"), Decimal("45.062700"))
    assert data.notes == "Escort meets the bus.\nNo photography."


@pytest.mark.parametrize("lead_days", [-1, 366, "3.5", True, None])
def test_procedure_payload_refuses_lead_days_outside_0_to_365(lead_days):
    with pytest.raises(ValidationError) as caught:
        ProcedureCreate(**{**PROCEDURE, "lead_days": lead_days})

    assert caught.value.errors()[0]["loc"] == ("lead_days",)
    assert "Enter a number of days from 0 to 365." in caught.value.errors()[0]["msg"]


def test_procedure_payload_refuses_an_unknown_side():
    with pytest.raises(ValidationError) as caught:
        ProcedureCreate(**{**PROCEDURE, "responsible_side": "neither"})

    assert caught.value.errors()[0]["loc"] == ("responsible_side",)


# --- create, update ------------------------------------------------------------------------------


def test_create_saves_an_active_point_without_procedures_and_audits_it(db):
    actor = AdminFactory()

    point = points.create(db, actor=actor, data=CrossingPointCreate(**POINT))

    assert (point.name_a, point.country_a, point.country_b, point.is_active) == ("Voskepar", "AM", "AZ", True)
    assert point.latitude == Decimal("41.0998") and point.procedures == []
    entry = audited(db, "crossing_point.create")[0]
    assert (entry.object_type, entry.object_id, entry.actor_id, entry.event_id) == (
        "crossing_point", point.id, actor.id, None
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"country_b": "AM"}, "country_b", points.SAME_COUNTRY),
        ({"latitude": None}, "latitude", points.HALF_COORDINATES),
        ({"longitude": None}, "longitude", points.HALF_COORDINATES),
    ],
)
def test_create_refuses_one_country_on_both_sides_and_half_coordinates(db, change, field, message):
    with pytest.raises(FieldError) as caught:
        points.create(db, actor=AdminFactory(), data=CrossingPointCreate(**{**POINT, **change}))

    assert (caught.value.field, caught.value.message) == (field, message)
    assert db.scalar(select(CrossingPoint).where(CrossingPoint.name_a == "Voskepar")) is None


@pytest.mark.parametrize(("name_a", "name_b"), [("VOSKEPAR", "ashaghi askipara"), ("Ashaghi Askipara", "Voskepar")])
def test_create_refuses_the_same_two_places_again_either_way_round(db, name_a, name_b):
    CrossingPointFactory(name_a="Voskepar", name_b="Ashaghi Askipara")

    with pytest.raises(FieldError) as caught:
        points.create(db, actor=AdminFactory(), data=CrossingPointCreate(**{**POINT, "name_a": name_a, "name_b": name_b}))

    assert caught.value.field == "name_a"


@pytest.mark.parametrize("who", ["organiser", "coordinator", "delegate", "press_officer", "user"])
def test_writes_are_refused_to_everyone_but_administrators(db, who):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    actor = {
        "organiser": lambda: organiser(event),
        "coordinator": lambda: coordinator(delegation),
        "delegate": lambda: delegate(RegistrationFactory(delegation=delegation)),
        "press_officer": lambda: press_officer(event),
        "user": UserFactory,
    }[who]()
    point = with_procedures(db, 1)
    procedure = point.procedures[0]

    attempts = [
        lambda: points.create(db, actor=actor, data=CrossingPointCreate(**POINT)),
        lambda: points.update(db, actor=actor, point=point, data=CrossingPointUpdate(status="closed")),
        lambda: points.deactivate(db, actor=actor, point=point),
        lambda: points.delete(db, actor=actor, point=point),
        lambda: points.add_procedure(db, actor=actor, point=point, data=ProcedureCreate(**PROCEDURE)),
        lambda: points.update_procedure(db, actor=actor, point=point, procedure=procedure, data=ProcedureUpdate(title="x")),
        lambda: points.move_procedure(db, actor=actor, point=point, procedure=procedure, up=False),
        lambda: points.delete_procedure(db, actor=actor, point=point, procedure=procedure),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()

    assert audited(db, "crossing_point.create") == [] and point.status == "delimited and demarcated"


def test_update_changes_the_given_fields_and_audits_their_names(db):
    point = with_procedures(db, 0, status="open")
    actor = AdminFactory()

    points.update(db, actor=actor, point=point, data=CrossingPointUpdate(status="delimited and demarcated", name_a=point.name_a))

    assert point.status == "delimited and demarcated"
    assert audited(db, "crossing_point.update")[0].details == {"fields": ["status"]}


def test_update_checks_the_point_as_it_will_be(db):
    point = with_procedures(db, 0, latitude=Decimal("41.1"), longitude=Decimal("45.1"))

    with pytest.raises(FieldError) as same:
        points.update(db, actor=AdminFactory(), point=point, data=CrossingPointUpdate(country_a="AZ"))
    with pytest.raises(FieldError) as half:
        points.update(db, actor=AdminFactory(), point=point, data=CrossingPointUpdate(longitude=None))
    points.update(db, actor=AdminFactory(), point=point, data=CrossingPointUpdate(latitude=None, longitude=None))

    assert (same.value.field, half.value.field) == ("country_b", "longitude")
    assert (point.latitude, point.longitude) == (None, None)


def test_update_without_changes_writes_nothing(db):
    point = with_procedures(db, 0)

    points.update(db, actor=AdminFactory(), point=point, data=CrossingPointUpdate(name_a=point.name_a))

    assert audited(db, "crossing_point.update") == []


def test_deactivate_and_reactivate_are_audited_and_refused_twice(db):
    point = with_procedures(db, 0)
    actor = AdminFactory()

    points.deactivate(db, actor=actor, point=point)
    with pytest.raises(Conflict):
        points.deactivate(db, actor=actor, point=point)
    inactive = point.is_active
    points.update(db, actor=actor, point=point, data=CrossingPointUpdate(is_active=True))

    assert (inactive, point.is_active) == (False, True)
    assert len(audited(db, "crossing_point.deactivate")) == len(audited(db, "crossing_point.reactivate")) == 1


# --- delete --------------------------------------------------------------------------------------


def test_delete_removes_the_point_and_its_procedures(db):
    point = with_procedures(db, 2)
    point_id, procedure_ids = point.id, [p.id for p in point.procedures]

    points.delete(db, actor=AdminFactory(), point=point)

    assert db.get(CrossingPoint, point_id) is None
    assert [db.get(ProcedureTemplate, i) for i in procedure_ids] == [None, None]
    assert audited(db, "crossing_point.delete")[0].details == {"procedures": 2}


def test_delete_of_a_point_a_crossing_goes_through_is_a_conflict(db):
    point = with_procedures(db, 1)
    CrossingFactory(crossing_point=point)

    with pytest.raises(Conflict) as caught:
        points.delete(db, actor=AdminFactory(), point=point)

    assert "1 crossing goes through this crossing point" in caught.value.message
    assert db.get(CrossingPoint, point.id) is not None


# --- reading -------------------------------------------------------------------------------------


def test_list_gives_active_points_by_name_and_filters(db):
    CrossingPointFactory(name_a="Zorakan", name_b="Qizilhacili")
    CrossingPointFactory(name_a="alpha", name_b="Beta", status="under discussion")
    CrossingPointFactory(name_a="Closed", is_active=False)
    CrossingPointFactory(name_a="Margara", country_a="AM", country_b="TR")
    viewer = AdminFactory()

    active = points.list_points(db, viewer=viewer)
    inactive = points.list_points(db, viewer=viewer, active=False)
    everything = points.list_points(db, viewer=viewer, active=None)
    by_status = points.list_points(db, viewer=viewer, q="DISCUSSION")
    by_country = points.list_points(db, viewer=viewer, q="tr")
    no_wildcards = points.list_points(db, viewer=viewer, q="%")

    assert [p.name_a for p in active.items] == ["alpha", "Margara", "Zorakan"]
    assert [p.name_a for p in inactive.items] == ["Closed"]
    assert everything.total == 4
    assert [p.name_a for p in by_status.items] == ["alpha"]
    assert [p.name_a for p in by_country.items] == ["Margara"]
    assert no_wildcards.total == 0


@pytest.mark.parametrize("who", ["organiser", "coordinator"])
def test_organisers_and_coordinators_may_read_points(db, who):
    event = EventFactory()
    viewer = organiser(event) if who == "organiser" else coordinator(DelegationFactory(event=event))
    point = with_procedures(db, 1)

    assert points.list_points(db, viewer=viewer).total == 1
    assert points.get_for_viewer(db, viewer=viewer, crossing_point_id=point.id).id == point.id


@pytest.mark.parametrize("who", ["press_officer", "delegate", "user", "anonymous"])
def test_others_may_not_read_points_whatever_the_id(db, who):
    event = EventFactory()
    viewer = {
        "press_officer": lambda: press_officer(event),
        "delegate": lambda: delegate(RegistrationFactory(delegation=DelegationFactory(event=event))),
        "user": UserFactory,
        "anonymous": lambda: None,
    }[who]()
    point = CrossingPointFactory()

    for attempt in (
        lambda: points.list_points(db, viewer=viewer),
        lambda: points.choices(db, viewer=viewer),
        lambda: points.get_for_viewer(db, viewer=viewer, crossing_point_id=point.id),
        lambda: points.get_for_viewer(db, viewer=viewer, crossing_point_id=point.id + 1000),
    ):
        with pytest.raises(Forbidden):
            attempt()


def test_get_of_an_unknown_point_or_a_procedure_of_another_point_is_not_found(db):
    point = with_procedures(db, 1)
    other = ProcedureTemplateFactory()
    viewer = AdminFactory()

    with pytest.raises(NotFound):
        points.get_for_viewer(db, viewer=viewer, crossing_point_id=point.id + 1000)
    with pytest.raises(NotFound):
        points.get_procedure(db, viewer=viewer, point=point, procedure_id=other.id)


def test_choices_give_the_active_points_with_their_procedures_in_two_queries(db, count_queries):
    first = with_procedures(db, 2, name_a="Alpha")
    CrossingPointFactory(name_a="Closed", is_active=False)
    current = CrossingPointFactory(name_a="Retired", is_active=False)
    db.expire_all()
    viewer = organiser(EventFactory())

    with count_queries() as count:
        found = points.choices(db, viewer=viewer)
        listed = [(p.name_a, [s.title for s in p.procedures]) for p in found]

    assert listed == [("Alpha", ["Step 1", "Step 2"])] and found[0].id == first.id
    assert count() == 2
    assert [p.name_a for p in points.choices(db, viewer=viewer, include_id=current.id)] == ["Alpha", "Retired"]


# --- procedures ----------------------------------------------------------------------------------


def test_add_procedure_appends_it_last_and_audits_it(db):
    point = with_procedures(db, 2)

    procedure = points.add_procedure(db, actor=AdminFactory(), point=point, data=ProcedureCreate(**PROCEDURE))

    assert (procedure.position, procedure.lead_days, procedure.responsible_side) == (3, 10, ResponsibleSide.VISITING)
    assert titles(point) == ["Step 1", "Step 2", "Submit the passenger list"]
    entry = audited(db, "procedure_template.create")[0]
    assert (entry.object_id, entry.details) == (procedure.id, {"crossing_point_id": point.id})


def test_move_procedure_swaps_with_its_neighbour_and_stops_at_the_ends(db):
    point = with_procedures(db, 3)
    step1, step2, step3 = sorted(point.procedures, key=lambda p: p.position)
    actor = AdminFactory()

    points.move_procedure(db, actor=actor, point=point, procedure=step3, up=True)
    after_up = titles(point)
    points.move_procedure(db, actor=actor, point=point, procedure=step1, up=True)  # first already
    points.move_procedure(db, actor=actor, point=point, procedure=step1, up=False)

    assert after_up == ["Step 1", "Step 3", "Step 2"]
    assert titles(point) == ["Step 3", "Step 1", "Step 2"]
    assert sorted(p.position for p in point.procedures) == [1, 2, 3]
    assert len(audited(db, "procedure_template.move")) == 2


def test_move_resolves_tied_positions(db):
    point = CrossingPointFactory()
    first, second = ProcedureTemplateFactory(crossing_point=point), ProcedureTemplateFactory(crossing_point=point)
    db.expire_all()
    point = points.get_for_viewer(db, viewer=AdminFactory(), crossing_point_id=point.id)
    second = db.get(ProcedureTemplate, second.id)

    points.move_procedure(db, actor=AdminFactory(), point=point, procedure=second, up=True)

    assert [p.id for p in sorted(point.procedures, key=lambda p: p.position)] == [second.id, first.id]


def test_update_procedure_changes_fields_and_moves_it_to_a_position(db):
    point = with_procedures(db, 3)
    step1 = min(point.procedures, key=lambda p: p.position)

    points.update_procedure(
        db, actor=AdminFactory(), point=point, procedure=step1,
        data=ProcedureUpdate(title="Brief the escort", lead_days=1, position=99),
    )

    assert titles(point) == ["Step 2", "Step 3", "Brief the escort"]
    assert step1.lead_days == 1
    assert audited(db, "procedure_template.update")[0].details == {
        "crossing_point_id": point.id, "fields": ["lead_days", "title", "position"]
    }


def test_procedures_of_another_point_are_not_found_for_writes(db):
    point = with_procedures(db, 1)
    other = with_procedures(db, 1)
    foreign = other.procedures[0]

    with pytest.raises(NotFound):
        points.update_procedure(db, actor=AdminFactory(), point=point, procedure=foreign, data=ProcedureUpdate(title="x"))
    with pytest.raises(NotFound):
        points.delete_procedure(db, actor=AdminFactory(), point=point, procedure=foreign)

    assert foreign.title == "Step 1"


def test_delete_procedure_closes_the_gap(db):
    point = with_procedures(db, 3)
    step2 = sorted(point.procedures, key=lambda p: p.position)[1]
    step2_id = step2.id

    points.delete_procedure(db, actor=AdminFactory(), point=point, procedure=step2)

    db.expire_all()
    remaining = db.scalars(
        select(ProcedureTemplate).where(ProcedureTemplate.crossing_point_id == point.id).order_by(ProcedureTemplate.position)
    ).all()
    assert [(p.title, p.position) for p in remaining] == [("Step 1", 1), ("Step 3", 2)]
    assert db.get(ProcedureTemplate, step2_id) is None
    assert audited(db, "procedure_template.delete")[0].object_id == step2_id
