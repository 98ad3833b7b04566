"""What the security checks share: the app's routes with their declared actions, a world of
records to aim them at, how to fill a route's path from it, and a snapshot of the database.

A route with a new path parameter (`registration_id`, …) fails the checks until the world has an
object for it: add a line to `_build_objects` (the target and the same under another parent), to
`PARENT` (what it is found under) and, if the policy decides on it, to `POLICY_OBJECT`.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, get_args

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import app.db as app_db
import app.models  # noqa: F401  (every table in Base.metadata, for the snapshot)
from app.accounts import service as accounts
from app.accounts.models import ApiToken, User
from app.crossings.models import ProcedureStep, ResponsibleSide
from app.db import Base
from app.deps import form_body
from app.events.models import EventStatus, StaffRole
from app.initiatives.models import InitiativeStatus
from app.press.models import PressKind, PressStatus
from app.routes import api_routes
from app.security import keyed_hash, token_hash
from app.web import CSRF_COOKIE, SESSION_COOKIE
from tests.factories import (
    AgendaSessionFactory,
    CrossingFactory,
    CrossingPointFactory,
    DelegationCoordinatorFactory,
    DelegationFactory,
    EventFactory,
    EventStaffFactory,
    EventSummaryFactory,
    InitiativeFactory,
    InvitationFactory,
    ManifestEntryFactory,
    MediaCoverageFactory,
    MilestoneFactory,
    OfficialFactory,
    OutcomeFactory,
    PressItemFactory,
    PressVersionFactory,
    ProcedureTemplateFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    RegistrationFactory,
    RoadmapPhaseFactory,
    UserFactory,
    VehicleFactory,
)

# Outside the routers, public by nature (see tests/test_routes.py).
INFRASTRUCTURE = {"/healthz", "/livez", "/docs", "/openapi.json"}

# How many requests, cases and payloads each check tried, for the summary at the end of the run.
TALLY: Counter[str] = Counter()


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if TALLY:
        terminalreporter.write_sep("-", "security checks")
        for name, count in sorted(TALLY.items()):
            terminalreporter.write_line(f"{name}: {count}")


# --- routes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    action: str  # an app.policy.Action value, or "public"
    route: APIRoute = field(compare=False, repr=False)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def takes_form(self) -> bool:
        """Reads an ordinary form (`FormBody`); other page posts take an upload."""
        return _depends_on(self.route, form_body)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def _depends_on(route: APIRoute, call: Callable) -> bool:  # type: ignore[type-arg]
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if dependency.call is call:
            return True
        stack.extend(dependency.dependencies)
    return False


def _action(route: APIRoute) -> str:
    declared = [d.call for d in route.dependant.dependencies if hasattr(d.call, "parley_permission")]
    assert len(declared) == 1, f"{route.path} declares {len(declared)} permissions"
    return str(declared[0].parley_permission)


def endpoints() -> list[Endpoint]:
    """Every method of every route of the app's routers, with the action it declares."""
    found = [
        Endpoint(method, route.path, _action(route), route)
        for route in api_routes()
        if route.path not in INFRASTRUCTURE
        for method in sorted(route.methods)
    ]
    return sorted(found, key=lambda e: (e.path, e.method))


# --- a world of records to aim at --------------------------------------------------------------

# What each id is found under: a child id under another parent must answer 404.
PARENT = {
    "phase_id": "initiative_id",
    "milestone_id": "phase_id",
    "staff_id": "event_id",
    "delegation_id": "event_id",
    "coordinator_id": "delegation_id",
    "invitation_id": "event_id",
    "registration_id": "event_id",
    "person_id": "event_id",  # a person is found at an event through their registration
    "room_id": "event_id",
    "session_id": "event_id",
    "official_id": "event_id",
    "procedure_id": "crossing_point_id",
    "crossing_id": "event_id",
    "vehicle_id": "crossing_id",
    "entry_id": "crossing_id",
    "step_id": "crossing_id",
    "recommendation_id": "initiative_id",
    "update_id": "recommendation_id",
    "press_id": "event_id",
    "coverage_id": "event_id",
}

# The object `policy.can` decides on for a route, by its most specific path parameter first.
POLICY_OBJECT = [
    ("vehicle_id", "crossing_id"),
    ("entry_id", "crossing_id"),
    ("step_id", "crossing_id"),
    ("crossing_id", "crossing_id"),
    ("update_id", "recommendation_id"),
    ("recommendation_id", "recommendation_id"),
    ("press_id", "event_id"),
    ("coverage_id", "event_id"),
    ("registration_id", "registration_id"),
    ("person_id", "registration_id"),
    ("invitation_id", "invitation_id"),
    ("coordinator_id", "delegation_id"),
    ("delegation_id", "delegation_id"),
    ("staff_id", "event_id"),
    ("room_id", "event_id"),
    ("session_id", "event_id"),
    ("official_id", "event_id"),
    ("event_id", "event_id"),
    ("milestone_id", "initiative_id"),
    ("phase_id", "initiative_id"),
    ("initiative_id", "initiative_id"),
    ("token_id", "owner"),  # the token's owner: their own account
    ("user_id", "owner"),
]

# Path parameters that are not ids of records (a link's token): any value will do.
NOT_IDS = {"token": "no-such-link"}


@dataclass
class World:
    """A target of each kind, keyed by the path parameter that names it (`event_id` → the target
    event), the same kinds elsewhere (under other parents), and `owner`: the target event's
    organiser, whose account and API token are targets too."""

    target: dict[str, Any]
    elsewhere: dict[str, Any]
    owner: User

    def ids(self) -> dict[str, Any]:
        return {name: obj.id for name, obj in self.target.items()} | NOT_IDS

    def wrong_parent_ids(self, child: str) -> dict[str, Any]:
        """The target ids, but `child` (and what lies under it) taken from elsewhere."""
        ids = self.ids()
        for name in [child, *_descendants(child)]:
            ids[name] = self.elsewhere[name].id
        return ids

    def policy_object(self, endpoint: Endpoint) -> object:
        """The object whose permission decides the route (None: the route acts on no object)."""
        names = set(endpoint.path_params)
        for param, key in POLICY_OBJECT:
            if param in names:
                return self.owner if key == "owner" else self.target[key]
        return None


def _descendants(name: str) -> list[str]:
    children = [child for child, parent in PARENT.items() if parent == name]
    return children + [d for child in children for d in _descendants(child)]


def _build_objects(db: Session, event_status: EventStatus, initiative_status: InitiativeStatus):  # type: ignore[no-untyped-def]
    """One set of records: an initiative with its roadmap and an event in it with its people."""
    initiative = InitiativeFactory(status=initiative_status)
    phase = RoadmapPhaseFactory(initiative=initiative)
    event = EventFactory(initiative=initiative, status=event_status)
    owner = UserFactory()
    delegation = DelegationFactory(event=event)
    objects = {
        "initiative_id": initiative,
        "phase_id": phase,
        "milestone_id": MilestoneFactory(phase=phase),
        "event_id": event,
        "staff_id": EventStaffFactory(event=event, user=owner, role=StaffRole.ORGANISER),
        "delegation_id": delegation,
        "coordinator_id": DelegationCoordinatorFactory(delegation=delegation),
        "invitation_id": InvitationFactory(delegation=delegation, event=event),
        "user_id": owner,
    }
    token = ApiToken(user=owner, name="owner's script", token_hash=token_hash(f"pt_{owner.email}"))
    db.add(token)
    registration = RegistrationFactory(delegation=delegation, event=event)
    objects |= {"token_id": token, "registration_id": registration, "person_id": registration.person}
    session = AgendaSessionFactory(event=event)
    objects |= {"room_id": session.room, "session_id": session, "official_id": OfficialFactory(event=event)}
    point = CrossingPointFactory()
    objects |= {"crossing_point_id": point, "procedure_id": ProcedureTemplateFactory(crossing_point=point)}
    crossing = CrossingFactory(delegation=delegation, event=event, crossing_point=point)
    step = ProcedureStep(crossing=crossing, title="Plausible step", responsible_side=ResponsibleSide.BOTH)
    db.add(step)
    objects |= {
        "crossing_id": crossing,
        "vehicle_id": VehicleFactory(crossing=crossing),
        "entry_id": ManifestEntryFactory(crossing=crossing, registration=registration),
        "step_id": step,
    }
    recommendation = RecommendationFactory(event=event, initiative=initiative, phase=phase, session=session)
    # A published joint statement: the public may read it (a draft would be a 404 to them).
    press = PressItemFactory(
        event=event, kind=PressKind.JOINT_STATEMENT, status=PressStatus.PUBLISHED,
        published_at=datetime(2026, 2, 14, 17, 0, tzinfo=UTC),
    )
    PressVersionFactory(item=press)
    OutcomeFactory(session=session)
    # A published post-event summary: its public variant is for whoever may see the event.
    EventSummaryFactory(event=event, published_at=datetime(2026, 2, 15, 12, 0, tzinfo=UTC))
    objects |= {
        "recommendation_id": recommendation,
        "update_id": ProgressUpdateFactory(recommendation=recommendation),
        "press_id": press,
        "coverage_id": MediaCoverageFactory(event=event),
    }
    return objects, owner


def build_world(
    db: Session,
    *,
    event_status: EventStatus = EventStatus.PLANNED,
    initiative_status: InitiativeStatus = InitiativeStatus.ACTIVE,
) -> World:
    target, owner = _build_objects(db, event_status, initiative_status)
    elsewhere, _ = _build_objects(db, event_status, initiative_status)
    db.flush()
    return World(target=target, elsewhere=elsewhere, owner=owner)


class UnknownPathParameter(AssertionError):
    pass


def fill_path(endpoint: Endpoint, ids: dict[str, Any]) -> str:
    unknown = [name for name in endpoint.path_params if name not in ids]
    if unknown:
        raise UnknownPathParameter(
            f"{endpoint.label}: the world has no {unknown}; add them to _build_objects, PARENT "
            "and POLICY_OBJECT in tests/security/conftest.py"
        )
    return endpoint.path.format(**{name: ids[name] for name in endpoint.path_params})


# --- bodies: a value for every field --------------------------------------------------------


def plausible_values(ids: dict[str, Any], *, email: str, current_password: str) -> dict[str, Any]:
    """Valid values for every field a form or an API body may take, by name (`ids`: the world's
    record ids, for the fields that name one): a refusal must not hide behind a 422."""
    return {
        "title": "Plausible title",
        "name": "Plausible name",
        "description": "Plausible description",
        "city": "Yerevan",
        "venue": "Hall",
        "host_country": "AM",
        "timezone": "Asia/Yerevan",
        "kind": "roundtable",
        # The world event's days (EventFactory), so that the sessions and crossings below fall
        # within an event made with these values too (the XSS sweep makes its own).
        "starts_on": "2026-02-13",
        "ends_on": "2026-02-14",
        "initiative_id": ids.get("initiative_id"),
        "status": "archived",
        "email": email,
        "role": "organiser",
        "full_name": "Plausible Name",
        "password": "a long unusual passphrase",
        "password_confirm": "a long unusual passphrase",
        "current_password": current_password,
        "is_admin": True,
        "is_active": True,
        "language": "en",
        "country": "AZ",
        "side": "visiting",
        "capacity_core": 5,
        "capacity_broader": 5,
        "head_name": "Plausible Head",
        "delegation_id": ids.get("delegation_id"),
        "given_name": "Plausible",
        "family_name": "Person",
        "circle": "core",
        "category": "expert",
        "sector": "academia",
        "attended": "yes",
        "reason": "Plausible reason",
        "doc_type": "passport",
        "doc_number": "AB123456",
        "doc_issuing_country": "AM",
        "doc_nationality": "AM",
        "doc_expires_on": "2030-01-01",
        "code": "123456",
        "secret": "JBSWY3DPEHPK3PXP",
        "require_totp": "on",
        # Agenda: a session on the world event's first day, in its room.
        "day": "2026-02-13",
        "start": "10:00",
        "end": "11:00",
        "starts_at": "2026-02-13T10:00:00+04:00",
        "ends_at": "2026-02-13T11:00:00+04:00",
        "room_id": ids.get("room_id"),
        "capacity": 30,
        "audience": "everyone",
        "institution": "Plausible institution",
        "topics": "Plausible topic",
        # A session's title and description in another language (API), by language code.
        "translations": {"hy": {"title": "Plausible title", "description": "Plausible description"}},
        # Crossing points and their procedures.
        "name_a": "Plausible A",
        "name_b": "Plausible B",
        "country_a": "AM",
        "country_b": "AZ",
        "latitude": 41.1,
        "longitude": 45.1,
        "lead_days": 3,
        "responsible_side": "visiting",
        "direction": "up",
        # Crossings, their vehicles and manifests (the world event's first day).
        "crossing_point_id": ids.get("crossing_point_id"),
        "registration_id": ids.get("registration_id"),
        "vehicle_id": ids.get("vehicle_id"),
        "planned_at": "2026-02-13T08:00:00+04:00",
        "actual_at": "2026-02-13T08:30:00+04:00",
        "meeting_at": "2026-02-13T07:00:00+04:00",
        "time": "08:00",
        "meeting_day": "2026-02-13",
        "meeting_time": "07:00",
        "actual_day": "2026-02-13",
        "actual_time": "08:30",
        "label": "Plausible bus",
        "plate": "10 AA 100",
        "seats": 10,
        "staying_reason": "Plausible reason",
        "done": True,
        # The post-event summary's introduction and conclusion (Markdown).
        "introduction": "Plausible introduction",
        "conclusion": "Plausible conclusion",
        # Session outcomes (key points: a JSON list in the API, one per line on the page).
        "notes": "Plausible notes",
        "key_points": ["Plausible key point"],
        "is_public": True,
        # Press items (a version in a language; the world's item is at revision 1) and coverage.
        "body": "Plausible body",
        "revision": 1,
        "outlet": "Plausible outlet",
        "url": "https://news.example.org/plausible",
        "published_on": "2026-02-14",
        # Recommendations and their progress updates. No owning sides: a recommendation of an
        # event without delegations yet (as the XSS sweep makes them) may name none.
        "area": "humanitarian",
        "owners": [],
        "owners_other": "AM",
        "owner": "AM",
        "target_on": "2026-06-30",
        "event_id": ids.get("event_id"),
        "session_id": ids.get("session_id"),
        "phase_id": ids.get("phase_id"),
        "reported_on": "2026-02-14",
        "text": "Plausible progress",
    }


def _enum(annotation: Any) -> type[Enum] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate
    return None


def api_body(endpoint: Endpoint, values: dict[str, Any]) -> dict[str, Any] | None:
    """A valid JSON body for the route's request model, from `values`."""
    if endpoint.route.body_field is None:
        return None
    model = request_model(endpoint.route.body_field.field_info.annotation)
    body: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if (enum := _enum(info.annotation)) is not None and name != "role":
            body[name] = list(enum)[-1].value  # e.g. status "archived"
        elif name in values:
            body[name] = values[name]
        elif info.is_required():
            body[name] = _by_type(endpoint, name, info.annotation)
    return body


def request_model(annotation: Any) -> type[BaseModel]:
    """The request model, also out of `One | list[One]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        try:
            return request_model(arg)
        except LookupError:
            continue
    raise LookupError(annotation)


def _by_type(endpoint: Endpoint, name: str, annotation: Any) -> Any:
    """A valid-looking value for a field `plausible_values` does not know, from its type."""
    kinds = ((bool, True), (int, 1), (str, f"Plausible {name}"), (date, "2030-01-01"))
    for kind, value in kinds:
        if annotation is kind or kind in get_args(annotation):
            return value
    raise AssertionError(f"{endpoint.label}: no plausible value for {name!r}; add one to plausible_values")


def form_data(values: dict[str, Any]) -> dict[str, str]:
    return {k: ("on" if v is True else str(v)) for k, v in values.items()}


# --- the database before and after -------------------------------------------------------------

# Rows and columns that a refused request may legitimately touch: sessions (an inactive user's
# is deleted when seen), sign-in throttling, and "last used" times.
VOLATILE_TABLES = {"user_session", "login_attempt"}
VOLATILE_COLUMNS = {"last_used_at", "last_seen_at", "last_login_at"}


def snapshot(db: Session) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every row of every table (as the last request left it), but the volatile ones."""
    rows = {}
    for table in Base.metadata.sorted_tables:
        if table.name in VOLATILE_TABLES:
            continue
        columns = [c for c in table.c if c.name not in VOLATILE_COLUMNS]
        query = select(*columns).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(row) for row in db.execute(query)]
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:  # type: ignore[type-arg]
    return [name for name in before if before[name] != after.get(name)]


@pytest.fixture
def world(db: Session) -> World:
    return build_world(db)


# --- a client for thousands of requests --------------------------------------------------------


@pytest.fixture
def browser(app, db: Session, monkeypatch) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A test client whose requests each get their own session on the test's connection, inside
    its rolled-back transaction (as in production, one session per request).

    Unlike the `client` fixture it overrides no dependency: FastAPI resolves an overridden
    dependency anew on every request, a quarter of the time of the sweeps' thousands of requests.
    """
    factory = sessionmaker(bind=db.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False)
    monkeypatch.setattr(app_db, "session_factory", lambda: factory)
    with TestClient(app, follow_redirects=False) as client:
        client.cookies.set(CSRF_COOKIE, "security-csrf-seed", domain="testserver.local")
        yield client


def sign_in(browser: TestClient, db: Session, user: User | None) -> None:
    """A real session for `user` on the browser (None: signed out)."""
    browser.cookies.delete(SESSION_COOKIE)
    if user is not None:
        token = accounts.start_session(db, user=user, second_factor_done=True, client="testclient")
        db.flush()
        browser.cookies.set(SESSION_COOKIE, token, domain="testserver.local")


def csrf_token(browser: TestClient) -> str:
    return keyed_hash("csrf", browser.cookies.get(CSRF_COOKIE) or "")
