"""The programme: the agenda as a viewer may read it, by day in the event's timezone.

Everyone who may see the event reads its published sessions (cancelled ones marked, so that
calendars drop them); whoever may see the whole agenda (AGENDA_VIEW) also reads the internal ones.
One read model for the public page, the printed programme and the calendar and schedule
exports: three queries (rooms, sessions, speakers), whatever the number of sessions. It holds
plain values only, so nothing a template or an export touches can load more.

Titles and descriptions are in the reader's language (`app.i18n.current_language()`) where the
session has a translation into it, as written otherwise; the schedule exports, which have one
language, keep them as written (`original_title`, `original_description`).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, select
from sqlalchemy.orm import Session, load_only

from app import i18n, policy
from app.accounts.models import User
from app.agenda.models import (
    AgendaSession,
    Audience,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    SessionTranslation,
    SpeakerRole,
)
from app.agenda.models import Room as RoomModel
from app.events.models import Event
from app.officials.models import Official
from app.policy import Action
from app.registrations.models import Person, Registration

# Speakers are listed moderators first, then in the order the organiser gave them.
ROLE_ORDER = {
    SpeakerRole.MODERATOR: 0,
    SpeakerRole.SPEAKER: 1,
    SpeakerRole.PANELLIST: 2,
    SpeakerRole.GUEST: 3,
    SpeakerRole.RAPPORTEUR: 4,
}


@dataclass(frozen=True)
class Speaker:
    """A moderator, speaker or guest as the programme names them: a name and, for an official,
    their title and institution. Nothing else about a participant is read."""

    key: str  # "participant-<registration id>" or "official-<official id>"
    name: str
    role: SpeakerRole
    title: str = ""
    institution: str = ""

    @property
    def is_official(self) -> bool:
        return self.key.startswith("official-")

    @property
    def affiliation(self) -> str:
        return ", ".join(part for part in (self.title, self.institution) if part)


@dataclass(frozen=True)
class Room:
    id: int
    name: str
    capacity: int | None
    position: int


@dataclass(frozen=True)
class Item:
    """One session of the programme; times are aware, `start`/`end` in the event's zone. The
    title and description are in the reader's language when translated into it."""

    id: int
    uid: str
    kind: SessionKind
    title: str
    description: str  # Markdown
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    start: datetime  # event's zone
    end: datetime  # event's zone
    room: Room | None
    topics: list[str]
    speakers: list[Speaker]
    audience: Audience
    chatham_house: bool
    is_published: bool
    status: SessionStatus
    sequence: int
    created_at: datetime
    updated_at: datetime
    # As the organiser wrote them (the same as above when not translated).
    original_title: str = ""
    original_description: str = ""

    @property
    def cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def internal(self) -> bool:
        return not self.is_published

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def moderators(self) -> list[Speaker]:
        return [s for s in self.speakers if s.role == SpeakerRole.MODERATOR]

    @property
    def others(self) -> list[Speaker]:
        return [s for s in self.speakers if s.role != SpeakerRole.MODERATOR]


@dataclass(frozen=True)
class Day:
    index: int  # from 1
    date: date
    items: list[Item] = field(default_factory=list)

    def start(self, zone: ZoneInfo) -> datetime:
        """When the day's programme begins (local midnight when it has none)."""
        return min((i.start for i in self.items), default=datetime.combine(self.date, datetime.min.time(), zone))

    def end(self, zone: ZoneInfo) -> datetime:
        midnight = datetime.combine(self.date + timedelta(days=1), datetime.min.time(), zone)
        return max((i.end for i in self.items), default=midnight)


@dataclass(frozen=True)
class Programme:
    event: Event
    zone: ZoneInfo
    days: list[Day]
    rooms: list[Room]
    # The viewer reads the whole agenda (internal sessions too).
    complete: bool

    @property
    def timezone(self) -> str:
        return self.event.timezone

    @property
    def items(self) -> list[Item]:
        return [item for day in self.days for item in day.items]

    @property
    def days_with_items(self) -> list[Day]:
        return [day for day in self.days if day.items]

    @property
    def first_day(self) -> date:
        return self.days[0].date

    @property
    def last_day(self) -> date:
        return self.days[-1].date


def _sessions(db: Session, event: Event, complete: bool) -> list[Row[Any]]:
    """The sessions' columns (not ORM objects: loading those costs more than the page), each
    with its translation into the reader's language, if any (in the same query)."""
    s, t = AgendaSession, SessionTranslation
    query = (
        select(
            s.id, s.uid, s.kind, s.title, s.description, s.starts_at, s.ends_at, s.room_id, s.topics,
            s.audience, s.chatham_house, s.is_published, s.status, s.sequence, s.created_at, s.updated_at,
            t.title.label("translated_title"), t.description.label("translated_description"),
        )
        .outerjoin(t, and_(t.session_id == s.id, t.language == i18n.current_language()))
        .where(s.event_id == event.id)
        .order_by(s.starts_at, s.ends_at, s.id)
    )
    if not complete:
        query = query.where(s.is_published.is_(True))
    return list(db.execute(query))


def _speakers(db: Session, event: Event, complete: bool) -> dict[int, list[Speaker]]:
    """Each session's speakers in the organiser's order, by session id, in one query."""
    query = (
        select(
            SessionSpeaker.session_id, SessionSpeaker.role,
            Official.id, Official.name, Official.title, Official.institution,
            Registration.id, Person.given_name, Person.family_name, Person.given_name_native,
            Person.family_name_native,
        )
        .join(AgendaSession, AgendaSession.id == SessionSpeaker.session_id)
        .outerjoin(Official, Official.id == SessionSpeaker.official_id)
        .outerjoin(Registration, Registration.id == SessionSpeaker.registration_id)
        .outerjoin(Person, Person.id == Registration.person_id)
        .where(AgendaSession.event_id == event.id)
        .order_by(SessionSpeaker.session_id, SessionSpeaker.position, SessionSpeaker.id)
    )
    if not complete:
        query = query.where(AgendaSession.is_published.is_(True))
    speakers: dict[int, list[Speaker]] = {}
    rows = db.execute(query)
    for session_id, role, official_id, name, title, institution, registration_id, given, family, given_native, family_native in rows:
        if official_id is not None:
            one = Speaker(f"official-{official_id}", name, role, title, institution)
        else:
            one = Speaker(f"participant-{registration_id}", person_name(given, family, given_native, family_native), role)
        speakers.setdefault(session_id, []).append(one)
    return speakers


def person_name(given: str, family: str, given_native: str | None, family_native: str | None) -> str:
    """A participant's name in the reader's script (app.i18n.display_name)."""
    native = f"{given_native or ''} {family_native or ''}".strip()
    return i18n.display_name(f"{given} {family}".strip(), native)


def _rooms(db: Session, event: Event) -> list[Room]:
    query = (
        select(RoomModel)
        .options(load_only(RoomModel.id, RoomModel.name, RoomModel.capacity, RoomModel.position, raiseload=True))
        .where(RoomModel.event_id == event.id)
        .order_by(RoomModel.position, RoomModel.name, RoomModel.id)
    )
    return [Room(r.id, r.name, r.capacity, r.position) for r in db.scalars(query)]


def build(
    event: Event, sessions: list[Row[Any]], speakers: dict[int, list[Speaker]], rooms: list[Room], *, complete: bool
) -> Programme:
    """The programme from loaded rows: every day of the event (and any day a session falls on
    outside it), each with its sessions in time order."""
    zone = ZoneInfo(event.timezone)
    by_id = {room.id: room for room in rooms}
    by_day: dict[date, list[Item]] = {}
    for s in sessions:
        start, end = s.starts_at.astimezone(zone), s.ends_at.astimezone(zone)
        translated_title = s.translated_title
        translated_description = s.translated_description
        item = Item(
            id=s.id, uid=s.uid, kind=s.kind, title=translated_title or s.title,
            description=translated_description or s.description or "",
            original_title=s.title, original_description=s.description or "",
            starts_at=s.starts_at, ends_at=s.ends_at, start=start, end=end,
            room=by_id.get(s.room_id) if s.room_id is not None else None,
            topics=list(s.topics or []),
            speakers=sorted(speakers.get(s.id, []), key=lambda sp: ROLE_ORDER.get(sp.role, 9)),
            audience=s.audience, chatham_house=s.chatham_house, is_published=s.is_published, status=s.status,
            sequence=s.sequence, created_at=s.created_at, updated_at=s.updated_at,
        )
        by_day.setdefault(start.date(), []).append(item)
    dates = set(by_day)
    current = event.starts_on
    while current <= event.ends_on:
        dates.add(current)
        current += timedelta(days=1)
    days = [Day(index=n, date=d, items=by_day.get(d, [])) for n, d in enumerate(sorted(dates), start=1)]
    return Programme(event=event, zone=zone, days=days, rooms=rooms, complete=complete)


def sees_everything(viewer: User | None, event: Event) -> bool:
    return policy.can(viewer, Action.AGENDA_VIEW, event)


def for_viewer(db: Session, *, viewer: User | None, event: Event) -> Programme:
    """The sessions the viewer may read: published ones for whoever may see the event, all of
    them (internal ones too) for AGENDA_VIEW; rooms and speakers loaded in three queries."""
    policy.require(viewer, Action.EVENT_VIEW, event)
    complete = sees_everything(viewer, event)
    sessions, speakers = _sessions(db, event, complete), _speakers(db, event, complete)
    return build(event, sessions, speakers, _rooms(db, event), complete=complete)
