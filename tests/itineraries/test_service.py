from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.agenda.models import (
    Audience,
    SessionInvitee,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    SpeakerRole,
)
from app.errors import Forbidden, NotFound
from app.itineraries import service
from app.registrations.models import Circle, RegistrationStatus
from tests.factories import (
    AgendaSessionFactory,
    CrossingFactory,
    DelegationFactory,
    EventFactory,
    ManifestEntryFactory,
    OfficialFactory,
    RegistrationFactory,
    coordinator,
    delegate,
    press_officer,
)

YEREVAN = ZoneInfo("Asia/Yerevan")


def at(hour: int, minute: int = 0, day: int = 13) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=YEREVAN)


def titles(itinerary):  # type: ignore[no-untyped-def]
    return [e.title for e in itinerary.entries]


@pytest.fixture
def person(db):  # type: ignore[no-untyped-def]
    registration = RegistrationFactory(status=RegistrationStatus.CONFIRMED, circle=Circle.BROADER)
    return registration


def test_audience_everyone_core_delegation_and_invited(db, person):
    event, own = person.event, person.delegation
    other = DelegationFactory(event=event)
    AgendaSessionFactory(event=event, title="Plenary", audience=Audience.EVERYONE)
    AgendaSessionFactory(event=event, title="Core only", audience=Audience.CORE)
    AgendaSessionFactory(event=event, title="Our delegation", audience=Audience.DELEGATION, audience_delegation=own)
    AgendaSessionFactory(event=event, title="Their delegation", audience=Audience.DELEGATION, audience_delegation=other)
    invited = AgendaSessionFactory(event=event, title="Invited list", audience=Audience.INVITED)
    AgendaSessionFactory(event=event, title="Not invited", audience=Audience.INVITED)
    db.add(SessionInvitee(session=invited, registration=person))
    db.flush()

    itinerary = service.build(db, registration=person)

    assert sorted(titles(itinerary)) == ["Invited list", "Our delegation", "Plenary"]
    assert {e.title: e.reason for e in itinerary.entries}["Invited list"] == "invited"


def test_core_member_sees_core_sessions(db, person):
    person.circle = Circle.CORE
    AgendaSessionFactory(event=person.event, title="Core only", audience=Audience.CORE)

    itinerary = service.build(db, registration=person)

    assert [(e.title, e.reason) for e in itinerary.entries] == [("Core only", "core")]


def test_speakers_have_their_role_and_internal_sessions_only_when_involved(db, person):
    event = person.event
    moderated = AgendaSessionFactory(event=event, title="Moderated", audience=Audience.INVITED, is_published=False)
    db.add(SessionSpeaker(session=moderated, registration=person, role=SpeakerRole.MODERATOR))
    meeting = AgendaSessionFactory(event=event, title="Meeting with the Deputy Minister", kind=SessionKind.OFFICIAL_MEETING,
                                   audience=Audience.INVITED, is_published=False)
    db.add(SessionInvitee(session=meeting, registration=person))
    AgendaSessionFactory(event=event, title="Internal briefing", audience=Audience.EVERYONE, is_published=False,
                         notes="Secret notes")
    db.flush()

    itinerary = service.build(db, registration=person)

    by_title = {e.title: e for e in itinerary.entries}
    assert sorted(by_title) == ["Meeting with the Deputy Minister", "Moderated"]
    assert by_title["Moderated"].role == SpeakerRole.MODERATOR
    assert by_title["Meeting with the Deputy Minister"].internal is True
    assert not hasattr(by_title["Moderated"], "notes")


def test_speakers_are_listed_moderators_first_then_in_the_organisers_order(db, person):
    session = AgendaSessionFactory(event=person.event, title="Panel", audience=Audience.EVERYONE)
    minister = OfficialFactory(event=person.event, name="The Minister")
    for position, (registration, official, role) in enumerate([
        (RegistrationFactory(event=person.event), None, SpeakerRole.SPEAKER),
        (None, minister, SpeakerRole.GUEST),
        (person, None, SpeakerRole.MODERATOR),
        (RegistrationFactory(event=person.event), None, SpeakerRole.PANELLIST),
    ]):
        db.add(SessionSpeaker(session=session, registration=registration, official=official, role=role,
                              position=position))
    db.flush()

    (entry,) = service.build(db, registration=person).entries

    assert entry.role == SpeakerRole.MODERATOR
    assert [s.role for s in entry.speakers] == [
        SpeakerRole.MODERATOR, SpeakerRole.SPEAKER, SpeakerRole.PANELLIST, SpeakerRole.GUEST,
    ]
    assert entry.speakers[3].name == "The Minister"


def test_session_rows_name_the_columns_of_their_query():
    for with_invited in (False, True):
        columns = tuple(service._session_query(with_invited=with_invited).selected_columns.keys())
        assert columns == service._SessionRow._fields[: len(columns)]
    assert columns == service._SessionRow._fields


def test_cancelled_sessions_are_marked(db, person):
    AgendaSessionFactory(event=person.event, title="Dinner", status=SessionStatus.CANCELLED)

    (entry,) = service.build(db, registration=person).entries

    assert (entry.title, entry.cancelled) == ("Dinner", True)


def test_sessions_fall_on_the_local_day_and_the_zone_is_named(db, person):
    # 23:30 in Yerevan on the 13th is 19:30 UTC the same day, and 00:30 on the 14th is 20:30 UTC
    # on the 13th: the second belongs to day two.
    AgendaSessionFactory(event=person.event, title="Late", starts_at=at(23, 30), ends_at=at(23, 55))
    AgendaSessionFactory(event=person.event, title="After midnight", starts_at=at(0, 30, day=14), ends_at=at(1, 0, day=14))

    itinerary = service.build(db, registration=person)

    assert itinerary.timezone == "Asia/Yerevan"
    assert [(d.date.isoformat(), [e.title for e in d.entries]) for d in itinerary.days] == [
        ("2026-02-13", ["Late"]), ("2026-02-14", ["After midnight"]),
    ]
    assert itinerary.days[0].entries[0].start.strftime("%H:%M") == "23:30"


def test_crossings_of_the_manifest_else_of_the_delegation(db, person):
    listed = CrossingFactory(delegation=person.delegation, meeting_point="Hotel lobby", meeting_at=at(6, 30))
    ManifestEntryFactory(crossing=listed, registration=person)
    not_listed = CrossingFactory(delegation=person.delegation, planned_at=at(9))
    ManifestEntryFactory(crossing=not_listed)  # someone else only
    no_manifest = CrossingFactory(delegation=person.delegation, planned_at=at(18, day=14), direction="departure")
    CrossingFactory(delegation=DelegationFactory(event=person.event))  # the other side's

    itinerary = service.build(db, registration=person)

    assert [e.key for e in itinerary.entries] == [f"crossing-{listed.id}", f"crossing-{no_manifest.id}"]
    first = itinerary.entries[0]
    assert (first.crossing.meeting_point, first.start.strftime("%H:%M"), first.crossing.planned.strftime("%H:%M")) == (
        "Hotel lobby", "06:30", "08:00",
    )


@pytest.mark.parametrize("status", [RegistrationStatus.DECLINED, RegistrationStatus.CANCELLED])
def test_declined_or_cancelled_registration_has_an_empty_itinerary_with_a_reason(db, person, status):
    person.status = status
    AgendaSessionFactory(event=person.event)
    CrossingFactory(delegation=person.delegation)

    itinerary = service.build(db, registration=person)

    assert (itinerary.entries, bool(itinerary.explanation)) == ([], True)


def test_for_registration_checks_the_viewer(db, person):
    other_side = DelegationFactory(event=person.event)

    assert service.for_registration(db, viewer=delegate(person), registration=person).registration is person
    assert service.for_registration(db, viewer=coordinator(person.delegation), registration=person).registration is person
    for viewer in (coordinator(other_side), press_officer(person.event)):
        with pytest.raises(Forbidden):
            service.for_registration(db, viewer=viewer, registration=person)


def test_feed_token_is_renewed_and_revoked(db, person):
    user = delegate(person)
    first = service.create_feed(db, actor=user, registration=person)
    second = service.create_feed(db, actor=user, registration=person)

    assert len(first) >= 43  # 256 bits, url-safe
    with pytest.raises(NotFound):
        service.registration_for_token(db, token=first)
    assert service.registration_for_token(db, token=second).id == person.id

    service.revoke_feed(db, actor=user, registration=person)
    with pytest.raises(NotFound):
        service.registration_for_token(db, token=second)


def test_only_the_person_makes_their_feed(db, person):
    with pytest.raises(NotFound):
        service.create_feed(db, actor=coordinator(person.delegation), registration=person)


def test_choose_picks_the_current_or_next_event(db, person):
    later = RegistrationFactory(person=person.person, delegation=DelegationFactory(event=EventFactory(
        starts_on=person.event.starts_on + timedelta(days=60), ends_on=person.event.ends_on + timedelta(days=61))))
    registrations = [person, later]

    assert service.choose(registrations, registration_id=None, today=person.event.ends_on) is person
    assert service.choose(registrations, registration_id=None, today=person.event.ends_on + timedelta(days=1)) is later
    assert service.choose(registrations, registration_id=None, today=later.event.ends_on + timedelta(days=9)) is later
    with pytest.raises(NotFound):
        service.choose(registrations, registration_id=RegistrationFactory().id, today=person.event.ends_on)
