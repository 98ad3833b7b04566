"""factory_boy factories: flushed into the test's session, never committed."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.agenda.models import AgendaSession, Room, SessionKind, SessionTranslation
from app.crossings.models import (
    Crossing,
    CrossingDirection,
    CrossingPoint,
    CrossingStatus,
    ManifestEntry,
    ManifestStatus,
    ProcedureTemplate,
    ResponsibleSide,
    Vehicle,
)
from app.db import utcnow
from app.delegations.models import Delegation, DelegationCoordinator, DelegationSide
from app.events.models import Event, EventKind, EventStaff, EventStatus, StaffRole
from app.initiatives.models import Initiative, Milestone, RoadmapPhase, RoadmapStatus
from app.invitations.models import Invitation, InvitationStatus
from app.officials.models import Official
from app.outcomes.models import Outcome
from app.press.models import MediaCoverage, PressApproval, PressItem, PressKind, PressVersion
from app.recommendations.models import (
    ProgressUpdate,
    Recommendation,
    RecommendationArea,
    RecommendationStatus,
)
from app.registrations.models import Person, Registration, RegistrationStatus
from app.security import hash_password, token_hash
from app.summaries.models import EventSummary

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run

_session: Session | None = None


def use_session(session: Session) -> None:
    global _session
    _session = session


class Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: _session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password_hash = _PASSWORD_HASH
    is_admin = False
    is_active = True
    # Loaded and empty, as the sign-in loads a user's grants; new grants join it (back_populates).
    event_roles = factory.LazyFunction(list)
    coordinator_roles = factory.LazyFunction(list)
    person = None


class AdminFactory(UserFactory):
    is_admin = True


class InitiativeFactory(Base):
    class Meta:
        model = Initiative

    name = factory.Sequence(lambda n: f"Initiative {n}")
    description = "A series of dialogue events."


class RoadmapPhaseFactory(Base):
    class Meta:
        model = RoadmapPhase

    initiative = factory.SubFactory(InitiativeFactory)
    name = factory.Sequence(lambda n: f"Phase {n}")
    starts_on = date(2026, 2, 1)
    ends_on = date(2026, 7, 31)
    status = RoadmapStatus.PLANNED


class MilestoneFactory(Base):
    class Meta:
        model = Milestone

    phase = factory.SubFactory(RoadmapPhaseFactory)
    name = factory.Sequence(lambda n: f"Milestone {n}")
    starts_on = date(2026, 3, 1)
    ends_on = date(2026, 3, 31)


class EventFactory(Base):
    class Meta:
        model = Event

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Roundtable {n}")
    kind = EventKind.ROUNDTABLE
    host_country = "AM"
    city = "Tsaghkadzor"
    venue = "Conference hall"
    starts_on = date(2026, 2, 13)
    ends_on = date(2026, 2, 14)
    timezone = "Asia/Yerevan"
    status = EventStatus.PLANNED


class EventStaffFactory(Base):
    class Meta:
        model = EventStaff

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    role = StaffRole.ORGANISER


def organiser(event: Event, **kwargs) -> User:  # type: ignore[no-untyped-def]
    """A user who organises `event` (grants loaded, as the sign-in loads them)."""
    return _staff(event, StaffRole.ORGANISER, **kwargs)


def press_officer(event: Event, **kwargs) -> User:  # type: ignore[no-untyped-def]
    return _staff(event, StaffRole.PRESS_OFFICER, **kwargs)


def _staff(event: Event, role: StaffRole, **kwargs) -> User:  # type: ignore[no-untyped-def]
    user = UserFactory(**kwargs)
    EventStaffFactory(event=event, user=user, role=role)
    return user


# --- delegations, people, registrations, invitations ----------------------------------------------


class DelegationFactory(Base):
    class Meta:
        model = Delegation

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Delegation {n}")
    country = "AM"
    side = DelegationSide.HOST
    capacity_core = 10
    capacity_broader = 20
    coordinators = factory.LazyFunction(list)


class DelegationCoordinatorFactory(Base):
    class Meta:
        model = DelegationCoordinator

    delegation = factory.SubFactory(DelegationFactory)
    event_id = factory.SelfAttribute("delegation.event_id")
    user = factory.SubFactory(UserFactory)


def coordinator(delegation: Delegation, **kwargs) -> User:  # type: ignore[no-untyped-def]
    """A user who coordinates `delegation` (grants loaded, as the sign-in loads them)."""
    user = UserFactory(**kwargs)
    DelegationCoordinatorFactory(delegation=delegation, user=user)
    return user


class PersonFactory(Base):
    class Meta:
        model = Person

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")


class RegistrationFactory(Base):
    class Meta:
        model = Registration

    delegation = factory.SubFactory(DelegationFactory)
    event = factory.SelfAttribute("delegation.event")
    person = factory.SubFactory(PersonFactory)
    status = RegistrationStatus.REGISTERED
    consents = factory.LazyFunction(list)


class InvitationFactory(Base):
    """An invitation whose link token is `token` (only its hash is stored, as the service does)."""

    class Meta:
        model = Invitation
        exclude = ("token",)

    token = factory.Sequence(lambda n: f"invitation-token-{n:04d}-not-random")
    delegation = factory.SubFactory(DelegationFactory)
    event = factory.SelfAttribute("delegation.event")
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token))
    status = InvitationStatus.PENDING
    expires_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=14))
    sent_at = factory.LazyFunction(utcnow)
    send_count = 1


def delegate(registration: Registration, **kwargs) -> User:  # type: ignore[no-untyped-def]
    """The account of the person registered by `registration` (grants loaded, as at sign-in)."""
    if registration.person.email:
        kwargs.setdefault("email", registration.person.email)
    user = UserFactory(**kwargs)
    registration.person.user = user
    _session.flush()  # type: ignore[union-attr]
    return user


def with_document(registration: Registration, number: str = "AB1234567", **kwargs) -> Registration:  # type: ignore[no-untyped-def]
    """Give `registration` a travel document, encrypted and hashed as the service stores it."""
    from app.registrations import service
    from app.registrations.schemas import TravelDocumentIn

    fields = {"doc_type": "passport", "doc_number": number, "doc_issuing_country": "AM",
              "doc_nationality": "AM", "doc_expires_on": date(2031, 1, 31), **kwargs}
    service.set_travel_document(
        _session, actor=AdminFactory(), registration=registration, data=TravelDocumentIn(**fields)  # type: ignore[arg-type]
    )
    return registration


class RoomFactory(Base):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 40


class OfficialFactory(Base):
    class Meta:
        model = Official

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Official {n}")
    title = "Deputy Minister of Foreign Affairs"
    institution = "Ministry of Foreign Affairs"
    country = "AM"


def _event_start(event: Event, hour: int) -> datetime:
    return datetime.combine(event.starts_on, time(hour), ZoneInfo(event.timezone))


class AgendaSessionFactory(Base):
    """A published thematic session from 10:00 to 11:30 (event time) on the event's first day."""

    class Meta:
        model = AgendaSession

    event = factory.SubFactory(EventFactory)
    room = factory.SubFactory(RoomFactory, event=factory.SelfAttribute("..event"))
    kind = SessionKind.THEMATIC
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyAttribute(lambda o: _event_start(o.event, 10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=90))
    is_published = True
    topics = factory.LazyFunction(list)
    speakers = factory.LazyFunction(list)
    invitees = factory.LazyFunction(list)
    translations = factory.LazyFunction(list)


class SessionTranslationFactory(Base):
    """The session's title (and description) in Armenian."""

    class Meta:
        model = SessionTranslation

    session = factory.SubFactory(AgendaSessionFactory)
    language = "hy"
    title = factory.Sequence(lambda n: f"Նիստ {n}")
    description = ""


class CrossingPointFactory(Base):
    class Meta:
        model = CrossingPoint

    name_a = factory.Sequence(lambda n: f"Voskepar {n}")
    country_a = "AM"
    name_b = factory.Sequence(lambda n: f"Ashaghi Askipara {n}")
    country_b = "AZ"
    status = "delimited and demarcated"
    procedures = factory.LazyFunction(list)


class ProcedureTemplateFactory(Base):
    class Meta:
        model = ProcedureTemplate

    crossing_point = factory.SubFactory(CrossingPointFactory)
    title = factory.Sequence(lambda n: f"Procedure {n}")
    lead_days = 7
    responsible_side = ResponsibleSide.VISITING


class CrossingFactory(Base):
    """The delegation's arrival at 08:00 (event time) on the event's first day, in draft."""

    class Meta:
        model = Crossing

    delegation = factory.SubFactory(DelegationFactory)
    event = factory.SelfAttribute("delegation.event")
    crossing_point = factory.SubFactory(CrossingPointFactory)
    direction = CrossingDirection.ARRIVAL
    planned_at = factory.LazyAttribute(lambda o: _event_start(o.event, 8))
    status = CrossingStatus.DRAFT
    vehicles = factory.LazyFunction(list)
    entries = factory.LazyFunction(list)
    steps = factory.LazyFunction(list)


class VehicleFactory(Base):
    class Meta:
        model = Vehicle

    crossing = factory.SubFactory(CrossingFactory)
    label = factory.Sequence(lambda n: f"Bus {n}")
    plate = factory.Sequence(lambda n: f"{n:02d} AA {n:03d}")
    seats = 20


class ManifestEntryFactory(Base):
    class Meta:
        model = ManifestEntry

    crossing = factory.SubFactory(CrossingFactory)
    registration = factory.SubFactory(
        RegistrationFactory,
        delegation=factory.SelfAttribute("..crossing.delegation"),
        status=RegistrationStatus.CONFIRMED,
    )
    status = ManifestStatus.LISTED


# --- outcomes, recommendations, press, summaries ----------------------------------------------


class OutcomeFactory(Base):
    class Meta:
        model = Outcome

    session = factory.SubFactory(AgendaSessionFactory)
    notes = "The participants discussed the next steps."
    key_points = factory.LazyFunction(lambda: ["A joint working group on transport."])
    is_public = True


class RecommendationFactory(Base):
    """A proposed recommendation of the event's initiative, from that event."""

    class Meta:
        model = Recommendation

    event = factory.SubFactory(EventFactory)
    initiative = factory.SelfAttribute("event.initiative")
    title = factory.Sequence(lambda n: f"Recommendation {n}")
    description = "Open a working group."
    area = RecommendationArea.INFRASTRUCTURE
    owners = factory.LazyFunction(lambda: ["AM", "AZ"])
    status = RecommendationStatus.PROPOSED
    updates = factory.LazyFunction(list)


class ProgressUpdateFactory(Base):
    class Meta:
        model = ProgressUpdate

    recommendation = factory.SubFactory(RecommendationFactory)
    reported_on = date(2026, 3, 1)
    text = "Terms of reference drafted."


class PressItemFactory(Base):
    """A draft press release at revision 1 (give it versions with PressVersionFactory)."""

    class Meta:
        model = PressItem

    event = factory.SubFactory(EventFactory)
    kind = PressKind.RELEASE
    revision = 1
    versions = factory.LazyFunction(list)
    approvals = factory.LazyFunction(list)


class PressVersionFactory(Base):
    class Meta:
        model = PressVersion

    item = factory.SubFactory(PressItemFactory)
    language = "en"
    number = 1
    revision = factory.SelfAttribute("item.revision")
    title = factory.Sequence(lambda n: f"Statement {n}")
    body = "The participants agreed to meet again."


class PressApprovalFactory(Base):
    class Meta:
        model = PressApproval

    item = factory.SubFactory(PressItemFactory, kind=PressKind.JOINT_STATEMENT)
    delegation = factory.SubFactory(DelegationFactory, event=factory.SelfAttribute("..item.event"))
    revision = factory.SelfAttribute("item.revision")


class MediaCoverageFactory(Base):
    class Meta:
        model = MediaCoverage

    event = factory.SubFactory(EventFactory)
    outlet = factory.Sequence(lambda n: f"Outlet {n}")
    url = factory.Sequence(lambda n: f"https://news.example.org/{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    published_on = date(2026, 2, 14)
    language = "en"
    country = "AM"


class EventSummaryFactory(Base):
    class Meta:
        model = EventSummary

    event = factory.SubFactory(EventFactory)
    introduction = "The roundtable met in Tsaghkadzor."
    conclusion = "The sides will meet again."
