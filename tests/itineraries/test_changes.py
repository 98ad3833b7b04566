"""Change notices: who is told of a moved, re-roomed or cancelled session or a moved crossing,
and one e-mail per delegate for the changes of a short window."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.agenda import service as agenda
from app.agenda.models import AgendaSession, Audience, SessionInvitee, SessionSpeaker
from app.crossings import service as crossings
from app.crossings.models import Crossing
from app.db import utcnow
from app.events.models import Event
from app.itineraries import changes
from app.itineraries.models import ChangeKind, ItineraryChange
from app.mail.models import OutboxMessage
from app.registrations.models import Circle, RegistrationStatus
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    CrossingFactory,
    DelegationFactory,
    EventFactory,
    ManifestEntryFactory,
    PersonFactory,
    RegistrationFactory,
    RoomFactory,
    organiser,
)

YEREVAN = ZoneInfo("Asia/Yerevan")  # UTC+4, the factories' event zone
FRIDAY = date(2026, 2, 13)
CONFIRMED = RegistrationStatus.CONFIRMED


def at(hour: int, minute: int = 0, day: date = FRIDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), YEREVAN)


def loaded(db, session: AgendaSession) -> AgendaSession:  # type: ignore[no-untyped-def]
    db.flush()
    for obj in list(db.identity_map.values()):
        if isinstance(obj, AgendaSession | SessionSpeaker | SessionInvitee):
            db.expire(obj)
    event = db.get(Event, session.event_id)
    return agenda.get_for_viewer(db, viewer=AdminFactory(), event=event, session_id=session.id)


def loaded_crossing(db, crossing: Crossing) -> Crossing:  # type: ignore[no-untyped-def]
    db.flush()
    db.expire_all()
    event = db.get(Event, crossing.event_id)
    return crossings.get_for_viewer(db, viewer=organiser(event), event=event, crossing_id=crossing.id)


def recorded(db) -> list[tuple[int, ChangeKind, str]]:  # type: ignore[no-untyped-def]
    rows = db.scalars(select(ItineraryChange).order_by(ItineraryChange.registration_id, ItineraryChange.id))
    return [(c.registration_id, c.kind, c.summary) for c in rows]


def told(db) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted(c.registration_id for c in db.scalars(select(ItineraryChange)))


def move(db, session: AgendaSession, hour: int, minute: int = 0) -> None:  # type: ignore[no-untyped-def]
    length = session.ends_at - session.starts_at
    agenda.update_session(db, actor=organiser(session.event), session=session,
                          changes={"starts_at": at(hour, minute), "ends_at": at(hour, minute) + length})


# --- who is told ---------------------------------------------------------------------------------


def test_moved_session_for_everyone_is_told_to_each_attending_registration_once(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    first, second = RegistrationFactory.create_batch(2, delegation=delegation, status=CONFIRMED)
    RegistrationFactory(delegation=delegation, status=RegistrationStatus.CANCELLED)
    RegistrationFactory(delegation=delegation, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(delegation=DelegationFactory(), status=CONFIRMED)  # another event
    session = loaded(db, AgendaSessionFactory(event=event, title="Regional security", starts_at=at(16, 30),
                                              ends_at=at(18)))

    move(db, session, 17)

    summary = "“Regional security” moves from Fri 13 Feb 16:30 to 17:00 (Asia/Yerevan)"
    assert recorded(db) == [(first.id, ChangeKind.SESSION_MOVED, summary), (second.id, ChangeKind.SESSION_MOVED, summary)]


def test_moved_core_session_is_told_to_core_members_and_speakers_only(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    core = RegistrationFactory(delegation=delegation, status=CONFIRMED, circle=Circle.CORE)
    broader = RegistrationFactory(delegation=delegation, status=CONFIRMED, circle=Circle.BROADER)
    speaking = RegistrationFactory(delegation=delegation, status=CONFIRMED, circle=Circle.BROADER)
    RegistrationFactory(delegation=delegation, status=CONFIRMED, circle=Circle.BROADER)
    session = AgendaSessionFactory(event=event, audience=Audience.CORE)
    db.add(SessionSpeaker(session=session, registration=speaking))
    session = loaded(db, session)

    move(db, session, 15)

    assert told(db) == sorted([core.id, speaking.id])
    assert broader.id not in told(db)


def test_moved_delegation_session_is_told_to_that_delegation_only(db):
    event = EventFactory()
    ours, theirs = DelegationFactory(event=event), DelegationFactory(event=event)
    member = RegistrationFactory(delegation=ours, status=CONFIRMED)
    RegistrationFactory(delegation=theirs, status=CONFIRMED)
    session = loaded(db, AgendaSessionFactory(event=event, audience=Audience.DELEGATION, audience_delegation=ours))

    move(db, session, 15)

    assert told(db) == [member.id]


def test_moved_session_for_invitees_is_told_to_the_invited_list_only(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    invited = RegistrationFactory(delegation=delegation, status=CONFIRMED)
    RegistrationFactory(delegation=delegation, status=CONFIRMED)
    session = AgendaSessionFactory(event=event, audience=Audience.INVITED)
    db.add(SessionInvitee(session=session, registration=invited))
    session = loaded(db, session)

    move(db, session, 15)

    assert told(db) == [invited.id]


def test_moved_internal_session_is_told_to_its_speakers_only(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    speaking = RegistrationFactory(delegation=delegation, status=CONFIRMED)
    RegistrationFactory(delegation=delegation, status=CONFIRMED)
    session = AgendaSessionFactory(event=event, is_published=False)
    db.add(SessionSpeaker(session=session, registration=speaking))
    session = loaded(db, session)

    move(db, session, 15)

    assert told(db) == [speaking.id]


def test_changes_not_shown_in_an_itinerary_record_nothing(db):
    event = EventFactory()
    RegistrationFactory(delegation=DelegationFactory(event=event), status=CONFIRMED)
    session = loaded(db, AgendaSessionFactory(event=event))

    agenda.update_session(db, actor=organiser(event), session=session, changes={"title": "Another title"})

    assert recorded(db) == []


def test_room_change_names_the_new_room(db):
    event = EventFactory()
    member = RegistrationFactory(delegation=DelegationFactory(event=event), status=CONFIRMED)
    terrace = RoomFactory(event=event, name="Garden terrace")
    session = loaded(db, AgendaSessionFactory(event=event, title="Regional security"))

    agenda.update_session(db, actor=organiser(event), session=session, changes={"room_id": terrace.id})

    assert recorded(db) == [(member.id, ChangeKind.SESSION_ROOM, "“Regional security” moves to the room Garden terrace")]


def test_cancellation_and_deletion_are_told_as_cancelled(db):
    event = EventFactory()
    member = RegistrationFactory(delegation=DelegationFactory(event=event), status=CONFIRMED)
    cancelled = AgendaSessionFactory(event=event, title="Regional security", starts_at=at(16, 30), ends_at=at(18))
    deleted = AgendaSessionFactory(event=event, title="Trade", starts_at=at(9), ends_at=at(10))
    actor = organiser(event)

    agenda.cancel_session(db, actor=actor, session=loaded(db, cancelled))
    agenda.delete_session(db, actor=actor, session=loaded(db, deleted))
    agenda.delete_session(db, actor=actor, session=loaded(db, cancelled))  # already told

    assert recorded(db) == [
        (member.id, ChangeKind.SESSION_CANCELLED, "“Regional security” on Fri 13 Feb 16:30 is cancelled"),
        (member.id, ChangeKind.SESSION_CANCELLED, "“Trade” on Fri 13 Feb 09:00 is cancelled"),
    ]


def test_crossing_time_change_is_told_to_the_manifest(db):
    crossing = CrossingFactory(crossing_point__name_a="Voskepar", meeting_point="Hotel lobby")
    on_board = ManifestEntryFactory(crossing=crossing).registration
    RegistrationFactory(delegation=crossing.delegation, status=CONFIRMED)  # not on the manifest
    crossing = loaded_crossing(db, crossing)

    crossings.update(db, actor=organiser(crossing.event), crossing=crossing, changes={"meeting_at": at(6)})

    assert recorded(db) == [(
        on_board.id, ChangeKind.CROSSING_MOVED,
        "Your delegation's arrival through Voskepar now gathers at 06:00 at Hotel lobby (Asia/Yerevan)",
    )]


def test_crossing_with_an_empty_manifest_is_told_to_the_confirmed_delegation(db):
    crossing = CrossingFactory(crossing_point__name_a="Voskepar")
    member = RegistrationFactory(delegation=crossing.delegation, status=CONFIRMED)
    RegistrationFactory(delegation=crossing.delegation, status=RegistrationStatus.REGISTERED)
    RegistrationFactory(delegation=DelegationFactory(event=crossing.event), status=CONFIRMED)
    crossing = loaded_crossing(db, crossing)

    crossings.update(db, actor=organiser(crossing.event), crossing=crossing,
                     changes={"planned_at": at(9, 30), "notes": "Earlier bus"})

    assert recorded(db) == [(
        member.id, ChangeKind.CROSSING_MOVED,
        "Your delegation's arrival through Voskepar moves from Fri 13 Feb 08:00 to 09:30 (Asia/Yerevan)",
    )]


# --- e-mails -------------------------------------------------------------------------------------


def outbox(db) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_three_changes_in_the_window_make_one_email_after_the_window(db):
    event = EventFactory(title="Roundtable Tsaghkadzor")
    member = RegistrationFactory(delegation=DelegationFactory(event=event), status=CONFIRMED)
    other = RegistrationFactory(delegation=DelegationFactory(event=event), status=CONFIRMED)
    terrace = RoomFactory(event=event, name="Garden terrace")
    first = AgendaSessionFactory(event=event, title="Regional security", starts_at=at(16, 30), ends_at=at(18))
    second = AgendaSessionFactory(event=event, title="Trade", starts_at=at(9), ends_at=at(10))
    move(db, loaded(db, first), 17)
    agenda.update_session(db, actor=organiser(event), session=loaded(db, second), changes={"room_id": terrace.id})
    agenda.cancel_session(db, actor=organiser(event), session=loaded(db, first))
    now = utcnow()

    early = changes.send_due_notices(db, now=now + timedelta(minutes=5))
    sent = changes.send_due_notices(db, now=now + timedelta(minutes=11))
    again = changes.send_due_notices(db, now=now + timedelta(minutes=30))

    assert (early, sent, again) == (0, 2, 0)
    messages = {m.to_address: m for m in outbox(db)}
    assert set(messages) == {member.person.email, other.person.email}
    message = messages[member.person.email]
    assert message.subject == "3 changes to your itinerary for Roundtable Tsaghkadzor"
    assert [line for line in message.body_text.splitlines() if line.startswith("“")] == [
        "“Regional security” moves from Fri 13 Feb 16:30 to 17:00 (Asia/Yerevan)",
        "“Trade” moves to the room Garden terrace",
        "“Regional security” on Fri 13 Feb 17:00 is cancelled",
    ]
    assert message.body_text.count("/me/itinerary>") == 1
    assert all(c.notified_at is not None for c in db.scalars(select(ItineraryChange)))


def test_a_later_change_waits_for_its_own_window(db):
    event = EventFactory()
    RegistrationFactory(delegation=DelegationFactory(event=event), status=CONFIRMED)
    session = loaded(db, AgendaSessionFactory(event=event))
    move(db, session, 15)
    now = utcnow()
    assert changes.send_due_notices(db, now=now + timedelta(minutes=11)) == 1

    move(db, session, 16)
    later = utcnow()

    assert changes.send_due_notices(db, now=later + timedelta(minutes=9)) == 0
    assert changes.send_due_notices(db, now=later + timedelta(minutes=11)) == 1
    assert len(outbox(db)) == 2


def test_no_email_for_a_registration_without_an_address(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    RegistrationFactory(delegation=delegation, status=CONFIRMED, person=PersonFactory(email=None))
    session = loaded(db, AgendaSessionFactory(event=event))
    move(db, session, 15)

    sent = changes.send_due_notices(db, now=utcnow() + timedelta(minutes=11))

    assert (sent, outbox(db)) == (0, [])
    assert [c.notified_at is not None for c in db.scalars(select(ItineraryChange))] == [True]


def test_notice_window_is_a_setting(db, monkeypatch):
    from app.config import get_settings

    monkeypatch.setenv("PARLEY_ITINERARY_NOTICE_MINUTES", "1")
    get_settings.cache_clear()
    event = EventFactory()
    RegistrationFactory(delegation=DelegationFactory(event=event), status=CONFIRMED)
    move(db, loaded(db, AgendaSessionFactory(event=event)), 15)

    assert changes.send_due_notices(db, now=utcnow() + timedelta(minutes=2)) == 1
