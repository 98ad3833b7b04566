import pytest
from sqlalchemy import select

from app.agenda.models import SessionKind, SessionSpeaker, SpeakerRole
from app.audit.models import AuditEntry
from app.errors import Conflict, Forbidden, NotFound
from app.events.models import EventStatus
from app.officials import service
from app.officials.models import Official
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    OfficialFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)

FIELDS = {
    "name": "Armen Example",
    "name_native": "Արմեն Էքզամփլ",
    "title": "Secretary of the Security Council",
    "institution": "Security Council",
    "country": "AM",
    "notes": "Meeting confirmed by the office.",
}


def test_create_saves_the_official_and_audits_it(db):
    event = EventFactory()
    actor = organiser(event)

    official = service.create(db, actor=actor, event=event, fields=FIELDS)

    assert (official.name, official.title, official.country, official.event_id) == (
        "Armen Example", "Secretary of the Security Council", "AM", event.id
    )
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "official.create"))
    assert (entry.object_id, entry.event_id, entry.actor_id) == (official.id, event.id, actor.id)


@pytest.mark.parametrize("who", ["press_officer", "coordinator", "other_organiser", "user"])
def test_create_is_refused_to_those_who_do_not_manage_the_agenda(db, who):
    event = EventFactory()
    actor = {
        "press_officer": lambda: press_officer(event),
        "coordinator": lambda: coordinator(DelegationFactory(event=event)),
        "other_organiser": lambda: organiser(EventFactory()),
        "user": UserFactory,
    }[who]()

    with pytest.raises(Forbidden):
        service.create(db, actor=actor, event=event, fields=FIELDS)

    assert db.scalar(select(Official).where(Official.event_id == event.id)) is None


def test_create_on_an_archived_event_is_a_conflict(db):
    event = EventFactory(status=EventStatus.ARCHIVED)

    with pytest.raises(Conflict):
        service.create(db, actor=AdminFactory(), event=event, fields=FIELDS)


def test_list_gives_the_events_officials_by_name_and_no_others(db):
    event = EventFactory()
    OfficialFactory(event=event, name="Zara")
    OfficialFactory(event=event, name="anna")
    OfficialFactory(name="Elsewhere")

    page = service.list_for_event(db, viewer=press_officer(event), event=event)

    assert [o.name for o in page.items] == ["anna", "Zara"]
    assert page.total == 2


def test_list_is_open_to_coordinators_and_refused_to_outsiders(db):
    event = EventFactory()
    OfficialFactory(event=event)

    assert service.list_for_event(db, viewer=coordinator(DelegationFactory(event=event)), event=event).total == 1
    with pytest.raises(Forbidden):
        service.list_for_event(db, viewer=UserFactory(), event=event)
    with pytest.raises(Forbidden):
        service.list_for_event(db, viewer=None, event=event)


def test_get_of_an_official_of_another_event_is_not_found(db):
    event = EventFactory()
    other = OfficialFactory()

    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=organiser(event), event=event, official_id=other.id)


def test_update_changes_the_given_fields_and_audits_their_names(db):
    official = OfficialFactory(title="Deputy Minister")
    actor = organiser(official.event)

    service.update(db, actor=actor, official=official, fields={"title": "Minister", "name": official.name})

    assert official.title == "Minister"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "official.update"))
    assert entry.details == {"fields": ["title"]}


def test_update_without_changes_writes_nothing(db):
    official = OfficialFactory()

    service.update(db, actor=organiser(official.event), official=official, fields={"name": official.name})

    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "official.update")) is None


def test_delete_removes_an_official_on_no_session(db):
    official = OfficialFactory()
    official_id = official.id

    service.delete(db, actor=organiser(official.event), official=official)

    assert db.get(Official, official_id) is None
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "official.delete")).object_id == official_id


def test_delete_of_an_official_on_a_session_is_a_conflict(db):
    official = OfficialFactory()
    session = AgendaSessionFactory(event=official.event, kind=SessionKind.OFFICIAL_MEETING)
    db.add(SessionSpeaker(session=session, official=official, role=SpeakerRole.GUEST))
    db.flush()

    with pytest.raises(Conflict):
        service.delete(db, actor=organiser(official.event), official=official)

    assert db.get(Official, official.id) is not None


def test_meetings_give_the_officials_sessions_in_time_order_with_their_speakers(db):
    official = OfficialFactory()
    event = official.event
    registration = RegistrationFactory(delegation=DelegationFactory(event=event))
    first = AgendaSessionFactory(event=event, kind=SessionKind.OFFICIAL_MEETING, title="Morning meeting")
    later = AgendaSessionFactory(
        event=event, title="Afternoon meeting",
        starts_at=first.starts_at.replace(hour=first.starts_at.hour + 4),
        ends_at=first.ends_at.replace(hour=first.ends_at.hour + 4),
    )
    unrelated = AgendaSessionFactory(event=event, title="Without the official")
    db.add_all([
        SessionSpeaker(session=later, official=official, role=SpeakerRole.GUEST),
        SessionSpeaker(session=first, official=official, role=SpeakerRole.GUEST),
        SessionSpeaker(session=first, registration=registration, role=SpeakerRole.MODERATOR, position=1),
        SessionSpeaker(session=unrelated, registration=registration, role=SpeakerRole.SPEAKER),
    ])
    db.flush()
    db.expire_all()
    official = db.get(Official, official.id)
    official = service.get_for_viewer(db, viewer=organiser(event), event=event, official_id=official.id)

    meetings = service.meetings(db, viewer=press_officer(event), official=official)

    assert [m.title for m in meetings] == ["Morning meeting", "Afternoon meeting"]
    names = {sp.registration.person.full_name if sp.registration else sp.official.name for sp in meetings[0].speakers}
    assert names == {official.name, registration.person.full_name}
    assert meetings[0].room is not None
