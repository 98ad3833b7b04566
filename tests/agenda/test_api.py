from datetime import datetime

import pytest
from sqlalchemy import select

from app.agenda.models import AgendaSession, Room, SessionSpeaker, SessionStatus, SpeakerRole
from tests.factories import (
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    OfficialFactory,
    RegistrationFactory,
    RoomFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle

SESSION = {
    "kind": "thematic_session",
    "title": "Regional security, borders and connectivity",
    "starts_at": "2026-02-13T14:00:00+04:00",
    "ends_at": "2026-02-13T15:30:00+04:00",
    "topics": ["borders", "connectivity"],
}


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def error_fields(r) -> set[str]:
    return {e["loc"][-1] for e in r.json()["detail"]}


# --- rooms ---------------------------------------------------------------------------------------


def test_rooms_create_list_update_and_delete(api, db):
    event = EventFactory()
    RoomFactory(event=event, name="Garden", position=5)
    client = api(organiser(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/rooms"

    created = client.post(base, json={"name": "Main hall", "capacity": 80})
    room_id = created.json()["id"]
    listed = client.get(base)
    patched = client.patch(f"{base}/{room_id}", json={"notes": "Interpretation booths"})
    deleted = client.delete(f"{base}/{room_id}")

    assert created.status_code == 201 and created.json()["capacity"] == 80
    assert [r["name"] for r in listed.json()["items"]] == ["Main hall", "Garden"]
    assert patched.json()["notes"] == "Interpretation booths" and patched.json()["name"] == "Main hall"
    assert deleted.status_code == 204
    assert db.get(Room, room_id) is None


def test_room_with_a_taken_name_is_422(api, db):
    event = EventFactory()
    RoomFactory(event=event, name="Main hall")
    client = api(organiser(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/rooms", json={"name": "main hall"})

    assert r.status_code == 422 and error_fields(r) == {"name"}


def test_room_with_scheduled_sessions_cannot_be_deleted(api, db):
    session = AgendaSessionFactory()
    client = api(organiser(session.event))
    settle(db)

    r = client.delete(f"/api/v1/events/{session.event_id}/rooms/{session.room_id}")

    assert (r.status_code, r.json()["error"]) == (409, "Conflict")


def test_room_of_another_event_is_404(api, db):
    event = EventFactory()
    other = RoomFactory()
    client = api(organiser(event))
    settle(db)

    assert client.get(f"/api/v1/events/{event.id}/rooms/{other.id}").status_code == 404
    assert client.patch(f"/api/v1/events/{event.id}/rooms/{other.id}", json={"name": "Mine"}).status_code == 404


# --- sessions ------------------------------------------------------------------------------------


def test_create_session_answers_times_in_the_events_zone(api, db):
    event = EventFactory()
    room = RoomFactory(event=event, name="Main hall")
    delegation = DelegationFactory(event=event)
    moderator = RegistrationFactory(delegation=delegation)
    minister = OfficialFactory(event=event, name="Deputy Minister")
    client = api(organiser(event))
    settle(db)

    r = client.post(
        f"/api/v1/events/{event.id}/sessions",
        json={
            **SESSION,
            "starts_at": "2026-02-13T10:00:00Z",  # 14:00 in Yerevan
            "ends_at": "2026-02-13T11:30:00Z",
            "room_id": room.id,
            "speakers": [
                {"registration_id": moderator.id, "role": "moderator"},
                {"official_id": minister.id, "role": "guest"},
            ],
            "invitee_ids": [moderator.id],
        },
    )

    body = r.json()
    assert r.status_code == 201
    assert (body["starts_at"], body["ends_at"], body["timezone"]) == (
        "2026-02-13T14:00:00+04:00", "2026-02-13T15:30:00+04:00", "Asia/Yerevan"
    )
    assert (body["room_name"], body["sequence"], body["status"], body["warnings"]) == ("Main hall", 0, "scheduled", [])
    assert [(s["role"], s["name"]) for s in body["speakers"]] == [
        ("moderator", moderator.person.full_name), ("guest", "Deputy Minister")
    ]
    assert body["invitee_ids"] == [moderator.id] and len(body["uid"]) == 36


def test_list_get_patch_duplicate_and_delete_sessions(api, db):
    event = EventFactory()
    first = AgendaSessionFactory(event=event, title="Opening")
    client = api(organiser(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/sessions"

    listed = client.get(base)
    read = client.get(f"{base}/{first.id}")
    patched = client.patch(f"{base}/{first.id}", json={"title": "Opening plenary"})
    copied = client.post(f"{base}/{first.id}/duplicate")
    cancelled = client.patch(f"{base}/{first.id}", json={"status": "cancelled"})
    deleted = client.delete(f"{base}/{copied.json()['id']}")

    assert (listed.json()["total"], listed.json()["items"][0]["title"]) == (1, "Opening")
    assert read.json()["starts_at"] == "2026-02-13T10:00:00+04:00"
    assert (patched.json()["title"], patched.json()["sequence"]) == ("Opening plenary", 1)
    assert copied.status_code == 201
    assert (copied.json()["title"], copied.json()["room_id"], copied.json()["is_published"]) == (
        "Opening plenary (copy)", None, False
    )
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 2)
    assert deleted.status_code == 204
    assert db.get(AgendaSession, copied.json()["id"]) is None


def test_list_filters_and_paginates(api, db):
    event = EventFactory()
    room = RoomFactory(event=event)
    AgendaSessionFactory(event=event, room=room, kind="plenary")
    AgendaSessionFactory(event=event, room=None, kind="break")
    AgendaSessionFactory(event=event, room=None, kind="break", status=SessionStatus.CANCELLED)
    client = api(organiser(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/sessions"

    assert client.get(base, params={"kind": "break"}).json()["total"] == 2
    assert client.get(base, params={"room_id": room.id}).json()["total"] == 1
    assert client.get(base, params={"status": "cancelled"}).json()["total"] == 1
    assert client.get(base, params={"day": "2026-02-14"}).json()["total"] == 0
    page = client.get(base, params={"page": 2, "per_page": 2}).json()
    assert (page["total"], len(page["items"]), page["page"]) == (3, 1, 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "2026-02-13T14:00:00"}, "starts_at"),  # naive
        ({"ends_at": "2026-02-13T13:00:00+04:00"}, "ends_at"),
        ({"starts_at": "2026-02-12T14:00:00+04:00"}, "starts_at"),
        ({"ends_at": "2026-02-15T10:00:00+04:00"}, "ends_at"),
        ({"kind": "party"}, "kind"),
        ({"title": ""}, "title"),
        ({"room_id": 2**31 - 1}, "room_id"),
        ({"speakers": [{"registration_id": 2**31 - 1}]}, "speakers"),
        ({"speakers": [{"role": "speaker"}]}, "speakers"),
        ({"audience": "delegation"}, "audience_delegation_id"),
        ({"invitee_ids": [2**31 - 1]}, "invitee_ids"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_create_session_with_bad_input_is_422(api, db, change, field):
    event = EventFactory()
    client = api(organiser(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/sessions", json={**SESSION, **change})

    assert r.status_code == 422
    assert r.json()["error"] == "ValidationError"
    assert field in {str(part) for e in r.json()["detail"] for part in e["loc"]}
    assert db.scalar(select(AgendaSession).where(AgendaSession.event_id == event.id)) is None


def test_create_session_with_records_of_another_event_is_422(api, db):
    event = EventFactory()
    stranger = RegistrationFactory()
    room = RoomFactory()
    client = api(organiser(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/sessions"

    speaker = client.post(base, json={**SESSION, "speakers": [{"registration_id": stranger.id}]})
    in_room = client.post(base, json={**SESSION, "room_id": room.id})

    assert error_fields(speaker) == {"speakers"} and "not a participant of this event" in speaker.text
    assert error_fields(in_room) == {"room_id"}


def test_a_room_clash_is_422_even_when_confirmed(api, db):
    existing = AgendaSessionFactory(title="Opening")  # 10:00–11:30
    client = api(organiser(existing.event))
    settle(db)

    r = client.post(
        f"/api/v1/events/{existing.event_id}/sessions",
        json={**SESSION, "starts_at": "2026-02-13T11:00:00+04:00", "room_id": existing.room_id, "confirm_warnings": True},
    )

    assert r.status_code == 422 and error_fields(r) == {"room_id"}
    assert "Opening" in r.json()["detail"][0]["msg"]


def test_a_speaker_clash_is_409_until_confirmed(api, db):
    event = EventFactory()
    person = RegistrationFactory(delegation=DelegationFactory(event=event))
    first = AgendaSessionFactory(event=event, title="Borders", starts_at=moment(SESSION["starts_at"]), ends_at=moment(SESSION["ends_at"]))
    db.add(SessionSpeaker(session=first, registration=person, role=SpeakerRole.SPEAKER))
    client = api(organiser(event))
    settle(db)
    body = {**SESSION, "speakers": [{"registration_id": person.id}]}

    warned = client.post(f"/api/v1/events/{event.id}/sessions", json=body)
    saved = client.post(f"/api/v1/events/{event.id}/sessions", json={**body, "confirm_warnings": True})

    assert warned.status_code == 409
    assert warned.json()["error"] == "ConflictWarning"
    [item] = warned.json()["detail"]
    assert (item["loc"], item["type"]) == (["body", "speakers"], "speaker") and "Borders" in item["msg"]
    assert saved.status_code == 201
    assert [(w["kind"], w["other_session_id"]) for w in saved.json()["warnings"]] == [("speaker", first.id)]


def test_patch_moves_a_session_and_refuses_a_room_clash(api, db):
    event = EventFactory()
    hall = RoomFactory(event=event)
    AgendaSessionFactory(event=event, room=hall)  # 10:00–11:30
    other = AgendaSessionFactory(event=event, starts_at=moment(SESSION["starts_at"]), ends_at=moment(SESSION["ends_at"]))
    client = api(organiser(event))
    settle(db)
    url = f"/api/v1/events/{event.id}/sessions/{other.id}"

    refused = client.patch(url, json={"room_id": hall.id, "starts_at": "2026-02-13T10:30:00+04:00", "ends_at": "2026-02-13T12:00:00+04:00"})
    moved = client.patch(url, json={"room_id": hall.id, "starts_at": "2026-02-13T11:30:00+04:00", "ends_at": "2026-02-13T13:00:00+04:00"})

    assert refused.status_code == 422 and error_fields(refused) == {"room_id"}
    assert (moved.status_code, moved.json()["room_id"], moved.json()["starts_at"]) == (
        200, hall.id, "2026-02-13T11:30:00+04:00"
    )


@pytest.mark.parametrize("who", ["press_officer", "coordinator"])
def test_readers_may_read_but_not_write(api, db, who):
    event = EventFactory()
    session = AgendaSessionFactory(event=event)
    user = press_officer(event) if who == "press_officer" else coordinator(DelegationFactory(event=event))
    client = api(user)
    settle(db)
    base = f"/api/v1/events/{event.id}"

    assert client.get(f"{base}/sessions").json()["total"] == 1
    assert client.get(f"{base}/rooms/{session.room_id}").status_code == 200
    assert client.post(f"{base}/sessions", json=SESSION).status_code == 403
    assert client.patch(f"{base}/sessions/{session.id}", json={"title": "Mine"}).status_code == 403
    assert client.post(f"{base}/sessions/{session.id}/duplicate").status_code == 403
    assert client.delete(f"{base}/sessions/{session.id}").status_code == 403
    assert client.post(f"{base}/rooms", json={"name": "Annex"}).status_code == 403
    assert client.delete(f"{base}/rooms/{session.room_id}").status_code == 403


def test_a_user_without_a_role_gets_403_on_the_list_and_404_on_a_session(api, db):
    session = AgendaSessionFactory()
    client = api(UserFactory())
    settle(db)
    base = f"/api/v1/events/{session.event_id}"

    assert client.get(f"{base}/sessions").status_code == 403
    assert client.get(f"{base}/sessions/{session.id}").status_code == 404


def test_ids_of_another_event_are_404(api, db):
    event = EventFactory()
    theirs = AgendaSessionFactory()
    client = api(organiser(event))
    settle(db)
    wrong = f"/api/v1/events/{event.id}/sessions/{theirs.id}"

    assert client.get(wrong).status_code == 404
    assert client.patch(wrong, json={"title": "Mine"}).status_code == 404
    assert client.delete(wrong).status_code == 404
    assert client.post(wrong + "/duplicate").status_code == 404
    assert db.get(AgendaSession, theirs.id) is not None


def test_the_other_events_organiser_cannot_reach_this_agenda(api, db):
    session = AgendaSessionFactory()
    client = api(organiser(EventFactory()))
    settle(db)

    r = client.patch(f"/api/v1/events/{session.event_id}/sessions/{session.id}", json={"title": "Mine"})

    assert r.status_code == 404
