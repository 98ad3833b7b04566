"""The agenda's files: iCalendar, the frab schedule as JSON and XML, and the printed programme."""

import gc
import json
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import jsonschema
import pytest
from lxml import etree
from sqlalchemy import select

from app.agenda import exports
from app.agenda import programme as programmes
from app.agenda.models import AgendaSession, SessionSpeaker, SessionStatus, SpeakerRole
from app.audit.models import AuditEntry
from app.config import ROOT
from tests.factories import (
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    OfficialFactory,
    PersonFactory,
    RegistrationFactory,
    RoomFactory,
    organiser,
)
from tests.support import settle

YEREVAN = ZoneInfo("Asia/Yerevan")
# The schedule schemas live beside the checkout (in CI); the tests that need them skip elsewhere.
SCHEMAS = ROOT.parent / "shared" / "schemas"
needs_schemas = pytest.mark.skipif(
    not SCHEMAS.is_dir(), reason=f"the frab schedule schemas are not at {SCHEMAS} (they are beside the checkout in CI)"
)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=YEREVAN)


def agenda(db):  # type: ignore[no-untyped-def]
    event = EventFactory(title="Peace Bridge roundtable", starts_on=date(2026, 2, 13), ends_on=date(2026, 2, 14))
    hall = RoomFactory(event=event, name="Main hall", position=0)
    room_a = RoomFactory(event=event, name="Working room A", position=1)
    d1, d2 = event.starts_on, event.ends_on
    opening = AgendaSessionFactory(event=event, room=hall, title="Current stage and future trajectories",
                                   starts_at=at(d1, 10), ends_at=at(d1, 11, 30), topics=["relations", "trajectories"],
                                   description="Opening *remarks*.\n\nSecond paragraph.", chatham_house=True)
    AgendaSessionFactory(event=event, room=room_a, title="Joint projects", starts_at=at(d1, 10), ends_at=at(d1, 11))
    AgendaSessionFactory(event=event, room=None, title="Cultural evening", starts_at=at(d1, 19), ends_at=at(d1, 21))
    AgendaSessionFactory(event=event, room=hall, title="Հայաստան – Azərbaycan: public expectations",
                         starts_at=at(d2, 9, 30), ends_at=at(d2, 11, 15))
    AgendaSessionFactory(event=event, room=hall, title="Cancelled walk", status=SessionStatus.CANCELLED,
                         starts_at=at(d2, 12), ends_at=at(d2, 13), sequence=2)
    AgendaSessionFactory(event=event, room=hall, title="Internal briefing", is_published=False,
                         starts_at=at(d1, 8), ends_at=at(d1, 9))
    official = OfficialFactory(event=event, name="Armen Example", title="Deputy Minister of Foreign Affairs")
    moderator = RegistrationFactory(delegation=DelegationFactory(event=event),
                                    person=PersonFactory(given_name="Leyla", family_name="Moderator"))
    db.add_all([
        SessionSpeaker(session=opening, registration=moderator, role=SpeakerRole.MODERATOR),
        SessionSpeaker(session=opening, official=official, role=SpeakerRole.SPEAKER, position=1),
    ])
    db.flush()
    return event


def public_programme(db, event):  # type: ignore[no-untyped-def]
    return programmes.for_viewer(db, viewer=None, event=event)


def stored(db, event, **filters) -> list[AgendaSession]:  # type: ignore[no-untyped-def]
    query = select(AgendaSession).where(AgendaSession.event_id == event.id).filter_by(**filters)
    return list(db.scalars(query))


# --- iCalendar -----------------------------------------------------------------------------------


def parse_ics(content: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(content)


def test_ics_has_every_published_session_at_its_stored_times(db):
    event = agenda(db)

    calendar = parse_ics(exports.ics(public_programme(db, event)))

    entries = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    sessions = stored(db, event, is_published=True)
    assert len(entries) == len(sessions) == 5
    for session in sessions:
        entry = entries[f"{session.uid}@parley"]
        assert entry.decoded("DTSTART").astimezone(UTC) == session.starts_at.astimezone(UTC)
        assert entry.decoded("DTEND").astimezone(UTC) == session.ends_at.astimezone(UTC)
        assert entry["DTSTART"].params["TZID"] == entry["DTEND"].params["TZID"] == "Asia/Yerevan"
        assert str(entry["SUMMARY"]) == session.title
        assert int(entry["SEQUENCE"]) == session.sequence


def test_ics_carries_a_vtimezone_for_the_events_zone_and_the_calendar_properties(db):
    event = agenda(db)

    content = exports.ics(public_programme(db, event))
    calendar = parse_ics(content)

    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Yerevan"]
    assert calendar.get_missing_tzids() == set()
    assert (str(calendar["VERSION"]), str(calendar["PRODID"])) == ("2.0", "-//Parley//Agenda//EN")
    assert content.index(b"BEGIN:VTIMEZONE") < content.index(b"BEGIN:VEVENT")
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))  # folded, as RFC 5545 requires
    assert all("DTSTAMP" in e for e in calendar.walk("VEVENT"))


def test_ics_entries_have_location_description_and_status(db):
    event = agenda(db)

    calendar = parse_ics(exports.ics(public_programme(db, event)))

    entries = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    opening = entries["Current stage and future trajectories"]
    assert str(opening["LOCATION"]) == "Main hall"
    description = str(opening["DESCRIPTION"])
    assert "Opening *remarks*." in description
    assert "Moderator: Leyla Moderator" in description
    assert "Speaker: Armen Example (Deputy Minister of Foreign Affairs, Ministry of Foreign Affairs)" in description
    assert "Chatham House Rule" in description
    assert str(opening["STATUS"]) == "CONFIRMED"
    assert str(entries["Cancelled walk"]["STATUS"]) == "CANCELLED"
    assert str(entries["Cultural evening"]["LOCATION"]) == event.venue


def test_ics_escapes_and_folds_text_that_icalendar_reads_back(db):
    event = EventFactory(title="Talks; rounds, and \\ more", starts_on=date(2026, 2, 13), ends_on=date(2026, 2, 13))
    title = "Հայաստան, Azərbaycan; «public expectations» \\ " * 4
    description = "Line one; with, commas\nLine two\r\nLine three ^ end " + "é" * 80
    AgendaSessionFactory(event=event, title=title, description=description, topics=["a, b", "c; d"],
                         starts_at=at(event.starts_on, 10), ends_at=at(event.starts_on, 11))
    db.flush()

    content = exports.ics(public_programme(db, event))
    calendar = parse_ics(content)

    assert all(len(line) <= 75 for line in content.split(b"\r\n"))
    assert str(calendar["X-WR-CALNAME"]) == event.title
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == title
    assert str(entry["DESCRIPTION"]).startswith(description.replace("\r\n", "\n"))
    assert "Topics: a, b; c; d" in str(entry["DESCRIPTION"])


def test_ics_of_an_event_in_utc_writes_utc_times(db):
    event = EventFactory(timezone="UTC", starts_on=date(2026, 2, 13), ends_on=date(2026, 2, 13))
    session = AgendaSessionFactory(event=event, starts_at=datetime(2026, 2, 13, 9, tzinfo=UTC),
                                   ends_at=datetime(2026, 2, 13, 10, tzinfo=UTC))
    db.flush()

    content = exports.ics(public_programme(db, event))

    assert b"DTSTART:20260213T090000Z\r\n" in content
    (entry,) = parse_ics(content).walk("VEVENT")
    assert entry.decoded("DTEND") == session.ends_at


def test_ics_uid_stays_and_sequence_grows_when_a_session_changes(db):
    event = agenda(db)
    session = stored(db, event, title="Joint projects")[0]
    before = {str(e["UID"]): e for e in parse_ics(exports.ics(public_programme(db, event))).walk("VEVENT")}

    session.starts_at = session.starts_at + timedelta(hours=2)
    session.ends_at = session.ends_at + timedelta(hours=2)
    session.sequence += 1
    db.flush()
    after = {str(e["UID"]): e for e in parse_ics(exports.ics(public_programme(db, event))).walk("VEVENT")}

    uid = f"{session.uid}@parley"
    assert set(before) == set(after)
    assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1
    assert after[uid].decoded("DTSTART") - before[uid].decoded("DTSTART") == timedelta(hours=2)


def test_ics_for_the_organiser_holds_internal_sessions_marked_confidential(client, login, db):
    event = agenda(db)
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/agenda.ics")

    entries = {str(e["SUMMARY"]): e for e in parse_ics(r.content).walk("VEVENT")}
    assert str(entries["Internal briefing"]["CLASS"]) == "CONFIDENTIAL"
    assert str(entries["Joint projects"]["CLASS"]) == "PUBLIC"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "agenda.export"))
    assert (entry.event_id, entry.details["format"], entry.details["count"]) == (event.id, "ics", 6)


def test_ics_route_answers_a_calendar_for_anonymous_without_internal_sessions(client, db):
    event = agenda(db)
    settle(db)

    r = client.get(f"/events/{event.id}/agenda.ics")

    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "Internal briefing" not in r.text
    assert r.text.count("BEGIN:VEVENT") == 5
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "agenda.export")) is None


# --- frab schedule -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xml_schema():  # type: ignore[no-untyped-def]
    if not SCHEMAS.is_dir():
        pytest.skip(f"the frab schedule schemas are not at {SCHEMAS} (they are beside the checkout in CI)")
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "frab-schedule.xml.xsd")))


@pytest.fixture(scope="module")
def json_validator():  # type: ignore[no-untyped-def]
    if not SCHEMAS.is_dir():
        pytest.skip(f"the frab schedule schemas are not at {SCHEMAS} (they are beside the checkout in CI)")
    schema = json.loads((SCHEMAS / "frab-schedule.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@needs_schemas
def test_schedule_xml_is_valid_against_the_frab_xsd(db, xml_schema):
    event = agenda(db)

    content = exports.frab_xml(public_programme(db, event))

    document = etree.fromstring(content)
    xml_schema.assertValid(document)
    assert document.xpath("count(//event)") == 4  # published, not cancelled
    assert document.xpath("string(//event[title='Joint projects']/room)") == "Working room A"
    assert document.xpath("//day/@index") == ["1", "2"]


@needs_schemas
def test_schedule_xml_of_an_event_without_sessions_is_valid(db, xml_schema):
    event = EventFactory()

    xml_schema.assertValid(etree.fromstring(exports.frab_xml(public_programme(db, event))))


@needs_schemas
def test_schedule_json_is_valid_against_the_frab_json_schema(db, json_validator):
    event = agenda(db)

    data = json.loads(exports.frab_json(public_programme(db, event)))

    errors = [f"{list(e.absolute_path)}: {e.message}" for e in json_validator.iter_errors(data)]
    assert errors == []


@needs_schemas
def test_schedule_json_of_the_organisers_view_is_valid_too(db, json_validator):
    event = agenda(db)

    data = json.loads(exports.frab_json(programmes.for_viewer(db, viewer=organiser(event), event=event)))

    assert [e.message for e in json_validator.iter_errors(data)] == []


def test_schedule_json_has_the_sessions_by_day_and_room_at_their_times(db):
    event = agenda(db)

    conference = json.loads(exports.frab_json(public_programme(db, event)))["schedule"]["conference"]

    assert (conference["daysCount"], conference["time_zone_name"], conference["start"]) == (2, "Asia/Yerevan", "2026-02-13")
    day1 = conference["days"][0]
    assert list(day1["rooms"]) == ["Main hall", "Working room A", event.venue]
    opening = day1["rooms"]["Main hall"][0]
    session = stored(db, event, title="Current stage and future trajectories")[0]
    assert opening["guid"] == session.uid
    assert (opening["date"], opening["start"], opening["duration"]) == ("2026-02-13T10:00:00+04:00", "10:00", "01:30")
    assert datetime.fromisoformat(opening["date"]).astimezone(UTC) == session.starts_at.astimezone(UTC)
    assert [p["name"] for p in opening["persons"]] == ["Leyla Moderator", "Armen Example"]
    assert opening["do_not_record"] is True
    titles = [e["title"] for d in conference["days"] for r in d["rooms"].values() for e in r]
    assert "Cancelled walk" not in titles and "Internal briefing" not in titles


def test_schedule_slugs_and_guids_are_unique_and_stable(db):
    event = agenda(db)

    first = json.loads(exports.frab_json(public_programme(db, event)))
    second = json.loads(exports.frab_json(public_programme(db, event)))

    items = [e for d in first["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    assert len({e["slug"] for e in items}) == len({e["guid"] for e in items}) == len(items)
    assert first == second


def test_schedule_routes_answer_with_their_media_types(client, db):
    event = agenda(db)
    settle(db)

    as_json = client.get(f"/events/{event.id}/schedule.json")
    as_xml = client.get(f"/events/{event.id}/schedule.xml")

    assert (as_json.status_code, as_json.headers["content-type"]) == (200, "application/json")
    assert as_json.json()["schedule"]["conference"]["title"] == "Peace Bridge roundtable"
    assert (as_xml.status_code, as_xml.headers["content-type"]) == (200, "application/xml")
    assert etree.fromstring(as_xml.content).tag == "schedule"


# --- the printed programme -------------------------------------------------------------------------


def test_programme_pdf_route_answers_a_pdf(client, db):
    event = agenda(db)
    settle(db)

    r = client.get(f"/events/{event.id}/programme.pdf")

    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert r.headers["content-disposition"] == f'attachment; filename="event-{event.id}-programme.pdf"'


def test_programme_pdf_of_40_sessions_renders_within_a_second(db):
    event = EventFactory(starts_on=date(2026, 2, 13), ends_on=date(2026, 2, 14))
    rooms = [RoomFactory(event=event, name=name) for name in ("Main hall", "Working room A")]
    official = OfficialFactory(event=event)
    for i in range(40):
        day = event.starts_on + timedelta(days=i % 2)
        session = AgendaSessionFactory(
            event=event, room=rooms[i % 2], title=f"Հայաստան – Azərbaycan session {i}: ğ ı ş",
            starts_at=at(day, 8 + i // 4, 0), ends_at=at(day, 8 + i // 4, 50),
            description="A **description** with a [link](https://example.org).", topics=["peace", "connectivity"],
        )
        db.add(SessionSpeaker(session=session, official=official, role=SpeakerRole.GUEST))
    db.flush()
    programme = public_programme(db, event)
    exports.programme_pdf(programme)  # fonts and templates load once per process

    # The best of three, in CPU time of this process: other processes on a busy machine, and the
    # garbage a long test run leaves behind, do not count against it.
    timings = []
    for _ in range(3):
        gc.collect()
        started = time.process_time()
        content = exports.programme_pdf(programme)
        timings.append(time.process_time() - started)

    assert content.startswith(b"%PDF-")
    assert min(timings) < 1.0, f"{min(timings):.2f} s of CPU"
