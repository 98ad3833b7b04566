from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from weasyprint import HTML

from app.agenda import service as agenda
from app.agenda.models import AgendaSession, SessionSpeaker, SessionStatus
from app.itineraries import exports, service
from app.pdf import StaticOnlyFetcher
from app.registrations.models import RegistrationStatus
from app.web import render_template
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    CrossingFactory,
    ManifestEntryFactory,
    RegistrationFactory,
    delegate,
    organiser,
)

YEREVAN = ZoneInfo("Asia/Yerevan")
BASE = "http://testserver"


def at(hour: int, minute: int = 0, day: int = 13) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=YEREVAN)


def events(content: bytes):  # type: ignore[no-untyped-def]
    calendar = Calendar.from_ical(content)
    return {str(c["summary"]): c for c in calendar.walk("VEVENT")}


@pytest.fixture
def person(db):  # type: ignore[no-untyped-def]
    return RegistrationFactory(status=RegistrationStatus.CONFIRMED)


def test_ics_has_the_zone_times_uids_and_status(db, person):
    session = AgendaSessionFactory(event=person.event, title="Plenary", starts_at=at(23, 30), ends_at=at(23, 55))
    AgendaSessionFactory(event=person.event, title="Dinner", status=SessionStatus.CANCELLED)
    crossing = CrossingFactory(delegation=person.delegation, meeting_point="Hotel lobby", meeting_at=at(6, 30))
    ManifestEntryFactory(crossing=crossing, registration=person)

    content = exports.ics(service.build(db, registration=person))

    calendar = Calendar.from_ical(content)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Yerevan"]
    found = events(content)
    plenary = found["Plenary"]
    assert plenary.decoded("dtstart") == at(23, 30)
    assert str(plenary.decoded("dtstart").tzinfo) == "Asia/Yerevan"
    assert str(plenary["uid"]) == f"{session.uid}-{person.id}@parley"
    assert str(found["Dinner"]["status"]) == "CANCELLED"
    (arrival,) = [e for title, e in found.items() if title.startswith("Arrival")]
    assert (str(arrival["uid"]), str(arrival["location"])) == (f"crossing-{crossing.id}-{person.id}@parley", "Hotel lobby")
    assert arrival.decoded("dtstart") == at(6, 30)


def test_uids_are_stable_and_sequence_grows_after_an_update(db, person):
    session = AgendaSessionFactory(event=person.event, title="Plenary")
    db.flush()
    first = events(exports.ics(service.build(db, registration=person)))["Plenary"]
    again = events(exports.ics(service.build(db, registration=person)))["Plenary"]

    for obj in list(db.identity_map.values()):
        if isinstance(obj, AgendaSession | SessionSpeaker):
            db.expire(obj)
    loaded = agenda.get_for_viewer(db, viewer=AdminFactory(), event=person.event, session_id=session.id)
    agenda.update_session(db, actor=organiser(person.event), session=loaded, changes={"starts_at": at(12), "ends_at": at(13)})
    db.flush()
    db.expire(loaded)
    after = events(exports.ics(service.build(db, registration=person)))["Plenary"]

    assert str(first["uid"]) == str(again["uid"]) == str(after["uid"])
    assert int(after["sequence"]) > int(first["sequence"]) == int(again["sequence"])
    assert after.decoded("dtstart") == at(12)


def test_crossing_sequence_grows_with_its_changes(db, person):
    crossing = CrossingFactory(delegation=person.delegation)
    db.flush()
    before = service.crossing_sequence(crossing)
    crossing.updated_at = crossing.created_at + (at(9) - at(8))
    assert service.crossing_sequence(crossing) == 3600 > before


def test_pdf_starts_with_pdf_and_has_a_page_per_day(db, person):
    AgendaSessionFactory(event=person.event, title="Day one", starts_at=at(10), ends_at=at(11))
    AgendaSessionFactory(event=person.event, title="Day two", starts_at=at(10, day=14), ends_at=at(11, day=14))

    itinerary = service.build(db, registration=person)

    content = exports.pdf(itinerary)
    html = render_template("itineraries/print.html", {"itinerary": itinerary, "event": itinerary.event})
    document = HTML(string=html, base_url=BASE, url_fetcher=StaticOnlyFetcher(BASE)).render()

    assert content.startswith(b"%PDF")
    assert len(document.pages) == 2


def test_ics_route_downloads_the_own_itinerary(client, login, db, person):
    AgendaSessionFactory(event=person.event, title="Plenary")
    login(delegate(person))

    r = client.get("/me/itinerary.ics")

    assert r.headers["content-type"].startswith("text/calendar")
    assert list(events(r.content)) == ["Plenary"]
