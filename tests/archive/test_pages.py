"""The archive pages: what an event's archive holds, its download, and the import's upload."""

import json
import re

import pytest
from sqlalchemy import delete, func, select

from app.archive import service
from app.audit.models import AuditEntry
from app.events.models import Event
from tests.archive.conftest import DOCUMENT, rich_event
from tests.factories import (
    AdminFactory,
    DelegationFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle


def _events(db) -> int:
    return db.scalar(select(func.count()).select_from(Event))


def _upload(form, content: bytes, name: str = "event.json"):
    return form("/events/import", files={"file": (name, content, "application/json")})


def _archive_of(db, event) -> bytes:
    return service.encode(service.export_archive(db, actor=AdminFactory(), event=event))


# --- the event page and the list link to it (administrators only) ----------------------------------


def test_event_page_and_list_link_to_export_and_import_for_administrators(client, login, db):
    event = EventFactory()
    login(AdminFactory())
    settle(db)

    page = client.get(f"/events/{event.id}")
    listing = client.get("/events")

    assert f'href="/events/{event.id}/export"' in page.text
    assert 'href="/events/import"' in listing.text


def test_organisers_see_no_archive_links(client, login, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    assert "/export" not in client.get(f"/events/{event.id}").text
    assert "/events/import" not in client.get("/events").text


# --- export ---------------------------------------------------------------------------------------


def test_export_page_tells_what_the_archive_holds(client, login, db):
    event = rich_event(db)
    login(AdminFactory())
    settle(db)

    r = client.get(f"/events/{event.id}/export")

    assert r.status_code == 200
    assert "<title>Export the event archive · " in r.text
    rows = dict(re.findall(r'<tr class="archive-count">\s*<td>([^<]+)</td>\s*<td class="num">(\d+)</td>', r.text))
    assert rows["Participants (registrations)"] == "3" and rows["Sessions"] == "2" and rows["Approvals of joint statements"] == "3"
    assert "1 travel-document number is in the archive" in r.text
    assert "“t2”" in r.text
    assert f'href="/events/{event.id}/archive.json"' in r.text
    assert r.text.count('class="archive-excluded"') == len(service.EXCLUDED) - 4  # accounts in one line


@pytest.mark.parametrize("n", [1, 3])
def test_export_page_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    RegistrationFactory.create_batch(n, delegation=delegation)
    login(AdminFactory())
    settle(db)

    with count_queries() as count:
        r = client.get(f"/events/{event.id}/export")

    assert re.search(r"<td>Participants \(registrations\)</td>\s*<td class=\"num\">(\d+)</td>", r.text).group(1) == str(n)
    assert count() == 4


def test_download_is_the_archive_audited_and_never_cached(client, login, db):
    event = rich_event(db)
    admin = login(AdminFactory())
    settle(db)

    r = client.get(f"/events/{event.id}/archive.json")

    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["content-disposition"] == f'attachment; filename="parley-event-{event.id}-2026-02-13.json"'
    archive = r.json()
    assert archive["records"]["event"][0]["title"] == event.title
    assert DOCUMENT not in r.text
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "event.export"))
    assert (entry.actor_id, entry.event_id, entry.client) == (admin.id, event.id, "testclient")


@pytest.mark.parametrize("make", [organiser, press_officer])
def test_event_staff_may_not_export(client, login, db, make):
    event = EventFactory()
    login(make(event))
    settle(db)

    for url in (f"/events/{event.id}/export", f"/events/{event.id}/archive.json"):
        assert client.get(url).status_code == 403
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "event.export")) == 0


def test_coordinators_and_other_users_may_not_export_and_signed_out_visitors_sign_in(client, login, db):
    event = EventFactory()
    url = f"/events/{event.id}/export"
    settle(db)

    signed_out = client.get(url)
    login(coordinator(DelegationFactory(event=event)))
    coordinator_answer = client.get(url).status_code
    login(UserFactory())
    stranger_answer = client.get(url).status_code

    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
    assert (coordinator_answer, stranger_answer) == (403, 403)


def test_export_of_a_missing_event_is_not_found(client, login, db):
    login(AdminFactory())
    settle(db)

    assert client.get("/events/999999/export").status_code == 404
    assert client.get("/events/999999/archive.json").status_code == 404


# --- import ---------------------------------------------------------------------------------------


def test_import_form(client, login, db):
    login(AdminFactory())
    settle(db)

    r = client.get("/events/import")

    assert r.status_code == 200
    assert "<title>Import an event archive · Parley</title>" in r.text
    assert 'enctype="multipart/form-data"' in r.text and 'name="file"' in r.text


def test_import_creates_the_event_and_shows_its_link_and_counts(client, login, form, db):
    event = rich_event(db)
    raw = _archive_of(db, event)
    db.execute(delete(Event).where(Event.id == event.id))
    admin = login(AdminFactory())
    settle(db)

    r = _upload(form, service.encode(json.loads(raw), compress=True), name="event.json.gz")

    assert r.status_code == 200, r.text
    imported = db.scalar(select(Event).where(Event.title == event.title))
    assert f'<a class="imported-event" href="/events/{imported.id}">{event.title}</a>' in r.text
    counts = dict(re.findall(r'<tr class="imported-count">\s*<td>([^<]+)</td>\s*<td class="num">(\d+)</td>', r.text))
    assert counts["Participants (registrations)"] == "3" and counts["Sessions"] == "2"
    assert "People: 2" in r.text  # found here already, by e-mail
    assert "1 travel document was encrypted again" in r.text
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "event.import"))
    assert (entry.actor_id, entry.event_id) == (admin.id, imported.id)


def test_import_reports_roles_of_unknown_accounts(client, login, form, db):
    event = EventFactory()
    organiser(event)
    raw = json.loads(_archive_of(db, event))
    raw["records"]["event_staff"][0]["user_id"] = "nobody@elsewhere.example"
    raw["records"]["event"][0]["title"] = "Another title"
    login(AdminFactory())
    settle(db)

    r = _upload(form, json.dumps(raw).encode())

    assert r.status_code == 200
    assert "1 staff or coordinator role was left out" in r.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "The archive is not valid JSON"),
        (b'{"format": "something"}', "This is not a Parley event archive"),
    ],
)
def test_a_bad_file_re_renders_the_form_with_the_message_and_imports_nothing(client, login, form, db, content, message):
    login(AdminFactory())
    settle(db)
    before = _events(db)

    r = _upload(form, content)

    assert r.status_code == 422
    assert message in r.text and 'aria-invalid="true"' in r.text
    assert _events(db) == before


def test_an_archive_of_an_event_that_is_here_is_refused(client, login, form, db):
    event = EventFactory()
    raw = _archive_of(db, event)
    login(AdminFactory())
    settle(db)
    before = _events(db)

    r = _upload(form, raw)

    assert r.status_code == 422
    assert "already" in r.text and _events(db) == before


def test_no_file_chosen_re_renders_the_form(client, login, form, db):
    login(AdminFactory())
    settle(db)

    r = form("/events/import", files={"file": ("", b"", "application/json")})

    assert r.status_code == 422
    assert "Choose an archive file to upload." in r.text


def test_import_without_the_csrf_token_is_refused(client, login, db):
    login(AdminFactory())
    settle(db)

    r = client.post("/events/import", files={"file": ("event.json", b"{}", "application/json")})

    assert r.status_code == 403


@pytest.mark.parametrize("make", [lambda e: organiser(e), lambda e: coordinator(DelegationFactory(event=e)), lambda e: UserFactory()])
def test_only_administrators_may_import(client, login, form, db, make):
    event = EventFactory()
    raw = _archive_of(db, event)
    db.execute(delete(Event).where(Event.id == event.id))
    login(make(EventFactory()))
    settle(db)
    before = _events(db)

    assert client.get("/events/import").status_code == 403
    assert _upload(form, raw).status_code == 403
    assert _events(db) == before


def test_an_upload_beyond_the_limit_is_refused(client, login, form, db, monkeypatch):
    from app.archive import pages

    monkeypatch.setattr(pages, "MAX_UPLOAD", 100)
    login(AdminFactory())
    settle(db)

    r = _upload(form, b"{" + b" " * 200 + b"}")

    assert r.status_code == 413
    assert "larger than" in r.text
