"""Nobody reaches personal data that is not theirs to see: every route that names a registration
or a person, and every list and export of people, walked for each role that must be refused.

The data that could leak is created (names, e-mail, a document number); each answer is checked
for a refusal status and for the absence of every one of those markers, and the database for the
absence of any change.
"""

import io
import re
from datetime import date

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEntry
from app.registrations.models import Registration, RegistrationStatus
from app.routes import api_routes
from tests.factories import (
    DelegationFactory,
    EventFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
    with_document,
)

S = RegistrationStatus
MARKERS = ("Zuleykha", "Secretova", "zuleykha.secret@example.org", "XY9876543", "9876543", "Seafood allergy")
# Bodies plausible enough to get past validation, so that a missing check would act.
FORM = {
    "given_name": "Mallory", "family_name": "Intruder", "sector": "civil_society", "circle": "core",
    "category": "media", "reason": "Because", "attended": "yes", "doc_type": "passport", "doc_number": "MM1234567",
    "doc_issuing_country": "AM", "doc_nationality": "AM", "doc_expires_on": "2031-01-01", "status": "confirmed",
}
JSON = {
    "PATCH": {"given_name": "Mallory"},
    "PUT": {"doc_type": "passport", "doc_number": "MM1234567", "doc_issuing_country": "AM",
            "doc_nationality": "AM", "doc_expires_on": "2031-01-01"},
    "POST": {"reason": "Because"},
}


def personal_routes() -> list[tuple[str, str]]:
    """(method, path) of every route that names a registration or a person."""
    found = []
    for route in api_routes():
        if isinstance(route, APIRoute) and ("{registration_id}" in route.path or "{person_id}" in route.path):
            found += [(method, route.path) for method in sorted(route.methods)]
    return found


def people_lists() -> list[str]:
    """Every GET under an event that lists or exports people (whatever the domain)."""
    wanted = re.compile(r"/(participants|registrations|check-in)(\.[a-z]+)?$")
    return [r.path for r in api_routes() if "GET" in r.methods and "{event_id}" in r.path
            and r.path.count("{") == 1 and wanted.search(r.path)]


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    event = EventFactory(starts_on=date(2020, 1, 1), ends_on=date(2020, 1, 2))
    own, other = DelegationFactory(event=event, name="Own side"), DelegationFactory(event=event, name="Other side")
    mine = RegistrationFactory(delegation=own, status=S.CONFIRMED)
    theirs = with_document(
        RegistrationFactory(
            delegation=other, status=S.CONFIRMED, dietary_needs="Seafood allergy",
            person=PersonFactory(given_name="Zuleykha", family_name="Secretova", email="zuleykha.secret@example.org"),
        ),
        number="XY9876543",
    )
    return event, own, other, mine, theirs


def fill(path: str, event, own, theirs) -> str:  # type: ignore[no-untyped-def]
    return path.format(event_id=event.id, registration_id=theirs.id, person_id=theirs.person_id, delegation_id=own.id)


def text_of(r) -> str:  # type: ignore[no-untyped-def]
    if r.content[:2] == b"PK":  # a spreadsheet: its cells, not its zipped bytes
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(r.content))
        return " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)
    return r.text


def snapshot(db, registration) -> tuple:  # type: ignore[no-untyped-def]
    db.expire_all()
    r = db.scalar(select(Registration).options(joinedload(Registration.person)).where(Registration.id == registration.id))
    return (r.status, r.circle, r.category, r.status_reason, r.doc_number, r.person.given_name, r.checked_in_at)


def send(client, method, path, csrf=None):  # type: ignore[no-untyped-def]
    if path.startswith("/api/"):
        body = JSON.get(method)
        return client.request(method, path, json=body) if body is not None else client.request(method, path)
    if method == "GET":
        return client.get(path)
    return client.request(method, path, data={**FORM, "csrf_token": csrf})


def assert_refused_everywhere(client, db, world, allowed_status, csrf=None, api_only=None):  # type: ignore[no-untyped-def]
    """`api_only`: True for the API's routes only, False for the pages' only, None for both."""
    event, own, other, _, theirs = world
    before = snapshot(db, theirs)
    reveals = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "document.reveal"))
    checked = [(m, p) for m, p in personal_routes() if api_only is None or p.startswith("/api/") == api_only]
    assert len(checked) >= 10
    for method, path in checked:
        url = fill(path, event, own, theirs)
        r = send(client, method, url, csrf)
        assert r.status_code in allowed_status, f"{method} {url}: {r.status_code}"
        body = text_of(r)
        leaked = [m for m in MARKERS if m in body]
        assert leaked == [], f"{method} {url} leaks {leaked}"
    for path in people_lists():
        for params in ({}, {"delegation_id": other.id}, {"q": "Zuleykha"}, {"q": "zuleykha.secret"}):
            r = client.get(path.format(event_id=event.id), params=params)
            body = text_of(r).replace(str(params.get("q", "\0")), "")  # the search box shows what was asked
            assert not [m for m in MARKERS if m in body], f"GET {path} {params}"
    assert snapshot(db, theirs) == before
    after = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "document.reveal"))
    assert after == reveals


def test_every_route_and_list_hides_the_other_delegation_from_a_coordinator_pages(client, login, db, world):
    _, own, _, _, _ = world
    login(coordinator(own))
    db.commit()
    from app.security import keyed_hash
    from app.web import CSRF_COOKIE

    csrf = keyed_hash("csrf", client.cookies.get(CSRF_COOKIE) or "")

    assert_refused_everywhere(client, db, world, {404, 405}, csrf, api_only=False)


def test_every_route_and_list_hides_the_other_delegation_from_a_coordinator_api(api, db, world):
    _, own, _, _, _ = world
    client = api(coordinator(own))
    db.commit()

    assert_refused_everywhere(client, db, world, {404, 405}, api_only=True)


def test_a_press_officer_reaches_no_participant_and_no_document(client, login, api, db, world):
    event = world[0]
    user = press_officer(event)
    login(user)
    db.commit()
    from app.security import keyed_hash
    from app.web import CSRF_COOKIE

    assert_refused_everywhere(client, db, world, {403, 404, 405}, keyed_hash("csrf", client.cookies.get(CSRF_COOKIE) or ""))
    for path in people_lists():
        assert client.get(path.format(event_id=event.id)).status_code in (403, 404), path


def test_a_delegate_reaches_their_own_registration_only(client, login, api, db, world):
    event, own, _, mine, _ = world
    login(delegate(mine))
    db.commit()
    from app.security import keyed_hash
    from app.web import CSRF_COOKIE

    assert_refused_everywhere(client, db, world, {403, 404, 405}, keyed_hash("csrf", client.cookies.get(CSRF_COOKIE) or ""))
    own_page = client.get(f"/events/{event.id}/participants/{mine.id}")
    assert own_page.status_code == 200 and mine.person.family_name in own_page.text


def test_anonymous_visitors_are_sent_to_sign_in_or_refused(client, db, world):
    event, own, _, _, theirs = world
    db.commit()

    for method, path in personal_routes():
        url = fill(path, event, own, theirs)
        r = send(client, method, url)
        if url.startswith("/api/"):
            assert r.status_code in (401, 403, 405), url  # 403: a cookie-less unsafe request fails CSRF first
        else:
            assert r.status_code in (303, 403, 405), url
            if r.status_code == 303:
                assert r.headers["location"].startswith("/login?next=")
        assert not [m for m in MARKERS if m in text_of(r)]


def test_an_organiser_of_another_event_reaches_nothing(api, db, world):
    client = api(organiser(EventFactory()))
    db.commit()

    assert_refused_everywhere(client, db, world, {403, 404, 405})


def test_an_organiser_does_reach_both_delegations(api, db, world):
    event, _, _, mine, theirs = world
    client = api(organiser(event))
    db.commit()

    r = client.get(f"/api/v1/events/{event.id}/registrations")

    assert {i["id"] for i in r.json()["items"]} == {mine.id, theirs.id}


def test_an_outsider_account_reaches_nothing(api, db, world):
    client = api(UserFactory())
    db.commit()

    assert_refused_everywhere(client, db, world, {403, 404, 405})


def test_a_delegate_editing_their_own_registration_changes_no_placement(client, login, db, world):
    event, own, other, mine, _ = world
    login(delegate(mine))
    db.commit()
    from app.security import keyed_hash
    from app.web import CSRF_COOKIE

    r = client.post(
        f"/events/{event.id}/participants/{mine.id}/edit",
        data={"given_name": "Renamed", "family_name": "Self", "sector": "media", "status": "attended", "circle": "core",
              "category": "official", "delegation_id": str(other.id), "event_id": "999", "user_id": "1",
              "csrf_token": keyed_hash("csrf", client.cookies.get(CSRF_COOKIE) or "")},
    )

    assert r.status_code == 303
    saved = snapshot(db, mine)
    assert saved[:3] == (S.CONFIRMED, mine.circle, mine.category) and saved[5] == "Renamed"
    db.expire_all()
    assert db.get(Registration, mine.id).delegation_id == own.id
