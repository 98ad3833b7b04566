from datetime import timedelta

import pytest
from sqlalchemy import select

from app.agenda.models import SessionKind, SessionStatus
from app.outcomes.models import Outcome
from tests.factories import (
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    OutcomeFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
)
from tests.outcomes.helpers import PANEL_WORDS, panel
from tests.support import settle

PAYLOAD = {"notes": "We agreed on *next steps*.", "key_points": ["A working group", "A second roundtable"], "is_public": False}


def error_fields(r) -> set[str]:
    return {e["loc"][-1] for e in r.json()["detail"]}


def address(session) -> str:
    return f"/api/v1/events/{session.event_id}/sessions/{session.id}/outcome"


def outcome_of(db, session_id):
    return db.scalar(select(Outcome).where(Outcome.session_id == session_id))


def test_put_creates_then_replaces_get_reads_and_delete_removes(api, db):
    session = AgendaSessionFactory(title="Regional security")
    client = api(organiser(session.event))
    settle(db)
    url = address(session)

    created = client.put(url, json=PAYLOAD)
    replaced = client.put(url, json={"notes": "Rewritten."})
    read = client.get(url)
    deleted = client.delete(url)
    gone = client.get(url)

    assert created.status_code == 200
    body = created.json()
    assert (body["session_id"], body["session_title"], body["kind"], body["status"]) == (
        session.id, "Regional security", "thematic_session", "scheduled"
    )
    assert (body["notes"], body["key_points"], body["is_public"], body["chatham_house"]) == (
        "We agreed on *next steps*.", ["A working group", "A second roundtable"], False, False
    )
    assert (body["starts_at"], body["timezone"]) == ("2026-02-13T10:00:00+04:00", "Asia/Yerevan")
    assert replaced.json()["id"] == body["id"]
    assert (replaced.json()["notes"], replaced.json()["key_points"], replaced.json()["is_public"]) == ("Rewritten.", [], True)
    assert read.json()["notes"] == "Rewritten."
    assert deleted.status_code == 204
    assert (gone.status_code, gone.json()["error"]) == (404, "NotFound")
    assert outcome_of(db, session.id) is None


def test_get_and_delete_of_a_session_without_an_outcome_are_404(api, db):
    session = AgendaSessionFactory()
    client = api(organiser(session.event))
    settle(db)

    assert client.get(address(session)).status_code == 404
    assert client.delete(address(session)).status_code == 404


def test_list_gives_the_events_outcomes_by_start_paginated(api, db):
    event = EventFactory()
    first = AgendaSessionFactory(event=event, title="First")
    for n, title in enumerate(["Third", "Second"], start=1):
        later = AgendaSessionFactory(event=event, title=title, starts_at=first.starts_at + timedelta(hours=4 - n),
                                     ends_at=first.ends_at + timedelta(hours=4 - n))
        OutcomeFactory(session=later)
    OutcomeFactory(session=first)
    AgendaSessionFactory(event=event, title="Without an outcome")
    OutcomeFactory(session=AgendaSessionFactory(title="Of another event"))
    client = api(press_officer(event))
    settle(db)

    page_one = client.get(f"/api/v1/events/{event.id}/outcomes", params={"per_page": 2})
    page_two = client.get(f"/api/v1/events/{event.id}/outcomes", params={"page": 2, "per_page": 2})

    assert page_one.status_code == 200
    assert [o["session_title"] for o in page_one.json()["items"]] == ["First", "Second"]
    assert (page_two.json()["total"], [o["session_title"] for o in page_two.json()["items"]]) == (3, ["Third"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"notes": "n" * 20_001}, "notes"),
        ({"key_points": "not a list"}, "key_points"),
        ({"key_points": ["k" * 501]}, "key_points"),
        ({"key_points": [f"Point {i}" for i in range(31)]}, "key_points"),
        ({"key_points": [None]}, 0),
        ({"is_public": "perhaps"}, "is_public"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_put_refuses_invalid_fields_with_422(api, db, change, field):
    session = AgendaSessionFactory()
    client = api(organiser(session.event))
    settle(db)

    r = client.put(address(session), json={**PAYLOAD, **change})

    assert r.status_code == 422
    assert field in error_fields(r)
    assert outcome_of(db, session.id) is None


def test_put_naming_a_chatham_house_speaker_is_refused_with_422_on_the_field(api, db):
    p = panel(EventFactory())
    session = p.session
    client = api(organiser(session.event))
    settle(db)

    in_notes = client.put(address(session), json={**PAYLOAD, "notes": "The Baku Dialogue Centre proposed it."})
    in_points = client.put(address(session), json={**PAYLOAD, "key_points": ["Tigran Example: borders"]})
    clean = client.put(address(session), json=PAYLOAD)

    assert in_notes.status_code == 422
    assert in_notes.json()["detail"][0]["loc"] == ["body", "notes"]
    assert "Remove “Baku Dialogue Centre” from the notes." in in_notes.json()["detail"][0]["msg"]
    assert in_points.json()["detail"][0]["loc"] == ["body", "key_points"]
    assert clean.status_code == 200 and clean.json()["chatham_house"] is True
    assert [word for word in PANEL_WORDS if word in clean.text] == []


def test_put_on_a_cancelled_session_is_409_and_a_break_404(api, db):
    cancelled = AgendaSessionFactory(status=SessionStatus.CANCELLED)
    pause = AgendaSessionFactory(event=cancelled.event, kind=SessionKind.BREAK)
    client = api(organiser(cancelled.event))
    settle(db)

    on_cancelled = client.put(address(cancelled), json=PAYLOAD)
    on_break = client.put(address(pause), json=PAYLOAD)

    assert (on_cancelled.status_code, on_cancelled.json()["error"]) == (409, "Conflict")
    assert on_break.status_code == 404


def test_a_session_of_another_event_is_404(api, db):
    event = EventFactory()
    other = OutcomeFactory(notes="Elsewhere")
    client = api(organiser(event))
    settle(db)
    url = f"/api/v1/events/{event.id}/sessions/{other.session_id}/outcome"

    answers = [client.get(url).status_code, client.put(url, json=PAYLOAD).status_code, client.delete(url).status_code]

    assert answers == [404, 404, 404]
    db.expire_all()
    assert outcome_of(db, other.session_id).notes == "Elsewhere"


def test_press_officers_read_but_do_not_write(api, db):
    outcome = OutcomeFactory(notes="Unchanged")
    session = outcome.session
    client = api(press_officer(session.event))
    settle(db)

    read = client.get(address(session))
    listed = client.get(f"/api/v1/events/{session.event_id}/outcomes")
    put = client.put(address(session), json=PAYLOAD)
    deleted = client.delete(address(session))

    assert (read.status_code, listed.status_code, put.status_code, deleted.status_code) == (200, 200, 403, 403)
    assert outcome_of(db, session.id).notes == "Unchanged"


def test_coordinators_and_delegates_are_refused(api, db):
    session = OutcomeFactory().session
    delegation = DelegationFactory(event=session.event)
    coord = coordinator(delegation)
    participant = delegate(RegistrationFactory(delegation=delegation))
    settle(db)

    for_coordinator = api(coord)
    coordinator_answers = [
        for_coordinator.get(f"/api/v1/events/{session.event_id}/outcomes").status_code,
        for_coordinator.get(address(session)).status_code,
        for_coordinator.put(address(session), json=PAYLOAD).status_code,
    ]
    for_delegate = api(participant)
    delegate_answers = [
        for_delegate.get(f"/api/v1/events/{session.event_id}/outcomes").status_code,
        for_delegate.get(address(session)).status_code,
        for_delegate.put(address(session), json=PAYLOAD).status_code,
    ]

    assert coordinator_answers == [403, 403, 403]
    assert delegate_answers == [403, 404, 404]  # the agenda's sessions are not theirs to see


def test_anonymous_and_outsiders_are_refused(api, client, db):
    session = OutcomeFactory().session
    settle(db)

    anonymous = client.get(address(session))
    outsider = api(UserFactory()).get(address(session))

    assert anonymous.status_code == 401
    assert outsider.status_code == 404
