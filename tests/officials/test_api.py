import pytest

from app.agenda.models import SessionSpeaker, SpeakerRole
from app.officials.models import Official
from tests.factories import (
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    OfficialFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle

PAYLOAD = {
    "name": "Armen Example",
    "name_native": "Արմեն Էքզամփլ",
    "title": "Deputy Minister of Foreign Affairs",
    "institution": "Ministry of Foreign Affairs",
    "country": "am",
}


def error_fields(r) -> set[str]:
    return {e["loc"][-1] for e in r.json()["detail"]}


def test_create_then_read_update_and_delete(api, db):
    event = EventFactory()
    client = api(organiser(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/officials"

    created = client.post(base, json=PAYLOAD)
    official_id = created.json()["id"]
    read = client.get(f"{base}/{official_id}")
    patched = client.patch(f"{base}/{official_id}", json={"title": "Minister of Foreign Affairs"})
    deleted = client.delete(f"{base}/{official_id}")

    assert created.status_code == 201
    assert (created.json()["country"], created.json()["notes"], created.json()["event_id"]) == ("AM", "", event.id)
    assert read.json()["name_native"] == "Արմեն Էքզամփլ"
    assert patched.json()["title"] == "Minister of Foreign Affairs"
    assert patched.json()["institution"] == "Ministry of Foreign Affairs"
    assert deleted.status_code == 204
    assert db.get(Official, official_id) is None


def test_list_paginates_by_name(api, db):
    event = EventFactory()
    for name in ("Cara", "Ani", "Bela"):
        OfficialFactory(event=event, name=name)
    OfficialFactory(name="Of another event")
    client = api(press_officer(event))
    settle(db)

    first = client.get(f"/api/v1/events/{event.id}/officials", params={"per_page": 2})
    second = client.get(f"/api/v1/events/{event.id}/officials", params={"page": 2, "per_page": 2})

    assert [o["name"] for o in first.json()["items"]] == ["Ani", "Bela"]
    assert (second.json()["total"], [o["name"] for o in second.json()["items"]]) == (3, ["Cara"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"title": "   "}, "title"),
        ({"institution": "y" * 201}, "institution"),
        ({"country": "XX"}, "country"),
        ({"country": "ARM"}, "country"),
        ({"notes": "n" * 5001}, "notes"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_create_refuses_invalid_fields_with_422(api, db, change, field):
    event = EventFactory()
    client = api(organiser(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/officials", json={**PAYLOAD, **change})

    assert r.status_code == 422
    assert field in error_fields(r)
    assert db.query(Official).filter_by(event_id=event.id).count() == 0


def test_create_requires_name_title_institution_and_country(api, db):
    event = EventFactory()
    client = api(organiser(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/officials", json={})

    assert error_fields(r) == {"name", "title", "institution", "country"}


def test_patch_refuses_null(api, db):
    official = OfficialFactory()
    client = api(organiser(official.event))
    settle(db)

    r = client.patch(f"/api/v1/events/{official.event_id}/officials/{official.id}", json={"title": None})

    assert r.status_code == 422 and error_fields(r) == {"title"}


def test_delete_of_an_official_on_a_session_is_409(api, db):
    official = OfficialFactory()
    session = AgendaSessionFactory(event=official.event)
    db.add(SessionSpeaker(session=session, official=official, role=SpeakerRole.GUEST))
    client = api(organiser(official.event))
    settle(db)

    r = client.delete(f"/api/v1/events/{official.event_id}/officials/{official.id}")

    assert (r.status_code, r.json()["error"]) == (409, "Conflict")
    assert db.get(Official, official.id) is not None


def test_an_official_of_another_event_is_404(api, db):
    event = EventFactory()
    other = OfficialFactory()
    client = api(organiser(event))
    settle(db)

    read = client.get(f"/api/v1/events/{event.id}/officials/{other.id}")
    patched = client.patch(f"/api/v1/events/{event.id}/officials/{other.id}", json={"title": "Changed"})

    assert (read.status_code, patched.status_code) == (404, 404)
    db.expire_all()
    assert db.get(Official, other.id).title != "Changed"


def test_writes_are_refused_to_press_officers_and_coordinators(api, db):
    event = EventFactory()
    official = OfficialFactory(event=event)
    press = press_officer(event)
    coord = coordinator(DelegationFactory(event=event))
    settle(db)

    for user in (press, coord):
        client = api(user)
        created = client.post(f"/api/v1/events/{event.id}/officials", json=PAYLOAD)
        patched = client.patch(f"/api/v1/events/{event.id}/officials/{official.id}", json={"title": "x"})
        deleted = client.delete(f"/api/v1/events/{event.id}/officials/{official.id}")
        read = client.get(f"/api/v1/events/{event.id}/officials/{official.id}")
        assert (created.status_code, patched.status_code, deleted.status_code, read.status_code) == (403, 403, 403, 200)


def test_reads_are_refused_to_outsiders_and_anonymous(api, client, db):
    event = EventFactory()
    official = OfficialFactory(event=event)
    settle(db)

    anonymous = client.get(f"/api/v1/events/{event.id}/officials")
    outsider = api(UserFactory()).get(f"/api/v1/events/{event.id}/officials/{official.id}")

    assert anonymous.status_code == 401
    assert (outsider.status_code, outsider.json()["error"]) == (403, "Forbidden")
