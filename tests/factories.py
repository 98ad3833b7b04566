"""factory_boy factories: flushed into the test's session, never committed."""

from datetime import date

import factory
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.events.models import Event, EventKind, EventStaff, EventStatus, StaffRole
from app.initiatives.models import Initiative, Milestone, RoadmapPhase, RoadmapStatus
from app.security import hash_password

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
