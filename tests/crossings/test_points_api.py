import pytest

from app.audit.models import AuditEntry
from app.crossings.models import CrossingPoint, ProcedureTemplate
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

BASE = "/api/v1/crossing-points"
PAYLOAD = {
    "name_a": "Voskepar",
    "country_a": "am",
    "name_b": "Ashaghi Askipara",
    "country_b": "AZ",
    "latitude": 41.0998,
    "longitude": "45.0627",
    "status": "delimited and demarcated",
    "opening_hours": "08:00–20:00",
}
PROCEDURE = {"title": "Submit the passenger list", "lead_days": 10, "responsible_side": "visiting"}


def error_fields(r) -> set[str]:
    return {e["loc"][-1] for e in r.json()["detail"]}


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


def test_create_then_read_update_and_delete(api, db):
    client = api(AdminFactory())
    settle(db)

    created = client.post(BASE, json=PAYLOAD)
    point_id = created.json()["id"]
    read = client.get(f"{BASE}/{point_id}")
    patched = client.patch(f"{BASE}/{point_id}", json={"opening_hours": "by arrangement", "latitude": None, "longitude": None})
    deleted = client.delete(f"{BASE}/{point_id}")

    assert created.status_code == 201
    assert created.json() | {"created_at": None, "updated_at": None} == {
        "id": point_id,
        "label": "Voskepar (AM) / Ashaghi Askipara (AZ)",
        "name_a": "Voskepar", "country_a": "AM", "name_b": "Ashaghi Askipara", "country_b": "AZ",
        "latitude": 41.0998, "longitude": 45.0627,
        "status": "delimited and demarcated", "opening_hours": "08:00–20:00", "notes": "",
        "is_active": True, "procedures": [], "created_at": None, "updated_at": None,
    }
    assert read.json()["name_b"] == "Ashaghi Askipara"
    assert (patched.json()["opening_hours"], patched.json()["latitude"], patched.json()["name_a"]) == (
        "by arrangement", None, "Voskepar"
    )
    assert deleted.status_code == 204
    assert db.get(CrossingPoint, point_id) is None


def test_list_paginates_by_name_with_procedures_and_filters(api, db):
    made = {name: CrossingPointFactory(name_a=name) for name in ("Cara", "Ani", "Bela")}
    ProcedureTemplateFactory(crossing_point=made["Cara"], title="Register vehicles")
    CrossingPointFactory(name_a="Dormant", is_active=False)
    client = api(organiser(EventFactory()))
    settle(db)

    first = client.get(BASE, params={"per_page": 2, "active": "true"})
    second = client.get(BASE, params={"page": 2, "per_page": 2, "active": "true"})
    inactive = client.get(BASE, params={"active": "false"})
    found = client.get(BASE, params={"q": "bel"})

    assert [p["name_a"] for p in first.json()["items"]] == ["Ani", "Bela"]
    assert (second.json()["total"], [p["name_a"] for p in second.json()["items"]]) == (3, ["Cara"])
    assert [s["title"] for s in second.json()["items"][0]["procedures"]] == ["Register vehicles"]
    assert [p["name_a"] for p in inactive.json()["items"]] == ["Dormant"]
    assert [p["name_a"] for p in found.json()["items"]] == ["Bela"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name_a": ""}, "name_a"),
        ({"name_b": "x" * 201}, "name_b"),
        ({"country_a": "XX"}, "country_a"),
        ({"country_b": "AM"}, "country_b"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": "east"}, "longitude"),
        ({"longitude": None}, "longitude"),
        ({"status": "s" * 201}, "status"),
        ({"notes": "n" * 5001}, "notes"),
        ({"is_active": False}, "is_active"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_create_refuses_invalid_fields_with_422(api, db, change, field):
    client = api(AdminFactory())
    settle(db)

    r = client.post(BASE, json={**PAYLOAD, **change})

    assert r.status_code == 422
    assert field in error_fields(r)
    assert db.query(CrossingPoint).count() == 0


def test_create_requires_both_names_and_countries(api, db):
    client = api(AdminFactory())
    settle(db)

    r = client.post(BASE, json={})

    assert error_fields(r) == {"name_a", "country_a", "name_b", "country_b"}


def test_patch_refuses_null_names_and_checks_the_result(api, db):
    point = CrossingPointFactory(country_a="AM", country_b="AZ")
    client = api(AdminFactory())
    settle(db)

    null = client.patch(f"{BASE}/{point.id}", json={"name_a": None})
    same = client.patch(f"{BASE}/{point.id}", json={"country_b": "am"})
    half = client.patch(f"{BASE}/{point.id}", json={"latitude": 40})

    assert (null.status_code, error_fields(null)) == (422, {"name_a"})
    assert (same.status_code, same.json()["detail"][0]["msg"]) == (422, "The two sides must be in different countries.")
    assert (half.status_code, error_fields(half)) == (422, {"longitude"})


def test_patch_is_active_deactivates_and_is_audited(api, db):
    point = CrossingPointFactory()
    client = api(AdminFactory())
    settle(db)

    r = client.patch(f"{BASE}/{point.id}", json={"is_active": False})

    assert r.json()["is_active"] is False
    assert db.query(AuditEntry).filter_by(action="crossing_point.deactivate", object_id=point.id).count() == 1


def test_delete_of_a_point_a_crossing_goes_through_is_409(api, db):
    point = CrossingPointFactory()
    CrossingFactory(crossing_point=point)
    client = api(AdminFactory())
    settle(db)

    r = client.delete(f"{BASE}/{point.id}")

    assert (r.status_code, r.json()["error"]) == (409, "Conflict")
    assert "Deactivate it instead" in r.json()["detail"]
    assert db.get(CrossingPoint, point.id) is not None


# --- procedures ----------------------------------------------------------------------------------


def test_procedures_create_list_move_update_and_delete(api, db):
    point = CrossingPointFactory()
    client = api(AdminFactory())
    settle(db)
    base = f"{BASE}/{point.id}/procedures"

    ids = [client.post(base, json={**PROCEDURE, "title": t}).json()["id"] for t in ("List", "Clearance", "Escort")]
    moved = client.patch(f"{base}/{ids[2]}", json={"position": 1, "lead_days": 0})
    listed = client.get(base)
    one = client.get(f"{base}/{ids[0]}")
    deleted = client.delete(f"{base}/{ids[1]}")
    after = client.get(f"{BASE}/{point.id}")

    assert (moved.status_code, moved.json()["position"], moved.json()["lead_days"]) == (200, 1, 0)
    assert [(p["title"], p["position"]) for p in listed.json()["items"]] == [("Escort", 1), ("List", 2), ("Clearance", 3)]
    assert (one.json()["title"], one.json()["responsible_side"], one.json()["crossing_point_id"]) == ("List", "visiting", point.id)
    assert deleted.status_code == 204
    assert [(p["title"], p["position"]) for p in after.json()["procedures"]] == [("Escort", 1), ("List", 2)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"lead_days": -1}, "lead_days"),
        ({"lead_days": 366}, "lead_days"),
        ({"responsible_side": "nobody"}, "responsible_side"),
        ({"description": "d" * 5001}, "description"),
        ({"position": 2}, "position"),
    ],
)
def test_create_procedure_refuses_invalid_fields_with_422(api, db, change, field):
    point = CrossingPointFactory()
    client = api(AdminFactory())
    settle(db)

    r = client.post(f"{BASE}/{point.id}/procedures", json={**PROCEDURE, **change})

    assert r.status_code == 422 and field in error_fields(r)
    assert db.query(ProcedureTemplate).count() == 0


def test_unknown_points_and_procedures_of_another_point_are_404(api, db):
    point = CrossingPointFactory()
    foreign = ProcedureTemplateFactory(title="Elsewhere")
    client = api(AdminFactory())
    settle(db)

    unknown = client.get(f"{BASE}/{point.id + 1000}")
    unknown_procedures = client.get(f"{BASE}/{point.id + 1000}/procedures")
    read = client.get(f"{BASE}/{point.id}/procedures/{foreign.id}")
    patched = client.patch(f"{BASE}/{point.id}/procedures/{foreign.id}", json={"title": "Changed"})
    deleted = client.delete(f"{BASE}/{point.id}/procedures/{foreign.id}")

    assert [r.status_code for r in (unknown, unknown_procedures, read, patched, deleted)] == [404] * 5
    db.expire_all()
    assert db.get(ProcedureTemplate, foreign.id).title == "Elsewhere"


@pytest.mark.parametrize("who", ["organiser", "coordinator", "delegate", "press_officer", "user"])
def test_writes_are_refused_to_everyone_but_administrators(api, db, who):
    point = CrossingPointFactory()
    procedure = ProcedureTemplateFactory(crossing_point=point)
    client = api(outsider(who))
    settle(db)
    one, procedures = f"{BASE}/{point.id}", f"{BASE}/{point.id}/procedures"

    answers = [
        client.post(BASE, json=PAYLOAD),
        client.patch(one, json={"status": "closed"}),
        client.delete(one),
        client.post(procedures, json=PROCEDURE),
        client.patch(f"{procedures}/{procedure.id}", json={"title": "x"}),
        client.delete(f"{procedures}/{procedure.id}"),
    ]

    assert [(r.status_code, r.json()["error"]) for r in answers] == [(403, "Forbidden")] * 6
    db.expire_all()
    assert db.get(CrossingPoint, point.id).status == "delimited and demarcated"
    assert db.query(ProcedureTemplate).count() == 1


@pytest.mark.parametrize("who", ["organiser", "coordinator"])
def test_organisers_and_coordinators_may_read(api, db, who):
    point = CrossingPointFactory()
    procedure = ProcedureTemplateFactory(crossing_point=point)
    client = api(outsider(who))
    settle(db)

    answers = [
        client.get(BASE),
        client.get(f"{BASE}/{point.id}"),
        client.get(f"{BASE}/{point.id}/procedures"),
        client.get(f"{BASE}/{point.id}/procedures/{procedure.id}"),
    ]

    assert [r.status_code for r in answers] == [200] * 4


@pytest.mark.parametrize("who", ["delegate", "press_officer", "user"])
def test_reads_are_refused_to_others(api, db, who):
    point = CrossingPointFactory()
    client = api(outsider(who))
    settle(db)

    listed = client.get(BASE)
    read = client.get(f"{BASE}/{point.id}")

    assert (listed.status_code, read.status_code, read.json()["error"]) == (403, 403, "Forbidden")


def test_anonymous_is_401(client, db):
    point = CrossingPointFactory()
    settle(db)

    answers = [client.get(BASE), client.get(f"{BASE}/{point.id}"), client.post(BASE, json=PAYLOAD, headers={"x-csrf-token": client.csrf_token})]

    assert [r.status_code for r in answers] == [401] * 3


@pytest.mark.parametrize("n", [1, 3])
def test_list_query_count_is_constant(api, db, count_queries, n):
    for _ in range(n):
        ProcedureTemplateFactory.create_batch(n, crossing_point=CrossingPointFactory())
    client = api(organiser(EventFactory()))
    settle(db)

    with count_queries() as count:
        r = client.get(BASE)

    assert len(r.json()["items"]) == n and len(r.json()["items"][0]["procedures"]) == n
    # the token with its user, their two kinds of grants and its last use; count, points, procedures
    assert count() == 7
