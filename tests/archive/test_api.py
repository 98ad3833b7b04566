"""/api/v1/events/{event_id}/archive and /api/v1/events/import."""

import gzip
import json

import pytest
from sqlalchemy import delete, func, select

from app.audit.models import AuditEntry
from app.events.models import Event
from tests.archive.conftest import DOCUMENT, rich_event
from tests.factories import (
    AdminFactory,
    DelegationFactory,
    EventFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle


def _events(db) -> int:
    return db.scalar(select(func.count()).select_from(Event))


def test_export_then_import_elsewhere_after_deleting(api, db):
    event = rich_event(db)
    client = api(AdminFactory())
    settle(db)

    exported = client.get(f"/api/v1/events/{event.id}/archive")
    db.execute(delete(Event).where(Event.id == event.id))
    settle(db)
    imported = client.post("/api/v1/events/import", content=exported.content, headers={"Content-Type": "application/json"})

    assert exported.status_code == 200
    assert exported.headers["cache-control"] == "no-store"
    assert DOCUMENT not in exported.text
    assert imported.status_code == 201, imported.text
    body = imported.json()
    new = db.get(Event, body["event_id"])
    assert (new.title, body["title"]) == (event.title, event.title)
    assert body["created"]["registration"] == 3 and body["created"]["press_approval"] == 3
    assert body["reused"] == {"crossing_point": 1, "initiative": 1, "person": 2, "roadmap_phase": 1}
    assert (body["skipped_grants"], body["unknown_accounts"], body["documents"]) == (0, 0, 1)
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("event.%port")).order_by(AuditEntry.id))
    assert list(actions) == ["event.export", "event.import"]


def test_import_takes_a_compressed_body(api, db):
    event = EventFactory()
    client = api(AdminFactory())
    settle(db)
    archive = client.get(f"/api/v1/events/{event.id}/archive").json()
    archive["records"]["event"][0]["title"] = "Moved roundtable"

    r = client.post("/api/v1/events/import", content=gzip.compress(json.dumps(archive).encode()))

    assert r.status_code == 201
    assert r.json()["title"] == "Moved roundtable"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "The file is empty."),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"format": "parley-event-archive", "version": 7}', "newer Parley"),
        (b'{"format": "parley-event-archive", "version": 1, "schema": "0000"}', "upgrade this instance first"),
    ],
)
def test_a_bad_archive_answers_422_with_a_clear_error_and_imports_nothing(api, db, body, message):
    client = api(AdminFactory())
    settle(db)
    before = _events(db)

    r = client.post("/api/v1/events/import", content=body, headers={"Content-Type": "application/json"})

    assert r.status_code == 422
    assert r.json()["error"] == "ArchiveError"
    assert message in r.json()["detail"]
    assert _events(db) == before


def test_an_archive_of_an_event_that_is_here_answers_422(api, db):
    event = EventFactory()
    client = api(AdminFactory())
    settle(db)
    archive = client.get(f"/api/v1/events/{event.id}/archive").content
    before = _events(db)

    r = client.post("/api/v1/events/import", content=archive)

    assert r.status_code == 422 and "already" in r.json()["detail"]
    assert _events(db) == before


@pytest.mark.parametrize(
    "make",
    [organiser, press_officer, lambda e: coordinator(DelegationFactory(event=e)), lambda e: UserFactory()],
)
def test_only_administrators_may_export_or_import(api, db, make):
    event = EventFactory()
    client = api(make(event))
    settle(db)
    before = _events(db)

    exported = client.get(f"/api/v1/events/{event.id}/archive")
    imported = client.post("/api/v1/events/import", json={"format": "parley-event-archive"})

    assert (exported.status_code, imported.status_code) == (403, 403)
    assert exported.json()["error"] == "Forbidden"
    assert _events(db) == before
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "event.export")) == 0


def test_export_of_a_missing_event_is_not_found(api, db):
    client = api(AdminFactory())
    settle(db)

    assert client.get("/api/v1/events/999999/archive").status_code == 404


def test_signed_out_callers_are_refused(client, db):
    event = EventFactory()
    settle(db)

    assert client.get(f"/api/v1/events/{event.id}/archive").status_code == 401
    assert client.post("/api/v1/events/import", content=b"{}").status_code in (401, 403)


def test_the_openapi_schema_documents_the_archive(client):
    schema = client.get("/openapi.json").json()

    body = schema["paths"]["/api/v1/events/import"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"format", "version", "schema", "archive_id", "exported_at", "key_id", "records"} <= set(body["properties"])
    assert "200" in schema["paths"]["/api/v1/events/{event_id}/archive"]["get"]["responses"]


def test_a_body_beyond_the_limit_is_refused_unread(api, db, monkeypatch):
    from app.archive import service

    monkeypatch.setattr(service, "MAX_BYTES", 100)
    client = api(AdminFactory())
    settle(db)

    r = client.post("/api/v1/events/import", content=b"{" + b" " * 200 + b"}")

    assert r.status_code == 422
    assert "larger than" in r.json()["detail"]
