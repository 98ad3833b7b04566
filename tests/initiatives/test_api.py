from datetime import date

from sqlalchemy import select

from app.initiatives.models import Initiative, InitiativeStatus, Milestone, RoadmapPhase
from tests.factories import (
    AdminFactory,
    InitiativeFactory,
    MilestoneFactory,
    RoadmapPhaseFactory,
    UserFactory,
)
from tests.support import settle


def error_fields(r) -> set[str]:
    return {e["loc"][-1] for e in r.json()["detail"]}


PHASE = {
    "name": "Dialogue",
    "starts_on": "2026-07-01",
    "ends_on": "2027-06-30",
    "status": "planned",
}
MILESTONE = {"name": "Review", "starts_on": "2026-03-01", "ends_on": "2026-03-01"}


# --- initiatives ---------------------------------------------------------------------------------


def test_list_initiatives_is_paginated_and_hides_archived_from_public(client, db):
    InitiativeFactory(name="A")
    InitiativeFactory(name="B")
    InitiativeFactory(name="Old", status=InitiativeStatus.ARCHIVED)
    settle(db)

    r = client.get("/api/v1/initiatives", params={"per_page": 1})

    assert r.status_code == 200
    body = r.json()
    assert (body["total"], body["page"], body["per_page"]) == (2, 1, 1)
    assert [i["name"] for i in body["items"]] == ["A"]


def test_create_initiative_returns_201(api, db):
    client = api(AdminFactory())
    settle(db)

    r = client.post(
        "/api/v1/initiatives", json={"name": " Peace Bridge ", "description": "A series."}
    )

    assert r.status_code == 201
    assert (r.json()["name"], r.json()["status"]) == ("Peace Bridge", "active")


def test_create_initiative_with_bad_or_taken_name_is_422(api, db):
    InitiativeFactory(name="Taken")
    client = api(AdminFactory())
    settle(db)

    taken = client.post("/api/v1/initiatives", json={"name": "taken"})
    empty = client.post("/api/v1/initiatives", json={"name": "", "colour": "red"})

    assert taken.status_code == 422
    assert taken.json()["detail"] == [
        {"loc": ["body", "name"], "msg": "An initiative with this name exists already."}
    ]
    assert error_fields(empty) == {"name", "colour"}
    assert db.scalar(select(Initiative).where(Initiative.name != "Taken")) is None


def test_create_initiative_by_user_is_403_and_anonymous_401(client, api, db):
    anonymous = client.post(
        "/api/v1/initiatives", json={"name": "X"}, headers={"x-csrf-token": client.csrf_token}
    )
    user_client = api(UserFactory())
    settle(db)
    forbidden = user_client.post("/api/v1/initiatives", json={"name": "X"})

    assert anonymous.status_code == 401
    assert forbidden.status_code == 403
    assert db.scalar(select(Initiative)) is None


def test_get_initiative_and_archived_one_is_404_for_public(client, db):
    active = InitiativeFactory(name="Active")
    archived = InitiativeFactory(status=InitiativeStatus.ARCHIVED)
    settle(db)

    assert client.get(f"/api/v1/initiatives/{active.id}").json()["name"] == "Active"
    assert client.get(f"/api/v1/initiatives/{archived.id}").status_code == 404
    assert client.get("/api/v1/initiatives/99999999999").status_code == 422


def test_patch_initiative_changes_given_fields_and_refuses_null(api, db):
    initiative = InitiativeFactory(name="Old", description="Kept")
    client = api(AdminFactory())
    settle(db)

    r = client.patch(f"/api/v1/initiatives/{initiative.id}", json={"name": "New"})
    null = client.patch(f"/api/v1/initiatives/{initiative.id}", json={"name": None})

    assert (r.json()["name"], r.json()["description"]) == ("New", "Kept")
    assert null.status_code == 422


def test_archive_and_unarchive_initiative(api, db):
    initiative = InitiativeFactory()
    client = api(AdminFactory())
    settle(db)

    archived = client.post(f"/api/v1/initiatives/{initiative.id}/archive")
    again = client.post(f"/api/v1/initiatives/{initiative.id}/archive")
    restored = client.post(f"/api/v1/initiatives/{initiative.id}/unarchive")

    assert archived.json()["status"] == "archived"
    assert again.status_code == 409
    assert restored.json()["status"] == "active"


# --- phases --------------------------------------------------------------------------------------


def test_list_phases_includes_milestones(client, db):
    phase = RoadmapPhaseFactory(name="Confidence building")
    MilestoneFactory(phase=phase, name="Roundtable")
    settle(db)

    r = client.get(f"/api/v1/initiatives/{phase.initiative_id}/phases")

    body = r.json()
    assert body["total"] == 1
    assert body["items"][0]["name"] == "Confidence building"
    assert [m["name"] for m in body["items"][0]["milestones"]] == ["Roundtable"]


def test_add_phase_returns_201_and_refuses_backwards_window(api, db):
    initiative = InitiativeFactory()
    client = api(AdminFactory())
    settle(db)

    created = client.post(f"/api/v1/initiatives/{initiative.id}/phases", json=PHASE)
    backwards = client.post(
        f"/api/v1/initiatives/{initiative.id}/phases", json={**PHASE, "ends_on": "2026-01-01"}
    )

    assert created.status_code == 201
    assert (created.json()["initiative_id"], created.json()["milestones"]) == (initiative.id, [])
    assert backwards.status_code == 422
    assert error_fields(backwards) == {"ends_on"}


def test_patch_phase_and_refuse_leaving_a_milestone_outside(api, db):
    phase = RoadmapPhaseFactory(starts_on=date(2026, 2, 1), ends_on=date(2026, 7, 31))
    MilestoneFactory(phase=phase, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    client = api(AdminFactory())
    settle(db)
    url = f"/api/v1/initiatives/{phase.initiative_id}/phases/{phase.id}"

    renamed = client.patch(url, json={"name": "Renamed", "status": "in_progress"})
    shrunk = client.patch(url, json={"ends_on": "2026-03-15"})

    assert (renamed.json()["name"], renamed.json()["status"]) == ("Renamed", "in_progress")
    assert shrunk.status_code == 422
    assert shrunk.json()["detail"][0]["loc"] == ["body", "ends_on"]


def test_delete_phase_returns_204(api, db):
    phase = RoadmapPhaseFactory()
    MilestoneFactory(phase=phase)
    client = api(AdminFactory())
    settle(db)

    r = client.delete(f"/api/v1/initiatives/{phase.initiative_id}/phases/{phase.id}")

    assert r.status_code == 204
    assert db.scalar(select(RoadmapPhase)) is None
    assert db.scalar(select(Milestone)) is None


def test_phase_under_another_initiative_is_404(api, db):
    phase = RoadmapPhaseFactory()
    other = InitiativeFactory()
    client = api(AdminFactory())
    settle(db)

    r = client.patch(f"/api/v1/initiatives/{other.id}/phases/{phase.id}", json={"name": "Moved"})

    assert r.status_code == 404
    db.expire_all()
    assert db.get(RoadmapPhase, phase.id).name != "Moved"


def test_add_phase_by_user_is_403(api, db):
    initiative = InitiativeFactory()
    client = api(UserFactory())
    settle(db)

    assert client.post(f"/api/v1/initiatives/{initiative.id}/phases", json=PHASE).status_code == 403


# --- milestones ----------------------------------------------------------------------------------


def test_add_milestone_returns_201_and_refuses_outside_phase(api, db):
    phase = RoadmapPhaseFactory(starts_on=date(2026, 2, 1), ends_on=date(2026, 7, 31))
    client = api(AdminFactory())
    settle(db)
    url = f"/api/v1/initiatives/{phase.initiative_id}/phases/{phase.id}/milestones"

    created = client.post(url, json=MILESTONE)
    outside = client.post(url, json={**MILESTONE, "starts_on": "2026-01-15"})

    assert created.status_code == 201
    assert (created.json()["phase_id"], created.json()["status"]) == (phase.id, "planned")
    assert outside.status_code == 422
    assert outside.json()["detail"][0]["loc"] == ["body", "starts_on"]


def test_patch_and_delete_milestone(api, db):
    milestone = MilestoneFactory(name="Old")
    phase = milestone.phase
    client = api(AdminFactory())
    settle(db)
    url = f"/api/v1/initiatives/{phase.initiative_id}/phases/{phase.id}/milestones/{milestone.id}"

    patched = client.patch(url, json={"name": "New"})
    deleted = client.delete(url)

    assert patched.json()["name"] == "New"
    assert deleted.status_code == 204
    assert db.scalar(select(Milestone)) is None


def test_milestone_under_another_phase_is_404(api, db):
    initiative = InitiativeFactory()
    phase = RoadmapPhaseFactory(initiative=initiative)
    milestone = MilestoneFactory(phase=RoadmapPhaseFactory(initiative=initiative))
    client = api(AdminFactory())
    settle(db)

    r = client.delete(
        f"/api/v1/initiatives/{initiative.id}/phases/{phase.id}/milestones/{milestone.id}"
    )

    assert r.status_code == 404
    assert db.get(Milestone, milestone.id) is not None
