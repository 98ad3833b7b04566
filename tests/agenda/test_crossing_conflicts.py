"""A session whose audience includes a delegation that is crossing the border at the time: a
warning the organiser confirms, never a block.

A crossing occupies its delegation from its meeting time (or planned time) until two hours after
the planned time; once its actual time is recorded, the hour either side of that instead."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from app.agenda import service
from app.agenda.models import Audience, SessionInvitee, SessionSpeaker, SessionStatus
from app.agenda.schemas import SessionIn, SpeakerIn
from app.audit.models import AuditEntry
from app.crossings.models import CrossingDirection, CrossingStatus
from app.delegations.models import DelegationSide
from app.events.models import Event
from tests.agenda.test_service import YEREVAN
from tests.factories import (
    AgendaSessionFactory,
    CrossingFactory,
    DelegationFactory,
    EventFactory,
    RegistrationFactory,
    coordinator,
    organiser,
    press_officer,
)

DAY_ONE = date(2026, 2, 13)
DAY_TWO = date(2026, 2, 14)


def at(hour: int, minute: int = 0, day: date = DAY_ONE) -> datetime:
    return datetime.combine(day, time(hour, minute), YEREVAN)


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """An event with a host and a visiting delegation; the visitors arrive at 08:00 on day one
    (meeting at 07:00) and leave at 18:00 on day two."""
    event = EventFactory(starts_on=DAY_ONE, ends_on=DAY_TWO)
    host = DelegationFactory(event=event, name="Armenia", side=DelegationSide.HOST)
    visiting = DelegationFactory(event=event, name="Azerbaijan", country="AZ", side=DelegationSide.VISITING)
    CrossingFactory(delegation=visiting, planned_at=at(8), meeting_at=at(7),
                    crossing_point__name_a="Voskepar", crossing_point__name_b="Ashaghi Askipara")
    CrossingFactory(delegation=visiting, direction=CrossingDirection.DEPARTURE, planned_at=at(18, day=DAY_TWO))
    return event, host, visiting


def warnings_of(db, event, viewer=None) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Each session's crossing warnings, as the builder shows them (to an organiser)."""
    db.flush()
    db.expire_all()
    event = db.get(Event, event.id)
    agenda = service.agenda(db, viewer=viewer() if viewer else organiser(event), event=event)
    return {s.title: [w.message for w in agenda.warnings(s) if w.kind == service.CROSSING] for s in agenda.sessions}


def session(event, title, starts_at, ends_at, room=None, **fields):  # type: ignore[no-untyped-def]
    return AgendaSessionFactory(event=event, title=title, starts_at=starts_at, ends_at=ends_at, room=room, **fields)


# --- when a crossing occupies its delegation ----------------------------------------------------------


def test_a_session_for_everyone_during_the_arrival_is_warned_with_the_crossing(db, world):
    event, _, _ = world
    session(event, "Breakfast briefing", at(7, 30), at(8, 30))

    found = warnings_of(db, event)

    assert found == {
        "Breakfast briefing": [
            "The delegation “Azerbaijan” is arriving through Voskepar / Ashaghi Askipara at this time "
            "(Feb 13, 2026, 07:00–10:00)."
        ]
    }


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "warned"),
    [
        (at(6), at(7), False),  # ends as the meeting begins
        (at(6, 30), at(7, 15), True),  # overlaps the meeting time
        (at(9, 30), at(10), True),  # within two hours of the planned time
        (at(10), at(11), False),  # starts as the crossing's time ends
        (at(17, 30, DAY_TWO), at(18, 30, DAY_TWO), True),  # the departure at 18:00 on day two
        (at(12, day=DAY_TWO), at(17, 59, DAY_TWO), False),
    ],
)
def test_the_crossing_occupies_meeting_time_to_two_hours_after_the_plan(db, world, starts_at, ends_at, warned):
    event, _, _ = world
    session(event, "S", starts_at, ends_at)

    assert bool(warnings_of(db, event)["S"]) is warned


def test_without_a_meeting_time_the_crossing_starts_at_the_planned_time(db):
    event = EventFactory(starts_on=DAY_ONE, ends_on=DAY_TWO)
    CrossingFactory(delegation=DelegationFactory(event=event), planned_at=at(8))
    session(event, "Before", at(7), at(8))
    session(event, "During", at(7, 30), at(8, 15))

    found = warnings_of(db, event)

    assert (found["Before"], len(found["During"])) == ([], 1)


def test_once_the_actual_time_is_recorded_the_hour_either_side_counts(db, world):
    event, _, visiting = world
    CrossingFactory(delegation=visiting, planned_at=at(8, day=DAY_TWO), actual_at=at(11, day=DAY_TWO),
                    status=CrossingStatus.COMPLETED)
    session(event, "Planned window", at(8, day=DAY_TWO), at(9, day=DAY_TWO))
    session(event, "Actual window", at(11, 30, day=DAY_TWO), at(12, 30, day=DAY_TWO))
    session(event, "After", at(12, day=DAY_TWO), at(13, day=DAY_TWO))

    found = warnings_of(db, event)

    assert (bool(found["Planned window"]), bool(found["Actual window"]), bool(found["After"])) == (False, True, False)
    assert "(Feb 14, 2026, 10:00–12:00)" in found["Actual window"][0]


# --- whose crossing matters -------------------------------------------------------------------------


def test_core_audience_takes_in_every_delegation(db, world):
    event, _, _ = world
    session(event, "Core meeting", at(9), at(9, 30), audience=Audience.CORE)

    assert len(warnings_of(db, event)["Core meeting"]) == 1


def test_a_session_for_another_delegation_is_not_warned_and_one_for_the_crossing_delegation_is(db, world):
    event, host, visiting = world
    session(event, "Host caucus", at(9), at(9, 30), audience=Audience.DELEGATION, audience_delegation=host)
    session(event, "Visitors' caucus", at(9), at(9, 30), audience=Audience.DELEGATION, audience_delegation=visiting)

    found = warnings_of(db, event)

    assert (found["Host caucus"], len(found["Visitors' caucus"])) == ([], 1)


def test_an_invited_list_counts_the_delegations_of_the_invited(db, world):
    event, host, visiting = world
    hosts_only = session(event, "Hosts invited", at(9), at(9, 30), audience=Audience.INVITED)
    mixed = session(event, "Both invited", at(9), at(9, 30), audience=Audience.INVITED)
    db.add(SessionInvitee(session=hosts_only, registration=RegistrationFactory(delegation=host)))
    db.add(SessionInvitee(session=mixed, registration=RegistrationFactory(delegation=host)))
    db.add(SessionInvitee(session=mixed, registration=RegistrationFactory(delegation=visiting)))

    found = warnings_of(db, event)

    assert (found["Hosts invited"], len(found["Both invited"])) == ([], 1)


def test_a_speaker_of_the_crossing_delegation_counts_whatever_the_audience(db, world):
    event, host, visiting = world
    panel = session(event, "Host panel", at(9), at(9, 30), audience=Audience.DELEGATION, audience_delegation=host)
    db.add(SessionSpeaker(session=panel, registration=RegistrationFactory(delegation=visiting)))

    assert len(warnings_of(db, event)["Host panel"]) == 1


def test_a_cancelled_session_never_conflicts_with_a_crossing(db, world):
    event, _, _ = world
    session(event, "Cancelled", at(9), at(9, 30), status=SessionStatus.CANCELLED)

    assert warnings_of(db, event) == {"Cancelled": []}


def test_crossings_of_another_event_do_not_count(db, world):
    event, _, _ = world
    other = EventFactory(starts_on=DAY_ONE, ends_on=DAY_TWO)
    CrossingFactory(delegation=DelegationFactory(event=other), planned_at=at(12))
    session(event, "Lunch talk", at(12), at(13))

    assert warnings_of(db, event) == {"Lunch talk": []}


def test_only_those_who_may_see_the_crossing_are_warned_of_it(db, world):
    event, host, visiting = world
    session(event, "Opening", at(9), at(9, 30))

    as_visitors = warnings_of(db, event, lambda: coordinator(visiting))
    as_hosts = warnings_of(db, event, lambda: coordinator(host))
    as_press = warnings_of(db, event, lambda: press_officer(event))

    assert (len(as_visitors["Opening"]), as_hosts["Opening"], as_press["Opening"]) == (1, [], [])


# --- saving: a warning to confirm, not a block -------------------------------------------------------


def payload(**changes) -> SessionIn:  # type: ignore[no-untyped-def]
    fields = {"kind": "plenary", "title": "Opening", "starts_at": at(9), "ends_at": at(9, 30)}
    return SessionIn(**{**fields, **changes})


def test_saving_during_a_crossing_needs_confirmation_and_then_saves(db, world):
    event, _, _ = world
    actor = organiser(event)

    with pytest.raises(service.ConflictWarning) as refused:
        service.create_session(db, actor=actor, event=event, data=payload())
    saved = service.create_session(db, actor=actor, event=event, data=payload(), confirm=True)

    assert [c.kind for c in refused.value.conflicts] == ["crossing"]
    assert "Azerbaijan" in str(refused.value)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "session.create"))
    assert (entry.object_id, entry.details["confirmed"]) == (saved.id, ["crossing"])


def test_saving_with_an_invited_visitor_or_a_visiting_speaker_is_warned(db, world):
    event, host, visiting = world
    actor = organiser(event)
    guest, speaker = RegistrationFactory(delegation=visiting), RegistrationFactory(delegation=visiting)
    hosts = {"audience": Audience.DELEGATION, "audience_delegation_id": host.id}

    with pytest.raises(service.ConflictWarning):
        service.create_session(db, actor=actor, event=event, data=payload(audience=Audience.INVITED, invitee_ids=[guest.id]))
    with pytest.raises(service.ConflictWarning):
        service.create_session(db, actor=actor, event=event,
                               data=payload(**hosts, speakers=[SpeakerIn(registration_id=speaker.id)]))
    hosts_only = service.create_session(db, actor=actor, event=event, data=payload(**hosts))

    assert hosts_only.id is not None


def test_moving_a_session_into_a_crossing_is_warned_and_the_detail_lists_it(db, world):
    event, _, _ = world
    actor = organiser(event)
    saved = service.create_session(db, actor=actor, event=event, data=payload(starts_at=at(11), ends_at=at(11, 30)))

    with pytest.raises(service.ConflictWarning):
        service.move_session(db, actor=actor, session=saved, starts_at=at(9, 30), room_id=None)
    service.move_session(db, actor=actor, session=saved, starts_at=at(9, 30), room_id=None, confirm=True)

    assert [c.kind for c in service.conflicts_of(db, viewer=actor, event=event, session=saved)] == ["crossing"]


# --- queries -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3])
def test_builder_loads_the_crossings_once(db, count_queries, n):
    event = EventFactory(starts_on=DAY_ONE, ends_on=DAY_TWO)
    delegation = DelegationFactory(event=event)
    for i in range(n):
        CrossingFactory(delegation=delegation, planned_at=at(8 + i))
        session(event, f"S{i}", at(8 + i), at(8 + i, 30))
    db.flush()
    db.expire_all()
    event = db.get(Event, event.id)
    viewer = organiser(event)

    with count_queries() as count:
        agenda = service.agenda(db, viewer=viewer, event=event)
        warned = sum(bool(agenda.warnings(s)) for s in agenda.sessions)

    assert warned == n
    assert count() == 6  # rooms, sessions, translations, speakers, invitees, crossings
