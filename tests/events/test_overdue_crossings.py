"""Overdue crossing procedures on the event's overview: checklist steps not done whose deadline
(`lead_days` before the planned time) has passed, for those who may see the crossing."""

from datetime import UTC, date, datetime

import pytest

from app.crossings import schedule
from app.crossings.models import CrossingDirection, CrossingStatus, ProcedureStep, ResponsibleSide
from app.db import utcnow
from tests.factories import (
    AdminFactory,
    CrossingFactory,
    DelegationFactory,
    EventFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle


def step(crossing, title: str, lead_days: int, done: bool = False, position: int = 0) -> ProcedureStep:  # type: ignore[no-untyped-def]
    made = ProcedureStep(
        crossing=crossing, title=title, lead_days=lead_days, responsible_side=ResponsibleSide.VISITING,
        position=position, done_at=utcnow() if done else None,
    )
    crossing.steps.append(made)
    return made


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """An event next March: the visitors arrive on 10 March at 08:00 (Yerevan, 04:00 UTC)."""
    event = EventFactory(starts_on=date(2027, 3, 10), ends_on=date(2027, 3, 11))
    host = DelegationFactory(event=event, name="Armenia")
    visiting = DelegationFactory(event=event, name="Azerbaijan", country="AZ")
    arrival = CrossingFactory(delegation=visiting)
    step(arrival, "Submit the passenger list", 10, position=0)
    step(arrival, "Register the vehicles", 5, done=True, position=1)
    step(arrival, "Receive clearance", 3, position=2)
    step(arrival, "Brief the escort", 1, position=3)
    return event, host, visiting, arrival


# --- what is overdue ---------------------------------------------------------------------------------


def test_steps_past_their_deadline_and_not_done_are_overdue(db, world):
    event, _, _, arrival = world
    now = datetime(2027, 3, 7, 12, 0, tzinfo=UTC)  # past the 10- and 3-day deadlines

    found = schedule.overdue(db, viewer=organiser(event), event=event, now=now)

    assert [(o.crossing.id, [s.title for s in o.steps]) for o in found] == [
        (arrival.id, ["Submit the passenger list", "Receive clearance"])
    ]
    assert found[0].count == 2
    assert found[0].due_label(found[0].steps[0]) == "Feb 28, 2027, 08:00"
    assert found[0].label == "Arrival of Azerbaijan, Mar 10, 2027, 08:00"


def test_a_deadline_not_yet_reached_is_not_overdue(db, world):
    event, _, _, _ = world
    before = datetime(2027, 2, 28, 3, 59, tzinfo=UTC)  # a minute before the first deadline

    assert schedule.overdue(db, viewer=organiser(event), event=event, now=before) == []


def test_a_completed_crossing_has_nothing_overdue(db, world):
    event, _, _, arrival = world
    arrival.status = CrossingStatus.COMPLETED

    assert schedule.overdue(db, viewer=organiser(event), event=event, now=datetime(2027, 4, 1, tzinfo=UTC)) == []


def test_a_coordinator_sees_their_delegations_overdue_steps_only(db, world):
    event, host, visiting, arrival = world
    hosts_crossing = CrossingFactory(delegation=host, direction=CrossingDirection.DEPARTURE)
    step(hosts_crossing, "Host paperwork", 10)
    later = datetime(2027, 3, 9, tzinfo=UTC)

    as_visitors = schedule.overdue(db, viewer=coordinator(visiting), event=event, now=later)
    as_hosts = schedule.overdue(db, viewer=coordinator(host), event=event, now=later)
    as_organiser = schedule.overdue(db, viewer=organiser(event), event=event, now=later)

    assert [o.crossing.id for o in as_visitors] == [arrival.id]
    assert [o.crossing.id for o in as_hosts] == [hosts_crossing.id]
    assert sorted(o.crossing.id for o in as_organiser) == sorted([arrival.id, hosts_crossing.id])


def test_a_press_officer_sees_no_crossing_and_costs_no_query(db, world, count_queries):
    event, _, _, _ = world
    viewer = press_officer(event)

    with count_queries() as count:
        found = schedule.overdue(db, viewer=viewer, event=event)

    assert (found, count()) == (None, 0)


# --- the overview page -------------------------------------------------------------------------------


def test_event_page_highlights_overdue_steps_for_the_organiser(client, login, db):
    event = EventFactory(title="Past roundtable")  # 13 February 2026: every deadline has passed
    crossing = CrossingFactory(delegation=DelegationFactory(event=event, name="Azerbaijan"))
    step(crossing, "Submit the passenger list", 10)
    step(crossing, "Register the vehicles", 5, done=True)
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}")

    assert 'class="alert alert-warning overdue-crossings"' in r.text
    assert f'<a href="/events/{event.id}/crossings/{crossing.id}">Arrival of Azerbaijan, Feb 13, 2026, 08:00</a>' in r.text
    assert "1 step overdue" in r.text
    assert r.text.count('class="overdue-step"') == 1
    assert "Submit the passenger list" in r.text and "Register the vehicles" not in r.text
    assert "due Feb 3, 2026, 08:00" in r.text


def test_event_page_hides_the_other_sides_overdue_steps_from_a_coordinator(client, login, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event, name="Armenia"), DelegationFactory(event=event, name="Azerbaijan")
    step(CrossingFactory(delegation=other), "Their secret paperwork", 10)
    step(CrossingFactory(delegation=own, direction=CrossingDirection.DEPARTURE), "Our paperwork", 10)
    login(coordinator(own))
    settle(db)

    r = client.get(f"/events/{event.id}")

    assert "Our paperwork" in r.text
    assert "Their secret paperwork" not in r.text and "Arrival of Azerbaijan" not in r.text


@pytest.mark.parametrize("who", ["press officer", "anonymous"])
def test_event_page_shows_no_crossing_procedures_to_those_who_may_not_see_crossings(client, login, db, who):
    event = EventFactory()
    step(CrossingFactory(delegation=DelegationFactory(event=event)), "Submit the passenger list", 10)
    if who == "press officer":
        login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}")

    assert r.status_code == 200
    assert "overdue-crossings" not in r.text and "Submit the passenger list" not in r.text


def test_event_page_without_overdue_steps_shows_no_warning(client, login, db, world):
    event, _, _, _ = world  # next March: nothing is due yet
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}")

    assert r.status_code == 200 and "overdue-crossings" not in r.text


@pytest.mark.parametrize("n", [1, 3])
def test_event_page_query_count_with_overdue_steps_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    for i in range(n):
        crossing = CrossingFactory(delegation=DelegationFactory(event=event))
        step(crossing, f"Step {i}a", 10)
        step(crossing, f"Step {i}b", 3, position=1)
    login(AdminFactory())
    settle(db)
    url = f"/events/{event.id}"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="overdue-crossing"') == n
    assert r.text.count('class="overdue-step"') == 2 * n
    # sign-in; event; staff; the overdue steps with their crossings; delegations with their counts
    assert count() == 5
