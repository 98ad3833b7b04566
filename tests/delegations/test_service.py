import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.delegations import service
from app.delegations.models import Delegation, DelegationSide
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.events.models import EventStatus
from app.registrations.models import Circle, RegistrationStatus
from tests.factories import (
    AdminFactory,
    DelegationFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)

FIELDS = {
    "name": "Armenia",
    "country": "AM",
    "side": DelegationSide.HOST,
    "head_name": "Anahit Petrosyan",
    "capacity_core": 8,
    "capacity_broader": 16,
}
S = RegistrationStatus


def test_create_saves_the_delegation_and_audits_it(db):
    event = EventFactory()
    actor = organiser(event)

    delegation = service.create(db, actor=actor, event=event, fields=FIELDS)

    assert (delegation.name, delegation.country, delegation.capacity_core) == ("Armenia", "AM", 8)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "delegation.create"))
    assert (entry.object_id, entry.event_id, entry.actor_id) == (delegation.id, event.id, actor.id)


def test_create_refuses_a_name_taken_at_the_event_whatever_its_case(db):
    event = EventFactory()
    DelegationFactory(event=event, name="Armenia")

    with pytest.raises(FieldError) as exc:
        service.create(db, actor=organiser(event), event=event, fields={**FIELDS, "name": "ARMENIA"})

    assert exc.value.field == "name"


def test_create_allows_the_same_name_at_another_event(db):
    DelegationFactory(name="Armenia")
    event = EventFactory()

    assert service.create(db, actor=organiser(event), event=event, fields=FIELDS).name == "Armenia"


@pytest.mark.parametrize("who", ["press_officer", "coordinator", "other_organiser", "user"])
def test_create_is_for_organisers_only(db, who):
    event = EventFactory()
    users = {
        "press_officer": press_officer(event),
        "coordinator": coordinator(DelegationFactory(event=event)),
        "other_organiser": organiser(EventFactory()),
        "user": UserFactory(),
    }

    with pytest.raises(Forbidden):
        service.create(db, actor=users[who], event=event, fields=FIELDS)


def test_create_in_an_archived_event_is_refused(db):
    event = EventFactory(status=EventStatus.ARCHIVED)

    with pytest.raises((Conflict, Forbidden)):
        service.create(db, actor=AdminFactory(), event=event, fields=FIELDS)


def test_counts_for_event_counts_places_and_waiting_per_circle_in_one_query(db, count_queries):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event), DelegationFactory(event=event)
    for status, circle in [(S.CONFIRMED, Circle.CORE), (S.ATTENDED, Circle.CORE), (S.WAITLISTED, Circle.CORE),
                           (S.REGISTERED, Circle.BROADER), (S.NO_SHOW, Circle.BROADER)]:
        RegistrationFactory(delegation=armenia, status=status, circle=circle)
    RegistrationFactory(delegation=azerbaijan, status=S.CONFIRMED, circle=Circle.BROADER)
    RegistrationFactory(status=S.CONFIRMED)  # another event's
    db.flush()

    with count_queries() as count:
        counts = service.counts_for_event(db, event=event)

    assert count() == 1
    assert counts[armenia.id].taken == {Circle.CORE: 2, Circle.BROADER: 1}
    assert counts[armenia.id].waiting == {Circle.CORE: 1}
    assert counts[armenia.id].total == 5
    assert counts[azerbaijan.id].taken == {Circle.BROADER: 1}
    assert set(counts) == {armenia.id, azerbaijan.id}


def test_overview_gives_counts_to_staff_and_nothing_to_the_public(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    RegistrationFactory(delegation=delegation, status=S.CONFIRMED, circle=Circle.CORE)
    DelegationFactory(event=event)  # without registrations
    db.flush()

    as_organiser = service.overview(db, viewer=organiser(event), event=event)

    assert [s.taken("core") for s in as_organiser] == [1, 0]
    assert service.overview(db, viewer=None, event=event) is None
    assert service.overview(db, viewer=UserFactory(), event=event) is None


def test_raising_a_capacity_confirms_the_oldest_waiting(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, capacity_core=1)
    RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.CONFIRMED)
    first = RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.WAITLISTED)
    second = RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.WAITLISTED)
    db.flush()

    service.update(db, actor=organiser(event), delegation=delegation, fields={"capacity_core": 2})

    assert (first.status, second.status) == (S.CONFIRMED, S.WAITLISTED)
    assert first.status_reason == "A place became free."


def test_lowering_a_capacity_below_the_places_taken_is_refused(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, capacity_broader=3)
    RegistrationFactory.create_batch(2, delegation=delegation, circle=Circle.BROADER, status=S.CONFIRMED)
    db.flush()

    with pytest.raises(FieldError) as exc:
        service.update(db, actor=organiser(event), delegation=delegation, fields={"capacity_broader": 1})

    assert exc.value.field == "capacity_broader"
    assert "2 places" in exc.value.message
    service.update(db, actor=organiser(event), delegation=delegation, fields={"capacity_broader": 2})
    assert delegation.capacity_broader == 2


def test_update_without_changes_writes_nothing(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, name="Same")

    service.update(db, actor=organiser(event), delegation=delegation, fields={"name": "Same"})

    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "delegation.update")) is None


def test_delete_refuses_a_delegation_with_participants(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    RegistrationFactory(delegation=delegation)
    db.flush()

    with pytest.raises(Conflict):
        service.delete(db, actor=organiser(event), delegation=delegation)


def test_delete_removes_an_empty_delegation(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    delegation_id = delegation.id

    service.delete(db, actor=organiser(event), delegation=delegation)

    assert db.get(Delegation, delegation_id) is None


def test_add_and_remove_a_coordinator(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    user = UserFactory(email="coord@example.org")
    actor = organiser(event)

    grant = service.add_coordinator(db, actor=actor, delegation=delegation, email="Coord@Example.org")
    with pytest.raises(FieldError):
        service.add_coordinator(db, actor=actor, delegation=delegation, email="coord@example.org")
    service.remove_coordinator(db, actor=actor, delegation=delegation, coordinator_id=grant.id)

    assert grant.user_id == user.id and grant.event_id == event.id
    assert delegation.coordinators == []
    actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "delegation")))
    assert actions == ["delegation.coordinator_add", "delegation.coordinator_remove"]


@pytest.mark.parametrize("email", ["nobody@example.org", "inactive@example.org"])
def test_add_coordinator_needs_an_active_account(db, email):
    UserFactory(email="inactive@example.org", is_active=False)
    event = EventFactory()
    delegation = DelegationFactory(event=event)

    with pytest.raises(FieldError) as exc:
        service.add_coordinator(db, actor=organiser(event), delegation=delegation, email=email)

    assert exc.value.field == "email"


def test_coordinators_may_not_manage_delegations_not_even_their_own(db):
    delegation = DelegationFactory()
    user = coordinator(delegation)

    with pytest.raises(Forbidden):
        service.update(db, actor=user, delegation=delegation, fields={"capacity_core": 100})
    with pytest.raises(Forbidden):
        service.add_coordinator(db, actor=user, delegation=delegation, email=user.email)


def test_get_for_viewer_is_not_found_under_another_event(db):
    delegation = DelegationFactory()
    other = EventFactory()

    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=AdminFactory(), event=other, delegation_id=delegation.id)


def test_choices_keeps_the_delegations_a_coordinator_may_list(db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    user = coordinator(own)

    chosen = service.choices(db, viewer=user, event=event, action=service.Action.PARTICIPANT_LIST)

    assert [d.id for d in chosen] == [own.id]
    assert len(service.choices(db, viewer=organiser(event), event=event)) == 2
    assert other.id not in [d.id for d in chosen]


def test_lock_reads_back_a_capacity_committed_meanwhile(db):
    delegation = DelegationFactory(capacity_core=3)
    db.flush()
    db.execute(Delegation.__table__.update().where(Delegation.id == delegation.id).values(capacity_core=7))

    service.lock(db, delegation)

    assert delegation.capacity_core == 7
