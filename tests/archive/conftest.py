"""Shared arrangements of the event-archive tests: a rich event, a second database, and a
canonical dump that two databases' copies of an event can be compared by."""

import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import crypto
from app.accounts.models import User
from app.agenda.models import (
    Audience,
    SessionInvitee,
    SessionKind,
    SessionSpeaker,
    SessionTranslation,
    SpeakerRole,
)
from app.archive import service
from app.config import get_settings
from app.crossings.models import CrossingStatus, ManifestStatus, ProcedureStep, ResponsibleSide
from app.db import Base, make_engine
from app.delegations.models import DelegationSide
from app.events.models import Event, StaffRole
from app.invitations.models import InvitationStatus
from app.press.models import PressKind, PressStatus
from app.recommendations.models import RecommendationStatus
from app.registrations.models import Category, Circle, Consent, ConsentKind, RegistrationStatus
from tests.conftest import alembic_config
from tests.factories import (
    AgendaSessionFactory,
    CrossingFactory,
    CrossingPointFactory,
    DelegationCoordinatorFactory,
    DelegationFactory,
    EventFactory,
    EventStaffFactory,
    EventSummaryFactory,
    InvitationFactory,
    ManifestEntryFactory,
    MediaCoverageFactory,
    OfficialFactory,
    OutcomeFactory,
    PersonFactory,
    PressApprovalFactory,
    PressItemFactory,
    PressVersionFactory,
    ProcedureTemplateFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    RegistrationFactory,
    RoadmapPhaseFactory,
    RoomFactory,
    UserFactory,
    VehicleFactory,
    with_document,
)

DOCUMENT = "AB1234567"
T0 = datetime(2026, 1, 10, 9, 30, 15, 123456, tzinfo=UTC)


def rich_event(db: Session, **event_fields: Any) -> Event:
    """An event with a record of every kind the archive holds, and references to accounts."""
    phase = RoadmapPhaseFactory(name="Confidence building")
    event = EventFactory(initiative=phase.initiative, created_at=T0, **event_fields)
    organiser_user, press_user = UserFactory(), UserFactory()
    EventStaffFactory(event=event, user=organiser_user)
    EventStaffFactory(event=event, user=press_user, role=StaffRole.PRESS_OFFICER)
    host = DelegationFactory(event=event, name="Armenian delegation", country="AM", side=DelegationSide.HOST)
    visiting = DelegationFactory(event=event, name="Azerbaijani delegation", country="AZ", side=DelegationSide.VISITING)
    host_coordinator, visiting_coordinator = UserFactory(), UserFactory()
    DelegationCoordinatorFactory(delegation=host, user=host_coordinator)
    DelegationCoordinatorFactory(delegation=visiting, user=visiting_coordinator)

    with_account = UserFactory()
    armen = RegistrationFactory(
        delegation=host,
        person=PersonFactory(user=with_account, given_name_native="Արմեն", organisation="Peace Bridge NGO"),
        circle=Circle.CORE,
        category=Category.EXPERT,
        status=RegistrationStatus.CONFIRMED,
        languages="hy,ru,en",
        dietary_needs="Vegetarian",
        confirmed_at=T0 + timedelta(days=1),
    )
    with_document(armen, number=DOCUMENT)
    aysel = RegistrationFactory(
        delegation=visiting,
        person=PersonFactory(given_name="Aysel", family_name_native="Məmmədova"),
        status=RegistrationStatus.CONFIRMED,
    )
    no_email = RegistrationFactory(delegation=visiting, person=PersonFactory(email=None, given_name="Gülər"))
    db.add(Consent(registration=armen, kind=ConsentKind.DATA_PROCESSING, text_version="2026-02", agreed_at=T0))
    db.add(Consent(registration=aysel, kind=ConsentKind.PHOTOGRAPHY, text_version="2026-02", agreed_at=T0))
    InvitationFactory(delegation=host, event=event, created_by_id=organiser_user.id)
    InvitationFactory(
        delegation=visiting,
        event=event,
        status=InvitationStatus.ACCEPTED,
        registration=aysel,
        accepted_at=T0,
        email=aysel.person.email,
    )

    room = RoomFactory(event=event, name="Main hall", notes="Interpretation booths")
    official = OfficialFactory(event=event, name="Deputy Minister", name_native="Փոխնախարար")
    plenary = AgendaSessionFactory(
        event=event, room=room, title="Current stage of relations", topics=["peace agenda", "trust"], chatham_house=True
    )
    meeting = AgendaSessionFactory(
        event=event,
        room=room,
        kind=SessionKind.OFFICIAL_MEETING,
        title="Meeting the Deputy Minister",
        audience=Audience.DELEGATION,
        audience_delegation=visiting,
        starts_at=plenary.ends_at + timedelta(hours=1),
        ends_at=plenary.ends_at + timedelta(hours=2),
        is_published=False,
    )
    db.add(SessionSpeaker(session=plenary, registration=armen, role=SpeakerRole.MODERATOR, position=0))
    db.add(SessionSpeaker(session=meeting, official=official, role=SpeakerRole.GUEST, position=1))
    db.add(SessionInvitee(session=meeting, registration=aysel))
    db.add(SessionTranslation(session=plenary, language="hy", title="Հարաբերությունների ներկա փուլը", description="Խաղաղության օրակարգ"))

    point = CrossingPointFactory(latitude=Decimal("41.123456"), longitude=Decimal("45.654321"))
    ProcedureTemplateFactory(crossing_point=point, title="Send the list to the border service")
    crossing = CrossingFactory(
        delegation=visiting,
        event=event,
        crossing_point=point,
        status=CrossingStatus.SUBMITTED,
        submitted_at=T0,
        submitted_by_id=visiting_coordinator.id,
        meeting_point="Hotel lobby",
    )
    bus = VehicleFactory(crossing=crossing, driver_name="Driver", seats=30)
    ManifestEntryFactory(crossing=crossing, registration=aysel, vehicle=bus, status=ManifestStatus.CLEARED)
    ManifestEntryFactory(crossing=crossing, registration=no_email, staying_reason="Stays for a conference")
    db.add(
        ProcedureStep(
            crossing=crossing,
            title="Send the list",
            responsible_side=ResponsibleSide.VISITING,
            lead_days=7,
            done_at=T0,
            done_by_id=visiting_coordinator.id,
        )
    )

    OutcomeFactory(session=plenary, key_points=["A transport working group", "Meet again"], updated_by_id=organiser_user.id)
    recommendation = RecommendationFactory(
        event=event,
        initiative=event.initiative,
        phase=phase,
        session=plenary,
        status=RecommendationStatus.IN_PROGRESS,
        target_on=date(2026, 6, 30),
    )
    ProgressUpdateFactory(recommendation=recommendation, author_id=organiser_user.id, status=RecommendationStatus.IN_PROGRESS)
    ProgressUpdateFactory(recommendation=recommendation, reported_on=date(2026, 4, 1), text="Met twice.")

    statement = PressItemFactory(
        event=event,
        kind=PressKind.JOINT_STATEMENT,
        status=PressStatus.PUBLISHED,
        session=meeting,
        revision=2,
        published_at=T0 + timedelta(days=2),
        published_by_id=organiser_user.id,
        created_by_id=press_user.id,
    )
    PressVersionFactory(item=statement, revision=1, number=1, author_id=press_user.id)
    PressVersionFactory(item=statement, revision=2, number=2, author_id=press_user.id)
    PressVersionFactory(item=statement, revision=2, number=1, language="hy", title="Համատեղ հայտարարություն")
    PressApprovalFactory(item=statement, delegation=host, revision=1, approved_by_id=host_coordinator.id, withdrawn_at=T0)
    PressApprovalFactory(item=statement, delegation=host, revision=2, approved_by_id=host_coordinator.id)
    PressApprovalFactory(item=statement, delegation=visiting, revision=2, approved_by_id=visiting_coordinator.id)
    PressItemFactory(event=event)  # a draft release without versions
    MediaCoverageFactory(event=event, created_by_id=press_user.id)
    EventSummaryFactory(event=event, published_at=T0, updated_by_id=organiser_user.id)
    db.flush()
    return event


# --- a canonical dump: what two databases' copies of an event must share -----------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, Enum):
        return value.value
    return value


def canonical(db: Session, event_id: int) -> dict[str, list[str]]:
    """Every archived row of the event, without ids: a reference is replaced by what it refers
    to (the row it names, recursively; an account by its e-mail), a document number by its clear
    text. Rows are compared as sorted lists of JSON texts."""
    tables = Base.metadata.tables
    memo: dict[tuple[str, int], Any] = {}

    def row_of(name: str, row_id: int) -> Any:
        if (name, row_id) not in memo:
            if name == "user":
                memo[(name, row_id)] = db.scalar(select(User.email).where(User.id == row_id))
            else:
                table = tables[name]
                memo[(name, row_id)] = describe(name, dict(db.execute(select(table).where(table.c.id == row_id)).mappings().one()))
        return memo[(name, row_id)]

    def describe(name: str, row: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for column in tables[name].columns:
            value = row[column.name]
            if column.primary_key:
                continue
            if column.foreign_keys and value is not None:
                value = row_of(next(iter(column.foreign_keys)).column.table.name, value)
            elif (name, column.name) in service.ENCRYPTED and value is not None:
                value = crypto.decrypt(value, table=name, column=column.name, row_id=row["id"])
            out[column.name] = _plain(value)
        return out

    found = service._collect(db, event_id)
    return {name: sorted(json.dumps(describe(name, row), sort_keys=True, ensure_ascii=False) for row in rows) for name, rows in found.items()}


# --- another database ----------------------------------------------------------------------------


def _migrated(url: str) -> Engine:
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    return engine


@pytest.fixture
def other_database(tmp_path) -> Iterator[Callable[[str], Session]]:  # type: ignore[no-untyped-def]
    """Opens a session on a new, migrated database: "sqlite" (a file of its own) or "postgresql"
    (a database created on the server of PARLEY_TEST_DATABASE_URL, dropped afterwards)."""
    engines: list[Engine] = []
    created: list[tuple[Engine, str]] = []
    sessions: list[Session] = []

    def open_session(backend: str) -> Session:
        if backend == "sqlite":
            engine = _migrated(f"sqlite:///{tmp_path}/other-{uuid.uuid4().hex[:8]}.sqlite3")
        else:
            server = os.environ.get("PARLEY_TEST_DATABASE_URL", "")
            if not server.startswith("postgresql"):
                pytest.skip("PARLEY_TEST_DATABASE_URL names no PostgreSQL database")
            name = f"parley_archive_{uuid.uuid4().hex[:12]}"
            admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            created.append((admin, name))
            engine = _migrated(make_url(server).set(database=name).render_as_string(hide_password=False))
        engines.append(engine)
        session = Session(bind=engine, expire_on_commit=False)
        sessions.append(session)
        return session

    yield open_session
    for session in sessions:
        session.close()
    for engine in engines:
        engine.dispose()
    for admin, name in created:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def copy_accounts(source: Session, target: Session, event_id: int) -> None:
    """The accounts the event's records name, created in the target with the same addresses
    (accounts never travel in an archive)."""
    ids = set()
    for name, rows in service._collect(source, event_id).items():
        for column in service.columns(name):
            if column.kind == "user":
                ids |= {row[column.name] for row in rows if row[column.name] is not None}
    for user in source.scalars(select(User).where(User.id.in_(ids))):
        target.add(User(email=user.email, full_name=user.full_name, password_hash=user.password_hash))
    target.flush()


@pytest.fixture
def data_keys(monkeypatch) -> Iterator[Callable[[str], None]]:  # type: ignore[no-untyped-def]
    """Switches this process's data keys (PARLEY_DATA_KEYS), restored afterwards."""

    def use(keys: str) -> None:
        monkeypatch.setenv("PARLEY_DATA_KEYS", keys)
        get_settings.cache_clear()
        crypto.keyring.cache_clear()

    yield use
    monkeypatch.undo()
    get_settings.cache_clear()
    crypto.keyring.cache_clear()


def key(kid: str, byte: bytes) -> str:
    import base64

    return f"{kid}:" + base64.urlsafe_b64encode(byte * 32).decode()


TEST_KEYS = key("t2", b"2") + "," + key("t1", b"1")
