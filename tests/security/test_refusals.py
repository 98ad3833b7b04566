"""Every refusal, tested: each role × each route × a target in each state, generated from the routes.

For each route the expected answer follows from the action it declares (`declare(Action.X)`) and
`policy.can(role, X, target)`. A refused request, sent with a valid CSRF token and a plausible
body, must answer 401/403/404 or a 303 to /login, and change nothing in the database; what the
role may not see answers 404, as if it did not exist. Allowed reads must answer 200, so the
expectations are checked against the app in both directions.

Adding a role: one line in ROLES. Adding a route: nothing, unless it has a new path parameter
(see tests/security/conftest.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app import policy
from app.accounts.models import ApiToken, User
from app.accounts.service import GRANTS
from app.crossings.models import Crossing
from app.delegations.models import Delegation
from app.events.models import Event, EventStatus
from app.initiatives.models import Initiative, InitiativeStatus
from app.invitations.models import Invitation
from app.policy import ADMIN_ONLY, PUBLIC_ACTIONS, Action
from app.recommendations.models import Recommendation
from app.registrations.models import Registration
from app.security import token_hash
from app.web import CSRF_HEADER
from tests.factories import (
    PASSWORD,
    AdminFactory,
    DelegationFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.security.conftest import (
    PARENT,
    TALLY,
    Endpoint,
    World,
    api_body,
    build_world,
    changed_tables,
    csrf_token,
    endpoints,
    fill_path,
    form_data,
    plausible_values,
    sign_in,
    snapshot,
)


def delegate(delegation: Delegation) -> User:
    """A participant with an account and their own registration in `delegation`."""
    user = UserFactory()
    RegistrationFactory(delegation=delegation, event=delegation.event, person=PersonFactory(user=user))
    return user


# Who asks. Each builds the role's user against a world (None: not signed in).
ROLES: dict[str, Callable[[World], User | None]] = {
    "anonymous": lambda w: None,
    "signed_in": lambda w: UserFactory(),
    "press_officer": lambda w: press_officer(w.target["event_id"]),
    "organiser_of_another_event": lambda w: organiser(w.elsewhere["event_id"]),
    "coordinator_of_another_delegation": lambda w: coordinator(
        DelegationFactory(event=w.target["event_id"])
    ),
    "delegate_in_the_delegation": lambda w: delegate(w.target["delegation_id"]),
    # Disabled: an organiser of the target event whose account was switched off.
    "inactive": lambda w: organiser(w.target["event_id"], is_active=False),
}

# What they aim at: the target event and initiative in the states where the answers differ
# (unpublished: a draft event in an archived initiative, both invisible to the public).
VARIANTS: dict[str, dict[str, Any]] = {
    "unpublished": {"event_status": EventStatus.DRAFT, "initiative_status": InitiativeStatus.ARCHIVED},
    "published": {"event_status": EventStatus.PLANNED, "initiative_status": InitiativeStatus.ACTIVE},
}

MISSING_ID = 2_000_000_000
# Where the signed-in user's own records live.
OWN_PREFIXES = ("/me/", "/api/v1/me/")
MIN_REQUESTS_PER_ROLE = 100


def _plausible(world: World, user: User | None) -> dict[str, Any]:
    """Where a request would succeed, it would do harm: an escalation, an archive."""
    email = user.email if user is not None else world.owner.email
    return plausible_values(world.ids(), email=email, current_password=PASSWORD)


def outcome(response) -> str:  # type: ignore[no-untyped-def]
    if response.status_code == 303 and response.headers["location"].startswith("/login"):
        return "login"
    return str(response.status_code)


def expected_refusal(
    endpoint: Endpoint, user: User | None, target: object, parts: list[object] = ()  # type: ignore[assignment]
) -> set[str] | None:
    """The acceptable answers when the policy refuses, or None when it allows.

    `parts`: the target event's delegations. A page of the event that acts per delegation (its
    invitations, a new participant) serves whoever may act on one of them, on theirs alone."""
    action = endpoint.action
    effective = user if user is not None and user.is_active else None
    if user is not None and not user.is_active and endpoint.is_api:
        return {"401"}  # the token of a disabled account is no token: refused, whatever the route
    if endpoint.path.startswith(OWN_PREFIXES) and not endpoint.path_params:
        action = Action.ACCOUNT_MANAGE_OWN  # one's own records: a list of none is no refusal
    if action == "public" or policy.can(effective, Action(action), target):
        return None
    if isinstance(target, Event) and any(policy.can(effective, Action(action), p) for p in parts):
        return None
    if target is None and action in PUBLIC_ACTIONS:
        return None  # a list, of what the caller may see
    if effective is None:
        if action in PUBLIC_ACTIONS:
            return {"404"}  # public reads are refused only where the object is invisible
        return {"401"} if endpoint.is_api else {"login"}
    if action in ADMIN_ONLY:
        return {"403"}  # refused before anything is loaded, whatever the id
    if target is not None and not _sees(effective, target):
        return {"404"}  # what one may not see answers as if it did not exist
    return {"403", "404"}  # seen but not allowed: either answer hides nothing


def _sees(user: User, target: object) -> bool:
    if isinstance(target, Event):
        return policy.can(user, Action.EVENT_VIEW, target)
    if isinstance(target, Initiative):
        return policy.can(user, Action.INITIATIVE_VIEW, target)
    if isinstance(target, Delegation):
        return policy.can(user, Action.DELEGATION_VIEW, target)
    if isinstance(target, Registration):
        return policy.can(user, Action.REGISTRATION_VIEW, target)
    if isinstance(target, Invitation):
        return policy.can(user, Action.INVITATION_MANAGE, target)
    if isinstance(target, Crossing):
        return policy.can(user, Action.CROSSING_VIEW, target)
    if isinstance(target, User):
        return policy.can(user, Action.ACCOUNT_MANAGE_OWN, target)
    if isinstance(target, Recommendation):
        # The agreed ones, and all of their event's for its staff and coordinators; and only in
        # an initiative one sees.
        inside = policy.staff_event_ids(user) | {g.event_id for g in user.coordinator_roles}
        agreed = target.status in policy.PUBLIC_RECOMMENDATION_STATUSES
        return policy.can(user, Action.INITIATIVE_VIEW, target.initiative) and (agreed or target.event_id in inside)
    raise AssertionError(f"no visibility rule for {type(target).__name__}")


class Caller:
    """Sends requests as one role: the session cookie for pages, a Bearer token for the API."""

    def __init__(self, browser, db: Session, user: User | None) -> None:  # type: ignore[no-untyped-def]
        self.browser = browser
        self.bearer: str | None = None
        sign_in(browser, db, user)
        if user is not None:
            raw = f"pt_matrix_{user.email}"
            db.add(ApiToken(user=user, name="matrix", token_hash=token_hash(raw)))
            db.flush()
            self.bearer = raw

    def send(self, endpoint: Endpoint, url: str, values: dict[str, Any]):  # type: ignore[no-untyped-def]
        csrf = csrf_token(self.browser)
        if endpoint.is_api:
            headers = {"Authorization": f"Bearer {self.bearer}"} if self.bearer else {CSRF_HEADER: csrf}
            body = api_body(endpoint, values) if endpoint.method != "GET" else None
            return self.browser.request(endpoint.method, url, headers=headers, json=body)
        if endpoint.method == "GET":
            return self.browser.get(url)
        data = {**form_data(values), "csrf_token": csrf}
        return self.browser.request(endpoint.method, url, data=data)


def _as_signed_in(db: Session, user: User | None) -> User | None:
    """The user with the grants the policy reads, loaded as the sign-in loads them."""
    if user is None:
        return None
    db.flush()
    query = select(User).options(*GRANTS).where(User.id == user.id)
    return db.scalar(query.execution_options(populate_existing=True))


def _missing_ids(ids: dict[str, Any]) -> dict[str, Any]:
    return {k: (MISSING_ID if isinstance(v, int) else v) for k, v in ids.items()}


@dataclass(frozen=True)
class Planned:
    endpoint: Endpoint
    url: str
    expected: set[str] | None  # None: allowed
    # A refusal that does not depend on the object must not depend on its existence either.
    same_without_object: str | None


def _state_independent(endpoint: Endpoint, user: User | None) -> bool:
    """Refused before any object is loaded: the same whatever state the target is in."""
    signed_out = user is None or not user.is_active
    return endpoint.action in ADMIN_ONLY or (signed_out and endpoint.action not in PUBLIC_ACTIONS)


def _plan(db: Session, world: World, user: User | None, *, first: bool) -> list[Planned]:
    """What to send and what to expect, decided before any request. Refused reads first (their
    snapshot is shared), then refused writes (a snapshot each), then allowed reads (which may
    write to the audit log: a view of personal data is recorded)."""
    ids = world.ids()
    event = world.target["event_id"]
    parts = list(db.scalars(select(Delegation).options(joinedload(Delegation.event)).where(Delegation.event_id == event.id)))
    plan = []
    for endpoint in endpoints():
        if endpoint.action == "public":
            continue  # nothing to refuse
        if not first and _state_independent(endpoint, user):
            continue  # asked in the first variant already
        expected = expected_refusal(endpoint, user, world.policy_object(endpoint), parts)
        if expected is None and endpoint.method != "GET":
            continue  # allowed writes are the feature tests' business
        url = fill_path(endpoint, ids)
        missing = fill_path(endpoint, _missing_ids(ids))
        # Turned away before anything is looked up: the same answer for an id that is no one's.
        blind = expected is not None and user is None and missing != url
        plan.append(Planned(endpoint, url, expected, missing if blind else None))
    order = {(True, "GET"): 0, (True, "other"): 1, (False, "GET"): 2}
    return sorted(plan, key=lambda s: order[(s.expected is not None, "GET" if s.endpoint.method == "GET" else "other")])


@pytest.mark.parametrize("role", list(ROLES))
def test_every_refusal_answers_without_revealing_or_changing_anything(role: str, browser, db: Session) -> None:  # type: ignore[no-untyped-def]
    problems: list[str] = []
    sent = 0
    for number, (variant, states) in enumerate(VARIANTS.items()):
        world = build_world(db, **states)
        user = _as_signed_in(db, ROLES[role](world))
        values = _plausible(world, user)
        plan = _plan(db, world, user, first=number == 0)
        caller = Caller(browser, db, user)
        reads = [s for s in plan if s.expected is not None and s.endpoint.method == "GET"]
        last_read = reads[-1] if reads else None
        before = snapshot(db)
        for step in plan:
            where = f"{role} on {variant}: {step.endpoint.label}"
            response = caller.send(step.endpoint, step.url, values)
            sent += 1
            got = outcome(response)
            if step.expected is None:
                if got != "200":
                    problems.append(f"{where}: allowed by the policy, answered {got}")
                continue
            if got not in step.expected:
                problems.append(f"{where}: expected {sorted(step.expected)}, answered {got}")
            if step.same_without_object is not None:
                missing = caller.send(step.endpoint, step.same_without_object, values)
                sent += 1
                if outcome(missing) != got:
                    problems.append(f"{where}: {got} for a real id, {outcome(missing)} for none")
            # Each refused write is compared on its own; the refused reads once, after the last.
            if step.endpoint.method != "GET" or step is last_read:
                after = snapshot(db)
                if changed := changed_tables(before, after):
                    problems.append(f"{where}: changed {changed}")
                before = after
    TALLY[f"refusal matrix requests ({role})"] += sent
    TALLY["refusal matrix requests (all roles)"] += sent
    print(f"\n{role}: {sent} requests")
    assert not problems, "\n".join(problems)
    assert sent >= MIN_REQUESTS_PER_ROLE


@pytest.mark.parametrize("child", sorted(PARENT))
def test_a_child_under_another_parent_is_not_found(child: str, browser, db: Session) -> None:  # type: ignore[no-untyped-def]
    """As an administrator, who may see and do everything: only the ids' pairing is wrong."""
    world = build_world(db)
    admin = AdminFactory()
    values = _plausible(world, admin)
    ids = world.wrong_parent_ids(child)
    caller = Caller(browser, db, admin)
    problems, sent = [], 0
    before = snapshot(db)
    for endpoint in endpoints():
        if child not in endpoint.path_params or PARENT[child] not in endpoint.path_params:
            continue  # found by its id alone (/api/v1/recommendations/{recommendation_id}): no pair to get wrong
        response = caller.send(endpoint, fill_path(endpoint, ids), values)
        sent += 1
        after = snapshot(db)
        if response.status_code != 404:
            problems.append(f"{endpoint.label}: answered {response.status_code}")
        if changed := changed_tables(before, after):
            problems.append(f"{endpoint.label}: changed {changed}")
        before = after
    TALLY["wrong-parent requests"] += sent
    assert not problems, "\n".join(problems)
    assert sent >= 2


def test_every_path_parameter_can_be_filled(db: Session) -> None:
    """A new route with a new kind of id must be added to the checks above."""
    world = build_world(db)
    for endpoint in endpoints():
        fill_path(endpoint, world.ids())
