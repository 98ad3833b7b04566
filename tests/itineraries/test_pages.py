import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.agenda.models import Audience, SessionSpeaker, SpeakerRole
from app.itineraries.models import ChangeKind, ItineraryChange, ItineraryFeed
from app.registrations.models import RegistrationStatus
from tests.factories import (
    AgendaSessionFactory,
    CrossingFactory,
    DelegationFactory,
    EventFactory,
    ManifestEntryFactory,
    RegistrationFactory,
    SessionTranslationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
)

YEREVAN = ZoneInfo("Asia/Yerevan")
QUERIES_ZIP = 11  # an export, not a page: the 10-query page budget does not apply


def at(hour: int, minute: int = 0, day: int = 13) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=YEREVAN)


@pytest.fixture
def person(db):  # type: ignore[no-untyped-def]
    return RegistrationFactory(status=RegistrationStatus.CONFIRMED)


def test_my_itinerary_shows_the_crossing_and_sessions_by_local_day(client, login, db, person):
    crossing = CrossingFactory(delegation=person.delegation, meeting_point="Hotel Kotayk lobby", meeting_at=at(6, 30))
    ManifestEntryFactory(crossing=crossing, registration=person)
    AgendaSessionFactory(event=person.event, title="Future trajectories of relations", starts_at=at(23, 30),
                         ends_at=at(23, 50), notes="Internal note not for delegates")
    login(delegate(person))

    r = client.get("/me/itinerary")

    assert r.status_code == 200
    assert "Hotel Kotayk lobby" in r.text
    assert "Future trajectories of relations" in r.text
    assert "Internal note not for delegates" not in r.text
    assert "Asia/Yerevan".replace("_", " ") in r.text
    assert r.text.count('class="agenda-session itinerary-entry') == 2
    assert '<time datetime="2026-02-13T23:30:00+04:00">23:30</time>' in r.text


def test_unseen_changes_are_marked_once_then_seen(client, login, db, person):
    session = AgendaSessionFactory(event=person.event, title="Regional security")
    db.add(ItineraryChange(registration=person, kind=ChangeKind.SESSION_MOVED, subject_id=session.id,
                           summary="Regional security now starts at 12:00"))
    db.flush()
    login(delegate(person))

    first = client.get("/me/itinerary")
    second = client.get("/me/itinerary")

    assert "Regional security now starts at 12:00" in first.text
    assert "Regional security now starts at 12:00" not in second.text
    assert db.scalar(select(ItineraryChange.seen_at)) is not None


def test_staff_viewing_does_not_mark_changes_seen(client, login, db, person):
    db.add(ItineraryChange(registration=person, kind=ChangeKind.SESSION_CANCELLED, subject_id=1, summary="Dinner cancelled"))
    db.flush()
    login(organiser(person.event))

    r = client.get(f"/events/{person.event_id}/participants/{person.id}/itinerary")

    assert r.status_code == 200
    db.expire_all()
    assert db.scalar(select(ItineraryChange.seen_at)) is None


def test_chooser_and_another_persons_registration_is_404(client, login, db, person):
    other_event = EventFactory(title="Second roundtable")
    mine = RegistrationFactory(person=person.person, delegation=DelegationFactory(event=other_event))
    stranger = RegistrationFactory(event=person.event, delegation=person.delegation)
    login(delegate(person))

    chosen = client.get(f"/me/itinerary?registration_id={mine.id}")
    refused = client.get(f"/me/itinerary?registration_id={stranger.id}")

    assert chosen.status_code == 200
    assert "Second roundtable" in chosen.text and f'href="/me/itinerary?registration_id={person.id}"' in chosen.text
    assert refused.status_code == 404
    assert client.get(f"/me/itinerary.pdf?registration_id={stranger.id}").status_code == 404
    assert client.get(f"/me/itinerary.ics?registration_id={stranger.id}").status_code == 404


def test_declined_registration_shows_the_explanation(client, login, db, person):
    person.status = RegistrationStatus.DECLINED
    AgendaSessionFactory(event=person.event, title="Plenary")
    login(delegate(person))

    r = client.get("/me/itinerary")

    assert "was declined" in r.text and "Plenary" not in r.text


def test_staff_page_for_organiser_and_coordinator_and_refusals(client, login, db, person):
    AgendaSessionFactory(event=person.event, title="Plenary")
    other_side = DelegationFactory(event=person.event)
    url = f"/events/{person.event_id}/participants/{person.id}/itinerary"

    for viewer in (organiser(person.event), coordinator(person.delegation)):
        login(viewer)
        r = client.get(url)
        assert (r.status_code, "Plenary" in r.text) == (200, True)
    for viewer in (coordinator(other_side), press_officer(person.event), UserFactory()):
        login(viewer)
        assert client.get(url).status_code == 404
        assert client.get(url + ".pdf").status_code == 404


def test_pdfs_are_pdfs(client, login, db, person):
    AgendaSessionFactory(event=person.event, title="Plenary")
    login(delegate(person))

    own = client.get("/me/itinerary.pdf")
    login(organiser(person.event))
    staff = client.get(f"/events/{person.event_id}/participants/{person.id}/itinerary.pdf")

    assert own.content.startswith(b"%PDF") and staff.content.startswith(b"%PDF")
    assert own.headers["content-type"] == "application/pdf"


def test_feed_is_shown_once_and_only_its_hash_is_kept(client, login, form, db, person):
    login(delegate(person))

    r = form("/me/itinerary/feed", {"registration_id": person.id})

    assert r.status_code == 200
    token = r.text.split("/feeds/itinerary/")[1].split(".ics")[0]
    assert len(token) >= 43
    stored = db.scalar(select(ItineraryFeed))
    assert stored.token_hash != token and token not in client.get("/me/itinerary").text


def test_feed_for_someone_elses_registration_is_404(client, login, form, db, person):
    stranger = RegistrationFactory(event=person.event, delegation=person.delegation)
    login(delegate(person))

    r = form("/me/itinerary/feed", {"registration_id": stranger.id})

    assert r.status_code == 404
    assert db.scalar(select(ItineraryFeed)) is None


def test_feed_revocation_and_renewal_answer_404_at_once(client, login, form, db, person):
    AgendaSessionFactory(event=person.event, title="Plenary")
    login(delegate(person))
    first = form("/me/itinerary/feed", {"registration_id": person.id}).text.split("/feeds/itinerary/")[1].split(".ics")[0]
    second = form("/me/itinerary/feed", {"registration_id": person.id}).text.split("/feeds/itinerary/")[1].split(".ics")[0]

    assert client.get(f"/feeds/itinerary/{first}.ics").status_code == 404
    live = client.get(f"/feeds/itinerary/{second}.ics")
    assert (live.status_code, b"Plenary" in live.content) == (200, True)

    revoked = form("/me/itinerary/feed/revoke", {"registration_id": person.id})
    assert revoked.status_code == 303
    assert client.get(f"/feeds/itinerary/{second}.ics").status_code == 404
    assert client.get("/feeds/itinerary/not-a-token.ics").status_code == 404


def test_feed_never_shows_another_persons_data(client, login, form, db, person):
    neighbour = RegistrationFactory(event=person.event, delegation=person.delegation, status=RegistrationStatus.CONFIRMED)
    theirs = AgendaSessionFactory(event=person.event, title="Neighbour only", audience=Audience.INVITED, is_published=False)
    db.add(SessionSpeaker(session=theirs, registration=neighbour, role=SpeakerRole.SPEAKER))
    AgendaSessionFactory(event=person.event, title="Plenary")
    db.flush()
    login(delegate(person))
    token = form("/me/itinerary/feed", {"registration_id": person.id}).text.split("/feeds/itinerary/")[1].split(".ics")[0]
    client.cookies.clear()

    r = client.get(f"/feeds/itinerary/{token}.ics")

    assert b"Plenary" in r.content
    assert b"Neighbour only" not in r.content
    assert neighbour.person.family_name.encode() not in r.content


def test_delegation_zip_has_one_pdf_per_confirmed_registration(client, login, db, person):
    RegistrationFactory(delegation=person.delegation, status=RegistrationStatus.CONFIRMED)
    RegistrationFactory(delegation=person.delegation, status=RegistrationStatus.REGISTERED)
    AgendaSessionFactory(event=person.event, title="Plenary")
    other_side = DelegationFactory(event=person.event)
    url = f"/events/{person.event_id}/delegations/{person.delegation_id}/itineraries.zip"
    login(coordinator(person.delegation))

    r = client.get(url)

    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    assert all(zipfile.ZipFile(io.BytesIO(r.content)).read(n).startswith(b"%PDF") for n in names)
    login(coordinator(other_side))
    assert client.get(url).status_code in (403, 404)


def test_links_to_my_itinerary(client, login, db, person):
    login(delegate(person))

    r = client.get(f"/me/registrations/{person.id}")

    assert f'href="/me/itinerary?registration_id={person.id}"' in r.text


def test_staff_registration_page_links_to_the_itinerary(client, login, db, person):
    login(organiser(person.event))

    r = client.get(f"/events/{person.event_id}/participants/{person.id}")

    assert f'href="/events/{person.event_id}/participants/{person.id}/itinerary"' in r.text


@pytest.mark.parametrize("n", [1, 3])
def test_my_itinerary_query_count_is_constant(client, login, db, count_queries, person, n):
    crossing = CrossingFactory(delegation=person.delegation, meeting_point="Lobby")
    ManifestEntryFactory(crossing=crossing, registration=person)
    for i in range(n):
        s = AgendaSessionFactory(event=person.event, title=f"Session {i}")
        db.add(SessionSpeaker(session=s, registration=RegistrationFactory(event=person.event), role=SpeakerRole.SPEAKER))
        SessionTranslationFactory(session=s, language="az", title=f"Sessiya {i}")
    db.flush()
    login(delegate(person))

    with count_queries() as count:
        r = client.get("/me/itinerary", headers={"Accept-Language": "az"})

    assert r.text.count('class="agenda-session itinerary-entry') == n + 1
    assert r.text.count("Sessiya ") == n
    assert count() == 7  # no unseen changes: nothing to mark, no UPDATE


@pytest.mark.parametrize("n", [1, 3])
def test_staff_itinerary_query_count_is_constant(client, login, db, count_queries, person, n):
    for i in range(n):
        s = AgendaSessionFactory(event=person.event, title=f"Session {i}")
        db.add(SessionSpeaker(session=s, registration=RegistrationFactory(event=person.event), role=SpeakerRole.SPEAKER))
    db.flush()
    login(organiser(person.event))

    with count_queries() as count:
        r = client.get(f"/events/{person.event_id}/participants/{person.id}/itinerary")

    assert r.text.count('class="agenda-session itinerary-entry') == n
    assert count() == 8


def test_without_registrations_the_page_says_so(client, login, db):
    login(UserFactory())

    page = client.get("/me/itinerary")
    ics = client.get("/me/itinerary.ics")

    assert (page.status_code, "You have no registrations yet" in page.text) == (200, True)
    assert (ics.status_code, b"VEVENT" in ics.content) == (200, False)
    assert client.get("/me/itinerary.pdf").content.startswith(b"%PDF")


@pytest.mark.parametrize("n", [1, 3])
def test_delegation_zip_query_count_is_constant(client, login, db, count_queries, person, n):
    RegistrationFactory.create_batch(n - 1, delegation=person.delegation, status=RegistrationStatus.CONFIRMED)
    crossing = CrossingFactory(delegation=person.delegation)
    ManifestEntryFactory(crossing=crossing, registration=person)
    AgendaSessionFactory(event=person.event, title="Plenary")
    login(organiser(person.event))

    with count_queries() as count:
        r = client.get(f"/events/{person.event_id}/delegations/{person.delegation_id}/itineraries.zip")

    assert len(zipfile.ZipFile(io.BytesIO(r.content)).namelist()) == n
    assert count() == QUERIES_ZIP
