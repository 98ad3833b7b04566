"""The post-event summary: the organisers' words (form and API body), and the record as JSON.

`SummaryOut` is the documented shape of `GET /api/v1/events/{event_id}/summary` and of the
`summary.json` export: the same in both, for either variant. In the public variant no
participant is named anywhere (`name` is null for officials too, who keep their title and
institution), and internal sessions, outcomes and crossings are left out.
"""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.agenda.models import Audience, SessionKind, SpeakerRole
from app.crossings.models import CrossingDirection, CrossingStatus
from app.events.models import EventKind, EventStatus
from app.forms import Form
from app.press.models import PressKind
from app.recommendations.models import RecommendationArea, RecommendationStatus
from app.registrations.models import Category, Circle
from app.summaries.record import SummaryRecord, Variant

TEXT_MAX = 20_000


# --- what the organisers write ---------------------------------------------------------------


class SummaryUpdate(BaseModel):
    """PUT: the introduction and the conclusion, both given (an empty text clears one)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    introduction: str = Field(max_length=TEXT_MAX, description="Markdown, shown before the record.")
    conclusion: str = Field(max_length=TEXT_MAX, description="Markdown, shown after the record.")


class SummaryForm(Form):
    """The edit page's form; it saves through the same service as the API."""

    introduction: str = Field(default="", max_length=TEXT_MAX)
    conclusion: str = Field(default="", max_length=TEXT_MAX)


class SummaryStateOut(BaseModel):
    """The organisers' words and whether the public variant is published."""

    model_config = ConfigDict(from_attributes=True)

    event_id: int
    introduction: str
    conclusion: str
    published_at: datetime | None = Field(description="Set while the public variant is published.")
    updated_at: datetime | None


# --- the record ------------------------------------------------------------------------------


class EventOut(BaseModel):
    id: int
    title: str
    kind: EventKind
    status: EventStatus
    starts_on: date
    ends_on: date
    timezone: str = Field(description="IANA time zone; every time below is given in it.")
    venue: str
    city: str
    host_country: str = Field(description="ISO 3166-1 alpha-2.")
    initiative: str | None
    description: str


class TallyOut(BaseModel):
    key: str = Field(description="The delegation's id, or the circle or category.")
    label: str
    registered: int = Field(description="Registrations that held a confirmed place (confirmed, attended, no-show).")
    attended: int = Field(description="Registrations checked in as attended.")


class CellOut(BaseModel):
    delegation_id: int
    delegation: str
    circle: Circle
    category: Category
    registered: int
    attended: int


class ParticipationOut(BaseModel):
    registered: int
    attended: int
    by_delegation: list[TallyOut]
    by_circle: list[TallyOut]
    by_category: list[TallyOut]
    cells: list[CellOut] = Field(description="Delegation × circle × category, the combinations with registrations.")


class SpeakerOut(BaseModel):
    role: SpeakerRole
    name: str | None = Field(description="Null in the public variant.")
    is_official: bool
    title: str = Field(description="An official's title; empty for a participant.")
    institution: str


class SessionOut(BaseModel):
    id: int
    kind: SessionKind
    title: str
    starts_at: datetime
    ends_at: datetime
    room: str | None
    audience: Audience
    is_published: bool
    chatham_house: bool = Field(description="Held under the Chatham House Rule: no speaker is listed.")
    speakers: list[SpeakerOut]


class DayOut(BaseModel):
    index: int = Field(description="Counted from the event's first day.")
    date: date
    sessions: list[SessionOut]


class OfficialOut(BaseModel):
    name: str | None = Field(description="Null in the public variant.")
    title: str
    institution: str
    country: str
    sessions: list[str] = Field(description="The titles of the sessions they took part in.")


class CrossingOut(BaseModel):
    id: int
    direction: CrossingDirection
    status: CrossingStatus
    delegation: str
    crossing_point: str
    planned_at: datetime
    actual_at: datetime | None
    people: int = Field(description="How many were on the manifest.")
    crossed: int = Field(description="How many were marked as crossed.")


class OutcomeOut(BaseModel):
    session_id: int
    session_title: str
    kind: SessionKind
    starts_at: datetime
    ends_at: datetime
    chatham_house: bool
    notes: str = Field(description="Markdown.")
    key_points: list[str]


class RecommendationOut(BaseModel):
    id: int
    title: str
    description: str = Field(description="Markdown.")
    area: RecommendationArea
    owners: list[str] = Field(description="The owning sides, as ISO 3166-1 alpha-2 codes.")
    target_on: date | None
    status: RecommendationStatus


class StatementTextOut(BaseModel):
    language: str
    title: str
    body: str = Field(description="Markdown.")


class StatementOut(BaseModel):
    id: int
    kind: PressKind
    published_at: datetime | None
    texts: list[StatementTextOut] = Field(description="The current text in each language.")


class CoverageOut(BaseModel):
    outlet: str
    title: str
    url: str
    published_on: date
    language: str
    country: str


class SummaryOut(BaseModel):
    """The post-event summary: the event's record with the organisers' introduction and conclusion."""

    variant: Variant
    event: EventOut
    introduction: str = Field(description="Markdown.")
    conclusion: str = Field(description="Markdown.")
    published_at: datetime | None = Field(description="Since when the public variant is published, if it is.")
    generated_at: datetime
    participation: ParticipationOut
    agenda: list[DayOut] = Field(description="The sessions as held (not cancelled), by day in the event's time zone.")
    officials: list[OfficialOut] = Field(description="The officials the participants met.")
    crossings: list[CrossingOut]
    outcomes: list[OutcomeOut]
    recommendations: list[RecommendationOut] = Field(description="The recommendations agreed at the event.")
    statements: list[StatementOut] = Field(description="Published press releases and joint statements.")
    coverage: list[CoverageOut] = Field(description="Media coverage of the event.")


def _tallies(tallies) -> list[TallyOut]:  # type: ignore[no-untyped-def]
    return [TallyOut(key=t.key, label=t.label, registered=t.registered, attended=t.attended) for t in tallies]


def summary_out(record: SummaryRecord) -> SummaryOut:
    """The record as its JSON document; times in the event's time zone."""
    o = record.overview
    p = record.participation
    zone = record.zone
    return SummaryOut(
        variant=record.variant,
        event=EventOut(
            id=o.id, title=o.title, kind=o.kind, status=o.status, starts_on=o.starts_on, ends_on=o.ends_on,
            timezone=o.timezone, venue=o.venue, city=o.city, host_country=o.host_country,
            initiative=o.initiative, description=o.description,
        ),
        introduction=record.introduction,
        conclusion=record.conclusion,
        published_at=record.published_at.astimezone(zone) if record.published_at else None,
        generated_at=record.generated_at.astimezone(zone),
        participation=ParticipationOut(
            registered=p.registered,
            attended=p.attended,
            by_delegation=_tallies(p.by_delegation),
            by_circle=_tallies(p.by_circle),
            by_category=_tallies(p.by_category),
            cells=[
                CellOut(delegation_id=c.delegation_id, delegation=c.delegation, circle=c.circle,
                        category=c.category, registered=c.registered, attended=c.attended)
                for c in p.cells
            ],
        ),
        agenda=[
            DayOut(
                index=day.index,
                date=day.date,
                sessions=[
                    SessionOut(
                        id=s.id, kind=s.kind, title=s.title, starts_at=s.start, ends_at=s.end, room=s.room,
                        audience=s.audience, is_published=s.is_published, chatham_house=s.chatham_house,
                        speakers=[
                            SpeakerOut(role=sp.role, name=sp.name, is_official=sp.is_official, title=sp.title,
                                       institution=sp.institution)
                            for sp in s.speakers
                        ],
                    )
                    for s in day.sessions
                ],
            )
            for day in record.days
        ],
        officials=[
            OfficialOut(name=m.name, title=m.title, institution=m.institution, country=m.country,
                        sessions=list(m.sessions))
            for m in record.officials
        ],
        crossings=[
            CrossingOut(id=c.id, direction=c.direction, status=c.status, delegation=c.delegation,
                        crossing_point=c.crossing_point, planned_at=c.planned, actual_at=c.actual,
                        people=c.people, crossed=c.crossed)
            for c in record.crossings
        ],
        outcomes=[
            OutcomeOut(session_id=x.session_id, session_title=x.session_title, kind=x.kind,
                       starts_at=x.starts_at.astimezone(zone), ends_at=x.ends_at.astimezone(zone),
                       chatham_house=x.chatham_house, notes=x.notes, key_points=list(x.key_points))
            for x in record.outcomes
        ],
        recommendations=[
            RecommendationOut(id=r.id, title=r.title, description=r.description, area=r.area,
                              owners=list(r.owners), target_on=r.target_on, status=r.status)
            for r in record.recommendations
        ],
        statements=[
            StatementOut(
                id=s.id, kind=s.kind, published_at=s.published_at.astimezone(zone) if s.published_at else None,
                texts=[StatementTextOut(language=t.language, title=t.title, body=t.body) for t in s.texts],
            )
            for s in record.statements
        ],
        coverage=[
            CoverageOut(outlet=c.outlet, title=c.title, url=c.url, published_on=c.published_on,
                        language=c.language, country=c.country)
            for c in record.coverage
        ],
    )
