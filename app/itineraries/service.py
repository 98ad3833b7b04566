"""Itineraries: a registration's own programme, derived from the agenda and the crossings.

Nothing of an itinerary is typed in: it is read from the delegation's crossings (those the
person is on the manifest of; all of the delegation's while a crossing has no manifest yet), the
sessions whose audience includes them (everyone; core members when they are core; their
delegation; the invited list they are on), the sessions they moderate or speak at (with their
role), by day in the event's timezone. A delegate reads published sessions only, and internal
ones they speak at or are invited to; internal notes are never part of it. Staff who may see the
registration read the same itinerary as the delegate.

Few queries whatever the size of the programme: the sessions, their speakers, the person's
invitations, the crossings with their manifests, and the unseen changes; a delegation's zip reads
the same for all of its people at once. The read model holds plain values only. Sessions' titles
and descriptions are in the reader's language where translated, and the changes are worded in it.

The private calendar feed: a token of 256 bits, shown once, of which only the hash is kept; a new
one revokes the old; a revoked token answers 404 at once. Polling a feed writes nothing.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, exists, select, update
from sqlalchemy.orm import Session, joinedload

from app import audit, i18n, policy
from app.accounts.models import User
from app.accounts.service import normalise_email
from app.agenda.models import (
    AgendaSession,
    Audience,
    SessionInvitee,
    SessionKind,
    SessionStatus,
    SessionTranslation,
    SpeakerRole,
)
from app.agenda.models import Room as RoomModel
from app.agenda.programme import EVENT_ID, LANGUAGE, Speaker, speakers_with_roles
from app.crossings.models import Crossing, CrossingDirection, CrossingPoint, ManifestEntry
from app.db import utcnow
from app.delegations.models import Delegation
from app.errors import NotFound
from app.events.models import Event
from app.i18n import _
from app.itineraries import changes as notices
from app.itineraries.models import ChangeKind, ItineraryChange, ItineraryFeed
from app.mail import service as mail
from app.policy import Action
from app.registrations.models import HOLDS_PLACE, Circle, Person, Registration, RegistrationStatus
from app.security import new_token, token_hash

log = logging.getLogger(__name__)

# Registrations that have no itinerary (shown empty, with the reason).
WITHOUT_ITINERARY = frozenset({RegistrationStatus.DECLINED, RegistrationStatus.CANCELLED})
# How long a crossing is shown in a calendar after its planned time.
CROSSING_LENGTH = timedelta(hours=1)
SESSION_CHANGES = frozenset({ChangeKind.SESSION_MOVED, ChangeKind.SESSION_ROOM, ChangeKind.SESSION_CANCELLED})
TOKEN_MAX = 100


@dataclass(frozen=True)
class CrossingInfo:
    direction: CrossingDirection
    point: str  # "Voskepar (AM) / Ashaghi Askipara (AZ)"
    name_a: str
    name_b: str
    planned: datetime  # event's zone
    meeting_point: str
    meeting: datetime | None  # event's zone


@dataclass(frozen=True)
class Entry:
    """One line of an itinerary: a session or a crossing; `start`/`end` in the event's zone."""

    key: str  # "session-<id>" or "crossing-<id>"
    uid: str  # the calendar UID: the same for the life of the session or crossing
    title: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    start: datetime
    end: datetime
    location: str
    sequence: int
    created_at: datetime
    updated_at: datetime
    cancelled: bool = False
    kind: SessionKind | None = None  # None for a crossing
    description: str = ""  # Markdown
    role: SpeakerRole | None = None  # theirs, when they moderate or speak
    reason: str = ""  # why it is theirs: everyone, core, delegation, invited, speaker, crossing
    internal: bool = False
    chatham_house: bool = False
    speakers: list[Speaker] = field(default_factory=list)
    crossing: CrossingInfo | None = None
    changes: list[str] = field(default_factory=list)  # unseen changes, in words

    @property
    def is_crossing(self) -> bool:
        return self.crossing is not None


@dataclass(frozen=True)
class Day:
    index: int  # from 1
    date: date
    entries: list[Entry]


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    subject_id: int
    summary: str
    created_at: datetime


@dataclass(frozen=True)
class Itinerary:
    registration: Registration
    event: Event
    zone: ZoneInfo
    days: list[Day]
    # Why there is nothing to show (a declined or cancelled registration), or "".
    explanation: str = ""
    changes: list[Change] = field(default_factory=list)
    # The words for the session kinds and speaker roles in the reader's language, for the
    # templates: looked up once, not for each entry and speaker.
    labels: dict[SessionKind | SpeakerRole, str] = field(default_factory=dict)

    @property
    def timezone(self) -> str:
        return self.event.timezone

    @property
    def entries(self) -> list[Entry]:
        return [e for day in self.days for e in day.entries]

    @property
    def days_with_entries(self) -> list[Day]:
        return [day for day in self.days if day.entries]

    @property
    def person_name(self) -> str:
        return self.registration.person.display_name


# --- reading ---------------------------------------------------------------------------------------


# Plain columns, not ORM objects: an itinerary reads values only.
_SESSION_COLUMNS = (
    AgendaSession.id, AgendaSession.uid, AgendaSession.kind, AgendaSession.title,
    AgendaSession.description, AgendaSession.starts_at, AgendaSession.ends_at,
    AgendaSession.audience, AgendaSession.audience_delegation_id, AgendaSession.chatham_house,
    AgendaSession.is_published, AgendaSession.status, AgendaSession.sequence,
    AgendaSession.created_at, AgendaSession.updated_at, RoomModel.name.label("room_name"),
)


class _SessionRow(NamedTuple):
    """A row of `_session_query`, its columns in its order, as a plain tuple: each is read a
    score of times per itinerary, and a result row's attributes cost many times a tuple's."""

    id: int
    uid: str
    kind: SessionKind
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    audience: Audience
    audience_delegation_id: int | None
    chatham_house: bool
    is_published: bool
    status: SessionStatus
    sequence: int
    created_at: datetime
    updated_at: datetime
    room_name: str | None
    translated_title: str | None
    translated_description: str | None
    invited: bool = False  # read for one registration only


@dataclass(frozen=True)
class _Crossing:
    crossing: Crossing
    has_manifest: bool
    listed: set[int]  # of the registrations asked for, those on its manifest


@dataclass
class _Source:
    """What the itineraries of some registrations of one event are made from, loaded at once."""

    sessions: list[_SessionRow]
    speakers: dict[int, list[Speaker]]  # session id → its speakers, as the programme lists them
    roles: dict[tuple[int, int], SpeakerRole]  # (session id, registration id) → their role
    invited: dict[int, set[int]]  # registration id → session ids
    crossings: list[_Crossing]
    changes: dict[int, list[ItineraryChange]]  # registration id → unseen changes


# The statements are built once and run with their parameters: building a SELECT of a dozen
# columns and joins costs more than running it. Those of plain columns run on the session's
# connection (in its transaction): the ORM's result machinery has nothing to add to them.
REGISTRATION_ID = bindparam("registration_id")
REGISTRATION_IDS = bindparam("registration_ids", expanding=True)
DELEGATION_IDS = bindparam("delegation_ids", expanding=True)
PERSON_ID = bindparam("person_id")


@cache
def _session_query(*, with_invited: bool) -> Select[Any]:
    """The event's sessions with their room and their translation into the reader's language;
    `with_invited`: whether the one registration asked for is invited to each."""
    t = SessionTranslation
    query = (
        select(*_SESSION_COLUMNS, t.title.label("translated_title"), t.description.label("translated_description"))
        .outerjoin(RoomModel, AgendaSession.room_id == RoomModel.id)
        .outerjoin(t, and_(t.session_id == AgendaSession.id, t.language == LANGUAGE))
        .where(AgendaSession.event_id == EVENT_ID)
        .order_by(AgendaSession.starts_at, AgendaSession.ends_at, AgendaSession.id)
    )
    if with_invited:
        invited = exists().where(
            SessionInvitee.session_id == AgendaSession.id, SessionInvitee.registration_id == REGISTRATION_ID
        )
        query = query.add_columns(invited.label("invited"))
    return query


@cache
def _crossing_query(*, with_listed: bool) -> Select[Any]:
    """The crossings of some delegations of the event; `with_listed`: whether the one
    registration asked for is on each one's manifest."""
    has_manifest = exists().where(ManifestEntry.crossing_id == Crossing.id).label("has_manifest")
    query = (
        select(Crossing, has_manifest)
        .where(Crossing.event_id == EVENT_ID, Crossing.delegation_id.in_(DELEGATION_IDS))
        .options(
            joinedload(Crossing.crossing_point).load_only(
                CrossingPoint.id, CrossingPoint.name_a, CrossingPoint.country_a,
                CrossingPoint.name_b, CrossingPoint.country_b, raiseload=True,
            ),
        )
        .order_by(Crossing.planned_at, Crossing.id)
    )
    if with_listed:
        listed = exists().where(
            ManifestEntry.crossing_id == Crossing.id, ManifestEntry.registration_id == REGISTRATION_ID
        )
        query = query.add_columns(listed.label("listed"))
    return query


@cache
def _change_query() -> Select[Any]:
    """The unseen changes of some registrations."""
    return (
        select(ItineraryChange)
        .where(ItineraryChange.registration_id.in_(REGISTRATION_IDS), ItineraryChange.seen_at.is_(None))
        .order_by(ItineraryChange.created_at, ItineraryChange.id)
    )


def _load(
    db: Session, event: Event, registrations: Sequence[Registration], *, with_changes: bool, batch: bool = False
) -> _Source:
    """Sessions (with speakers), crossings and unseen changes. For one registration whether it
    is invited and on each manifest comes with the rows; for a batch, in one more query each."""
    ids = [r.id for r in registrations]
    invited: dict[int, set[int]] = {i: set() for i in ids}
    crossings: list[_Crossing] = []
    params: dict[str, Any] = {
        "event_id": event.id,
        "language": i18n.current_language(),
        "delegation_ids": sorted({r.delegation_id for r in registrations}),
    }
    if not batch:
        (rid,) = ids
        params["registration_id"] = rid
        result = db.connection().execute(_session_query(with_invited=True), params)
        sessions = [_SessionRow(*row) for row in result]
        invited[rid].update(row.id for row in sessions if row.invited)
        for crossing, has_manifest, on_it in db.execute(_crossing_query(with_listed=True), params):
            crossings.append(_Crossing(crossing, bool(has_manifest), {rid} if on_it else set()))
    else:
        result = db.connection().execute(_session_query(with_invited=False), params)
        sessions = [_SessionRow(*row) for row in result]
        rows = db.execute(
            select(SessionInvitee.registration_id, SessionInvitee.session_id)
            .join(AgendaSession, SessionInvitee.session_id == AgendaSession.id)
            .where(AgendaSession.event_id == event.id, SessionInvitee.registration_id.in_(ids))
        )
        for registration_id, session_id in rows:
            invited[registration_id].add(session_id)
        loaded = list(db.execute(_crossing_query(with_listed=False), params))
        entries: dict[int, set[int]] = {}
        if loaded:
            for crossing_id, registration_id in db.execute(
                select(ManifestEntry.crossing_id, ManifestEntry.registration_id).where(
                    ManifestEntry.crossing_id.in_([c.id for c, _has in loaded]), ManifestEntry.registration_id.in_(ids)
                )
            ):
                entries.setdefault(crossing_id, set()).add(registration_id)
        crossings = [_Crossing(c, bool(has), entries.get(c.id, set())) for c, has in loaded]
    changes: dict[int, list[ItineraryChange]] = {i: [] for i in ids}
    if with_changes and ids:
        for change in db.scalars(_change_query(), {"registration_ids": ids}):
            changes[change.registration_id].append(change)
    speakers, roles = speakers_with_roles(db, event, complete=True)
    return _Source(sessions=sessions, speakers=speakers, roles=roles, invited=invited, crossings=crossings,
                   changes=changes)


def _reason(session: _SessionRow, registration: Registration, role: SpeakerRole | None, invited: bool) -> str:
    """Why the session is in the registration's itinerary, or "" when it is not."""
    if role is not None:
        return "speaker"
    if invited:
        return "invited"
    if session.audience == Audience.EVERYONE:
        return "everyone"
    if session.audience == Audience.CORE and registration.circle == Circle.CORE:
        return "core"
    if session.audience == Audience.DELEGATION and session.audience_delegation_id == registration.delegation_id:
        return "delegation"
    return ""


def _session_entry(
    session: _SessionRow, source: _Source, registration: Registration, zone: ZoneInfo, event: Event, invited: bool
) -> Entry | None:
    role = source.roles.get((session.id, registration.id))
    reason = _reason(session, registration, role, invited)
    # Internal sessions only for those who take part in them (speakers and invitees).
    if not reason or (not session.is_published and reason not in ("speaker", "invited")):
        return None
    return Entry(
        key=f"session-{session.id}",
        uid=f"{session.uid}-{registration.id}@parley",
        title=session.translated_title or session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        start=session.starts_at.astimezone(zone),
        end=session.ends_at.astimezone(zone),
        location=session.room_name if session.room_name is not None else (event.venue or event.city),
        sequence=session.sequence,
        created_at=session.created_at,
        updated_at=session.updated_at,
        cancelled=session.status == SessionStatus.CANCELLED,
        kind=session.kind,
        description=session.translated_description or session.description or "",
        role=role,
        reason=reason,
        internal=not session.is_published,
        chatham_house=session.chatham_house,
        speakers=source.speakers.get(session.id, []),
    )


def crossing_sequence(crossing: Crossing) -> int:
    """A crossing has no revision counter: the seconds from its creation to its latest change
    are stable between fetches and grow with every change."""
    return max(0, int((crossing.updated_at - crossing.created_at).total_seconds()))


def _crossing_title(crossing: Crossing) -> str:
    point = crossing.crossing_point
    if crossing.direction == CrossingDirection.ARRIVAL:
        return _("Arrival crossing: %(a)s / %(b)s") % {"a": point.name_a, "b": point.name_b}
    return _("Departure crossing: %(a)s / %(b)s") % {"a": point.name_a, "b": point.name_b}


def _crossing_entry(loaded: _Crossing, registration: Registration, zone: ZoneInfo) -> Entry | None:
    crossing = loaded.crossing
    # On the manifest once there is one; until then, every crossing of their delegation.
    if crossing.delegation_id != registration.delegation_id or (
        loaded.has_manifest and registration.id not in loaded.listed
    ):
        return None
    point = crossing.crossing_point
    starts_at = crossing.meeting_at if crossing.meeting_at is not None else crossing.planned_at
    ends_at = max(crossing.planned_at, starts_at) + CROSSING_LENGTH
    meeting = crossing.meeting_at.astimezone(zone) if crossing.meeting_at is not None else None
    return Entry(
        key=f"crossing-{crossing.id}",
        uid=f"crossing-{crossing.id}-{registration.id}@parley",
        title=_crossing_title(crossing),
        starts_at=starts_at,
        ends_at=ends_at,
        start=starts_at.astimezone(zone),
        end=ends_at.astimezone(zone),
        location=crossing.meeting_point or point.label,
        sequence=crossing_sequence(crossing),
        created_at=crossing.created_at,
        updated_at=crossing.updated_at,
        reason="crossing",
        crossing=CrossingInfo(
            direction=crossing.direction,
            point=point.label,
            name_a=point.name_a,
            name_b=point.name_b,
            planned=crossing.planned_at.astimezone(zone),
            meeting_point=crossing.meeting_point,
            meeting=meeting,
        ),
    )


def explanation(registration: Registration) -> str:
    if registration.status == RegistrationStatus.DECLINED:
        return _("Your registration was declined, so there is no itinerary for this event.")
    if registration.status == RegistrationStatus.CANCELLED:
        return _("This registration was cancelled, so there is no itinerary for this event.")
    return ""


def _derive(source: _Source, event: Event, registration: Registration) -> Itinerary:
    zone = ZoneInfo(event.timezone)
    if registration.status in WITHOUT_ITINERARY:
        return Itinerary(registration=registration, event=event, zone=zone, days=[],
                         explanation=explanation(registration), changes=[])
    unseen = source.changes.get(registration.id, [])
    changes = [Change(c.kind, c.subject_id, notices.describe(c, event), c.created_at) for c in unseen]
    session_changes: dict[int, list[str]] = {}
    crossing_changes: dict[int, list[str]] = {}
    for c in changes:
        target = session_changes if c.kind in SESSION_CHANGES else crossing_changes
        target.setdefault(c.subject_id, []).append(c.summary)
    invited = source.invited.get(registration.id, set())
    entries: list[Entry] = []
    for crossing in source.crossings:
        if (entry := _crossing_entry(crossing, registration, zone)) is not None:
            entries.append(_with_changes(entry, crossing_changes.get(crossing.crossing.id, [])))
    for session in source.sessions:
        if (entry := _session_entry(session, source, registration, zone, event, session.id in invited)) is not None:
            entries.append(_with_changes(entry, session_changes.get(session.id, [])))
    entries.sort(key=lambda e: (e.starts_at, e.ends_at, e.key))
    by_day: dict[date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.start.date(), []).append(entry)
    dates = set(by_day)
    current = event.starts_on
    while current <= event.ends_on:
        dates.add(current)
        current += timedelta(days=1)
    days = [Day(index=n, date=d, entries=by_day.get(d, [])) for n, d in enumerate(sorted(dates), start=1)]
    labels = i18n.labels(SessionKind, SpeakerRole)
    return Itinerary(registration=registration, event=event, zone=zone, days=days, changes=changes, labels=labels)


def _with_changes(entry: Entry, changes: list[str]) -> Entry:
    if not changes:
        return entry
    return replace(entry, changes=list(changes))


def build(db: Session, *, registration: Registration, with_changes: bool = True) -> Itinerary:
    """The itinerary of a registration whose event, delegation and person are loaded; no
    permission check (callers check one, or hold the feed's token)."""
    source = _load(db, registration.event, [registration], with_changes=with_changes)
    return _derive(source, registration.event, registration)


def for_registration(db: Session, *, viewer: User, registration: Registration) -> Itinerary:
    """The registration's itinerary, for the person, their coordinators, organisers, admins."""
    policy.require(viewer, Action.REGISTRATION_VIEW, registration)
    return build(db, registration=registration)


def for_delegation(db: Session, *, viewer: User, delegation: Delegation) -> list[Itinerary]:
    """The itineraries of a delegation's confirmed people, by name; read in as many queries
    as one itinerary."""
    policy.require(viewer, Action.PARTICIPANT_LIST, delegation)
    registrations = list(
        db.scalars(
            select(Registration)
            .join(Person, Registration.person_id == Person.id)
            .options(joinedload(Registration.person), joinedload(Registration.event), joinedload(Registration.delegation))
            .where(Registration.delegation_id == delegation.id, Registration.status.in_(HOLDS_PLACE))
            .order_by(Person.family_name, Person.given_name, Registration.id)
        )
    )
    if not registrations:
        return []
    event = registrations[0].event
    source = _load(db, event, registrations, with_changes=False, batch=True)
    return [_derive(source, event, r) for r in registrations]


@cache
def _own_registration_query() -> Select[Any]:
    return (
        select(Registration)
        .join(Event, Registration.event_id == Event.id)
        .options(joinedload(Registration.event), joinedload(Registration.delegation), joinedload(Registration.person))
        .where(Registration.person_id == PERSON_ID)
        .order_by(Event.starts_on, Registration.id)
    )


def own_registrations(db: Session, *, user: User) -> list[Registration]:
    """The signed-in person's registrations, their events' dates ascending (one query)."""
    if user.person is None:
        return []
    return list(db.scalars(_own_registration_query(), {"person_id": user.person.id}))


def choose(registrations: Sequence[Registration], *, registration_id: int | None, today: date) -> Registration:
    """The registration asked for (among the person's own; any other is NotFound), or that of
    their current or next event, or else of their latest one."""
    if registration_id is not None:
        for registration in registrations:
            if registration.id == registration_id:
                return registration
        raise NotFound()
    if not registrations:
        raise NotFound(_("You have no registrations yet."))
    live = [r for r in registrations if r.status not in WITHOUT_ITINERARY]
    candidates = live or list(registrations)
    upcoming = [r for r in candidates if r.event.ends_on >= today]
    return upcoming[0] if upcoming else candidates[-1]


def mark_seen(db: Session, *, viewer: User, registration: Registration) -> int:
    """The person has looked at their itinerary: its changes are no longer marked (one UPDATE).
    Staff looking at it change nothing."""
    if registration.person_id != policy.person_id(viewer):
        return 0
    result = db.execute(
        update(ItineraryChange)
        .where(ItineraryChange.registration_id == registration.id, ItineraryChange.seen_at.is_(None))
        .values(seen_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- the private calendar feed ----------------------------------------------------------------------


def _check_own(viewer: User, registration: Registration) -> None:
    """Only the person makes or revokes their feed; anyone else's registration is not found."""
    if registration.person_id != policy.person_id(viewer):
        raise NotFound()
    policy.require(viewer, Action.REGISTRATION_EDIT, registration)


@cache
def _active_feed_query() -> Select[Any]:
    return (
        select(ItineraryFeed)
        .where(ItineraryFeed.registration_id == REGISTRATION_ID, ItineraryFeed.revoked_at.is_(None))
        .order_by(ItineraryFeed.created_at.desc(), ItineraryFeed.id.desc())
        .limit(1)
    )


def active_feed(db: Session, *, registration: Registration) -> ItineraryFeed | None:
    return db.scalar(_active_feed_query(), {"registration_id": registration.id})


def _revoke_all(db: Session, registration: Registration) -> int:
    result = db.execute(
        update(ItineraryFeed)
        .where(ItineraryFeed.registration_id == registration.id, ItineraryFeed.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def create_feed(db: Session, *, actor: User, registration: Registration) -> str:
    """A new subscription address (any earlier one stops working); returns the token, which is
    not kept and cannot be shown again."""
    _check_own(actor, registration)
    renewed = _revoke_all(db, registration)
    token = new_token(32)
    feed = ItineraryFeed(registration=registration, token_hash=token_hash(token))
    db.add(feed)
    db.flush()
    audit.record(db, actor, "itinerary.feed_created", registration, renewed=bool(renewed))
    log.info("itinerary feed %s of registration %s created by %s", feed.id, registration.id, actor.id)
    return token


def revoke_feed(db: Session, *, actor: User, registration: Registration) -> bool:
    _check_own(actor, registration)
    revoked = _revoke_all(db, registration)
    if revoked:
        audit.record(db, actor, "itinerary.feed_revoked", registration)
        log.info("itinerary feeds of registration %s revoked by %s", registration.id, actor.id)
    return bool(revoked)


def registration_for_token(db: Session, *, token: str) -> Registration:
    """The registration of a live feed token; unknown, revoked and renewed tokens are NotFound.
    Nothing is written: polling leaves no trace."""
    if not token or len(token) > TOKEN_MAX:
        raise NotFound()
    feed = db.scalar(
        select(ItineraryFeed)
        .options(
            joinedload(ItineraryFeed.registration).options(
                joinedload(Registration.event), joinedload(Registration.delegation), joinedload(Registration.person)
            )
        )
        .where(ItineraryFeed.token_hash == token_hash(token), ItineraryFeed.revoked_at.is_(None))
    )
    if feed is None:
        raise NotFound()
    return feed.registration


def feed_language(db: Session, *, registration: Registration) -> str | None:
    """The language the person chose for their account, for their calendar feed (a calendar
    app asks in no language of theirs); None when they have no account or made no choice."""
    email = registration.person.email
    if not email:
        return None
    return mail.recipients_languages(db, [email]).get(normalise_email(email))

