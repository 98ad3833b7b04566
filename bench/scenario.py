"""The "Tsaghkadzor-300" benchmark scenario (BENCH.md of the shared notes), built in a fresh database.

The database is migrated with Alembic and filled through the services, as the command line's
system actor, so the rows are exactly what the app itself writes. Nothing random: two builds
hold the same data (only timestamps, password salts and encryption nonces differ).

The scenario's full plan is written out below as plain data (`delegates()`, `sessions()`,
`crossings()`); `load()` puts it in: the initiative, the event, its organiser, the two
delegations and their registrations, the rooms, officials and sessions, the crossings. What the
app could not hold would be listed in `NOT_BUILT` (never faked); the ids the pages need go in
`Scenario.ids` (e.g. "arrival_crossing") so that `bench.run` measures them.

    python -m bench.scenario [--scale 1] [--database-url URL]   # build it to look around
"""

import argparse
import base64
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (every table on Base.metadata)
from app.accounts import service as accounts_service
from app.accounts.schemas import UserCreate
from app.agenda import service as agenda_service
from app.agenda.models import SessionKind, SpeakerRole
from app.agenda.schemas import SessionIn, SpeakerIn
from app.config import ROOT, VAR
from app.crossings import points as crossing_points_service
from app.crossings import service as crossings_service
from app.crossings.models import CrossingDirection
from app.crossings.points_schemas import CrossingPointCreate
from app.crossings.schemas import CrossingIn
from app.db import Base, make_engine
from app.delegations import service as delegations_service
from app.delegations.models import DelegationSide
from app.events import service as events_service
from app.events.models import EventKind, EventStatus, StaffRole
from app.events.schemas import EventCreate
from app.initiatives import service as initiatives_service
from app.initiatives.schemas import InitiativeCreate
from app.officials import service as officials_service
from app.registrations import service as registrations_service
from app.registrations.models import Category, Circle, DocumentType, RegistrationStatus
from app.registrations.schemas import RegistrationCreate, TravelDocumentIn

NAME = "Tsaghkadzor-300"
BENCH_DIR = Path(__file__).resolve().parent
WORKDIR = BENCH_DIR / "var"  # ignored by git (the `var/` pattern)

# Fixed keys: the builder and the server it is measured on must agree, and the developer's own
# keys in var/ are never read or written.
ENVIRONMENT = {
    "PARLEY_SECRET_KEY": "bench-secret-key-not-for-production",
    "PARLEY_DATA_KEYS": "bench1:" + base64.urlsafe_b64encode(b"tsaghkadzor-300-bench-data-key!!").decode(),
    "PARLEY_OUTBOX_WORKER": "false",
    "PARLEY_LOG_LEVEL": "WARNING",
}

# --- the plan (BENCH.md), as data --------------------------------------------------------------

INITIATIVE = "Peace Bridge (Tsaghkadzor-300 benchmark)"
EVENT_TITLE = "Peace Bridge bilateral roundtable"
TIMEZONE = "Asia/Yerevan"
FIRST_DAY = date(2026, 2, 13)
LAST_DAY = date(2026, 2, 15)
PER_SIDE = 150  # confirmed registrations per delegation at scale 1
ORGANISATIONS = 30
CATEGORIES = ("civil_society", "expert", "media")
ROOMS = ("Main Hall", "Room 1", "Room 2", "Garden")
SESSIONS_PER_DAY = 20
SESSION_MINUTES = 30
FIRST_SESSION = time(9, 0)
SPEAKERS_PER_SESSION = 3
DOCUMENTS_EXPIRE_ON = date(2031, 12, 31)
PASSWORD = "tsaghkadzor-bench-passphrase"  # noqa: S105  (every scenario account's; a public test value)


@dataclass(frozen=True)
class Side:
    letter: str
    country: str
    name: str
    host: bool


SIDES = (Side("A", "AM", "Armenia", host=True), Side("B", "AZ", "Azerbaijan", host=False))
VISITING = SIDES[1]


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    full_name: str


def organiser_account(n: int = 1) -> Account:
    return Account(f"organiser{n}@example.org", PASSWORD, f"Bench Organiser {n}")


@dataclass(frozen=True)
class DelegateSpec:
    side: str  # "A" (host) or "B" (visiting)
    number: int  # 1 .. per side
    order: int  # registration order across the event, 0-based: all of A, then all of B
    name: str
    email: str
    organisation: str
    category: str
    core: bool
    document_number: str

    @property
    def account(self) -> Account:
        return Account(self.email, PASSWORD, self.name)

    @property
    def family_name(self) -> str:
        return self.name.removeprefix("Delegate ")


def per_side(scale: int) -> int:
    return PER_SIDE * scale


def delegate(side: str, number: int, scale: int = 1) -> DelegateSpec:
    """Delegate A001 .. A150 and B001 .. B150 at scale 1 (A1500 at scale 10: names never change)."""
    index = [s.letter for s in SIDES].index(side)
    return DelegateSpec(
        side=side,
        number=number,
        order=index * per_side(scale) + number - 1,
        name=f"Delegate {side}{number:03d}",
        email=f"delegate-{side.lower()}{number:03d}@example.org",
        organisation=f"Org {(number - 1) % ORGANISATIONS + 1}",
        category=CATEGORIES[(number - 1) % len(CATEGORIES)],
        core=number % 5 == 0,
        document_number=f"{SIDES[index].country}{number:07d}",
    )


def delegates(scale: int = 1) -> list[DelegateSpec]:
    """Every registration, in registration order."""
    return [delegate(s.letter, n, scale) for s in SIDES for n in range(1, per_side(scale) + 1)]


def local(day: date, at: time) -> datetime:
    """A wall-clock time at the venue, as the UTC moment the database stores."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(TIMEZONE)).astimezone(UTC)


@dataclass(frozen=True)
class SessionSpec:
    number: int  # 1 .. 60
    title: str
    room: str
    starts_at: datetime  # UTC
    ends_at: datetime
    speakers: tuple[tuple[str, int], ...]  # (side, number) of each speaker
    official_meeting: bool
    official: str | None


def sessions() -> list[SessionSpec]:
    """60 sessions, 20 a day in 30-minute slots from 09:00, rooms cycling; the same at any scale.

    Session i (0-based) has the speakers of registration order 7i, 7i+1, 7i+2 mod 300, counted
    on the scale-1 event, so that a larger scale keeps the same people on the same sessions.
    """
    people = delegates(1)
    days = (LAST_DAY - FIRST_DAY).days + 1
    specs = []
    for i in range(days * SESSIONS_PER_DAY):
        day, slot = divmod(i, SESSIONS_PER_DAY)
        start = local(
            FIRST_DAY + timedelta(days=day),
            (datetime.combine(FIRST_DAY, FIRST_SESSION) + timedelta(minutes=SESSION_MINUTES * slot)).time(),
        )
        speakers = tuple(
            (people[(7 * i + k) % len(people)].side, people[(7 * i + k) % len(people)].number)
            for k in range(SPEAKERS_PER_SESSION)
        )
        official = (i + 1) % 10 == 0
        specs.append(
            SessionSpec(
                number=i + 1,
                title=f"Session {i + 1:02d}",
                room=ROOMS[i % len(ROOMS)],
                starts_at=start,
                ends_at=start + timedelta(minutes=SESSION_MINUTES),
                speakers=speakers,
                official_meeting=official,
                official=f"Official {(i + 1) // 10}" if official else None,
            )
        )
    return specs


@dataclass(frozen=True)
class CrossingSpec:
    key: str  # the name bench.run looks its id up by
    direction: str  # "arrival" or "departure"
    side: str
    at: datetime  # UTC
    manifest: tuple[int, ...]  # numbers of the side's delegates, all of them


def crossings(scale: int = 1) -> list[CrossingSpec]:
    everyone = tuple(range(1, per_side(scale) + 1))
    return [
        CrossingSpec("arrival_crossing", "arrival", VISITING.letter, local(FIRST_DAY, time(8, 0)), everyone),
        CrossingSpec("departure_crossing", "departure", VISITING.letter, local(LAST_DAY, time(18, 0)), everyone),
    ]


# Who signs in as the delegate whose itinerary is measured.
ITINERARY_DELEGATE = ("B", 1)

# What the plan holds that the app has no tables for yet. Shrink this as the domains arrive.
NOT_BUILT: tuple[str, ...] = ()

# The crossing point the visiting delegation passes, both ways.
CROSSING_POINT = {
    "name_a": "Voskepar", "country_a": "AM", "name_b": "Ashaghi Askipara", "country_b": "AZ",
    "status": "delimited and demarcated",
}


# --- the database --------------------------------------------------------------------------------


@dataclass
class Scenario:
    """What was built: where, at what scale, the ids of what the pages need, who signs in."""

    url: str
    scale: int
    ids: dict[str, int] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    built: list[str] = field(default_factory=list)
    not_built: list[str] = field(default_factory=lambda: list(NOT_BUILT))
    # Each delegate's registration id, by (side, number): for the speakers of the sessions.
    registration_ids: dict[tuple[str, int], int] = field(default_factory=dict, repr=False)

    @property
    def per_side(self) -> int:
        return per_side(self.scale)


class NotABenchDatabase(RuntimeError):
    pass


def default_url(scale: int, workdir: Path = WORKDIR) -> str:
    return f"sqlite:///{workdir / f'tsaghkadzor-{scale}x.sqlite3'}"


def redact(url: str) -> str:
    """The URL without its password, for printing and the results file."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise NotABenchDatabase("the benchmark needs a database file or server, not :memory:")
    return Path(parsed.database).resolve()


def _check_disposable(engine: Engine) -> None:
    """Refuse to empty a database that holds anything but an earlier build of this scenario."""
    tables = set(inspect(engine).get_table_names())
    if not tables:
        return
    with engine.connect() as conn:
        names = (
            list(conn.scalars(text("SELECT name FROM initiative"))) if "initiative" in tables else []
        )
        users = conn.scalar(text('SELECT count(*) FROM "user"')) if "user" in tables else 0
    if not names and not users:
        return  # migrated but empty (or a build that failed before its commit)
    if names != [INITIATIVE]:
        raise NotABenchDatabase(
            f"{redact(str(engine.url))} is not empty and holds no earlier benchmark: "
            "give the benchmark an empty database of its own"
        )


def _empty(url: str) -> None:
    path = _sqlite_path(url)
    if path is not None:
        if path == (VAR / "parley.sqlite3").resolve():
            raise NotABenchDatabase("the benchmark never touches the developer's var/parley.sqlite3")
        if path.exists():
            engine = make_engine(url)
            try:
                _check_disposable(engine)
            finally:
                engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    engine = make_engine(url)
    try:
        _check_disposable(engine)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            else:
                Base.metadata.drop_all(conn)
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


def migrate(engine: Engine) -> None:
    """`parley db upgrade`, on this engine: Alembic with the app's alembic.ini."""
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logging"] = False
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def build(url: str, *, scale: int = 1, organisers: int = 1) -> Scenario:
    """Empty the database (a new one, or an earlier build), migrate it, load the scenario."""
    if scale < 1:
        raise ValueError("the scale is a whole number, at least 1")
    _empty(url)
    engine = make_engine(url)
    try:
        migrate(engine)
        with Session(engine, expire_on_commit=False) as db:
            scenario = load(db, url=url, scale=scale, organisers=organisers)
            db.commit()
    finally:
        engine.dispose()
    return scenario


def load(db: Session, *, url: str, scale: int, organisers: int = 1) -> Scenario:
    """Put the scenario in through the services (the caller commits)."""
    actor = accounts_service.system_actor()
    scenario = Scenario(url=url, scale=scale)
    initiative = initiatives_service.create(
        db,
        actor=actor,
        data=InitiativeCreate(
            name=INITIATIVE,
            description="The benchmark's initiative: one roundtable, loaded the same way every time.",
        ),
    )
    event = events_service.create(
        db,
        actor=actor,
        data=EventCreate(
            initiative_id=initiative.id,
            title=EVENT_TITLE,
            kind=EventKind.ROUNDTABLE,
            host_country="AM",
            city="Tsaghkadzor",
            venue="Tsaghkadzor conference centre",
            starts_on=FIRST_DAY,
            ends_on=LAST_DAY,
            timezone=TIMEZONE,
            description=(
                "A bilateral roundtable of civil society, experts and media of Armenia and "
                "Azerbaijan: the Tsaghkadzor-300 benchmark scenario."
            ),
        ),
    )
    scenario.ids.update(initiative=initiative.id, event=event.id)
    scenario.built += ["initiative", "event (3 days, Asia/Yerevan, Tsaghkadzor)"]

    for n in range(1, organisers + 1):
        account = organiser_account(n)
        accounts_service.create_user(
            db,
            actor=actor,
            data=UserCreate(email=account.email, full_name=account.full_name, password=account.password),
        )
        events_service.add_staff(db, actor=actor, event=event, email=account.email, role=StaffRole.ORGANISER)
    scenario.accounts["organiser"] = organiser_account(1)
    scenario.built.append(f"organiser account{'s' if organisers > 1 else ''} ({organisers})")

    # The event is announced and opens its registration, as an organiser would walk it.
    for status in (EventStatus.PLANNED, EventStatus.REGISTRATION_OPEN):
        events_service.change_status(db, actor=actor, event=event, status=status)

    _delegations_and_registrations(db, actor, event, scenario)

    _agenda(db, actor, event, scenario)
    _crossings(db, actor, event, scenario)

    # Held and over: public, and the post-event summary has something to sum up.
    for status in (EventStatus.ONGOING, EventStatus.CONCLUDED):
        events_service.change_status(db, actor=actor, event=event, status=status)
    scenario.built.append("status concluded (public)")
    db.flush()
    return scenario


def _delegations_and_registrations(db: Session, actor, event, scenario: Scenario) -> None:  # type: ignore[no-untyped-def]
    """Two delegations with every registration confirmed (the organiser's approval, with its
    e-mail to the outbox) and a travel document; Delegate B001 has an account to sign in with."""
    places = scenario.per_side
    core = sum(1 for n in range(1, places + 1) if delegate("A", n, scenario.scale).core)
    for side in SIDES:
        delegation = delegations_service.create(
            db,
            actor=actor,
            event=event,
            fields={
                "name": side.name,
                "country": side.country,
                "side": DelegationSide.HOST if side.host else DelegationSide.VISITING,
                "capacity_core": core,
                "capacity_broader": places - core,
            },
        )
        scenario.ids[f"delegation_{side.letter.lower()}"] = delegation.id
        for number in range(1, places + 1):
            spec = delegate(side.letter, number, scenario.scale)
            data = RegistrationCreate(
                email=spec.email,
                delegation_id=delegation.id,
                given_name="Delegate",
                family_name=spec.family_name,
                organisation=spec.organisation,
                circle=Circle.CORE if spec.core else Circle.BROADER,
                category=Category(spec.category),
            )
            person = None
            if (side.letter, number) == ITINERARY_DELEGATE:
                account = spec.account
                user = accounts_service.create_user(
                    db,
                    actor=actor,
                    data=UserCreate(email=account.email, full_name=account.full_name, password=account.password),
                )
                person = registrations_service.upsert_person(db, email=spec.email, fields=data, user=user)
                scenario.accounts["delegate_b001"] = account
            registration = registrations_service.add(
                db, actor=actor, event=event, delegation=delegation, data=data, person=person
            )
            registrations_service.set_travel_document(
                db,
                actor=actor,
                registration=registration,
                data=TravelDocumentIn(
                    doc_type=DocumentType.PASSPORT,
                    doc_number=spec.document_number,
                    doc_issuing_country=side.country,
                    doc_nationality=side.country,
                    doc_expires_on=DOCUMENTS_EXPIRE_ON,
                ),
            )
            registrations_service.approve(db, actor=actor, registration=registration)
            scenario.registration_ids[(side.letter, number)] = registration.id
            if registration.status != RegistrationStatus.CONFIRMED:
                raise RuntimeError(f"registration of {spec.name} is {registration.status}, not confirmed")
    scenario.built += [
        "delegations (Armenia host, Azerbaijan visiting)",
        f"registrations ({places:,} a side, confirmed, with travel documents)",
        "the account of Delegate B001",
    ]


def _agenda(db: Session, actor, event, scenario: Scenario) -> None:  # type: ignore[no-untyped-def]
    """The rooms and the 60 published sessions, each with its three speakers; every tenth an
    official meeting with its official."""
    rooms = {
        name: agenda_service.create_room(db, actor=actor, event=event, data={"name": name, "capacity": 300})
        for name in ROOMS
    }
    for spec in sessions():
        speakers = [SpeakerIn(registration_id=scenario.registration_ids[person]) for person in spec.speakers]
        if spec.official is not None:
            official = officials_service.create(
                db,
                actor=actor,
                event=event,
                fields={"name": spec.official, "title": "Deputy Minister", "institution": "Ministry", "country": "AM"},
            )
            speakers.append(SpeakerIn(official_id=official.id, role=SpeakerRole.GUEST))
        data = SessionIn(
            kind=SessionKind.OFFICIAL_MEETING if spec.official_meeting else SessionKind.THEMATIC,
            title=spec.title,
            starts_at=spec.starts_at,
            ends_at=spec.ends_at,
            room_id=rooms[spec.room].id,
            speakers=speakers,
            is_published=True,
        )
        agenda_service.create_session(db, actor=actor, event=event, data=data, confirm=True)
    scenario.built += [f"rooms ({len(ROOMS)})", f"sessions ({len(sessions())}) with speakers and officials"]


def _crossings(db: Session, actor, event, scenario: Scenario) -> None:  # type: ignore[no-untyped-def]
    """The visiting delegation's arrival and departure through Voskepar / Ashaghi Askipara, each
    with every one of its (confirmed) registrations on the manifest; their ids in scenario.ids."""
    point = crossing_points_service.create(db, actor=actor, data=CrossingPointCreate(**CROSSING_POINT))
    delegation_id = scenario.ids[f"delegation_{VISITING.letter.lower()}"]
    for spec in crossings(scenario.scale):
        crossing = crossings_service.create(
            db,
            actor=actor,
            event=event,
            data=CrossingIn(
                delegation_id=delegation_id,
                crossing_point_id=point.id,
                direction=CrossingDirection(spec.direction),
                planned_at=spec.at,
            ),
        )
        added = crossings_service.add_all_confirmed(db, actor=actor, crossing=crossing)
        if len(added) != len(spec.manifest):
            raise RuntimeError(f"{spec.key}: {len(added)} people on the manifest, not {len(spec.manifest)}")
        scenario.ids[spec.key] = crossing.id
    scenario.built.append(
        f"crossing point; crossings (arrival, departure) with {scenario.per_side:,} on each manifest"
    )


def row_counts(url: str) -> dict[str, int]:
    """Rows per table of the app's schema: what the scenario amounts to."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: conn.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def summary(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": NAME,
        "scale": scenario.scale,
        "per_side": scenario.per_side,
        "database": redact(scenario.url),
        "ids": scenario.ids,
        "accounts": sorted(scenario.accounts),
        "built": scenario.built,
        "not_built": scenario.not_built,
        "rows": row_counts(scenario.url),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scenario", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="1: 150 a side; 10: 1,500 a side")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="an empty database of its own (default: a SQLite file in bench/var/)")
    args = parser.parse_args(argv)
    for key, value in ENVIRONMENT.items():
        os.environ[key] = value
    url = args.database_url or default_url(args.scale)
    scenario = build(url, scale=args.scale)
    info = summary(scenario)
    print(f"{NAME} ×{scenario.scale} built in {redact(url)}")
    print("rows: " + ", ".join(f"{k} {v}" for k, v in info["rows"].items() if v))
    print(f"sign in as {scenario.accounts['organiser'].email} / {PASSWORD}")
    print("not built yet: " + "; ".join(scenario.not_built))


if __name__ == "__main__":
    main()
