"""The post-event summary's read model: the event's record, assembled in a fixed number of queries.

`assemble()` reads what the summary shows, in one variant, as plain values (no ORM object that
a template or an export could lazily load more from):

- the overview (the event itself) and the organisers' introduction and conclusion;
- participation: registrations by delegation × circle × category, registered and attended, in
  one GROUP BY. "Registered" counts the registrations that held a confirmed place (confirmed,
  attended, no-show: `HOLDS_PLACE`); "attended" those checked in as attended. Invitations not
  taken up, pending, waitlisted, declined and cancelled registrations are not counted;
- the agenda as held: the scheduled (not cancelled) sessions by day in the event's timezone,
  with their speakers, in one query;
- the officials met (those who took part in a session the summary shows);
- the crossings: times and head counts, never names;
- outcomes and key points, the recommendations agreed and the media coverage, from their own
  domains' services (`rows_for_event`, `agreed_for_event`, `coverage_for_event`), and the
  published statements with their current texts, in one query.

Seven queries in all (the words and the participation share one), whatever the number of rows:
with the sign-in and the event, the page makes nine.

The two variants:

- internal (SUMMARY_VIEW): everything above, with the speakers' names and the internal sessions;
- public: no personal data (no participant is named; officials by title and institution only),
  only sessions that are published, for everyone and not cancelled, only public outcomes of
  those sessions, and only the crossings that were completed.

Under the Chatham House Rule no speaker, moderator or official of the session is named or
placed anywhere in the summary, in any variant (its outcome stays, unattributed), and an
official who met the participants only under the rule is not listed either.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Result, Select, and_, case, func, select
from sqlalchemy.orm import Session

from app import i18n
from app.agenda.models import (
    AgendaSession,
    Audience,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    SpeakerRole,
)
from app.agenda.models import Room as RoomModel
from app.agenda.programme import EVENT_ID, SPEAKER_ORDER
from app.crossings.models import (
    Crossing,
    CrossingDirection,
    CrossingPoint,
    CrossingStatus,
    ManifestEntry,
    ManifestStatus,
)
from app.db import utcnow
from app.delegations.models import Delegation
from app.events.models import Event, EventKind, EventStatus
from app.i18n import N_, _
from app.officials.models import Official
from app.outcomes import service as outcomes_service
from app.press import schemas as press_schemas
from app.press import service as press_service
from app.press.models import PressItem, PressKind, PressStatus, PressVersion
from app.recommendations import service as recommendations_service
from app.recommendations.models import RecommendationArea, RecommendationStatus
from app.registrations.models import (
    HOLDS_PLACE,
    Category,
    Circle,
    Person,
    Registration,
    RegistrationStatus,
)
from app.summaries.models import EventSummary


class Variant(StrEnum):
    INTERNAL = "internal"
    PUBLIC = "public"


# The summary's words for these values, translated where shown (`_(CIRCLE_LABELS[circle])`); the
# speakers' roles and the kinds of session are their enum labels (app.i18n.label).
CIRCLE_LABELS = {Circle.CORE: N_("Core members"), Circle.BROADER: N_("Broader circle")}
CATEGORY_LABELS = {
    Category.CIVIL_SOCIETY: N_("Civil society"),
    Category.EXPERT: N_("Experts"),
    Category.MEDIA: N_("Media"),
    Category.OFFICIAL: N_("Officials"),
    Category.STAFF: N_("Staff"),
}


# --- the record --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    id: int
    title: str
    kind: EventKind
    status: EventStatus
    starts_on: date
    ends_on: date
    timezone: str
    venue: str
    city: str
    host_country: str
    initiative: str | None
    description: str

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class Cell:
    """Registrations of one delegation in one circle and category."""

    delegation_id: int
    delegation: str
    circle: Circle
    category: Category
    registered: int
    attended: int

    @property
    def circle_label(self) -> str:
        return _(CIRCLE_LABELS[self.circle])

    @property
    def category_label(self) -> str:
        return _(CATEGORY_LABELS[self.category])


@dataclass(frozen=True)
class Tally:
    """Registered and attended for one delegation, circle or category (`key` names it)."""

    key: str
    label: str
    registered: int
    attended: int


@dataclass(frozen=True)
class Participation:
    cells: list[Cell]
    by_delegation: list[Tally]
    by_circle: list[Tally]
    by_category: list[Tally]

    @property
    def registered(self) -> int:
        return sum(t.registered for t in self.by_delegation)

    @property
    def attended(self) -> int:
        return sum(t.attended for t in self.by_delegation)


@dataclass(slots=True)
class Speaker:
    """A moderator, speaker or official of a session; `name` is None where no name may be shown
    (a participant is then not listed at all; an official keeps their title and institution).
    Not frozen: a frozen dataclass is three times as slow to make, and a summary makes hundreds."""

    role: SpeakerRole
    name: str | None
    is_official: bool
    title: str = ""
    institution: str = ""

    @property
    def affiliation(self) -> str:
        return ", ".join(part for part in (self.title, self.institution) if part)

    def written(self, role: str) -> str:
        """As the summary writes it, with the role in words: "Moderator: Name, Title, Institution"."""
        return f"{role}: {', '.join(filter(None, (self.name, self.title, self.institution)))}"


@dataclass(slots=True)
class HeldSession:
    """A session as held. The words the page and the files show (`times`, `kind_label`,
    `speakers_line`) are made once, here: a three-day event has sixty of them."""

    id: int
    kind: SessionKind
    title: str
    starts_at: datetime  # UTC
    ends_at: datetime
    start: datetime  # in the event's zone
    end: datetime
    room: str | None
    audience: Audience
    is_published: bool
    chatham_house: bool
    speakers: list[Speaker]
    times: str = ""  # "09:00–10:30", in the event's zone
    kind_label: str = ""
    speaker_texts: list[str] = field(default_factory=list)  # ["Moderator: …", "Speaker: …"]
    speakers_line: str = ""  # "Moderator: … · Speaker: …"; empty under the Chatham House Rule

    @property
    def internal(self) -> bool:
        """Not on the public record: unpublished, or for part of the participants only."""
        return not self.is_published or self.audience != Audience.EVERYONE

    def finish(self, kind_labels: dict[SessionKind, str], role_labels: dict[SpeakerRole, str]) -> None:
        """Write the session's words, with the kinds and roles in words (looked up once for all
        the sessions); the speakers come in order (moderators first) from the query."""
        start, end = self.start, self.end
        self.times = f"{start.hour:02d}:{start.minute:02d}–{end.hour:02d}:{end.minute:02d}"
        self.kind_label = kind_labels[self.kind]
        self.speaker_texts = [sp.written(role_labels[sp.role]) for sp in self.speakers]
        self.speakers_line = " · ".join(self.speaker_texts)


@dataclass(frozen=True)
class Day:
    index: int  # from 1
    date: date
    sessions: list[HeldSession]


@dataclass(frozen=True)
class OfficialMet:
    name: str | None  # None in the public variant
    title: str
    institution: str
    country: str
    sessions: list[str]  # the titles of the sessions they took part in


@dataclass(frozen=True)
class CrossingHeld:
    id: int
    direction: CrossingDirection
    status: CrossingStatus
    delegation: str
    crossing_point: str
    planned_at: datetime  # UTC
    actual_at: datetime | None
    planned: datetime  # in the event's zone
    actual: datetime | None
    people: int  # on the manifest
    crossed: int  # marked as crossed


@dataclass(frozen=True)
class OutcomeHeld:
    session_id: int
    session_title: str
    kind: SessionKind
    starts_at: datetime
    ends_at: datetime
    start: datetime  # in the event's zone
    chatham_house: bool
    notes: str  # Markdown
    key_points: list[str]


@dataclass(frozen=True)
class RecommendationAgreed:
    id: int
    title: str
    description: str  # Markdown
    area: RecommendationArea
    owners: list[str]  # ISO 3166 country codes
    target_on: date | None
    status: RecommendationStatus


@dataclass(frozen=True)
class StatementText:
    language: str
    title: str
    body: str  # Markdown


@dataclass(frozen=True)
class Statement:
    id: int
    kind: PressKind
    published_at: datetime | None
    texts: list[StatementText]

    @property
    def title(self) -> str:
        return self.texts[0].title if self.texts else ""


@dataclass(frozen=True)
class CoverageItem:
    outlet: str
    title: str
    url: str
    published_on: date
    language: str
    country: str

    @property
    def safe_url(self) -> str | None:
        """The address when it is a web address (only those are linked)."""
        return self.url if self.url.lower().startswith(("https://", "http://")) else None

    @property
    def language_name(self) -> str:
        """The coverage's language, named in the reader's."""
        return press_schemas.language_name(self.language)


@dataclass(frozen=True)
class Words:
    """What the organisers wrote around the record, and whether the public variant is out."""

    introduction: str = ""  # Markdown
    conclusion: str = ""  # Markdown
    published_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True)
class SummaryRecord:
    variant: Variant
    event: Event  # for the templates' links and the layout; the exports read `overview`
    overview: Overview
    introduction: str  # Markdown
    conclusion: str  # Markdown
    published_at: datetime | None
    updated_at: datetime | None
    generated_at: datetime
    participation: Participation
    days: list[Day]
    officials: list[OfficialMet]
    crossings: list[CrossingHeld]
    outcomes: list[OutcomeHeld]
    recommendations: list[RecommendationAgreed]
    statements: list[Statement]
    coverage: list[CoverageItem]
    zone: ZoneInfo = field(repr=False, compare=False, default=ZoneInfo("UTC"))

    @property
    def is_public(self) -> bool:
        return self.variant == Variant.PUBLIC

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def sessions(self) -> list[HeldSession]:
        return [s for day in self.days for s in day.sessions]

    @property
    def days_with_sessions(self) -> list[Day]:
        return [day for day in self.days if day.sessions]


# --- reading -----------------------------------------------------------------------------------


def overview(event: Event) -> Overview:
    initiative = event.__dict__.get("initiative")  # loaded with the event (never a query here)
    return Overview(
        id=event.id,
        title=event.title,
        kind=event.kind,
        status=event.status,
        starts_on=event.starts_on,
        ends_on=event.ends_on,
        timezone=event.timezone,
        venue=event.venue or "",
        city=event.city,
        host_country=event.host_country,
        initiative=initiative.name if initiative is not None else None,
        description=event.description or "",
    )


# The statements are built once and run with the event's id (the programme's EVENT_ID): building a
# SELECT of a dozen columns and joins costs more than running it.
def _run(db: Session, query: Select[Any], event: Event) -> Result[Any]:
    """A statement of plain columns, run on the session's connection (in its transaction): the
    ORM's result machinery has nothing to add to rows of plain values, and costs a third more."""
    return db.connection().execute(query, {"event_id": event.id})


@cache
def _words_and_participation_query() -> Select[Any]:
    registered = func.count(Registration.id)
    attended = func.sum(case((Registration.status == RegistrationStatus.ATTENDED, 1), else_=0))
    words_columns = (EventSummary.id, EventSummary.introduction, EventSummary.conclusion,
                     EventSummary.published_at, EventSummary.updated_at)
    return (
        select(*words_columns, Delegation.id, Delegation.name, Registration.circle, Registration.category,
               registered, attended)
        .select_from(Event)
        .outerjoin(EventSummary, EventSummary.event_id == Event.id)
        .outerjoin(Delegation, Delegation.event_id == Event.id)
        .outerjoin(
            Registration,
            and_(Registration.delegation_id == Delegation.id, Registration.status.in_(HOLDS_PLACE)),
        )
        .where(Event.id == EVENT_ID)
        # By the primary keys: the summary's and the delegation's other columns follow from them
        # (SQL allows them ungrouped), and the database sorts no text of theirs for each row.
        .group_by(EventSummary.id, Delegation.id, Registration.circle, Registration.category)
        .order_by(Delegation.id)
    )


def words_and_participation(db: Session, event: Event) -> tuple[Words, Participation]:
    """The organisers' words, and registered (a place held) and attended by delegation × circle ×
    category: one query (from the event, so that it answers without a summary or delegations).
    Every delegation of the event is listed, also one without registrations."""
    rows = _run(db, _words_and_participation_query(), event).all()
    words = Words()
    delegations: dict[int, str] = {}
    cells = []
    for summary_id, introduction, conclusion, published_at, updated_at, delegation_id, name, circle, category, n, present in rows:
        if summary_id is not None:
            words = Words(introduction or "", conclusion or "", published_at, updated_at)
        if delegation_id is None:
            continue
        delegations[delegation_id] = name
        if circle is not None and n:
            cells.append(Cell(delegation_id, name, circle, category, int(n), int(present or 0)))
    cells.sort(key=lambda c: (c.delegation_id, list(Circle).index(c.circle), list(Category).index(c.category)))

    def tally(key_of, keys: list[Any], label_of) -> list[Tally]:  # type: ignore[no-untyped-def]
        totals: dict[Any, list[int]] = {key: [0, 0] for key in keys}
        for cell in cells:
            total = totals.setdefault(key_of(cell), [0, 0])
            total[0] += cell.registered
            total[1] += cell.attended
        return [Tally(str(key), label_of(key), *totals[key]) for key in totals]

    return words, Participation(
        cells=cells,
        by_delegation=tally(lambda c: c.delegation_id, list(delegations), lambda k: delegations[k]),
        by_circle=tally(lambda c: c.circle, list(Circle), lambda k: _(CIRCLE_LABELS[k])),
        by_category=tally(lambda c: c.category, list(Category), lambda k: _(CATEGORY_LABELS[k])),
    )


@cache
def _session_query(public: bool) -> Select[Any]:
    s = AgendaSession
    speaker_join = and_(SessionSpeaker.session_id == s.id, s.chatham_house.is_(False))
    if public:
        speaker_join = and_(speaker_join, SessionSpeaker.official_id.is_not(None))
    columns = [
        s.id, s.kind, s.title, s.starts_at, s.ends_at, s.audience, s.is_published, s.chatham_house,
        RoomModel.name.label("room"), SessionSpeaker.role,
        Official.id.label("official_id"), Official.name.label("official_name"), Official.title.label("official_title"),
        Official.institution, Official.country,
    ]
    if not public:
        columns += [Person.given_name, Person.family_name]
    query = (
        select(*columns)
        .outerjoin(RoomModel, RoomModel.id == s.room_id)
        .outerjoin(SessionSpeaker, speaker_join)
        .outerjoin(Official, Official.id == SessionSpeaker.official_id)
        .where(s.event_id == EVENT_ID, s.status != SessionStatus.CANCELLED)
        .order_by(s.starts_at, s.ends_at, s.id, SPEAKER_ORDER, SessionSpeaker.position, SessionSpeaker.id)
    )
    if public:
        return query.where(s.is_published.is_(True), s.audience == Audience.EVERYONE)
    return query.outerjoin(Registration, Registration.id == SessionSpeaker.registration_id).outerjoin(
        Person, Person.id == Registration.person_id
    )


def _session_rows(db: Session, event: Event, variant: Variant) -> list[Any]:
    """The scheduled sessions with their room and speakers, one row per speaker (or one for a
    session without any): a single query. Speakers of a Chatham House session are never read;
    in the public variant participants are never read either (officials only)."""
    return list(_run(db, _session_query(variant == Variant.PUBLIC), event))


@dataclass
class _Officials:
    """The officials met, gathered from the sessions' speakers."""

    found: dict[int, OfficialMet] = field(default_factory=dict)

    def add(self, official_id: int, name: str, title: str, institution: str, country: str, session_title: str,
            public: bool) -> None:
        met = self.found.get(official_id)
        if met is None:
            met = OfficialMet(name=None if public else name, title=title, institution=institution, country=country,
                              sessions=[])
            self.found[official_id] = met
        if session_title not in met.sessions:
            met.sessions.append(session_title)

    def listed(self) -> list[OfficialMet]:
        return sorted(self.found.values(), key=lambda o: (o.title.lower(), o.institution.lower(), o.name or ""))


def agenda(db: Session, event: Event, variant: Variant) -> tuple[list[Day], list[OfficialMet]]:
    """The agenda as held by day in the event's zone, and the officials met in it."""
    zone = ZoneInfo(event.timezone)
    public = variant == Variant.PUBLIC
    sessions: dict[int, HeldSession] = {}
    officials = _Officials()
    for (session_id, kind, title, starts_at, ends_at, audience, is_published, chatham_house, room, role,
         official_id, official_name, official_title, institution, country, *person) in _session_rows(db, event, variant):
        session = sessions.get(session_id)
        if session is None:
            session = HeldSession(
                session_id, kind, title, starts_at, ends_at, starts_at.astimezone(zone), ends_at.astimezone(zone),
                room, audience, is_published, chatham_house, [],
            )
            sessions[session_id] = session
        if role is None or chatham_house:
            continue  # no speakers (and never those of a Chatham House session)
        if official_id is not None:
            session.speakers.append(Speaker(role, None if public else official_name, True, official_title, institution))
            officials.add(official_id, official_name, official_title, institution, country, title, public)
        elif not public:
            given, family = person
            session.speakers.append(Speaker(role, f"{given or ''} {family or ''}".strip(), False))
    by_day: dict[date, list[HeldSession]] = defaultdict(list)
    kind_labels = i18n.labels(SessionKind)
    role_labels = i18n.labels(SpeakerRole)
    for session in sessions.values():
        session.finish(kind_labels, role_labels)
        by_day[session.start.date()].append(session)
    # Days are numbered from the event's first day (as on the programme); only days with
    # sessions are listed.
    dates = set(by_day) | {event.starts_on + timedelta(days=n) for n in range((event.ends_on - event.starts_on).days + 1)}
    days = [
        Day(index=n, date=d, sessions=by_day[d]) for n, d in enumerate(sorted(dates), start=1) if d in by_day
    ]
    return days, officials.listed()


@cache
def _crossings_query(public: bool) -> Select[Any]:
    crossed = func.sum(case((ManifestEntry.status == ManifestStatus.CROSSED, 1), else_=0))
    columns = (
        Crossing.id, Crossing.direction, Crossing.status, Crossing.planned_at, Crossing.actual_at,
        Delegation.name, CrossingPoint.name_a, CrossingPoint.country_a, CrossingPoint.name_b,
        CrossingPoint.country_b,
    )
    query = (
        select(*columns, func.count(ManifestEntry.id), crossed)
        .join(Delegation, Delegation.id == Crossing.delegation_id)
        .join(CrossingPoint, CrossingPoint.id == Crossing.crossing_point_id)
        .outerjoin(ManifestEntry, ManifestEntry.crossing_id == Crossing.id)
        .where(Crossing.event_id == EVENT_ID)
        .group_by(*columns)
        .order_by(Crossing.planned_at, Crossing.id)
    )
    return query.where(Crossing.status == CrossingStatus.COMPLETED) if public else query


def crossings(db: Session, event: Event, variant: Variant) -> list[CrossingHeld]:
    """Each crossing with its times and how many were on the manifest and crossed: one query."""
    zone = ZoneInfo(event.timezone)
    query = _crossings_query(variant == Variant.PUBLIC)
    found = []
    for cid, direction, status, planned_at, actual_at, delegation, a, ca, b, cb, people, n_crossed in _run(db, query, event):
        found.append(
            CrossingHeld(
                id=cid, direction=direction, status=status, delegation=delegation,
                crossing_point=f"{a} ({ca}) / {b} ({cb})", planned_at=planned_at, actual_at=actual_at,
                planned=planned_at.astimezone(zone), actual=actual_at.astimezone(zone) if actual_at else None,
                people=int(people or 0), crossed=int(n_crossed or 0),
            )
        )
    return found


def outcomes(db: Session, event: Event, variant: Variant, shown: set[int]) -> list[OutcomeHeld]:
    """The outcomes of the sessions the summary shows (public ones only in the public variant)."""
    zone = ZoneInfo(event.timezone)
    public = variant == Variant.PUBLIC
    rows = outcomes_service.rows_for_event(db, event=event, public_only=public)
    return [
        OutcomeHeld(
            session_id=row.session_id, session_title=row.session_title, kind=row.kind,
            starts_at=row.starts_at, ends_at=row.ends_at, start=row.starts_at.astimezone(zone),
            chatham_house=row.chatham_house, notes=row.notes or "", key_points=list(row.key_points or []),
        )
        for row in sorted(rows, key=lambda r: (r.starts_at, r.session_id))
        if row.session_id in shown and (row.is_public or not public)
    ]


def recommendations(db: Session, event: Event) -> list[RecommendationAgreed]:
    return [
        RecommendationAgreed(
            id=r.id, title=r.title, description=r.description or "", area=r.area, owners=list(r.owners or []),
            target_on=r.target_on, status=r.status,
        )
        for r in recommendations_service.agreed_for_event(db, event=event)
    ]


@cache
def _statements_query() -> Select[Any]:
    return (
        select(PressItem.id, PressItem.kind, PressItem.published_at, PressVersion.language, PressVersion.title,
               PressVersion.body, PressVersion.revision, PressVersion.number)
        .join(PressVersion, PressVersion.item_id == PressItem.id)
        .where(PressItem.event_id == EVENT_ID, PressItem.status == PressStatus.PUBLISHED)
        .order_by(PressItem.published_at, PressItem.id, PressVersion.id)
    )


def statements(db: Session, event: Event) -> list[Statement]:
    """The published press items, first published first, each with the latest text in each
    language: one query over the items and their versions."""
    query = _statements_query()
    items: dict[int, tuple[PressKind, datetime | None]] = {}
    latest: dict[int, dict[str, Any]] = {}
    for row in _run(db, query, event):
        items.setdefault(row.id, (row.kind, row.published_at))
        best = latest.setdefault(row.id, {}).get(row.language)
        if best is None or (row.revision, row.number) > (best.revision, best.number):
            latest[row.id][row.language] = row
    return [
        Statement(
            id=item_id, kind=kind, published_at=published_at,
            texts=[StatementText(v.language, v.title, v.body or "") for v in latest[item_id].values()],
        )
        for item_id, (kind, published_at) in items.items()
    ]


def coverage(db: Session, event: Event) -> list[CoverageItem]:
    return [
        CoverageItem(
            outlet=c.outlet, title=c.title, url=c.url, published_on=c.published_on, language=c.language,
            country=c.country,
        )
        for c in press_service.coverage_for_event(db, event=event)
    ]


def summary_row(db: Session, event: Event) -> EventSummary | None:
    """The event's summary row, for changing it."""
    return db.scalar(select(EventSummary).where(EventSummary.event_id == event.id))


def assemble(
    db: Session, *, event: Event, variant: Variant, words: Words, participation: Participation
) -> SummaryRecord:
    """The rest of the record in one variant (the caller read the words and the participation,
    and decided who may read which)."""
    days, officials = agenda(db, event, variant)
    shown = {s.id for day in days for s in day.sessions}
    return SummaryRecord(
        variant=variant,
        event=event,
        overview=overview(event),
        introduction=words.introduction,
        conclusion=words.conclusion,
        published_at=words.published_at,
        updated_at=words.updated_at,
        generated_at=utcnow(),
        participation=participation,
        days=days,
        officials=officials,
        crossings=crossings(db, event, variant),
        outcomes=outcomes(db, event, variant, shown),
        recommendations=recommendations(db, event),
        statements=statements(db, event),
        coverage=coverage(db, event),
        zone=ZoneInfo(event.timezone),
    )
