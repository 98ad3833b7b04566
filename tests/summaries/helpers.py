"""An event with a record to sum up, and the words that must never leak from it.

`held_event()` builds a concluded event with two delegations, registrations in every status
that matters, sessions of every kind of visibility (public, internal, for core members only,
cancelled, under the Chatham House Rule), officials, crossings, outcomes, recommendations,
press items and coverage; `World` keeps the objects and the texts the tests look for.
"""

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from docx import Document

from app.agenda.models import (
    AgendaSession,
    Audience,
    SessionKind,
    SessionSpeaker,
    SessionStatus,
    SpeakerRole,
)
from app.crossings.models import CrossingDirection, CrossingStatus, ManifestStatus
from app.delegations.models import DelegationSide
from app.events.models import EventStatus
from app.press.models import PressKind, PressStatus
from app.recommendations.models import RecommendationStatus
from app.registrations.models import Category, Circle, RegistrationStatus
from tests.factories import (
    AgendaSessionFactory,
    CrossingFactory,
    DelegationFactory,
    EventFactory,
    EventSummaryFactory,
    ManifestEntryFactory,
    MediaCoverageFactory,
    OfficialFactory,
    OutcomeFactory,
    PersonFactory,
    PressItemFactory,
    PressVersionFactory,
    RecommendationFactory,
    RegistrationFactory,
)

# Names and organisations of participants: personal data, never in the public variant.
SPEAKER = ("Anahit", "Speakerian", "Yerevan Dialogue Centre")
MODERATOR = ("Farid", "Moderatorov", "Baku Peace Forum")
TRAVELLER = ("Nigar", "Traveller", "Ganja Youth Network")  # on a crossing's manifest only
# Under the Chatham House Rule: never anywhere, in any variant.
CHATHAM_SPEAKER = ("Silvia", "Whisperer", "Unnamed Institute of Quiet")
CHATHAM_OFFICIAL = ("Hidden Official Name", "Hidden Deputy Title", "Hidden Ministry of Silence")
# An official met in a public meeting: named only in the internal variant.
OFFICIAL = ("Armen Officialyan", "Secretary of the Security Council", "Security Council of Armenia")
INTERNAL_OFFICIAL = ("Internal Officialova", "Deputy Minister of Foreign Affairs", "Ministry of Foreign Affairs")

INTRODUCTION = "The roundtable met in **Tsaghkadzor** for two days."
CONCLUSION = "The sides agreed to meet again in *Gazakh*."


@dataclass
class World:
    event: object
    delegations: list[object]
    sessions: dict[str, AgendaSession] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)

    @property
    def personal_words(self) -> list[str]:
        """What names a participant or says who an official is: never in the public variant."""
        words = []
        for given, family, organisation in (SPEAKER, MODERATOR, TRAVELLER):
            words += [given, family, organisation]
        words += [OFFICIAL[0], INTERNAL_OFFICIAL[0]]
        return words + self.chatham_words

    @property
    def chatham_words(self) -> list[str]:
        """What would attribute a Chatham House session: never anywhere."""
        return [*CHATHAM_SPEAKER, *CHATHAM_OFFICIAL]


def _person(given: str, family: str, organisation: str):  # type: ignore[no-untyped-def]
    return PersonFactory(given_name=given, family_name=family, organisation=organisation)


def _speaker(session: AgendaSession, role: SpeakerRole, *, registration=None, official=None, position=0) -> None:  # type: ignore[no-untyped-def]
    session.speakers.append(SessionSpeaker(registration=registration, official=official, role=role, position=position))


def held_event(*, published: bool = False, summary: bool = True, status: EventStatus = EventStatus.CONCLUDED) -> World:
    event = EventFactory(status=status, title="Peace Bridge roundtable in Tsaghkadzor", starts_on=date(2026, 2, 13),
                         ends_on=date(2026, 2, 14), timezone="Asia/Yerevan")
    host = DelegationFactory(event=event, name="Armenian civil society", country="AM", side=DelegationSide.HOST)
    visiting = DelegationFactory(event=event, name="Azerbaijani civil society", country="AZ", side=DelegationSide.VISITING)
    world = World(event=event, delegations=[host, visiting])

    # Registrations: held places (confirmed, attended, no-show) count as registered; the rest not.
    speaker = RegistrationFactory(delegation=host, person=_person(*SPEAKER), circle=Circle.CORE,
                                  category=Category.EXPERT, status=RegistrationStatus.ATTENDED)
    moderator = RegistrationFactory(delegation=visiting, person=_person(*MODERATOR), circle=Circle.CORE,
                                    category=Category.CIVIL_SOCIETY, status=RegistrationStatus.ATTENDED)
    traveller = RegistrationFactory(delegation=visiting, person=_person(*TRAVELLER), circle=Circle.BROADER,
                                    category=Category.MEDIA, status=RegistrationStatus.NO_SHOW)
    chatham = RegistrationFactory(delegation=host, person=_person(*CHATHAM_SPEAKER), circle=Circle.BROADER,
                                  category=Category.EXPERT, status=RegistrationStatus.CONFIRMED)
    for status in (RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED, RegistrationStatus.INVITED,
                   RegistrationStatus.REGISTERED, RegistrationStatus.DECLINED):
        RegistrationFactory(delegation=host, status=status, circle=Circle.BROADER, category=Category.MEDIA)
    world.objects.update(speaker=speaker, moderator=moderator, traveller=traveller, chatham=chatham)

    official = OfficialFactory(event=event, name=OFFICIAL[0], title=OFFICIAL[1], institution=OFFICIAL[2], country="AM")
    internal_official = OfficialFactory(event=event, name=INTERNAL_OFFICIAL[0], title=INTERNAL_OFFICIAL[1],
                                        institution=INTERNAL_OFFICIAL[2], country="AZ")
    hidden_official = OfficialFactory(event=event, name=CHATHAM_OFFICIAL[0], title=CHATHAM_OFFICIAL[1],
                                      institution=CHATHAM_OFFICIAL[2], country="AM")
    OfficialFactory(event=event, name="Never Met Official", title="Never Met Title", institution="Nowhere")

    def session(key: str, title: str, hour: int, day: int = 0, **kwargs) -> AgendaSession:  # type: ignore[no-untyped-def]
        starts = datetime(2026, 2, 13 + day, hour, 0, tzinfo=UTC)  # UTC; 4 hours later in Yerevan
        made = AgendaSessionFactory(event=event, title=title, starts_at=starts, ends_at=starts + timedelta(hours=1), **kwargs)
        world.sessions[key] = made
        return made

    public = session("public", "Current stage and future trajectories", 5)
    _speaker(public, SpeakerRole.SPEAKER, registration=speaker, position=1)
    _speaker(public, SpeakerRole.MODERATOR, registration=moderator, position=2)
    meeting = session("meeting", "Meeting with the Secretary of the Security Council", 8,
                      kind=SessionKind.OFFICIAL_MEETING)
    _speaker(meeting, SpeakerRole.GUEST, official=official)
    internal = session("internal", "Delegation heads' strategy meeting", 10, is_published=False)
    _speaker(internal, SpeakerRole.GUEST, official=internal_official)
    session("core", "Core members' working group", 11, audience=Audience.CORE, kind=SessionKind.WORKING_GROUP)
    session("cancelled", "Boat trip on Lake Sevan", 12, status=SessionStatus.CANCELLED, kind=SessionKind.CULTURAL)
    chatham_session = session("chatham", "Regional security, borders and connectivity", 6, day=1, chatham_house=True)
    _speaker(chatham_session, SpeakerRole.SPEAKER, registration=chatham)
    _speaker(chatham_session, SpeakerRole.GUEST, official=hidden_official, position=1)

    OutcomeFactory(session=public, notes="Relations were discussed at length.", key_points=["A public key point"])
    OutcomeFactory(session=meeting, notes="A confidential exchange.", key_points=["A confidential point"], is_public=False)
    OutcomeFactory(session=internal, notes="Internal strategy notes.", key_points=["An internal point"])
    OutcomeFactory(session=chatham_session, notes="Security was discussed without attribution.",
                   key_points=["Borders need joint monitoring"])

    RecommendationFactory(event=event, title="A joint working group on transport", status=RecommendationStatus.AGREED)
    RecommendationFactory(event=event, title="A proposal still under discussion", status=RecommendationStatus.PROPOSED)

    release = PressItemFactory(event=event, kind=PressKind.RELEASE, status=PressStatus.PUBLISHED,
                               published_at=datetime(2026, 2, 14, 14, 0, tzinfo=UTC))
    PressVersionFactory(item=release, title="Roundtable concludes in Tsaghkadzor", body="The roundtable **concluded**.")
    draft = PressItemFactory(event=event, kind=PressKind.JOINT_STATEMENT)
    PressVersionFactory(item=draft, title="A draft joint statement", body="Not yet agreed.")
    MediaCoverageFactory(event=event, outlet="Armenpress", title="Peace Bridge roundtable held",
                         url="https://news.example.org/peace-bridge")

    arrival = CrossingFactory(delegation=visiting, direction=CrossingDirection.ARRIVAL, status=CrossingStatus.COMPLETED,
                              actual_at=datetime(2026, 2, 13, 4, 30, tzinfo=UTC))
    ManifestEntryFactory(crossing=arrival, registration=traveller, status=ManifestStatus.CROSSED)
    ManifestEntryFactory(crossing=arrival, registration=moderator, status=ManifestStatus.CROSSED)
    departure = CrossingFactory(delegation=visiting, direction=CrossingDirection.DEPARTURE, status=CrossingStatus.DRAFT,
                                planned_at=datetime(2026, 2, 14, 14, 0, tzinfo=UTC))
    ManifestEntryFactory(crossing=departure, registration=moderator)
    world.objects.update(arrival=arrival, departure=departure)

    if summary:
        world.objects["summary"] = EventSummaryFactory(
            event=event, introduction=INTRODUCTION, conclusion=CONCLUSION,
            published_at=datetime(2026, 2, 15, 9, 0, tzinfo=UTC) if published else None,
        )
    return world


# --- reading the exported files --------------------------------------------------------------------


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)
