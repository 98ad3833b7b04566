"""The programme: what each viewer reads, by day in the event's zone, and the public page."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from sqlalchemy import select

from app.agenda import programme as programmes
from app.agenda.models import SessionSpeaker, SessionStatus, SpeakerRole
from app.events.models import Event, EventStatus
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    OfficialFactory,
    PersonFactory,
    RegistrationFactory,
    RoomFactory,
    SessionTranslationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle

YEREVAN = ZoneInfo("Asia/Yerevan")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=YEREVAN)


def agenda(db):  # type: ignore[no-untyped-def]
    """Two days: published sessions with speakers, an internal one and a cancelled one."""
    event = EventFactory(title="Peace Bridge roundtable", starts_on=date(2026, 2, 13), ends_on=date(2026, 2, 14))
    hall = RoomFactory(event=event, name="Main hall", position=0)
    terrace = RoomFactory(event=event, name="Garden terrace", position=1)
    d1, d2 = event.starts_on, event.ends_on
    opening = AgendaSessionFactory(event=event, room=hall, title="Current stage of relations",
                                   starts_at=at(d1, 10), ends_at=at(d1, 11, 30), topics=["relations"],
                                   description="Opening **remarks**.", chatham_house=True)
    late = AgendaSessionFactory(event=event, room=hall, title="Regional security", starts_at=at(d1, 23, 30),
                                ends_at=at(d2, 0, 30))  # late evening: day one in Yerevan, not in UTC
    AgendaSessionFactory(event=event, room=terrace, title="Internal briefing", is_published=False,
                         starts_at=at(d1, 9), ends_at=at(d1, 9, 45), notes="Secret notes")
    AgendaSessionFactory(event=event, room=None, title="Cultural evening", status=SessionStatus.CANCELLED,
                         starts_at=at(d2, 18), ends_at=at(d2, 20))
    AgendaSessionFactory(event=event, room=terrace, title="Public expectations", starts_at=at(d2, 10),
                         ends_at=at(d2, 11))
    official = OfficialFactory(event=event, name="Armen Example", title="Secretary of the Security Council",
                               institution="Security Council")
    moderator = RegistrationFactory(delegation=DelegationFactory(event=event),
                                    person=PersonFactory(given_name="Anahit", family_name="Moderator"))
    db.add_all([
        SessionSpeaker(session=opening, official=official, role=SpeakerRole.SPEAKER, position=1),
        SessionSpeaker(session=opening, registration=moderator, role=SpeakerRole.MODERATOR, position=2),
        SessionSpeaker(session=late, registration=moderator, role=SpeakerRole.SPEAKER),
    ])
    db.flush()
    return event


# --- the read model ------------------------------------------------------------------------------


def test_anonymous_reads_the_published_sessions_by_day_in_the_events_zone(db):
    event = agenda(db)

    programme = programmes.for_viewer(db, viewer=None, event=event)

    assert not programme.complete
    assert [d.date for d in programme.days] == [date(2026, 2, 13), date(2026, 2, 14)]
    assert [[i.title for i in d.items] for d in programme.days] == [
        ["Current stage of relations", "Regional security"],
        ["Public expectations", "Cultural evening"],
    ]
    late = programme.days[0].items[1]
    assert (late.start.tzinfo, late.start.hour, late.starts_at.astimezone(ZoneInfo("UTC")).hour) == (YEREVAN, 23, 19)


def test_speakers_are_named_moderators_first_officials_with_their_title(db):
    event = agenda(db)

    opening = programmes.for_viewer(db, viewer=None, event=event).days[0].items[0]

    assert [(s.name, s.role, s.affiliation) for s in opening.speakers] == [
        ("Anahit Moderator", SpeakerRole.MODERATOR, ""),
        ("Armen Example", SpeakerRole.SPEAKER, "Secretary of the Security Council, Security Council"),
    ]
    assert opening.room.name == "Main hall"


@pytest.mark.parametrize("who", ["organiser", "press_officer", "coordinator", "admin"])
def test_agenda_viewers_read_the_internal_sessions_too(db, who):
    event = agenda(db)
    viewer = {
        "organiser": lambda: organiser(event),
        "press_officer": lambda: press_officer(event),
        "coordinator": lambda: coordinator(DelegationFactory(event=event)),
        "admin": AdminFactory,
    }[who]()

    programme = programmes.for_viewer(db, viewer=viewer, event=event)

    assert programme.complete
    assert programme.days[0].items[0].title == "Internal briefing"
    assert len(programme.items) == 5


def test_a_signed_in_outsider_reads_only_the_published_sessions(db):
    event = agenda(db)

    programme = programmes.for_viewer(db, viewer=UserFactory(), event=event)

    assert "Internal briefing" not in [i.title for i in programme.items]


def test_a_session_outside_the_events_dates_gets_its_own_day(db):
    event = EventFactory(starts_on=date(2026, 2, 13), ends_on=date(2026, 2, 13))
    AgendaSessionFactory(event=event, starts_at=at(date(2026, 2, 15), 10), ends_at=at(date(2026, 2, 15), 11))

    programme = programmes.for_viewer(db, viewer=None, event=event)

    assert [(d.index, d.date, len(d.items)) for d in programme.days] == [
        (1, date(2026, 2, 13), 0), (2, date(2026, 2, 15), 1)
    ]


# --- the public page -------------------------------------------------------------------------------


def test_public_page_shows_the_days_sessions_and_speakers_and_hides_internal_ones(client, db):
    event = agenda(db)
    settle(db)

    r = client.get(f"/events/{event.id}/programme")

    assert r.status_code == 200
    assert r.text.count('<article class="session') == 4
    assert r.text.count('class="programme-day') == 2
    assert "Internal briefing" not in r.text and "Secret notes" not in r.text
    assert "Anahit Moderator" in r.text and "Secretary of the Security Council" in r.text
    assert "<strong>remarks</strong>" in r.text
    assert "Chatham House Rule" in r.text
    assert "badge-cancelled" in r.text
    assert '<time datetime="2026-02-13T23:30:00+04:00">23:30</time>' in r.text


def test_public_page_shows_the_internal_sessions_to_the_organiser(client, login, db):
    event = agenda(db)
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/programme")

    assert "Internal briefing" in r.text and "badge-internal" in r.text
    assert "Secret notes" not in r.text


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.ARCHIVED])
def test_public_page_and_exports_are_404_for_an_event_the_public_may_not_see(client, db, status):
    event = EventFactory(status=status)
    AgendaSessionFactory(event=event)
    settle(db)

    answers = {
        path: client.get(f"/events/{event.id}/{path}").status_code
        for path in ("programme", "agenda.ics", "schedule.json", "schedule.xml", "programme.pdf")
    }

    assert set(answers.values()) == {404}


def test_draft_events_programme_is_open_to_its_organiser(client, login, db):
    event = EventFactory(status=EventStatus.DRAFT)
    AgendaSessionFactory(event=event, title="Draft session", is_published=False)
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/programme")

    assert r.status_code == 200 and "Draft session" in r.text


def test_page_without_sessions_shows_an_empty_state(client, db):
    event = EventFactory()
    settle(db)

    r = client.get(f"/events/{event.id}/programme")

    assert "No sessions have been published yet." in r.text


def _json_ld(html: str) -> dict:  # type: ignore[type-arg]
    doc = lxml.html.document_fromstring(html)
    scripts = doc.xpath('//script[@type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].text)


def test_page_carries_schema_org_event_json_ld_with_the_sessions_as_sub_events(client, db):
    event = agenda(db)
    settle(db)

    data = _json_ld(client.get(f"/events/{event.id}/programme").text)

    assert (data["@context"], data["@type"], data["name"]) == ("https://schema.org", "Event", "Peace Bridge roundtable")
    assert (data["startDate"], data["endDate"]) == ("2026-02-13", "2026-02-14")
    subs = {s["name"]: s for s in data["subEvent"]}
    assert set(subs) == {"Current stage of relations", "Regional security", "Public expectations", "Cultural evening"}
    assert subs["Current stage of relations"]["startDate"] == "2026-02-13T10:00:00+04:00"
    assert subs["Current stage of relations"]["location"]["name"] == "Main hall"
    assert subs["Cultural evening"]["eventStatus"] == "https://schema.org/EventCancelled"
    assert {p["name"] for p in subs["Current stage of relations"]["performer"]} == {"Anahit Moderator", "Armen Example"}


def test_json_ld_never_lists_internal_sessions_even_for_the_organiser(client, login, db):
    event = agenda(db)
    login(organiser(event))
    settle(db)

    data = _json_ld(client.get(f"/events/{event.id}/programme").text)

    assert "Internal briefing" not in {s["name"] for s in data["subEvent"]}


def test_json_ld_cannot_be_closed_by_a_title(client, db):
    event = EventFactory(title="</script><script>alert(1)</script>")
    AgendaSessionFactory(event=event, title="<!-- </script><img src=x onerror=alert(1)> & ]]>")
    settle(db)

    r = client.get(f"/events/{event.id}/programme")

    doc = lxml.html.document_fromstring(r.text)
    assert len(doc.xpath("//script")) == 1
    assert doc.xpath("//img") == []
    data = _json_ld(r.text)
    assert data["name"] == "</script><script>alert(1)</script>"
    assert data["subEvent"][0]["name"] == "<!-- </script><img src=x onerror=alert(1)> & ]]>"


def test_page_is_covered_by_the_csp_that_runs_no_inline_script(client, db):
    event = agenda(db)
    settle(db)

    r = client.get(f"/events/{event.id}/programme")

    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp


def test_hostile_descriptions_are_rendered_inert(client, db):
    event = EventFactory()
    AgendaSessionFactory(event=event, description='[x](javascript:alert(1)) <img src=x onerror=alert(1)>')
    settle(db)

    doc = lxml.html.document_fromstring(client.get(f"/events/{event.id}/programme").text)

    assert doc.xpath("//main//img") == []
    assert not [a for a in doc.xpath("//main//a/@href") if "javascript" in a.lower()]


@pytest.mark.parametrize("n", [1, 3])
def test_page_query_count_is_constant(client, db, count_queries, n):
    event = EventFactory()
    room = RoomFactory(event=event)
    official = OfficialFactory(event=event)
    delegation = DelegationFactory(event=event)
    day = event.starts_on
    for i in range(n):
        session = AgendaSessionFactory(event=event, room=room, starts_at=at(day, 9 + i), ends_at=at(day, 9 + i, 45))
        db.add(SessionSpeaker(session=session, official=official, role=SpeakerRole.GUEST))
        db.add(SessionSpeaker(session=session, registration=RegistrationFactory(delegation=delegation), position=1))
        SessionTranslationFactory(session=session, language="ru", title=f"Сессия {i}")
        SessionTranslationFactory(session=session, language="hy", title=f"Նիստ {i}")
    settle(db)
    url = f"/events/{event.id}/programme"

    with count_queries() as count:
        r = client.get(url, headers={"Accept-Language": "ru"})

    assert r.text.count('class="speaker"') == 2 * n
    assert r.text.count("<h3>Сессия ") == n and "Նիստ" not in r.text
    # event, rooms, sessions (with their translations into the reader's language), speakers with
    # their officials and people
    assert count() == 4


@pytest.mark.parametrize("n", [1, 3])
def test_ics_query_count_is_constant(client, db, count_queries, n):
    event = EventFactory()
    for i in range(n):
        session = AgendaSessionFactory(event=event, starts_at=at(event.starts_on, 9 + i),
                                       ends_at=at(event.starts_on, 9 + i, 45))
        db.add(SessionSpeaker(session=session, official=OfficialFactory(event=event)))
        SessionTranslationFactory(session=session, language="hy", title=f"Նիստ {i}")
    settle(db)
    url = f"/events/{event.id}/agenda.ics"

    with count_queries() as count:
        r = client.get(url, headers={"Accept-Language": "hy"})

    assert r.text.count("BEGIN:VEVENT") == n
    assert r.text.count("SUMMARY:Նիստ ") == n
    assert count() == 4


def test_late_sessions_do_not_shift_days(db):
    event = EventFactory(timezone="America/Los_Angeles", starts_on=date(2026, 3, 7), ends_on=date(2026, 3, 8))
    zone = ZoneInfo("America/Los_Angeles")
    AgendaSessionFactory(event=event, starts_at=datetime(2026, 3, 7, 22, tzinfo=zone),
                         ends_at=datetime(2026, 3, 7, 22, tzinfo=zone) + timedelta(hours=1))

    programme = programmes.for_viewer(db, viewer=None, event=event)

    assert [len(d.items) for d in programme.days] == [1, 0]


def test_the_demo_roundtable_has_its_two_days_of_sessions(db):
    from app import demo

    demo.load(db)
    event = db.scalar(select(Event).where(Event.title == "Peace Bridge bilateral roundtable"))

    programme = programmes.for_viewer(db, viewer=None, event=event)

    assert [d.date for d in programme.days] == [date(2026, 2, 13), date(2026, 2, 14)]
    kinds = {i.kind.value for i in programme.items}
    assert {"official_meeting", "press_conference", "cultural_activity", "break", "thematic_session"} <= kinds
    officials = {s.affiliation for i in programme.items for s in i.speakers if s.is_official}
    assert any(a.startswith("Secretary of the Security Council") for a in officials)
    assert any(a.startswith("Deputy Minister of Foreign Affairs") for a in officials)
    assert programme.items[-1].title == "Closing press conference"
    assert "Coordinators' debrief" not in {i.title for i in programme.items}  # internal
    assert demo.load(db) is None  # loading again changes nothing
