from decimal import Decimal

import pytest
from sqlalchemy import select

from app.crossings.models import CrossingPoint, ProcedureTemplate, ResponsibleSide
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
from tests.support import settle

FORM = {
    "name_a": "Voskepar",
    "country_a": "AM",
    "name_b": "Ashaghi Askipara",
    "country_b": "AZ",
    "latitude": "41.0998",
    "longitude": "45.0627",
    "status": "delimited and demarcated",
    "opening_hours": "08:00–20:00",
    "notes": "",
}
PROCEDURE = {"title": "Submit the passenger list", "lead_days": "10", "responsible_side": "visiting", "description": ""}


def named(db, name):
    return db.scalar(select(CrossingPoint).where(CrossingPoint.name_a == name))


def ordered(db, point):
    db.expire_all()
    query = select(ProcedureTemplate).where(ProcedureTemplate.crossing_point_id == point.id)
    return [p.title for p in db.scalars(query.order_by(ProcedureTemplate.position))]


def outsider(who):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    return {
        "organiser": lambda: organiser(event),
        "coordinator": lambda: coordinator(delegation),
        "delegate": lambda: delegate(RegistrationFactory(delegation=delegation)),
        "press_officer": lambda: press_officer(event),
        "user": UserFactory,
    }[who]()


# --- the list and a point ------------------------------------------------------------------------


def test_list_shows_the_active_points_with_management_links_for_administrators(client, login, db):
    point = CrossingPointFactory(name_a="Voskepar", name_b="Ashaghi Askipara", opening_hours="08:00–20:00")
    ProcedureTemplateFactory.create_batch(2, crossing_point=point)
    CrossingPointFactory(name_a="Dormant", is_active=False)
    login(AdminFactory())
    settle(db)

    r = client.get("/crossing-points")

    assert r.status_code == 200
    assert r.text.count('class="crossing-point"') == 1
    assert "Voskepar / Ashaghi Askipara" in r.text and "Armenia / Azerbaijan" in r.text and "08:00–20:00" in r.text
    assert "Dormant" not in r.text
    assert 'href="/crossing-points/new"' in r.text
    assert '<a href="/crossing-points" aria-current="page">Crossing points</a>' in r.text  # the admin tab


def test_list_filters_by_text_and_shows_the_deactivated(client, login, db):
    CrossingPointFactory(name_a="Voskepar")
    CrossingPointFactory(name_a="Margara", country_b="TR")
    CrossingPointFactory(name_a="Dormant", is_active=False)
    login(AdminFactory())
    settle(db)

    by_text = client.get("/crossing-points", params={"q": "marg"})
    inactive = client.get("/crossing-points", params={"show": "inactive"})
    everything = client.get("/crossing-points", params={"show": "all"})
    nothing = client.get("/crossing-points", params={"q": "nowhere"})

    assert by_text.text.count('class="crossing-point"') == 1 and "Margara" in by_text.text
    assert inactive.text.count('class="crossing-point"') == 1 and "Dormant" in inactive.text
    assert everything.text.count('class="crossing-point"') == 3
    assert "No crossing point matches." in nothing.text


@pytest.mark.parametrize("who", ["organiser", "coordinator"])
def test_organisers_and_coordinators_read_without_management_links(client, login, db, who):
    point = CrossingPointFactory(name_a="Voskepar")
    ProcedureTemplateFactory(crossing_point=point, title="Receive clearance")
    login(outsider(who))
    settle(db)

    listed = client.get("/crossing-points")
    detail = client.get(f"/crossing-points/{point.id}")

    assert listed.text.count('class="crossing-point"') == 1
    assert "Receive clearance" in detail.text
    for page in (listed, detail):
        assert page.status_code == 200
        assert "/crossing-points/new" not in page.text and "/edit" not in page.text
        assert "/admin/users" not in page.text  # no administrator tabs


@pytest.mark.parametrize("who", ["delegate", "press_officer", "user"])
def test_others_are_refused_the_pages(client, login, db, who):
    point = CrossingPointFactory()
    login(outsider(who))
    settle(db)

    answers = [client.get("/crossing-points"), client.get(f"/crossing-points/{point.id}")]

    assert [r.status_code for r in answers] == [403, 403]


def test_anonymous_is_sent_to_sign_in(client, form, db):
    point = CrossingPointFactory()
    settle(db)

    answers = [client.get("/crossing-points"), client.get(f"/crossing-points/{point.id}"), form("/crossing-points/new", FORM)]

    assert [r.status_code for r in answers] == [303] * 3
    assert answers[0].headers["location"] == "/login?next=/crossing-points"
    assert named(db, "Voskepar") is None


def test_detail_shows_the_point_and_its_procedures_in_order(client, login, db):
    point = CrossingPointFactory(
        name_a="Voskepar", latitude=Decimal("41.0998"), longitude=Decimal("45.0627"), notes="Escort meets the bus."
    )
    ProcedureTemplateFactory(crossing_point=point, title="Brief the escort", position=2, lead_days=0,
                             responsible_side=ResponsibleSide.HOST)
    ProcedureTemplateFactory(crossing_point=point, title="Submit the list", position=1, lead_days=10)
    login(AdminFactory())
    settle(db)

    r = client.get(f"/crossing-points/{point.id}")

    assert r.status_code == 200
    assert r.text.index("Submit the list") < r.text.index("Brief the escort")
    assert "10 days before" in r.text and "on the day" in r.text
    assert "41.099800, 45.062700" in r.text and "Escort meets the bus." in r.text
    assert r.text.count('class="procedure"') == 2
    assert r.text.count("/move") == 2  # down for the first, up for the last
    assert f'action="/crossing-points/{point.id}/procedures"' in r.text


def test_unknown_ids_are_404(client, login, db):
    point = CrossingPointFactory()
    foreign = ProcedureTemplateFactory()
    login(AdminFactory())
    settle(db)

    answers = [
        client.get(f"/crossing-points/{point.id + 1000}"),
        client.get(f"/crossing-points/{point.id + 1000}/edit"),
        client.get(f"/crossing-points/{point.id}/procedures/{foreign.id}/edit"),
        client.get(f"/crossing-points/{point.id}/procedures/{foreign.id}/delete"),
        client.get("/crossing-points/abc"),
    ]

    assert [r.status_code for r in answers] == [404] * 5


@pytest.mark.parametrize("n", [1, 3])
def test_list_query_count_is_constant(client, login, db, count_queries, n):
    for _ in range(n):
        ProcedureTemplateFactory.create_batch(n, crossing_point=CrossingPointFactory())
    login(AdminFactory())
    settle(db)

    with count_queries() as count:
        r = client.get("/crossing-points")

    assert r.text.count('class="crossing-point"') == n
    # the session with its user and grants, count, points, procedures
    assert count() == 4


@pytest.mark.parametrize("n", [1, 3])
def test_detail_query_count_is_constant(client, login, db, count_queries, n):
    point = CrossingPointFactory()
    ProcedureTemplateFactory.create_batch(n, crossing_point=point)
    login(AdminFactory())
    settle(db)
    url = f"/crossing-points/{point.id}"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="procedure"') == n
    # the session with its user and grants, the point, its procedures
    assert count() == 3


# --- create, edit, deactivate, delete ------------------------------------------------------------


def test_create_saves_and_redirects_to_the_point(client, login, form, db):
    login(AdminFactory())
    settle(db)

    page = client.get("/crossing-points/new")
    r = form("/crossing-points/new", FORM)

    point = named(db, "Voskepar")
    assert '<label for="f-name_a">' in page.text
    assert r.status_code == 303 and r.headers["location"] == f"/crossing-points/{point.id}"
    assert (point.country_a, point.country_b, point.latitude, point.is_active) == ("AM", "AZ", Decimal("41.0998"), True)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name_a": ""}, "name_a", "This field is required."),
        ({"name_b": "x" * 201}, "name_b", "Use at most 200 characters."),
        ({"country_a": "XX"}, "country_a", "Choose a country from the list."),
        ({"country_b": "AM"}, "country_b", "The two sides must be in different countries."),
        ({"latitude": "95"}, "latitude", "Enter a latitude from -90 to 90, in decimal degrees (such as 41.0998)."),
        ({"longitude": ""}, "longitude", "Give both the latitude and the longitude, or neither."),
        ({"status": "s" * 201}, "status", "Use at most 200 characters."),
    ],
)
def test_create_with_invalid_fields_re_renders_with_errors_beside_them(client, login, form, db, change, field, message):
    login(AdminFactory())
    settle(db)

    r = form("/crossing-points/new", {**FORM, **change})

    assert r.status_code == 422
    assert f'<p class="field-error" id="e-{field}">{message}</p>' in r.text
    assert 'value="08:00–20:00"' in r.text  # what was typed is kept
    assert db.scalar(select(CrossingPoint)) is None


def test_create_of_the_same_two_places_again_is_refused_beside_the_name(client, login, form, db):
    CrossingPointFactory(name_a="Voskepar", name_b="Ashaghi Askipara")
    login(AdminFactory())
    settle(db)

    r = form("/crossing-points/new", FORM)

    assert r.status_code == 422
    assert '<p class="field-error" id="e-name_a">A crossing point between these two places exists already.</p>' in r.text


def test_edit_saves_the_changes(client, login, form, db):
    point = CrossingPointFactory(name_a="Voskepar", status="open")
    login(AdminFactory())
    settle(db)
    url = f"/crossing-points/{point.id}/edit"

    page = client.get(url)
    r = form(url, {**FORM, "status": "delimited and demarcated", "latitude": "", "longitude": ""})

    assert 'value="open"' in page.text
    assert r.status_code == 303 and r.headers["location"] == f"/crossing-points/{point.id}"
    db.expire_all()
    assert db.get(CrossingPoint, point.id).status == "delimited and demarcated"


def test_deactivate_and_reactivate(client, login, form, db):
    point = CrossingPointFactory()
    login(AdminFactory())
    settle(db)

    off = form(f"/crossing-points/{point.id}/deactivate")
    db.expire_all()
    inactive = db.get(CrossingPoint, point.id).is_active
    page = client.get(f"/crossing-points/{point.id}")
    on = form(f"/crossing-points/{point.id}/reactivate")

    assert (off.status_code, on.status_code, inactive) == (303, 303, False)
    assert "This crossing point is deactivated" in page.text
    db.expire_all()
    assert db.get(CrossingPoint, point.id).is_active is True


def test_delete_asks_then_deletes(client, login, form, db):
    point = CrossingPointFactory(name_a="To be removed")
    ProcedureTemplateFactory(crossing_point=point)
    login(AdminFactory())
    settle(db)
    url = f"/crossing-points/{point.id}/delete"

    confirm = client.get(url)
    r = form(url)

    assert "Delete this crossing point?" in confirm.text and "To be removed" in confirm.text
    assert r.status_code == 303 and r.headers["location"] == "/crossing-points"
    assert db.get(CrossingPoint, point.id) is None


def test_delete_of_a_point_a_crossing_goes_through_is_refused(client, login, form, db):
    point = CrossingPointFactory()
    CrossingFactory(crossing_point=point)
    login(AdminFactory())
    settle(db)

    r = form(f"/crossing-points/{point.id}/delete")

    assert r.status_code == 409 and "Deactivate it instead" in r.text
    assert db.get(CrossingPoint, point.id) is not None


@pytest.mark.parametrize("who", ["organiser", "coordinator", "delegate", "press_officer"])
def test_every_change_is_refused_to_others_before_the_form_is_read(client, login, form, db, who):
    point = CrossingPointFactory(status="open")
    procedure = ProcedureTemplateFactory(crossing_point=point, title="Kept")
    login(outsider(who))
    settle(db)
    url = f"/crossing-points/{point.id}"
    step = f"{url}/procedures/{procedure.id}"
    invalid = {"name_a": "", "title": "", "direction": "sideways"}

    answers = [
        client.get("/crossing-points/new"),
        form("/crossing-points/new", invalid),
        client.get(f"{url}/edit"),
        form(f"{url}/edit", invalid),
        form(f"{url}/deactivate"),
        client.get(f"{url}/delete"),
        form(f"{url}/delete"),
        form(f"{url}/procedures", invalid),
        client.get(f"{step}/edit"),
        form(f"{step}/edit", invalid),
        client.get(f"{step}/delete"),
        form(f"{step}/delete"),
        form(f"{step}/move", {"direction": "up"}),
        form(f"{step}/move", invalid),
    ]

    assert [r.status_code for r in answers] == [403] * len(answers)
    db.expire_all()
    assert db.get(CrossingPoint, point.id).status == "open" and db.get(CrossingPoint, point.id).is_active
    assert ordered(db, point) == ["Kept"]


# --- procedures ----------------------------------------------------------------------------------


def test_add_procedure_appends_it_and_redirects(client, login, form, db):
    point = CrossingPointFactory()
    ProcedureTemplateFactory(crossing_point=point, title="First", position=1)
    login(AdminFactory())
    settle(db)

    r = form(f"/crossing-points/{point.id}/procedures", PROCEDURE)

    assert r.status_code == 303 and r.headers["location"] == f"/crossing-points/{point.id}"
    assert ordered(db, point) == ["First", "Submit the passenger list"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"lead_days": "-3"}, "lead_days", "Enter a number of days from 0 to 365."),
        ({"lead_days": "400"}, "lead_days", "Enter a number of days from 0 to 365."),
        ({"responsible_side": ""}, "responsible_side", "Choose one of the options."),
    ],
)
def test_add_procedure_with_invalid_fields_re_renders_the_point(client, login, form, db, change, field, message):
    point = CrossingPointFactory(name_a="Voskepar")
    login(AdminFactory())
    settle(db)

    r = form(f"/crossing-points/{point.id}/procedures", {**PROCEDURE, "description": "Kept text", **change})

    assert r.status_code == 422
    assert f'<p class="field-error" id="e-{field}">{message}</p>' in r.text
    assert "Voskepar" in r.text and "Kept text" in r.text
    assert ordered(db, point) == []


def test_edit_procedure_saves_the_changes(client, login, form, db):
    procedure = ProcedureTemplateFactory(title="Old title", lead_days=7)
    login(AdminFactory())
    settle(db)
    url = f"/crossing-points/{procedure.crossing_point_id}/procedures/{procedure.id}/edit"

    page = client.get(url)
    invalid = form(url, {**PROCEDURE, "lead_days": "x"})
    r = form(url, {**PROCEDURE, "title": "Receive clearance", "lead_days": "3", "responsible_side": "host"})

    assert 'value="Old title"' in page.text
    assert invalid.status_code == 422 and "Enter a number of days from 0 to 365." in invalid.text
    assert r.status_code == 303
    db.expire_all()
    saved = db.get(ProcedureTemplate, procedure.id)
    assert (saved.title, saved.lead_days, saved.responsible_side) == ("Receive clearance", 3, ResponsibleSide.HOST)


def test_move_procedure_up_and_down(client, login, form, db):
    point = CrossingPointFactory()
    steps = [ProcedureTemplateFactory(crossing_point=point, title=t, position=i) for i, t in enumerate("ABC", 1)]
    login(AdminFactory())
    settle(db)
    move = f"/crossing-points/{point.id}/procedures/{{}}/move"

    up = form(move.format(steps[2].id), {"direction": "up"})
    after_up = ordered(db, point)
    form(move.format(steps[0].id), {"direction": "down"})
    sideways = form(move.format(steps[0].id), {"direction": "sideways"})

    assert up.status_code == 303 and up.headers["location"] == f"/crossing-points/{point.id}#procedures"
    assert after_up == ["A", "C", "B"]
    assert ordered(db, point) == ["C", "A", "B"]
    assert sideways.status_code == 422


def test_delete_procedure_asks_then_deletes(client, login, form, db):
    procedure = ProcedureTemplateFactory(title="Register vehicles")
    login(AdminFactory())
    settle(db)
    url = f"/crossing-points/{procedure.crossing_point_id}/procedures/{procedure.id}/delete"

    confirm = client.get(url)
    r = form(url)

    assert "Delete this procedure?" in confirm.text and "Register vehicles" in confirm.text
    assert r.status_code == 303
    assert db.get(ProcedureTemplate, procedure.id) is None


def test_a_procedure_of_another_point_cannot_be_changed_through_this_one(client, login, form, db):
    point = CrossingPointFactory()
    foreign = ProcedureTemplateFactory(title="Elsewhere")
    login(AdminFactory())
    settle(db)
    step = f"/crossing-points/{point.id}/procedures/{foreign.id}"

    answers = [form(f"{step}/edit", PROCEDURE), form(f"{step}/delete"), form(f"{step}/move", {"direction": "up"})]

    assert [r.status_code for r in answers] == [404] * 3
    db.expire_all()
    assert db.get(ProcedureTemplate, foreign.id).title == "Elsewhere"
