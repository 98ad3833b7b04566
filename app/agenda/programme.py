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

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, and_, bindparam, case, select
from sqlalchemy.orm import Session

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
# That order in SQL: ORDER BY SPEAKER_ORDER, SessionSpeaker.position.
SPEAKER_ORDER = case(ROLE_ORDER, value=SessionSpeaker.role, else_=len(ROLE_ORDER))


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
        """The title and the institution, whichever there are, separated by a comma."""
        if self.title and self.institution:
            return f"{self.title}, {self.institution}"
        return self.title or self.institution or ""


@dataclass(frozen=True)
class Room:
    id: int
    name: str
    capacity: int | None
    position: int


@dataclass  # not frozen: a frozen dataclass of this many fields costs twice as much to build
class Item:
    """One session of the programme; times are aware, `start`/`end` in the event's zone. The
    title and description are in the reader's language when translated into it."""

    id: int
    uid: str
    kind: SessionKind
    kind_label: str  # the kind in the reader's language
    title: str
    description: str  # Markdown
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    start: datetime  # event's zone
    end: datetime  # event's zone
    # The times as the page writes them: ISO 8601 (for <time datetime>) and the clock ("09:30").
    start_iso: str
    end_iso: str
    start_clock: str
    end_clock: str
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
    # The speakers' roles in the reader's language.
    role_labels: dict[SpeakerRole, str]

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


# The statements are built once and run with their parameters (as in app.summaries.record):
# building a SELECT of a dozen columns and joins costs more than running it. They read plain
# values, so they run on the session's connection, without the ORM's result processing.
EVENT_ID = bindparam("event_id")
LANGUAGE = bindparam("language")


@cache
def _session_query(*, complete: bool) -> Select[Any]:
    """The sessions' columns (in the order `build` reads them), each with its translation into
    the reader's language, if any."""
    s, t = AgendaSession, SessionTranslation
    query = (
        select(
            s.id, s.uid, s.kind, s.title, s.description, s.starts_at, s.ends_at, s.room_id, s.topics,
            s.audience, s.chatham_house, s.is_published, s.status, s.sequence, s.created_at, s.updated_at,
            t.title.label("translated_title"), t.description.label("translated_description"),
        )
        .outerjoin(t, and_(t.session_id == s.id, t.language == LANGUAGE))
        .where(s.event_id == EVENT_ID)
        .order_by(s.starts_at, s.ends_at, s.id)
    )
    if not complete:
        query = query.where(s.is_published.is_(True))
    return query


def _sessions(db: Session, event: Event, complete: bool) -> Sequence[Row[Any]]:
    """The sessions' columns (not ORM objects: loading those costs more than the page), each
    with its translation into the reader's language, if any (in the same query)."""
    parameters = {"event_id": event.id, "language": i18n.current_language()}
    return db.connection().execute(_session_query(complete=complete), parameters).all()


@cache
def _speaker_query(*, complete: bool) -> Select[Any]:
    """The speakers of the sessions as the programme lists them: moderators first, then in the
    organiser's order."""
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
        .where(AgendaSession.event_id == EVENT_ID)
        .order_by(
            SessionSpeaker.session_id,
            SPEAKER_ORDER,
            SessionSpeaker.position,
            SessionSpeaker.id,
        )
    )
    if not complete:
        query = query.where(AgendaSession.is_published.is_(True))
    return query


def speakers_with_roles(
    db: Session, event: Event, *, complete: bool
) -> tuple[dict[int, list[Speaker]], dict[tuple[int, int], SpeakerRole]]:
    """Each session's speakers as the programme lists them, by session id, and the role of each
    participant among them by (session id, registration id), in one query."""
    speakers: dict[int, list[Speaker]] = {}
    roles: dict[tuple[int, int], SpeakerRole] = {}
    rows = db.connection().execute(_speaker_query(complete=complete), {"event_id": event.id}).all()
    for session_id, role, official_id, name, title, institution, registration_id, given, family, given_native, family_native in rows:
        if official_id is not None:
            one = Speaker(f"official-{official_id}", name, role, title, institution)
        else:
            one = Speaker(f"participant-{registration_id}", person_name(given, family, given_native, family_native), role)
            roles[session_id, registration_id] = role
        speakers.setdefault(session_id, []).append(one)
    return speakers, roles


def person_name(given: str, family: str, given_native: str | None, family_native: str | None) -> str:
    """A participant's name in the reader's script (app.i18n.display_name)."""
    native = f"{given_native or ''} {family_native or ''}".strip()
    return i18n.display_name(f"{given} {family}".strip(), native)


@cache
def _room_query() -> Select[Any]:
    return (
        select(RoomModel.id, RoomModel.name, RoomModel.capacity, RoomModel.position)
        .where(RoomModel.event_id == EVENT_ID)
        .order_by(RoomModel.position, RoomModel.name, RoomModel.id)
    )


def _rooms(db: Session, event: Event) -> list[Room]:
    return [Room(*row) for row in db.connection().execute(_room_query(), {"event_id": event.id}).all()]


def build(
    event: Event, sessions: Sequence[Row[Any]], speakers: dict[int, list[Speaker]], rooms: list[Room], *, complete: bool
) -> Programme:
    """The programme from loaded rows (`speakers` as the programme lists them): every day of the
    event (and any day a session falls on outside it), each with its sessions in time order."""
    zone = ZoneInfo(event.timezone)
    by_id = {room.id: room for room in rooms}
    kind_labels = i18n.labels(SessionKind)
    by_day: dict[date, list[Item]] = {}
    for (
        id_, uid, kind, title, description, starts_at, ends_at, room_id, topics,
        audience, chatham_house, is_published, status, sequence, created_at, updated_at,
        translated_title, translated_description,
    ) in sessions:  # unpacked: a row's attributes cost more to read than its items
        start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
        description = description or ""
        item = Item(
            id=id_, uid=uid, kind=kind, kind_label=kind_labels[kind],
            title=translated_title or title, description=translated_description or description,
            original_title=title, original_description=description,
            starts_at=starts_at, ends_at=ends_at, start=start, end=end,
            start_iso=start.isoformat(), end_iso=end.isoformat(),
            start_clock=f"{start.hour:02d}:{start.minute:02d}", end_clock=f"{end.hour:02d}:{end.minute:02d}",
            room=by_id.get(room_id) if room_id is not None else None,
            topics=list(topics or []),
            speakers=speakers.get(id_, []),
            audience=audience, chatham_house=chatham_house, is_published=is_published, status=status,
            sequence=sequence, created_at=created_at, updated_at=updated_at,
        )
        by_day.setdefault(start.date(), []).append(item)
    dates = set(by_day)
    current = event.starts_on
    while current <= event.ends_on:
        dates.add(current)
        current += timedelta(days=1)
    days = [Day(index=n, date=d, items=by_day.get(d, [])) for n, d in enumerate(sorted(dates), start=1)]
    role_labels = i18n.labels(SpeakerRole)
    return Programme(event=event, zone=zone, days=days, rooms=rooms, complete=complete, role_labels=role_labels)


def sees_everything(viewer: User | None, event: Event) -> bool:
    return policy.can(viewer, Action.AGENDA_VIEW, event)


def for_viewer(db: Session, *, viewer: User | None, event: Event) -> Programme:
    """The sessions the viewer may read: published ones for whoever may see the event, all of
    them (internal ones too) for AGENDA_VIEW; rooms and speakers loaded in three queries."""
    policy.require(viewer, Action.EVENT_VIEW, event)
    complete = sees_everything(viewer, event)
    sessions, (speakers, _roles) = _sessions(db, event, complete), speakers_with_roles(db, event, complete=complete)
    return build(event, sessions, speakers, _rooms(db, event), complete=complete)
