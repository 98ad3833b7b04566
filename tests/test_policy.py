"""The permission matrix: role × action × own / other event, decided by app.policy alone."""

import pytest

from app.events.models import EventStatus, StaffRole
from app.initiatives.models import InitiativeStatus
from app.policy import Action, can, visible_events
from tests.factories import (
    AdminFactory,
    DelegationFactory,
    EventFactory,
    InitiativeFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)

ROLES = ["anonymous", "inactive", "user", "admin", "organiser", "press_officer", "other_organiser", "other_press_officer"]

# What each role may do to a published event (status planned) it does or does not belong to.
EVENT_MATRIX = {
    Action.EVENT_VIEW: set(ROLES),  # public: everyone sees a published event
    Action.EVENT_VIEW_INTERNAL: {"admin", "organiser", "press_officer"},
    Action.EVENT_EDIT: {"admin", "organiser"},
    Action.EVENT_CHANGE_STATUS: {"admin", "organiser"},
    Action.EVENT_MANAGE_STAFF: {"admin", "organiser"},
    Action.EVENT_CREATE: {"admin"},
    Action.OUTCOME_VIEW: {"admin", "organiser", "press_officer"},
    Action.OUTCOME_MANAGE: {"admin", "organiser"},
    Action.RECOMMENDATION_MANAGE: {"admin", "organiser"},
    Action.PRESS_VIEW: {"admin", "organiser", "press_officer"},
    Action.PRESS_MANAGE: {"admin", "organiser", "press_officer"},
    Action.SUMMARY_VIEW: {"admin", "organiser", "press_officer"},
    Action.SUMMARY_MANAGE: {"admin", "organiser"},
}

ADMIN_ONLY = [Action.INITIATIVE_CREATE, Action.INITIATIVE_EDIT, Action.USER_MANAGE, Action.AUDIT_VIEW, Action.SITE_MANAGE,
              Action.CROSSING_POINT_MANAGE, Action.EVENT_TRANSFER]


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    event, other = EventFactory(status=EventStatus.PLANNED), EventFactory(status=EventStatus.PLANNED)
    return event, {
        "anonymous": None,
        "inactive": UserFactory(is_active=False),
        "user": UserFactory(),
        "admin": AdminFactory(),
        "organiser": organiser(event),
        "press_officer": press_officer(event),
        "other_organiser": organiser(other),
        "other_press_officer": press_officer(other),
    }


@pytest.mark.parametrize("action", list(EVENT_MATRIX))
def test_event_actions_by_role(people, action) -> None:  # type: ignore[no-untyped-def]
    event, users = people
    allowed = {role for role, user in users.items() if can(user, action, event)}
    assert allowed == EVENT_MATRIX[action]


@pytest.mark.parametrize("action", list(EVENT_MATRIX))
def test_draft_events_are_seen_only_by_their_staff(people, db, action) -> None:  # type: ignore[no-untyped-def]
    event, users = people
    event.status = EventStatus.DRAFT
    allowed = {role for role, user in users.items() if can(user, action, event)}
    expected = EVENT_MATRIX[action] & {"admin", "organiser", "press_officer"}
    assert allowed == expected


def test_archived_events_are_read_only_for_their_organisers(people) -> None:  # type: ignore[no-untyped-def]
    event, users = people
    event.status = EventStatus.ARCHIVED
    assert not can(users["organiser"], Action.EVENT_EDIT, event)
    assert not can(users["organiser"], Action.EVENT_MANAGE_STAFF, event)
    assert can(users["organiser"], Action.EVENT_VIEW, event)
    assert not can(users["user"], Action.EVENT_VIEW, event)
    assert can(users["admin"], Action.EVENT_EDIT, event)


@pytest.mark.parametrize("action", ADMIN_ONLY)
def test_instance_actions_are_for_administrators_only(people, action) -> None:  # type: ignore[no-untyped-def]
    _, users = people
    assert {role for role, user in users.items() if can(user, action)} == {"admin"}


def test_initiatives_are_public_until_archived(people) -> None:  # type: ignore[no-untyped-def]
    _, users = people
    active, archived = InitiativeFactory(), InitiativeFactory(status=InitiativeStatus.ARCHIVED)
    assert all(can(user, Action.INITIATIVE_VIEW, active) for user in users.values())
    assert {r for r, u in users.items() if can(u, Action.INITIATIVE_VIEW, archived)} == {"admin"}


def test_own_account_only(people) -> None:  # type: ignore[no-untyped-def]
    _, users = people
    user, other = users["user"], users["organiser"]
    assert can(user, Action.ACCOUNT_MANAGE_OWN, user)
    assert not can(user, Action.ACCOUNT_MANAGE_OWN, other)
    assert not can(None, Action.ACCOUNT_MANAGE_OWN)
    assert not can(users["inactive"], Action.ACCOUNT_MANAGE_OWN, users["inactive"])


def test_visible_events_scope_matches_can(people, db) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from app.events.models import Event

    event, users = people
    draft = EventFactory(status=EventStatus.DRAFT)
    from tests.factories import EventStaffFactory

    EventStaffFactory(event=draft, user=users["press_officer"], role=StaffRole.PRESS_OFFICER)
    for role, user in users.items():
        ids = set(db.scalars(select(Event.id).where(visible_events(user))))
        expected = {e.id for e in db.scalars(select(Event)) if can(user, Action.EVENT_VIEW, e)}
        assert ids == expected, role


def test_joint_statements_are_approved_by_each_side_s_own_coordinators(db) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(status=EventStatus.PLANNED)
    side_a, side_b = DelegationFactory(event=event), DelegationFactory(event=event, country="AZ")
    coordinator_a = coordinator(side_a)

    assert can(coordinator_a, Action.PRESS_APPROVE, side_a)
    assert not can(coordinator_a, Action.PRESS_APPROVE, side_b)
    assert not can(organiser(event), Action.PRESS_APPROVE, side_a)
    assert not can(press_officer(event), Action.PRESS_APPROVE, side_a)
