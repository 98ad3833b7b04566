from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.agenda import service
from app.agenda.models import (
    AgendaSession,
    Audience,
    SessionInvitee,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    SpeakerRole,
)
from app.agenda.schemas import SessionIn, SpeakerIn
from app.audit.models import AuditEntry
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.events.models import EventStatus
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    OfficialFactory,
    RegistrationFactory,
    RoomFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)

YEREVAN = ZoneInfo("Asia/Yerevan")  # UTC+4, the factories' event zone
DAY_ONE = date(2026, 2, 13)


def at(hour: int, minute: int = 0, day: date = DAY_ONE) -> datetime:
    return datetime.combine(day, time(hour, minute), YEREVAN)


def payload(**changes) -> SessionIn:  # type: ignore[no-untyped-def]
    fields = {"kind": SessionKind.THEMATIC, "title": "Regional security", "starts_at": at(10), "ends_at": at(11)}
    return SessionIn(**{**fields, **changes})


def speaker(registration=None, official=None, role=SpeakerRole.SPEAKER) -> SpeakerIn:  # type: ignore[no-untyped-def]
    return SpeakerIn(
        registration_id=registration.id if registration else None,
        official_id=official.id if official else None,
        role=role,
    )


def reload(db, session: AgendaSession, event) -> AgendaSession:  # type: ignore[no-untyped-def]
    """The session as stored (users keep their loaded grants)."""
    db.flush()
    for obj in list(db.identity_map.values()):
        if isinstance(obj, AgendaSession | SessionSpeaker | SessionInvitee):
            db.expire(obj)
    return service.get_for_viewer(db, viewer=AdminFactory(), event=event, session_id=session.id)


def add_speaker(db, session, registration=None, official=None, role=SpeakerRole.SPEAKER):  # type: ignore[no-untyped-def]
    db.add(SessionSpeaker(session=session, registration=registration, official=official, role=role))
    db.flush()


# --- rooms ---------------------------------------------------------------------------------------


def test_rooms_are_listed_by_position_then_name(db):
    event = EventFactory()
    RoomFactory(event=event, name="Garden", position=2)
    RoomFactory(event=event, name="Hall B", position=1)
    RoomFactory(event=event, name="Hall A", position=1)
    RoomFactory(name="Elsewhere")

    rooms = service.list_rooms(db, viewer=organiser(event), event=event)

    assert [r.name for r in rooms] == ["Hall A", "Hall B", "Garden"]


def test_create_room_refuses_a_name_taken_at_the_event_whatever_its_case(db):
    event = EventFactory()
    RoomFactory(event=event, name="Main hall")

    with pytest.raises(FieldError) as exc:
        service.create_room(db, actor=organiser(event), event=event, data={"name": "MAIN HALL"})

    assert exc.value.field == "name"


def test_create_update_and_delete_a_room_are_audited(db):
    event = EventFactory()
    actor = organiser(event)

    room = service.create_room(db, actor=actor, event=event, data={"name": "Main hall", "capacity": 80})
    service.update_room(db, actor=actor, room=room, fields={"name": "Plenary hall"})
    service.delete_room(db, actor=actor, room=room)

    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event.id).order_by(AuditEntry.id))
    assert list(actions) == ["room.create", "room.update", "room.delete"]


def test_delete_room_with_a_scheduled_session_is_refused(db):
    session = AgendaSessionFactory()

    with pytest.raises(Conflict):
        service.delete_room(db, actor=organiser(session.event), room=session.room)


def test_delete_room_keeps_its_cancelled_sessions_without_a_room(db):
    session = AgendaSessionFactory(status=SessionStatus.CANCELLED)
    event = session.event

    service.delete_room(db, actor=organiser(event), room=session.room)

    assert reload(db, session, event).room_id is None


def test_get_room_of_another_event_is_not_found(db):
    event = EventFactory()
    other = RoomFactory()

    with pytest.raises(NotFound):
        service.get_room(db, viewer=organiser(event), event=event, room_id=other.id)


# --- creating sessions ---------------------------------------------------------------------------


def test_create_session_stores_utc_from_the_events_zone(db):
    event = EventFactory()
    room = RoomFactory(event=event)
    actor = organiser(event)

    session = service.create_session(db, actor=actor, event=event, data=payload(room_id=room.id, topics=["borders"]))

    saved = reload(db, session, event)
    assert saved.starts_at == datetime(2026, 2, 13, 6, 0, tzinfo=UTC)
    assert saved.ends_at == datetime(2026, 2, 13, 7, 0, tzinfo=UTC)
    assert (saved.room.name, saved.topics, saved.sequence, saved.status) == (room.name, ["borders"], 0, "scheduled")
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "session.create"))
    assert (entry.object_id, entry.event_id, entry.actor_id) == (session.id, event.id, actor.id)


def test_create_session_with_speakers_officials_and_invitees(db):
    event = EventFactory()
    moderator = RegistrationFactory(delegation=DelegationFactory(event=event))
    guest = RegistrationFactory(delegation=moderator.delegation)
    minister = OfficialFactory(event=event)
    data = payload(
        kind=SessionKind.OFFICIAL_MEETING,
        speakers=[speaker(moderator, role=SpeakerRole.MODERATOR), speaker(official=minister, role=SpeakerRole.GUEST)],
        invitee_ids=[guest.id],
        audience=Audience.INVITED,
    )

    session = service.create_session(db, actor=organiser(event), event=event, data=data)

    saved = reload(db, session, event)
    assert [(s.registration_id, s.official_id, s.role) for s in saved.speakers] == [
        (moderator.id, None, SpeakerRole.MODERATOR), (None, minister.id, SpeakerRole.GUEST)
    ]
    assert [service.speaker_name(s) for s in saved.speakers] == [moderator.person.full_name, minister.name]
    assert [i.registration_id for i in saved.invitees] == [guest.id]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": at(10)}, "ends_at"),
        ({"ends_at": at(9)}, "ends_at"),
        ({"starts_at": at(10, day=date(2026, 2, 12)), "ends_at": at(11, day=date(2026, 2, 12))}, "starts_at"),
        ({"starts_at": at(10, day=date(2026, 2, 15)), "ends_at": at(11, day=date(2026, 2, 15))}, "starts_at"),
        ({"starts_at": at(23), "ends_at": at(1, day=date(2026, 2, 15))}, "ends_at"),
        ({"starts_at": datetime(2026, 2, 12, 19, 30, tzinfo=UTC)}, "starts_at"),  # 23:30 the day before, in Yerevan
        ({"room_id": 2**31 - 1}, "room_id"),
        ({"audience": Audience.DELEGATION}, "audience_delegation_id"),
        ({"invitee_ids": [2**31 - 1]}, "invitee_ids"),
        ({"speakers": [SpeakerIn(registration_id=2**31 - 1)]}, "speakers"),
        ({"speakers": [SpeakerIn(official_id=2**31 - 1)]}, "speakers"),
    ],
)
def test_create_session_refuses_bad_input_and_saves_nothing(db, changes, field):
    event = EventFactory()

    with pytest.raises(FieldError) as exc:
        service.create_session(db, actor=organiser(event), event=event, data=payload(**changes))

    assert exc.value.field == field
    assert db.scalar(select(AgendaSession).where(AgendaSession.event_id == event.id)) is None


def test_create_session_accepts_the_last_minute_of_the_last_day(db):
    event = EventFactory()

    session = service.create_session(
        db, actor=organiser(event), event=event,
        data=payload(starts_at=at(23, day=date(2026, 2, 14)), ends_at=at(0, day=date(2026, 2, 15))),
    )

    assert session.id is not None


def test_create_session_refuses_records_of_another_event(db):
    event = EventFactory()
    other_room = RoomFactory()
    other_registration = RegistrationFactory()
    other_official = OfficialFactory()
    other_delegation = DelegationFactory()
    actor = organiser(event)
    cases = {
        "room_id": payload(room_id=other_room.id),
        "speakers": payload(speakers=[speaker(other_registration)]),
        "audience_delegation_id": payload(audience=Audience.DELEGATION, audience_delegation_id=other_delegation.id),
        "invitee_ids": payload(invitee_ids=[other_registration.id]),
    }

    fields = []
    for data in cases.values():
        with pytest.raises(FieldError) as exc:
            service.create_session(db, actor=actor, event=event, data=data)
        fields.append(exc.value.field)
    with pytest.raises(FieldError) as exc:
        service.create_session(db, actor=actor, event=event, data=payload(speakers=[speaker(official=other_official)]))

    assert fields == list(cases)
    assert exc.value.field == "speakers"


def test_create_session_refuses_the_same_speaker_twice(db):
    event = EventFactory()
    person = RegistrationFactory(delegation=DelegationFactory(event=event))

    with pytest.raises(FieldError) as exc:
        service.create_session(
            db, actor=organiser(event), event=event,
            data=payload(speakers=[speaker(person), speaker(person, role=SpeakerRole.MODERATOR)]),
        )

    assert "listed twice" in exc.value.message


def test_audience_delegation_is_kept_only_for_a_delegation_audience(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    actor = organiser(event)

    for_one = service.create_session(
        db, actor=actor, event=event, data=payload(audience=Audience.DELEGATION, audience_delegation_id=delegation.id)
    )
    for_all = service.create_session(
        db, actor=actor, event=event,
        data=payload(starts_at=at(12), ends_at=at(13), audience_delegation_id=delegation.id),
    )

    assert (for_one.audience_delegation_id, for_all.audience_delegation_id) == (delegation.id, None)


@pytest.mark.parametrize("who", ["press_officer", "coordinator", "other_organiser", "user"])
def test_writes_are_refused_to_everyone_but_the_organiser(db, who):
    event = EventFactory()
    existing = AgendaSessionFactory(event=event)
    actor = {
        "press_officer": lambda: press_officer(event),
        "coordinator": lambda: coordinator(DelegationFactory(event=event)),
        "other_organiser": lambda: organiser(EventFactory()),
        "user": UserFactory,
    }[who]()

    with pytest.raises(Forbidden):
        service.create_session(db, actor=actor, event=event, data=payload(starts_at=at(14), ends_at=at(15)))
    with pytest.raises(Forbidden):
        service.create_room(db, actor=actor, event=event, data={"name": "Annex"})
    with pytest.raises(Forbidden):
        service.cancel_session(db, actor=actor, session=reload(db, existing, event))


def test_writes_to_an_archived_event_are_refused(db):
    event = EventFactory(status=EventStatus.ARCHIVED)

    with pytest.raises(Conflict):
        service.create_session(db, actor=AdminFactory(), event=event, data=payload())


def test_press_officer_and_coordinator_may_read_the_agenda(db):
    event = EventFactory()
    AgendaSessionFactory(event=event)

    for viewer in (press_officer(event), coordinator(DelegationFactory(event=event))):
        assert len(service.agenda(db, viewer=viewer, event=event).sessions) == 1


def test_get_for_viewer_hides_sessions_of_another_event_and_from_outsiders(db):
    event = EventFactory()
    mine = AgendaSessionFactory(event=event)
    theirs = AgendaSessionFactory()

    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=organiser(event), event=event, session_id=theirs.id)
    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=UserFactory(), event=event, session_id=mine.id)


# --- conflicts -----------------------------------------------------------------------------------


def test_a_room_used_twice_at_once_blocks_the_save_even_when_confirmed(db):
    existing = AgendaSessionFactory(title="Opening plenary")  # 10:00–11:30
    event = existing.event

    with pytest.raises(FieldError) as exc:
        service.create_session(
            db, actor=organiser(event), event=event,
            data=payload(room_id=existing.room_id, starts_at=at(11), ends_at=at(12)), confirm=True,
        )

    assert exc.value.field == "room_id"
    assert "Opening plenary" in exc.value.message and "10:00–11:30" in exc.value.message


def test_back_to_back_sessions_in_a_room_do_not_clash(db):
    existing = AgendaSessionFactory()  # 10:00–11:30
    event = existing.event

    session = service.create_session(
        db, actor=organiser(event), event=event, data=payload(room_id=existing.room_id, starts_at=at(11, 30), ends_at=at(12))
    )

    assert session.id is not None


def test_a_cancelled_session_never_conflicts(db):
    existing = AgendaSessionFactory(status=SessionStatus.CANCELLED)
    event = existing.event

    session = service.create_session(db, actor=organiser(event), event=event, data=payload(room_id=existing.room_id))

    assert session.room_id == existing.room_id


def test_a_speaker_in_two_sessions_at_once_needs_confirmation(db):
    event = EventFactory()
    person = RegistrationFactory(delegation=DelegationFactory(event=event))
    first = AgendaSessionFactory(event=event, title="Borders")
    add_speaker(db, first, registration=person, role=SpeakerRole.MODERATOR)
    db.flush()
    actor = organiser(event)
    data = payload(speakers=[speaker(person)])

    with pytest.raises(service.ConflictWarning) as exc:
        service.create_session(db, actor=actor, event=event, data=data)
    session = service.create_session(db, actor=actor, event=event, data=data, confirm=True)

    [conflict] = exc.value.conflicts
    assert (conflict.kind, conflict.other_session.id, conflict.blocking) == ("speaker", first.id, False)
    assert person.person.full_name in conflict.message and "moderator" in conflict.message
    assert exc.value.status_code == 409
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "session.create"))
    assert (entry.object_id, entry.details["confirmed"]) == (session.id, ["speaker"])


def test_an_official_in_two_sessions_at_once_needs_confirmation(db):
    event = EventFactory()
    minister = OfficialFactory(event=event)
    first = AgendaSessionFactory(event=event)
    add_speaker(db, first, official=minister, role=SpeakerRole.GUEST)
    db.flush()

    with pytest.raises(service.ConflictWarning):
        service.create_session(db, actor=organiser(event), event=event, data=payload(speakers=[speaker(official=minister)]))


def test_builder_lists_each_sessions_warnings_without_extra_queries(db, count_queries):
    event = EventFactory()
    room = RoomFactory(event=event)
    person = RegistrationFactory(delegation=DelegationFactory(event=event))
    a = AgendaSessionFactory(event=event, room=room, title="A")
    AgendaSessionFactory(event=event, room=room, title="B")  # a clash saved before the checks
    c = AgendaSessionFactory(event=event, title="C", starts_at=at(11), ends_at=at(12))
    for s in (a, c):
        add_speaker(db, s, registration=person)
    AgendaSessionFactory(event=event, room=room, title="D", status=SessionStatus.CANCELLED)
    db.flush()
    db.expire_all()
    viewer = organiser(event)

    with count_queries() as count:
        agenda = service.agenda(db, viewer=viewer, event=event)
        described = {
            s.title: sorted((w.kind, w.other_session.title) for w in agenda.warnings(s))
            for s in agenda.sessions
        }
        names = [service.speaker_name(sp) for s in agenda.sessions for sp in s.speakers]

    assert described == {
        "A": [("room", "B"), ("speaker", "C")],
        "B": [("room", "A")],
        "C": [("speaker", "A")],
        "D": [],
    }
    assert names == [person.person.full_name] * 2
    assert count() == 6  # rooms, sessions, translations, speakers, invitees, the crossings (their conflicts)


def test_builder_warns_of_a_session_outside_the_events_dates(db):
    event = EventFactory()
    session = AgendaSessionFactory(event=event, starts_at=at(10, day=date(2026, 2, 16)), ends_at=at(11, day=date(2026, 2, 16)))

    agenda = service.agenda(db, viewer=organiser(event), event=event)

    assert [w.kind for w in agenda.warnings(session)] == ["dates"]
    assert agenda.outside_days() == [session]


# --- updating ------------------------------------------------------------------------------------


def test_update_of_what_a_calendar_shows_makes_sequence_grow(db):
    session = AgendaSessionFactory()
    event = session.event
    actor = organiser(event)
    session = reload(db, session, event)

    service.update_session(db, actor=actor, session=session, changes={"title": "New title"})
    service.update_session(db, actor=actor, session=session, changes={"topics": ["peace"]})  # not shown
    service.update_session(db, actor=actor, session=session, changes={"starts_at": at(9), "ends_at": at(10)})
    service.update_session(db, actor=actor, session=session, changes={"title": "New title"})  # no change

    saved = reload(db, session, event)
    assert (saved.title, saved.topics, saved.sequence) == ("New title", ["peace"], 2)
    assert saved.starts_at == datetime(2026, 2, 13, 5, 0, tzinfo=UTC)


def test_update_replaces_speakers_keeping_the_same_person_once(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    first, second = RegistrationFactory(delegation=delegation), RegistrationFactory(delegation=delegation)
    actor = organiser(event)
    session = service.create_session(db, actor=actor, event=event, data=payload(speakers=[speaker(first)]))
    session = reload(db, session, event)

    service.update_session(
        db, actor=actor, session=session,
        changes={"speakers": [speaker(second), speaker(first, role=SpeakerRole.MODERATOR)]},
    )

    saved = reload(db, session, event)
    assert [(s.registration_id, s.role, s.position) for s in saved.speakers] == [
        (second.id, SpeakerRole.SPEAKER, 0), (first.id, SpeakerRole.MODERATOR, 1)
    ]
    assert saved.sequence == 0


def test_update_into_an_occupied_room_is_refused_and_changes_nothing(db):
    existing = AgendaSessionFactory()
    event = existing.event
    other = reload(db, AgendaSessionFactory(event=event, starts_at=at(14), ends_at=at(15)), event)

    with pytest.raises(FieldError):
        service.update_session(
            db, actor=organiser(event), session=other, changes={"room_id": existing.room_id, "starts_at": at(10), "ends_at": at(11)}
        )

    assert (other.room_id, other.starts_at) != (existing.room_id, at(10))


def test_move_keeps_the_length_and_changes_the_room(db):
    event = EventFactory()
    session = reload(db, AgendaSessionFactory(event=event), event)  # 90 minutes
    hall = RoomFactory(event=event)

    service.move_session(db, actor=organiser(event), session=session, starts_at=at(15, day=date(2026, 2, 14)), room_id=hall.id)

    saved = reload(db, session, event)
    assert (saved.starts_at, saved.ends_at - saved.starts_at, saved.room_id) == (
        at(15, day=date(2026, 2, 14)), timedelta(minutes=90), hall.id
    )
    assert saved.sequence == 1


def test_cancel_keeps_the_row_and_frees_the_room(db):
    session = AgendaSessionFactory()
    event = session.event
    actor = organiser(event)
    session = reload(db, session, event)

    service.cancel_session(db, actor=actor, session=session)
    replacement = service.create_session(db, actor=actor, event=event, data=payload(room_id=session.room_id))

    saved = reload(db, session, event)
    assert (saved.status, saved.sequence) == (SessionStatus.CANCELLED, 1)
    assert replacement.room_id == saved.room_id
    with pytest.raises(FieldError):
        service.reinstate_session(db, actor=actor, session=saved)


def test_duplicate_copies_speakers_without_room_and_unpublished(db):
    event = EventFactory()
    person = RegistrationFactory(delegation=DelegationFactory(event=event))
    actor = organiser(event)
    original = service.create_session(
        db, actor=actor, event=event, data=payload(room_id=RoomFactory(event=event).id, is_published=True,
                                                  speakers=[speaker(person)], topics=["trade"]),
    )
    original = reload(db, original, event)

    copy = service.duplicate_session(db, actor=actor, session=original)

    saved = reload(db, copy, event)
    assert (saved.title, saved.room_id, saved.is_published, saved.topics) == ("Regional security (copy)", None, False, ["trade"])
    assert saved.uid != original.uid
    assert [s.registration_id for s in saved.speakers] == [person.id]
    assert [c.kind for c in service.conflicts_of(db, viewer=organiser(event), event=event, session=saved)] == ["speaker"]


def test_delete_removes_the_session_and_its_speakers(db):
    event = EventFactory()
    person = RegistrationFactory(delegation=DelegationFactory(event=event))
    actor = organiser(event)
    session = service.create_session(db, actor=actor, event=event, data=payload(speakers=[speaker(person)]))
    session = reload(db, session, event)

    service.delete_session(db, actor=actor, session=session)

    assert db.scalar(select(SessionSpeaker).where(SessionSpeaker.registration_id == person.id)) is None
    assert db.get(AgendaSession, session.id) is None


# --- the day grid --------------------------------------------------------------------------------


def test_day_grid_places_sessions_by_room_and_half_hour(db):
    event = EventFactory()
    hall, garden = RoomFactory(event=event, name="Hall", position=0), RoomFactory(event=event, name="Garden", position=1)
    AgendaSessionFactory(event=event, room=hall, title="Opening", starts_at=at(9), ends_at=at(10, 30))
    AgendaSessionFactory(event=event, room=garden, title="Walk", starts_at=at(10), ends_at=at(11))
    AgendaSessionFactory(event=event, room=None, title="Coffee", starts_at=at(8, 45), ends_at=at(9))
    agenda = service.agenda(db, viewer=organiser(event), event=event)

    grid = service.day_grid(agenda, DAY_ONE)

    assert [c.name if c else None for c in grid.columns] == ["Hall", "Garden", None]
    assert grid.rows[0].start == time(8, 30) and grid.rows[-1].start == time(17, 30)
    kinds = [[cell.kind for cell in row.cells] for row in grid.rows[:6]]
    assert kinds[0] == ["empty", "empty", "session"]  # 08:30: coffee
    assert kinds[1] == ["session", "empty", "empty"]  # 09:00: opening (3 rows)
    assert kinds[2] == ["empty", "empty"]  # 09:30: hall covered
    assert kinds[3] == ["session", "empty"]  # 10:00: the walk (2 rows)
    assert kinds[4] == ["empty", "empty"]  # 10:30: the walk goes on
    assert grid.rows[1].cells[0].rows == 3


def test_day_grid_puts_overlapping_sessions_of_a_room_in_one_cell(db):
    event = EventFactory()
    hall = RoomFactory(event=event)
    AgendaSessionFactory(event=event, room=hall, title="A", starts_at=at(10), ends_at=at(11))
    AgendaSessionFactory(event=event, room=hall, title="B", starts_at=at(10, 30), ends_at=at(12))
    agenda = service.agenda(db, viewer=organiser(event), event=event)

    grid = service.day_grid(agenda, DAY_ONE)

    cell = next(c for row in grid.rows for c in row.cells if c.kind == "session")
    assert ([s.title for s in cell.sessions], cell.rows) == (["A", "B"], 4)
    assert sum(len(row.cells) for row in grid.rows) == len(grid.rows) - 3  # 3 rows covered
