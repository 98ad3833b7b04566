from sqlalchemy import select

from app.audit.models import AuditEntry
from app.events.models import Event, EventStaff, EventStatus
from tests.factories import (
    AdminFactory,
    EventFactory,
    InitiativeFactory,
    UserFactory,
    organiser,
    press_officer,
)
from tests.support import settle

PAYLOAD = {
    "title": "Peace Bridge roundtable",
    "kind": "roundtable",
    "host_country": "am",
    "city": "Tsaghkadzor",
    "venue": "Writers' house",
    "starts_on": "2026-02-13",
    "ends_on": "2026-02-14",
    "timezone": "Asia/Yerevan",
}


def error_fields(r) -> set[str]:
    return {e["loc"][-1] for e in r.json()["detail"]}


# --- list and read -------------------------------------------------------------------------------


def test_list_events_is_paginated(api, db):
    for _ in range(3):
        EventFactory()
    client = api(UserFactory())
    settle(db)

    r = client.get("/api/v1/events", params={"per_page": 2, "page": 2})

    assert r.status_code == 200
    body = r.json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (3, 2, 2, 1)
    assert set(body["items"][0]) >= {
        "id",
        "title",
        "status",
        "host_country",
        "starts_on",
        "initiative_id",
    }


def test_list_events_for_anonymous_shows_public_only(client, db):
    EventFactory(title="public")
    EventFactory(title="draft", status=EventStatus.DRAFT)
    settle(db)

    r = client.get("/api/v1/events")

    assert [e["title"] for e in r.json()["items"]] == ["public"]


def test_list_events_filters(client, db):
    initiative = InitiativeFactory()
    EventFactory(title="Bridge A", initiative=initiative, status=EventStatus.ONGOING)
    EventFactory(title="Bridge B", status=EventStatus.ONGOING)
    EventFactory(title="Other", initiative=initiative, status=EventStatus.PLANNED)
    settle(db)

    r = client.get(
        "/api/v1/events",
        params={"q": "bridge", "status": "ongoing", "initiative_id": initiative.id},
    )

    assert [e["title"] for e in r.json()["items"]] == ["Bridge A"]


def test_list_events_with_bad_paging_or_filter_is_422(client):
    for params in ({"per_page": 0}, {"per_page": 501}, {"page": 0}, {"status": "bogus"}):
        r = client.get("/api/v1/events", params=params)
        assert r.status_code == 422, params
        assert r.json()["error"] == "ValidationError"


def test_get_event_returns_it(client, db):
    event = EventFactory(title="Roundtable", host_country="AM")
    settle(db)

    r = client.get(f"/api/v1/events/{event.id}")

    assert r.status_code == 200
    assert (r.json()["title"], r.json()["host_country"], r.json()["status"]) == (
        "Roundtable",
        "AM",
        "planned",
    )


def test_get_invisible_unknown_or_absurd_event(client, api, db):
    draft = EventFactory(status=EventStatus.DRAFT)
    api(organiser(EventFactory()))
    settle(db)

    assert client.get(f"/api/v1/events/{draft.id}").status_code == 404
    assert client.get("/api/v1/events/424242").json() == {
        "error": "NotFound",
        "detail": "Not found.",
    }
    assert client.get("/api/v1/events/99999999999").status_code == 422


# --- create and update ---------------------------------------------------------------------------


def test_create_event_returns_201_with_a_draft(api, db):
    initiative = InitiativeFactory()
    client = api(AdminFactory())
    settle(db)

    r = client.post("/api/v1/events", json={**PAYLOAD, "initiative_id": initiative.id})

    assert r.status_code == 201
    body = r.json()
    assert (body["status"], body["host_country"], body["initiative_id"]) == (
        "draft",
        "AM",
        initiative.id,
    )
    assert db.get(Event, body["id"]).title == "Peace Bridge roundtable"


def test_create_event_with_invalid_payload_is_422_with_field_errors(api, db):
    client = api(AdminFactory())
    settle(db)

    r = client.post(
        "/api/v1/events",
        json={
            **PAYLOAD,
            "ends_on": "2026-02-01",
            "host_country": "XX",
            "timezone": "Nowhere",
            "title": "",
            "extra": 1,
        },
    )

    assert r.status_code == 422
    assert error_fields(r) == {"ends_on", "host_country", "timezone", "title", "extra"}
    assert db.scalar(select(Event)) is None


def test_create_event_with_unknown_initiative_is_422_on_that_field(api, db):
    client = api(AdminFactory())
    settle(db)

    r = client.post("/api/v1/events", json={**PAYLOAD, "initiative_id": 424242})

    assert r.status_code == 422
    assert r.json()["detail"] == [
        {"loc": ["body", "initiative_id"], "msg": "Choose an initiative from the list."}
    ]


def test_create_event_by_non_admin_is_403(api, db):
    client = api(organiser(EventFactory()))
    settle(db)

    r = client.post("/api/v1/events", json=PAYLOAD)

    assert r.status_code == 403
    assert db.scalar(select(Event).where(Event.title == PAYLOAD["title"])) is None


def test_create_event_anonymous_is_401(client, db):
    r = client.post("/api/v1/events", json=PAYLOAD, headers={"x-csrf-token": client.csrf_token})

    assert r.status_code == 401
    assert r.json()["error"] == "NotAuthenticated"
    assert db.scalar(select(Event)) is None


def test_create_event_anonymous_without_csrf_header_is_refused(client, db):
    r = client.post("/api/v1/events", json=PAYLOAD)

    assert r.status_code == 403
    assert db.scalar(select(Event)) is None


def test_patch_event_changes_only_given_fields(api, db):
    event = EventFactory(title="Old", city="Dilijan")
    client = api(organiser(event))
    settle(db)

    r = client.patch(f"/api/v1/events/{event.id}", json={"title": "New"})

    assert r.status_code == 200
    assert (r.json()["title"], r.json()["city"]) == ("New", "Dilijan")
    assert db.scalar(select(AuditEntry.details).where(AuditEntry.action == "event.update")) == {
        "fields": ["title"]
    }


def test_patch_event_refuses_null_and_backwards_window(api, db):
    event = EventFactory(title="Old")
    client = api(AdminFactory())
    settle(db)

    null = client.patch(f"/api/v1/events/{event.id}", json={"title": None})
    backwards = client.patch(f"/api/v1/events/{event.id}", json={"ends_on": "2026-01-01"})

    assert null.status_code == 422
    assert error_fields(null) == {"title"}
    assert backwards.status_code == 422
    assert backwards.json()["detail"][0]["loc"] == ["body", "ends_on"]
    db.expire_all()
    assert db.get(Event, event.id).title == "Old"


def test_patch_event_by_press_officer_is_403(api, db):
    event = EventFactory(title="Old")
    client = api(press_officer(event))
    settle(db)

    r = client.patch(f"/api/v1/events/{event.id}", json={"title": "New"})

    assert r.status_code == 403
    db.expire_all()
    assert db.get(Event, event.id).title == "Old"


def test_patch_draft_of_another_event_is_404(api, db):
    event = EventFactory(status=EventStatus.DRAFT)
    client = api(organiser(EventFactory()))
    settle(db)

    assert client.patch(f"/api/v1/events/{event.id}", json={"title": "New"}).status_code == 404


# --- status --------------------------------------------------------------------------------------


def test_status_change_moves_event_on(api, db):
    event = EventFactory(status=EventStatus.DRAFT)
    client = api(organiser(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/status", json={"status": "planned"})

    assert r.status_code == 200
    assert r.json()["status"] == "planned"


def test_status_change_refused_is_409_with_message(api, db):
    event = EventFactory(status=EventStatus.DRAFT)
    client = api(organiser(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/status", json={"status": "ongoing"})

    assert r.status_code == 409
    assert r.json()["error"] == "Conflict"
    assert "cannot go from “Draft” to “Ongoing”" in r.json()["detail"]


def test_status_change_with_unknown_status_is_422(api, db):
    event = EventFactory()
    client = api(AdminFactory())
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/status", json={"status": "cancelled"})

    assert r.status_code == 422
    assert error_fields(r) == {"status"}


# --- staff ---------------------------------------------------------------------------------------


def test_list_staff_is_paginated_with_users(api, db):
    event = EventFactory()
    client = api(press_officer(event, email="press@example.org"))
    settle(db)

    r = client.get(f"/api/v1/events/{event.id}/staff")

    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1
    assert body["items"][0]["user"]["email"] == "press@example.org"
    assert body["items"][0]["role"] == "press_officer"


def test_list_staff_for_outsider_is_403_and_anonymous_401(client, api, db):
    event = EventFactory()
    settle(db)

    anonymous = client.get(f"/api/v1/events/{event.id}/staff")
    api(UserFactory())
    outsider = client.get(f"/api/v1/events/{event.id}/staff")

    assert anonymous.status_code == 401
    assert outsider.status_code == 403


def test_add_staff_returns_201(api, db):
    event = EventFactory()
    client = api(organiser(event))
    user = UserFactory(email="nare@example.org")
    settle(db)

    r = client.post(
        f"/api/v1/events/{event.id}/staff", json={"email": "nare@example.org", "role": "organiser"}
    )

    assert r.status_code == 201
    assert (r.json()["user"]["id"], r.json()["role"], r.json()["event_id"]) == (
        user.id,
        "organiser",
        event.id,
    )


def test_add_staff_with_unknown_email_or_role_is_422(api, db):
    event = EventFactory()
    client = api(organiser(event))
    settle(db)

    unknown = client.post(
        f"/api/v1/events/{event.id}/staff", json={"email": "no@example.org", "role": "organiser"}
    )
    bad_role = client.post(
        f"/api/v1/events/{event.id}/staff", json={"email": "no@example.org", "role": "boss"}
    )

    assert unknown.status_code == 422
    assert error_fields(unknown) == {"email"}
    assert error_fields(bad_role) == {"role"}


def test_remove_staff_returns_204(api, db):
    event = EventFactory()
    client = api(AdminFactory())
    staff_id = press_officer(event).event_roles[0].id
    settle(db)

    r = client.delete(f"/api/v1/events/{event.id}/staff/{staff_id}")

    assert r.status_code == 204
    assert db.get(EventStaff, staff_id) is None


def test_remove_staff_under_another_event_is_404(api, db):
    event = EventFactory()
    client = api(AdminFactory())
    other_id = press_officer(EventFactory()).event_roles[0].id
    settle(db)

    r = client.delete(f"/api/v1/events/{event.id}/staff/{other_id}")

    assert r.status_code == 404
    assert db.get(EventStaff, other_id) is not None
