"""The organiser's agenda: rooms, sessions with their speakers and invited lists, conflicts.

Times are stored in UTC and read in the event's time zone. A session must lie within the
event's days and end after it starts; a room used twice at once is never saved; other
conflicts (a speaker in two places at once, a delegation in the audience that is crossing the
border at the time) are warnings that the organiser confirms.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, errors, i18n, policy
from app.accounts.models import User
from app.accounts.service import actor_label
from app.agenda.models import (
    AgendaSession,
    Audience,
    Room,
    SessionInvitee,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    SessionTranslation,
)
from app.agenda.schemas import RoomCreate, SessionIn, TranslationIn
from app.crossings import schedule as crossing_schedule
from app.crossings.models import CrossingDirection
from app.crossings.schedule import Window
from app.delegations.models import Delegation
from app.errors import FieldError, NotFound
from app.events import service as events_service
from app.events.models import Event
from app.i18n import N_, _, format_day, format_range
from app.itineraries import changes as itinerary_changes
from app.officials.models import Official
from app.policy import Action
from app.registrations.models import Person, Registration

log = logging.getLogger(__name__)

# The fields a calendar shows: changing one makes `sequence` grow (RFC 5545 SEQUENCE). A
# calendar shows the title and description in its reader's language: translations count too.
CALENDAR_FIELDS = frozenset({"title", "description", "starts_at", "ends_at", "room_id", "status", "kind", "translations"})
SCALAR_FIELDS = (
    "kind", "title", "description", "starts_at", "ends_at", "room_id", "topics", "audience",
    "audience_delegation_id", "chatham_house", "is_published", "notes", "status",
)


def zone(event: Event) -> ZoneInfo:
    return ZoneInfo(event.timezone)


def local(event: Event, moment: datetime) -> datetime:
    """A stored (UTC) moment on the event's clock."""
    return moment.astimezone(zone(event))


def at(event: Event, day: date, clock: time) -> datetime:
    """A day and a time on the event's clock, as an aware moment."""
    return datetime.combine(day, clock, zone(event))


def event_days(event: Event) -> list[date]:
    return [event.starts_on + timedelta(days=n) for n in range((event.ends_on - event.starts_on).days + 1)]


def event_bounds(event: Event) -> tuple[datetime, datetime]:
    """From midnight of the first day to midnight after the last, on the event's clock."""
    return at(event, event.starts_on, time(0)), at(event, event.ends_on + timedelta(days=1), time(0))


def _loaded(*, invitees: bool = True):  # type: ignore[no-untyped-def]
    """Everything the builder, the detail page and the API read of a session: no query per row."""
    options = [
        joinedload(AgendaSession.room),
        joinedload(AgendaSession.audience_delegation),
        selectinload(AgendaSession.translations),
        selectinload(AgendaSession.speakers).options(
            joinedload(SessionSpeaker.registration).joinedload(Registration.person),
            joinedload(SessionSpeaker.official),
        ),
    ]
    if invitees:
        options.append(
            selectinload(AgendaSession.invitees).joinedload(SessionInvitee.registration).joinedload(Registration.person)
        )
    return options


def speaker_name(speaker: SessionSpeaker) -> str:
    """An official's name, or a participant's in the reader's script (app.i18n.display_name)."""
    if speaker.official is not None:
        return speaker.official.name
    if speaker.registration is None:
        return ""
    return speaker.registration.person.display_name


def check_manageable(*, actor: User | None, event: Event) -> None:
    """For the pages that change the agenda: may the actor do it now?"""
    policy.require(actor, Action.AGENDA_MANAGE, event)
    events_service.require_open(event)


# --- conflicts -----------------------------------------------------------------------------------

ROOM = "room"
SPEAKER = "speaker"
DATES = "dates"
CROSSING = "crossing"


@dataclass(frozen=True)
class Conflict:
    """A problem of a session with another one (or with the event): `room` clashes block a save."""

    kind: str
    message: str
    other_session: AgendaSession | None = None

    @property
    def blocking(self) -> bool:
        return self.kind == ROOM


class ConflictWarning(errors.Conflict):
    """The save needs the organiser's confirmation: it conflicts with other sessions."""

    default_message = N_("This session conflicts with others. Confirm to save it anyway.")

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        super().__init__(" ".join([_(self.default_message), *(c.message for c in conflicts)]))


# The audiences that take in every delegation of the event.
WHOLE_EVENT = frozenset({Audience.EVERYONE, Audience.CORE})


@dataclass(frozen=True)
class Slot:
    """What the checks look at: a session as it is saved, or as it would be saved.

    `delegation_ids` are the delegations the session needs: its audience's (a delegation; the
    delegations of the invited list) and its speakers'; `whole_event` stands for every one."""

    id: int | None
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    registration_ids: frozenset[int]
    official_ids: frozenset[int]
    cancelled: bool
    whole_event: bool = False
    delegation_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, session: AgendaSession) -> "Slot":
        """Of a saved session with its speakers' and invitees' registrations loaded."""
        delegations = {s.registration.delegation_id for s in session.speakers if s.registration is not None}
        if session.audience == Audience.DELEGATION and session.audience_delegation_id is not None:
            delegations.add(session.audience_delegation_id)
        if session.audience == Audience.INVITED:
            delegations |= {i.registration.delegation_id for i in session.invitees}
        return cls(
            id=session.id, starts_at=session.starts_at, ends_at=session.ends_at, room_id=session.room_id,
            registration_ids=frozenset(s.registration_id for s in session.speakers if s.registration_id),
            official_ids=frozenset(s.official_id for s in session.speakers if s.official_id),
            cancelled=session.status == SessionStatus.CANCELLED,
            whole_event=session.audience in WHOLE_EVENT, delegation_ids=frozenset(delegations),
        )

    @classmethod
    def of_input(
        cls, data: SessionIn, session_id: int | None = None, registrations: Mapping[int, Registration] | None = None
    ) -> "Slot":
        """Of a session's input; `registrations` (as `_validate` found them) name the
        delegations of its speakers and invitees."""
        found = registrations or {}
        speakers = {s.registration_id for s in data.speakers if s.registration_id}
        people = speakers | (set(data.invitee_ids) if data.audience == Audience.INVITED else set())
        delegations = {found[i].delegation_id for i in people if i in found}
        if data.audience == Audience.DELEGATION and data.audience_delegation_id is not None:
            delegations.add(data.audience_delegation_id)
        return cls(
            id=session_id, starts_at=data.starts_at, ends_at=data.ends_at, room_id=data.room_id,
            registration_ids=frozenset(speakers),
            official_ids=frozenset(s.official_id for s in data.speakers if s.official_id),
            cancelled=data.status == SessionStatus.CANCELLED,
            whole_event=data.audience in WHOLE_EVENT, delegation_ids=frozenset(delegations),
        )

    def overlaps(self, other: AgendaSession) -> bool:
        return (
            other.id != self.id
            and other.status != SessionStatus.CANCELLED
            and other.starts_at < self.ends_at
            and other.ends_at > self.starts_at
        )


def _when(event: Event, span: AgendaSession | Window) -> str:
    """A session's or a crossing window's day and times on the event's clock."""
    start, end = local(event, span.starts_at), local(event, span.ends_at)
    return f"{format_day(start.date())}, {start:%H:%M}–{end:%H:%M}"


def _room_clashes(event: Event, slot: Slot, others: list[AgendaSession], _crossings: list[Window]) -> list[Conflict]:
    if slot.room_id is None:
        return []
    return [
        Conflict(
            ROOM,
            _("The room “%(room)s” is taken by “%(title)s” at this time (%(when)s).")
            % {"room": other.room.name if other.room else "", "title": other.reader_title, "when": _when(event, other)},
            other,
        )
        for other in others
        if other.room_id == slot.room_id and slot.overlaps(other)
    ]


def _speaker_clashes(
    event: Event, slot: Slot, others: list[AgendaSession], _crossings: list[Window]
) -> list[Conflict]:
    found = []
    for other in others:
        if not slot.overlaps(other):
            continue
        for speaker in other.speakers:
            if speaker.registration_id in slot.registration_ids or speaker.official_id in slot.official_ids:
                message = _("%(name)s is also in “%(title)s” at this time (%(when)s, as %(role)s).") % {
                    "name": speaker_name(speaker), "title": other.reader_title, "when": _when(event, other),
                    "role": i18n.label(speaker.role).lower(),
                }
                found.append(Conflict(SPEAKER, message, other))
    return found


def _outside_dates(event: Event, slot: Slot, others: list[AgendaSession], _crossings: list[Window]) -> list[Conflict]:
    first, after = event_bounds(event)
    if first <= slot.starts_at and slot.ends_at <= after:
        return []
    message = _("This session is outside the event's dates (%(dates)s).") % {
        "dates": format_range(event.starts_on, event.ends_on)
    }
    return [Conflict(DATES, message)]


def _crossing_clashes(event: Event, slot: Slot, others: list[AgendaSession], crossings: list[Window]) -> list[Conflict]:
    """A delegation the session needs (its audience's, its speakers') is crossing the border
    then; for the time a crossing takes, see app.crossings.schedule."""
    found = []
    for window in crossings:
        if not window.overlaps(slot.starts_at, slot.ends_at):
            continue
        if slot.whole_event or window.delegation_id in slot.delegation_ids:
            if window.direction == CrossingDirection.ARRIVAL:
                text = _("The delegation “%(delegation)s” is arriving through %(place)s at this time (%(when)s).")
            else:
                text = _("The delegation “%(delegation)s” is departing through %(place)s at this time (%(when)s).")
            message = text % {"delegation": window.delegation_name, "place": window.place, "when": _when(event, window)}
            found.append(Conflict(CROSSING, message))
    return found


# The checks every session goes through, on save and in the builder: each looks at the session,
# the other sessions that may overlap it and the event's crossings.
Check = Callable[[Event, Slot, list[AgendaSession], list[Window]], list[Conflict]]
CHECKS: list[Check] = [_room_clashes, _speaker_clashes, _outside_dates, _crossing_clashes]


def conflicts_for(
    event: Event, slot: Slot, others: list[AgendaSession], crossings: list[Window] | None = None
) -> list[Conflict]:
    """The conflicts of one session with the others (which need their rooms and speakers
    loaded) and with the event's crossings. A cancelled session has none, and no session
    conflicts with a cancelled one."""
    if slot.cancelled:
        return []
    return [conflict for check in CHECKS for conflict in check(event, slot, others, crossings or [])]


def conflicts_among(
    event: Event, sessions: list[AgendaSession], crossings: list[Window] | None = None
) -> dict[int, list[Conflict]]:
    """Each session's conflicts with the others of the list and with the crossings, in memory
    (no query)."""
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    found: dict[int, list[Conflict]] = {}
    for i, session in enumerate(ordered):
        slot = Slot.of(session)
        # Sorted by start: only sessions starting before this one ends can overlap it.
        near = ordered[:i] + [o for o in ordered[i + 1 :] if o.starts_at < session.ends_at]
        if conflicts := conflicts_for(event, slot, near, crossings):
            found[session.id] = conflicts
    return found


def _overlapping(db: Session, event: Event, slot: Slot) -> list[AgendaSession]:
    """The event's other sessions that overlap the slot (not the cancelled ones): one query per
    loaded relationship."""
    query = (
        select(AgendaSession)
        .options(*_loaded(invitees=False))
        .where(
            AgendaSession.event_id == event.id,
            AgendaSession.status != SessionStatus.CANCELLED,
            AgendaSession.starts_at < slot.ends_at,
            AgendaSession.ends_at > slot.starts_at,
        )
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    )
    if slot.id is not None:
        query = query.where(AgendaSession.id != slot.id)
    return list(db.scalars(query).unique())


def conflicts_of(db: Session, *, viewer: User | None, event: Event, session: AgendaSession) -> list[Conflict]:
    """The conflicts of one saved session, as they are now (with the crossings the viewer may
    see: another side's crossing is never named to a coordinator, nor any to a press officer)."""
    slot = Slot.of(session)
    if slot.cancelled:
        return []
    crossings = crossing_schedule.windows(db, viewer=viewer, event=event)
    return conflicts_for(event, slot, _overlapping(db, event, slot), crossings)


def _check_conflicts(db: Session, actor: User, event: Event, slot: Slot, *, confirm: bool) -> list[Conflict]:
    """Refuse a room clash; refuse other conflicts unless confirmed. The confirmed ones."""
    if slot.cancelled:
        return []
    crossings = crossing_schedule.windows(db, viewer=actor, event=event)
    conflicts = conflicts_for(event, slot, _overlapping(db, event, slot), crossings)
    if blocking := [c for c in conflicts if c.blocking]:
        raise FieldError("room_id", blocking[0].message)
    if conflicts and not confirm:
        raise ConflictWarning(conflicts)
    return conflicts


# --- rooms ---------------------------------------------------------------------------------------


def list_rooms(db: Session, *, viewer: User | None, event: Event) -> list[Room]:
    """The event's rooms in the order of the agenda's columns."""
    policy.require(viewer, Action.AGENDA_VIEW, event)
    rooms = list(db.scalars(select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.name)))
    for room in rooms:
        set_committed_value(room, "event", event)
    return rooms


def get_room(db: Session, *, viewer: User | None, event: Event, room_id: int) -> Room:
    """The room of this event, or NotFound (also for a room of another event)."""
    room = db.scalar(select(Room).where(Room.id == room_id, Room.event_id == event.id))
    if room is None or not policy.can(viewer, Action.AGENDA_VIEW, event):
        raise NotFound()
    set_committed_value(room, "event", event)
    return room


def _check_room_name_free(db: Session, event: Event, name: str, other_than: int | None = None) -> None:
    query = select(Room.id).where(Room.event_id == event.id, func.lower(Room.name) == func.lower(name))
    if other_than is not None:
        query = query.where(Room.id != other_than)
    if db.scalar(query.limit(1)) is not None:
        raise FieldError("name", _("This event has a room of that name already."))


def create_room(db: Session, *, actor: User, event: Event, data: RoomCreate | Mapping[str, Any]) -> Room:
    check_manageable(actor=actor, event=event)
    fields = dict(data.model_dump() if isinstance(data, RoomCreate) else data)
    _check_room_name_free(db, event, str(fields["name"]))
    room = Room(event=event, **fields)
    db.add(room)
    db.flush()
    audit.record(db, actor, "room.create", room)
    log.info("room %s created by %s", room.id, actor_label(actor))
    return room


def update_room(db: Session, *, actor: User, room: Room, fields: Mapping[str, Any]) -> Room:
    check_manageable(actor=actor, event=room.event)
    if "name" in fields:
        _check_room_name_free(db, room.event, str(fields["name"]), other_than=room.id)
    changed = sorted(k for k, v in fields.items() if getattr(room, k) != v)
    if not changed:
        return room
    for key in changed:
        setattr(room, key, fields[key])
    if "name" in changed:  # a calendar shows the room: its sessions change for calendar apps
        db.execute(
            sql_update(AgendaSession)
            .where(AgendaSession.room_id == room.id)
            .values(sequence=AgendaSession.sequence + 1)
            .execution_options(synchronize_session=False)
        )
    db.flush()
    audit.record(db, actor, "room.update", room, fields=changed)
    log.info("room %s updated by %s", room.id, actor_label(actor))
    return room


def delete_room(db: Session, *, actor: User, room: Room) -> None:
    """A room with scheduled sessions stays (409); cancelled sessions in it lose their room."""
    check_manageable(actor=actor, event=room.event)
    in_use = select(func.count()).where(
        AgendaSession.room_id == room.id, AgendaSession.status != SessionStatus.CANCELLED
    )
    if db.scalar(in_use):
        raise errors.Conflict(_("Sessions are scheduled in this room. Move or cancel them first."))
    db.execute(
        sql_update(AgendaSession)
        .where(AgendaSession.room_id == room.id)
        .values(room_id=None)
        .execution_options(synchronize_session=False)
    )
    audit.record(db, actor, "room.delete", room, name=room.name)
    db.delete(room)
    db.flush()
    log.info("room %s deleted by %s", room.id, actor_label(actor))


# --- reading sessions ----------------------------------------------------------------------------


@dataclass
class Agenda:
    """Everything the builder shows: the rooms, every session of the event, their conflicts."""

    event: Event
    rooms: list[Room]
    sessions: list[AgendaSession]
    conflicts: dict[int, list[Conflict]] = field(default_factory=dict)

    @property
    def days(self) -> list[date]:
        return event_days(self.event)

    def warnings(self, session: AgendaSession) -> list[Conflict]:
        return self.conflicts.get(session.id, [])

    def day_of(self, session: AgendaSession) -> date:
        return local(self.event, session.starts_at).date()

    def on_day(self, day: date) -> list[AgendaSession]:
        return [s for s in self.sessions if self.day_of(s) == day]

    def outside_days(self) -> list[AgendaSession]:
        days = set(self.days)
        return [s for s in self.sessions if self.day_of(s) not in days]

    def filtered(
        self, *, kind: SessionKind | None = None, room_id: int | None = None, status: SessionStatus | None = None,
        day: date | None = None,
    ) -> list[AgendaSession]:
        return [
            s
            for s in self.sessions
            if (kind is None or s.kind == kind)
            and (room_id is None or s.room_id == room_id)
            and (status is None or s.status == status)
            and (day is None or self.day_of(s) == day)
        ]


def _event_sessions(db: Session, event: Event) -> list[AgendaSession]:
    query = (
        select(AgendaSession)
        .options(*_loaded())
        .where(AgendaSession.event_id == event.id)
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    )
    sessions = list(db.scalars(query).unique())
    for session in sessions:
        set_committed_value(session, "event", event)
    return sessions


def agenda(db: Session, *, viewer: User | None, event: Event) -> Agenda:
    """The whole agenda of the event with each session's conflicts: one query for the rooms,
    one for the sessions, one per loaded list (speakers, invitees) and one for the crossings
    the viewer may see."""
    policy.require(viewer, Action.AGENDA_VIEW, event)
    rooms = list_rooms(db, viewer=viewer, event=event)
    sessions = _event_sessions(db, event)
    crossings = crossing_schedule.windows(db, viewer=viewer, event=event)
    return Agenda(event=event, rooms=rooms, sessions=sessions, conflicts=conflicts_among(event, sessions, crossings))


def get_for_viewer(db: Session, *, viewer: User | None, event: Event, session_id: int) -> AgendaSession:
    """The session of this event, or NotFound (also for a session of another event, and for a
    viewer who may not see the agenda)."""
    session = db.scalar(
        select(AgendaSession).options(*_loaded()).where(AgendaSession.id == session_id, AgendaSession.event_id == event.id)
    )
    if session is None or not policy.can(viewer, Action.AGENDA_VIEW, event):
        raise NotFound()
    set_committed_value(session, "event", event)
    return session


# --- day grid: time × room -----------------------------------------------------------------------

SLOT_MINUTES = 30
DAY_OPENS, DAY_CLOSES = 9 * 60, 18 * 60  # the grid shows at least 09:00 to 18:00


@dataclass
class Cell:
    """One cell of the grid: `session` cells span `rows` rows; an `empty` one is a free half hour
    of its room (rows list no cell where a session's cell reaches down)."""

    kind: str  # "session" | "empty" | "covered"
    sessions: list[AgendaSession] = field(default_factory=list)
    rows: int = 1
    room: Room | None = None


@dataclass
class Row:
    start: time
    cells: list[Cell]


@dataclass
class DayGrid:
    day: date
    columns: list[Room | None]  # None: the sessions without a room
    rows: list[Row]

    @property
    def has_sessions(self) -> bool:
        return any(cell.kind == "session" for row in self.rows for cell in row.cells)


def _minutes(event: Event, day: date, moment: datetime) -> int:
    """Minutes from the day's midnight on the event's wall clock (capped to the day)."""
    wall = local(event, moment).replace(tzinfo=None) - datetime.combine(day, time(0))
    return max(0, min(24 * 60, int(wall.total_seconds() // 60)))


def day_grid(agenda: Agenda, day: date) -> DayGrid:
    """The day as a table of half hours × rooms; sessions span the rows they cover. Sessions
    that overlap in a room (a clash saved before) share one cell."""
    event = agenda.event
    sessions = agenda.on_day(day)
    spans = {s.id: (_minutes(event, day, s.starts_at), _minutes(event, day, s.ends_at) or 24 * 60) for s in sessions}
    opens = min([DAY_OPENS, *(start for start, _ in spans.values())]) // SLOT_MINUTES * SLOT_MINUTES
    closes = max([DAY_CLOSES, *(end for _, end in spans.values())])
    count = max(1, -(-(closes - opens) // SLOT_MINUTES))
    columns: list[Room | None] = list(agenda.rooms)
    if any(s.room_id is None for s in sessions):
        columns.append(None)
    grid: list[list[Cell | None]] = [[None] * len(columns) for _ in range(count)]
    for c, room in enumerate(columns):
        room_id = room.id if room is not None else None
        open_cell: tuple[int, Cell] | None = None  # the cell last placed, and its first row
        for session in (s for s in sessions if s.room_id == room_id):
            start, end = spans[session.id]
            first = min(count - 1, (start - opens) // SLOT_MINUTES)
            last = max(first + 1, min(count, -(-(end - opens) // SLOT_MINUTES)))
            if open_cell is not None and first < open_cell[0] + open_cell[1].rows:
                top, cell = open_cell  # overlaps the previous session: same cell, longer
                cell.sessions.append(session)
                cell.rows = max(cell.rows, last - top)
                continue
            cell = Cell("session", [session], last - first, room)
            grid[first][c] = cell
            open_cell = (first, cell)
        covered: set[int] = set()
        for r in range(count):
            cell = grid[r][c]
            if cell is not None:
                covered.update(range(r + 1, r + cell.rows))
            elif r in covered:
                grid[r][c] = Cell("covered")
            else:
                grid[r][c] = Cell("empty", room=room)
    rows = [
        Row(start=time((opens + r * SLOT_MINUTES) // 60 % 24, (opens + r * SLOT_MINUTES) % 60),
            cells=[cell for cell in grid[r] if cell is not None and cell.kind != "covered"])
        for r in range(count)
    ]
    return DayGrid(day=day, columns=columns, rows=rows)


# --- choices for the forms -----------------------------------------------------------------------


@dataclass
class Choices:
    rooms: list[Room]
    registrations: list[Registration]
    officials: list[Official]
    delegations: list[Delegation]


def choices(db: Session, *, viewer: User | None, event: Event) -> Choices:
    """What the session form offers: the event's rooms, participants, officials and delegations."""
    policy.require(viewer, Action.AGENDA_VIEW, event)
    registrations = db.scalars(
        select(Registration)
        .join(Registration.person)
        .options(joinedload(Registration.person), joinedload(Registration.delegation))
        .where(Registration.event_id == event.id)
        .order_by(func.lower(Person.family_name), func.lower(Person.given_name), Registration.id)
    )
    officials = db.scalars(select(Official).where(Official.event_id == event.id).order_by(Official.name, Official.id))
    delegations = db.scalars(select(Delegation).where(Delegation.event_id == event.id).order_by(Delegation.id))
    return Choices(
        rooms=list_rooms(db, viewer=viewer, event=event),
        registrations=list(registrations.unique()),
        officials=list(officials),
        delegations=list(delegations),
    )


# --- writing sessions ----------------------------------------------------------------------------


@dataclass
class _Resolved:
    """The records a session's input names, each checked to be of the event."""

    data: SessionIn
    room: Room | None
    delegation: Delegation | None
    registrations: dict[int, Registration]
    officials: dict[int, Official]


def _validate(db: Session, event: Event, data: SessionIn) -> _Resolved:
    if data.ends_at <= data.starts_at:
        raise FieldError("ends_at", _("The session must end after it starts."))
    first, after = event_bounds(event)
    dates = format_range(event.starts_on, event.ends_on)
    if not first <= data.starts_at < after:
        raise FieldError("starts_at", _("The event runs %(dates)s: the session must start on one of its days.") % {"dates": dates})
    if data.ends_at > after:
        raise FieldError("ends_at", _("The event runs %(dates)s: the session must end by its last day.") % {"dates": dates})

    room = None
    if data.room_id is not None:
        room = db.scalar(select(Room).where(Room.id == data.room_id, Room.event_id == event.id))
        if room is None:
            raise FieldError("room_id", _("Choose a room of this event."))

    delegation = None
    if data.audience == "delegation":
        if data.audience_delegation_id is None:
            raise FieldError("audience_delegation_id", _("Choose the delegation this session is for."))
        delegation = db.scalar(
            select(Delegation).where(Delegation.id == data.audience_delegation_id, Delegation.event_id == event.id)
        )
        if delegation is None:
            raise FieldError("audience_delegation_id", _("Choose a delegation of this event."))
    elif data.audience_delegation_id is not None:
        data = data.model_copy(update={"audience_delegation_id": None})

    keys = [(s.registration_id, s.official_id) for s in data.speakers]
    if len(set(keys)) != len(keys):
        raise FieldError("speakers", _("The same person is listed twice among the speakers."))
    wanted = {s.registration_id for s in data.speakers if s.registration_id} | set(data.invitee_ids)
    registrations: dict[int, Registration] = {}
    if wanted:
        found = db.scalars(
            select(Registration)
            .options(joinedload(Registration.person))
            .where(Registration.id.in_(wanted), Registration.event_id == event.id)
        )
        registrations = {r.id: r for r in found}
    officials: dict[int, Official] = {}
    if official_ids := {s.official_id for s in data.speakers if s.official_id}:
        found_officials = db.scalars(select(Official).where(Official.id.in_(official_ids), Official.event_id == event.id))
        officials = {o.id: o for o in found_officials}
    for n, speaker in enumerate(data.speakers, start=1):
        if speaker.registration_id is not None and speaker.registration_id not in registrations:
            raise FieldError("speakers", _("Speaker %(n)s is not a participant of this event.") % {"n": n})
        if speaker.official_id is not None and speaker.official_id not in officials:
            raise FieldError("speakers", _("Speaker %(n)s is not an official of this event.") % {"n": n})
    if any(i not in registrations for i in data.invitee_ids):
        raise FieldError("invitee_ids", _("Invite participants of this event only."))
    return _Resolved(data, room, delegation, registrations, officials)


def _apply(session: AgendaSession, resolved: _Resolved) -> list[str]:
    """Write the input into the session; the names of the fields that changed."""
    data = resolved.data
    changed = []
    for key in SCALAR_FIELDS:
        value = getattr(data, key)
        if getattr(session, key) != value:
            setattr(session, key, value)
            changed.append(key)
    if "room_id" in changed or session.room is not resolved.room:
        session.room = resolved.room
    if "audience_delegation_id" in changed or session.audience_delegation is not resolved.delegation:
        session.audience_delegation = resolved.delegation
    if _apply_translations(session, data.translations):
        changed.append("translations")

    existing = {(s.registration_id, s.official_id): s for s in session.speakers}
    speakers = []
    for position, item in enumerate(data.speakers):
        speaker = existing.pop((item.registration_id, item.official_id), None)
        if speaker is None:
            speaker = SessionSpeaker(
                registration=resolved.registrations.get(item.registration_id)  # type: ignore[arg-type]
                if item.registration_id else None,
                official=resolved.officials.get(item.official_id) if item.official_id else None,  # type: ignore[arg-type]
                role=item.role,
                position=position,
            )
        else:
            speaker.role, speaker.position = item.role, position
        speakers.append(speaker)
    before = [(s.registration_id, s.official_id, s.role) for s in session.speakers]
    after = [(s.registration_id, s.official_id, s.role) for s in data.speakers]
    if before != after:
        changed.append("speakers")
    session.speakers = speakers

    invited = {i.registration_id: i for i in session.invitees}
    if set(invited) != set(data.invitee_ids):
        changed.append("invitee_ids")
        session.invitees = [
            invited.get(i) or SessionInvitee(registration=resolved.registrations[i]) for i in data.invitee_ids
        ]
    return changed


def _apply_translations(session: AgendaSession, wanted: Mapping[str, TranslationIn]) -> bool:
    """The session's translations made those wanted (by language); whether any changed."""
    existing = {t.language: t for t in session.translations}
    if {code: (t.title, t.description) for code, t in existing.items()} == {
        code: (t.title, t.description) for code, t in wanted.items()
    }:
        return False
    kept = []
    for code, given in sorted(wanted.items()):
        translation = existing.get(code) or SessionTranslation(language=code)
        translation.title, translation.description = given.title, given.description
        kept.append(translation)
    session.translations = kept
    return True


def create_session(
    db: Session, *, actor: User, event: Event, data: SessionIn, confirm: bool = False
) -> AgendaSession:
    """A new session. A room clash refuses it (FieldError on `room_id`); other conflicts raise
    ConflictWarning unless `confirm`."""
    check_manageable(actor=actor, event=event)
    resolved = _validate(db, event, data)
    confirmed = _check_conflicts(db, actor, event, Slot.of_input(resolved.data, None, resolved.registrations), confirm=confirm)
    session = AgendaSession(
        event=event, room=None, audience_delegation=None, speakers=[], invitees=[], translations=[], sequence=0
    )
    _apply(session, resolved)
    db.add(session)
    db.flush()
    audit.record(db, actor, "session.create", session, confirmed=sorted({c.kind for c in confirmed}))
    log.info("session %s created by %s", session.id, actor_label(actor))
    return session


def update_session(
    db: Session, *, actor: User, session: AgendaSession, changes: Mapping[str, Any], confirm: bool = False
) -> AgendaSession:
    """Change the given fields (as SessionIn names them; speakers and invitees replace the
    lists). Checked as a new session is; a change a calendar shows makes `sequence` grow."""
    event = session.event
    check_manageable(actor=actor, event=event)
    try:
        data = SessionIn.model_validate({**SessionIn.of(session).model_dump(), **dict(changes)})
    except ValidationError as exc:  # the changes, judged together with what they leave as it is
        first = exc.errors()[0]
        raise FieldError(str(first["loc"][0]) if first["loc"] else "session", first["msg"].removeprefix("Value error, ")) from None
    resolved = _validate(db, event, data)
    confirmed = _check_conflicts(
        db, actor, event, Slot.of_input(resolved.data, session.id, resolved.registrations), confirm=confirm
    )
    before = itinerary_changes.session_before(session)
    changed = _apply(session, resolved)
    if not changed:
        return session
    if CALENDAR_FIELDS & set(changed):
        session.sequence += 1
    db.flush()
    audit.record(db, actor, "session.update", session, fields=changed, confirmed=sorted({c.kind for c in confirmed}))
    itinerary_changes.record_session_change(db, session=session, changed_fields=changed, before=before)
    log.info("session %s updated by %s", session.id, actor_label(actor))
    return session


def move_session(
    db: Session, *, actor: User, session: AgendaSession, starts_at: datetime, room_id: int | None,
    confirm: bool = False,
) -> AgendaSession:
    """Another start (and room); the session keeps its length."""
    length = session.ends_at - session.starts_at
    changes = {"starts_at": starts_at, "ends_at": starts_at + length, "room_id": room_id}
    return update_session(db, actor=actor, session=session, changes=changes, confirm=confirm)


def cancel_session(db: Session, *, actor: User, session: AgendaSession) -> AgendaSession:
    """Cancelled, not deleted: calendars learn of it (STATUS:CANCELLED) and it conflicts no more."""
    check_manageable(actor=actor, event=session.event)
    if session.status == SessionStatus.CANCELLED:
        return session
    before = itinerary_changes.session_before(session)
    session.status = SessionStatus.CANCELLED
    session.sequence += 1
    db.flush()
    audit.record(db, actor, "session.cancel", session)
    itinerary_changes.record_session_change(db, session=session, changed_fields=["status"], before=before)
    log.info("session %s cancelled by %s", session.id, actor_label(actor))
    return session


def reinstate_session(db: Session, *, actor: User, session: AgendaSession, confirm: bool = False) -> AgendaSession:
    """Scheduled again, if its room is still free (and its speakers, unless confirmed)."""
    return update_session(db, actor=actor, session=session, changes={"status": SessionStatus.SCHEDULED}, confirm=confirm)


def duplicate_session(db: Session, *, actor: User, session: AgendaSession) -> AgendaSession:
    """A copy at the same time, without a room and internal, to be placed: its speakers'
    clash with the original shows in the builder until it is moved."""
    check_manageable(actor=actor, event=session.event)
    limit = AgendaSession.__table__.c.title.type.length
    title = _("%(title)s (copy)") % {"title": session.title}
    translations = []
    for t in session.translations:
        with i18n.use_language(t.language):  # "(copy)" in the translation's own language
            copied = _("%(title)s (copy)") % {"title": t.title} if t.title else ""
        translations.append(SessionTranslation(language=t.language, title=copied[:limit], description=t.description))
    copy = AgendaSession(
        event=session.event,
        kind=session.kind,
        title=title[:limit],
        description=session.description,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room=None,
        topics=list(session.topics or []),
        audience=session.audience,
        audience_delegation=session.audience_delegation,
        chatham_house=session.chatham_house,
        is_published=False,
        status=SessionStatus.SCHEDULED,
        sequence=0,
        notes=session.notes,
        speakers=[
            SessionSpeaker(registration=s.registration, official=s.official, role=s.role, position=s.position)
            for s in session.speakers
        ],
        invitees=[SessionInvitee(registration=i.registration) for i in session.invitees],
        translations=translations,
    )
    db.add(copy)
    db.flush()
    audit.record(db, actor, "session.duplicate", copy, source_id=session.id)
    log.info("session %s duplicated as %s by %s", session.id, copy.id, actor_label(actor))
    return copy


def set_translations(
    db: Session, *, actor: User, session: AgendaSession, translations: Mapping[str, TranslationIn]
) -> AgendaSession:
    """The session's title and description in other languages: those given (by language code of
    app.i18n.LANGUAGES); the others go. Nothing a conflict depends on changes, so none is
    checked; a calendar shows the new words (`sequence` grows)."""
    check_manageable(actor=actor, event=session.event)
    if not _apply_translations(session, translations):
        return session
    session.sequence += 1
    db.flush()
    audit.record(db, actor, "session.translate", session, languages=sorted(translations))
    log.info("session %s translations set by %s", session.id, actor_label(actor))
    return session


def delete_session(db: Session, *, actor: User, session: AgendaSession) -> None:
    check_manageable(actor=actor, event=session.event)
    audit.record(db, actor, "session.delete", session, title=session.title)
    itinerary_changes.record_session_deleted(db, session=session)  # before its speakers go
    db.delete(session)
    db.flush()
    log.info("session %s deleted by %s", session.id, actor_label(actor))
