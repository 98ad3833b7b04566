import pytest
from sqlalchemy import select

from app.delegations.models import Delegation, DelegationCoordinator
from app.registrations.models import Circle, Registration, RegistrationStatus
from tests.factories import (
    DelegationFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle

S = RegistrationStatus
PAYLOAD = {"name": "Armenia", "country": "am", "side": "host", "head_name": "Anahit", "capacity_core": 8, "capacity_broader": 16}


def error_fields(r) -> set[str]:
    return {e["loc"][-1] for e in r.json()["detail"]}


def test_list_gives_delegations_with_counts_and_coordinators(api, db):
    event = EventFactory()
    armenia = DelegationFactory(event=event, name="Armenia", capacity_core=2)
    RegistrationFactory(delegation=armenia, circle=Circle.CORE, status=S.CONFIRMED)
    RegistrationFactory(delegation=armenia, circle=Circle.CORE, status=S.WAITLISTED)
    coordinator(armenia, email="coord@example.org")
    DelegationFactory(event=event, name="Azerbaijan")
    client = api(organiser(event))
    settle(db)

    r = client.get(f"/api/v1/events/{event.id}/delegations")

    body = r.json()
    assert r.status_code == 200
    assert (body["total"], [d["name"] for d in body["items"]]) == (2, ["Armenia", "Azerbaijan"])
    first = body["items"][0]
    assert first["counts"]["core"] == {"capacity": 2, "confirmed": 1, "waitlisted": 1}
    assert first["counts"]["by_status"] == {"confirmed": 1, "waitlisted": 1}
    assert [c["email"] for c in first["coordinators"]] == ["coord@example.org"]


def test_list_paginates(api, db):
    event = EventFactory()
    DelegationFactory.create_batch(3, event=event)
    client = api(organiser(event))
    settle(db)

    r = client.get(f"/api/v1/events/{event.id}/delegations", params={"page": 2, "per_page": 2})

    assert (r.json()["total"], len(r.json()["items"]), r.json()["page"]) == (3, 1, 2)


def test_create_then_read_update_and_delete(api, db):
    event = EventFactory()
    client = api(organiser(event))
    settle(db)

    created = client.post(f"/api/v1/events/{event.id}/delegations", json=PAYLOAD)
    delegation_id = created.json()["id"]
    read = client.get(f"/api/v1/events/{event.id}/delegations/{delegation_id}")
    patched = client.patch(f"/api/v1/events/{event.id}/delegations/{delegation_id}", json={"capacity_core": 10})
    deleted = client.delete(f"/api/v1/events/{event.id}/delegations/{delegation_id}")

    assert created.status_code == 201 and created.json()["country"] == "AM"
    assert read.json()["name"] == "Armenia"
    assert patched.json()["capacity_core"] == 10 and patched.json()["capacity_broader"] == 16
    assert deleted.status_code == 204
    assert db.get(Delegation, delegation_id) is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"capacity_core": -1}, "capacity_core"),
        ({"capacity_broader": 10_001}, "capacity_broader"),
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"side": "neutral"}, "side"),
        ({"lock_version": 5}, "lock_version"),
        ({"event_id": 1}, "event_id"),
    ],
)
def test_create_with_bad_input_answers_422_by_field(api, db, change, field):
    event = EventFactory()
    client = api(organiser(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/delegations", json={**PAYLOAD, **change})

    assert r.status_code == 422
    assert field in error_fields(r)
    assert db.scalar(select(Delegation)) is None


def test_create_with_taken_name_answers_422(api, db):
    event = EventFactory()
    DelegationFactory(event=event, name="Armenia")
    client = api(organiser(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/delegations", json=PAYLOAD)

    assert r.status_code == 422
    assert error_fields(r) == {"name"}


def test_patch_null_is_refused(api, db):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)

    r = client.patch(f"/api/v1/events/{delegation.event_id}/delegations/{delegation.id}", json={"name": None})

    assert r.status_code == 422


def test_raising_capacity_through_the_api_confirms_the_waiting(api, db):
    delegation = DelegationFactory(capacity_broader=0)
    waiting = RegistrationFactory(delegation=delegation, circle=Circle.BROADER, status=S.WAITLISTED)
    client = api(organiser(delegation.event))
    settle(db)

    r = client.patch(f"/api/v1/events/{delegation.event_id}/delegations/{delegation.id}", json={"capacity_broader": 1})

    assert r.json()["counts"]["broader"] == {"capacity": 1, "confirmed": 1, "waitlisted": 0}
    db.expire_all()
    assert db.get(Registration, waiting.id).status == S.CONFIRMED


def test_delete_with_participants_answers_409(api, db):
    delegation = DelegationFactory()
    RegistrationFactory(delegation=delegation)
    client = api(organiser(delegation.event))
    settle(db)

    r = client.delete(f"/api/v1/events/{delegation.event_id}/delegations/{delegation.id}")

    assert r.status_code == 409
    assert r.json()["error"] == "Conflict"


def test_coordinators_sub_resource(api, db):
    delegation = DelegationFactory()
    UserFactory(email="coord@example.org", full_name="Coord")
    client = api(organiser(delegation.event))
    settle(db)
    base = f"/api/v1/events/{delegation.event_id}/delegations/{delegation.id}/coordinators"

    added = client.post(base, json={"email": "coord@example.org"})
    again = client.post(base, json={"email": "coord@example.org"})
    bad = client.post(base, json={"email": "nobody"})
    listed = client.get(base)
    removed = client.delete(f"{base}/{added.json()['id']}")
    gone = client.delete(f"{base}/{added.json()['id']}")

    assert added.status_code == 201 and added.json()["full_name"] == "Coord"
    assert again.status_code == 422 and error_fields(again) == {"email"}
    assert bad.status_code == 422
    assert [c["email"] for c in listed.json()["items"]] == ["coord@example.org"]
    assert removed.status_code == 204 and gone.status_code == 404
    assert db.scalar(select(DelegationCoordinator)) is None


def test_press_officer_reads_but_cannot_change(api, db):
    delegation = DelegationFactory()
    client = api(press_officer(delegation.event))
    settle(db)
    url = f"/api/v1/events/{delegation.event_id}/delegations/{delegation.id}"

    assert client.get(url).status_code == 200
    assert client.patch(url, json={"capacity_core": 99}).status_code == 403
    assert client.delete(url).status_code == 403
    assert client.post(f"/api/v1/events/{delegation.event_id}/delegations", json=PAYLOAD).status_code == 403


def test_coordinator_cannot_raise_their_own_capacity(api, db):
    delegation = DelegationFactory(capacity_core=1)
    client = api(coordinator(delegation))
    settle(db)

    r = client.patch(f"/api/v1/events/{delegation.event_id}/delegations/{delegation.id}", json={"capacity_core": 99})

    assert r.status_code == 403
    db.expire_all()
    assert db.get(Delegation, delegation.id).capacity_core == 1


def test_anonymous_gets_401_and_outsider_403_or_404(client, api, db):
    delegation = DelegationFactory()
    settle(db)
    url = f"/api/v1/events/{delegation.event_id}/delegations"

    anonymous = client.get(url)
    outsider = api(UserFactory()).get(url)

    assert anonymous.status_code == 401
    assert outsider.status_code == 403


def test_delegation_of_another_event_is_404(api, db):
    event = EventFactory()
    other = DelegationFactory()
    client = api(organiser(event))
    settle(db)

    assert client.get(f"/api/v1/events/{event.id}/delegations/{other.id}").status_code == 404
    assert client.patch(f"/api/v1/events/{event.id}/delegations/{other.id}", json={"name": "x"}).status_code == 404
