from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.service import system_actor
from app.audit.models import AuditEntry
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.initiatives import service
from app.initiatives.models import (
    Initiative,
    InitiativeStatus,
    Milestone,
    RoadmapPhase,
    RoadmapStatus,
)
from app.initiatives.schemas import (
    InitiativeCreate,
    InitiativeUpdate,
    MilestoneCreate,
    MilestoneUpdate,
    PhaseCreate,
    PhaseUpdate,
)
from tests.factories import (
    AdminFactory,
    EventFactory,
    InitiativeFactory,
    MilestoneFactory,
    RoadmapPhaseFactory,
    UserFactory,
    organiser,
)


def actions(db) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def phase_data(**overrides) -> PhaseCreate:
    values = {
        "name": "Confidence building",
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 6, 30),
    }
    return PhaseCreate(**{**values, **overrides})


def milestone_data(**overrides) -> MilestoneCreate:
    values = {
        "name": "First roundtable",
        "starts_on": date(2026, 2, 13),
        "ends_on": date(2026, 2, 14),
    }
    return MilestoneCreate(**{**values, **overrides})


def loaded_phase(db, phase: RoadmapPhase) -> RoadmapPhase:
    """The phase as the path loader gives it to the service (milestones and initiative loaded)."""
    db.expire_all()
    initiative = db.get(Initiative, phase.initiative_id)
    return service.get_phase(db, viewer=AdminFactory(), initiative=initiative, phase_id=phase.id)


# --- initiatives ---------------------------------------------------------------------------------


def test_create_initiative_is_active_and_audited(db):
    admin = AdminFactory()

    initiative = service.create(
        db, actor=admin, data=InitiativeCreate(name="Peace Bridge", description="A series.")
    )

    assert (initiative.name, initiative.status) == ("Peace Bridge", InitiativeStatus.ACTIVE)
    assert service.get_by_name(db, "Peace Bridge") is initiative
    assert actions(db) == ["initiative.create"]


def test_create_initiative_with_taken_name_in_any_case_is_a_field_error(db):
    InitiativeFactory(name="Peace Bridge")

    with pytest.raises(FieldError) as exc:
        service.create(db, actor=AdminFactory(), data=InitiativeCreate(name="peace bridge"))

    assert exc.value.field == "name"


def test_create_initiative_by_non_admin_is_forbidden(db):
    with pytest.raises(Forbidden):
        service.create(db, actor=organiser(EventFactory()), data=InitiativeCreate(name="Mine"))


def test_update_initiative_audits_changed_fields(db):
    initiative = InitiativeFactory(name="Old", description="Same")

    service.update(
        db,
        actor=AdminFactory(),
        initiative=initiative,
        data=InitiativeUpdate(name="New", description="Same"),
    )

    assert initiative.name == "New"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "initiative.update")).one()
    assert entry.details == {"fields": ["name"]}


def test_update_initiative_to_another_initiatives_name_is_a_field_error(db):
    InitiativeFactory(name="Taken")
    initiative = InitiativeFactory(name="Mine")

    with pytest.raises(FieldError):
        service.update(
            db, actor=AdminFactory(), initiative=initiative, data=InitiativeUpdate(name="TAKEN")
        )


def test_update_initiative_keeping_its_own_name_is_fine(db):
    initiative = InitiativeFactory(name="Mine", description="old")

    service.update(
        db,
        actor=AdminFactory(),
        initiative=initiative,
        data=InitiativeUpdate(name="Mine", description="new"),
    )

    assert initiative.description == "new"


def test_update_archived_initiative_is_a_conflict(db):
    initiative = InitiativeFactory(status=InitiativeStatus.ARCHIVED)

    with pytest.raises(Conflict):
        service.update(
            db, actor=AdminFactory(), initiative=initiative, data=InitiativeUpdate(name="New")
        )


def test_set_archived_archives_and_restores_with_audit(db):
    initiative = InitiativeFactory()
    admin = AdminFactory()

    service.set_archived(db, actor=admin, initiative=initiative, archived=True)
    archived = initiative.status
    service.set_archived(db, actor=admin, initiative=initiative, archived=False)

    assert (archived, initiative.status) == (InitiativeStatus.ARCHIVED, InitiativeStatus.ACTIVE)
    assert actions(db) == ["initiative.archive", "initiative.unarchive"]


def test_set_archived_twice_is_a_conflict(db):
    initiative = InitiativeFactory(status=InitiativeStatus.ARCHIVED)

    with pytest.raises(Conflict):
        service.set_archived(db, actor=AdminFactory(), initiative=initiative, archived=True)


def test_archived_initiative_is_not_found_except_for_admins(db):
    initiative = InitiativeFactory(status=InitiativeStatus.ARCHIVED)

    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=None, initiative_id=initiative.id)
    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=UserFactory(), initiative_id=initiative.id)
    assert (
        service.get_for_viewer(db, viewer=AdminFactory(), initiative_id=initiative.id) is initiative
    )


def test_list_initiatives_shows_archived_to_admins_only(db):
    InitiativeFactory(name="Active")
    InitiativeFactory(name="Old", status=InitiativeStatus.ARCHIVED)

    public = service.list_initiatives(db, viewer=None, page=1)
    admin = service.list_initiatives(db, viewer=AdminFactory(), page=1)

    assert [i.name for i in public.items] == ["Active"]
    assert [i.name for i in admin.items] == ["Active", "Old"]


def test_choices_include_the_current_archived_initiative(db):
    InitiativeFactory(name="Active")
    old = InitiativeFactory(name="Old", status=InitiativeStatus.ARCHIVED)
    user = UserFactory()

    assert [i.name for i in service.choices(db, viewer=user)] == ["Active"]
    assert [i.name for i in service.choices(db, viewer=user, current_id=old.id)] == [
        "Active",
        "Old",
    ]


# --- phases --------------------------------------------------------------------------------------


def test_add_phase_and_milestone_as_system_actor(db):
    actor = system_actor()
    initiative = service.create(db, actor=actor, data=InitiativeCreate(name="Peace Bridge"))

    phase = service.add_phase(db, actor=actor, initiative=initiative, data=phase_data())
    milestone = service.add_milestone(db, actor=actor, phase=phase, data=milestone_data())

    assert phase.initiative_id == initiative.id
    assert phase.milestones == [milestone]
    entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id) for e in entries] == [
        ("initiative.create", None),
        ("roadmap_phase.create", None),
        ("milestone.create", None),
    ]


def test_add_phase_ending_before_it_starts_is_a_field_error(db):
    initiative = InitiativeFactory()
    data = PhaseCreate.model_construct(
        name="Backwards",
        description="",
        starts_on=date(2026, 6, 1),
        ends_on=date(2026, 5, 1),
        status=RoadmapStatus.PLANNED,
    )

    with pytest.raises(FieldError) as exc:
        service.add_phase(db, actor=AdminFactory(), initiative=initiative, data=data)

    assert exc.value.field == "ends_on"


def test_phase_schema_refuses_end_before_start():
    with pytest.raises(ValueError, match="The end date cannot be before the start date."):
        phase_data(ends_on=date(2025, 12, 31))


def test_add_phase_to_archived_initiative_is_a_conflict(db):
    initiative = InitiativeFactory(status=InitiativeStatus.ARCHIVED)

    with pytest.raises(Conflict):
        service.add_phase(db, actor=AdminFactory(), initiative=initiative, data=phase_data())


def test_add_phase_by_non_admin_is_forbidden(db):
    with pytest.raises(Forbidden):
        service.add_phase(
            db, actor=UserFactory(), initiative=InitiativeFactory(), data=phase_data()
        )


def test_list_phases_orders_by_start_with_milestones(db):
    initiative = InitiativeFactory()
    later = RoadmapPhaseFactory(
        initiative=initiative, name="Later", starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31)
    )
    RoadmapPhaseFactory(
        initiative=initiative, name="Earlier", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    MilestoneFactory(
        phase=later, name="Review", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 1)
    )
    db.expire_all()

    phases = service.list_phases(
        db, viewer=None, initiative=db.get(Initiative, initiative.id)
    ).items

    assert [p.name for p in phases] == ["Earlier", "Later"]
    assert [m.name for m in phases[1].milestones] == ["Review"]


def test_get_phase_of_another_initiative_is_not_found(db):
    phase = RoadmapPhaseFactory()

    with pytest.raises(NotFound):
        service.get_phase(db, viewer=None, initiative=InitiativeFactory(), phase_id=phase.id)


def test_update_phase_cannot_leave_a_milestone_outside(db):
    phase = RoadmapPhaseFactory(starts_on=date(2026, 2, 1), ends_on=date(2026, 7, 31))
    MilestoneFactory(
        phase=phase, name="Roundtable", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31)
    )
    phase = loaded_phase(db, phase)

    with pytest.raises(FieldError) as start:
        service.update_phase(
            db, actor=AdminFactory(), phase=phase, data=PhaseUpdate(starts_on=date(2026, 3, 15))
        )
    with pytest.raises(FieldError) as end:
        service.update_phase(
            db, actor=AdminFactory(), phase=phase, data=PhaseUpdate(ends_on=date(2026, 3, 15))
        )

    assert start.value.field == "starts_on" and "Roundtable" in start.value.message
    assert end.value.field == "ends_on"
    assert (phase.starts_on, phase.ends_on) == (date(2026, 2, 1), date(2026, 7, 31))


def test_update_phase_with_only_end_before_start_is_a_field_error(db):
    phase = loaded_phase(
        db, RoadmapPhaseFactory(starts_on=date(2026, 2, 1), ends_on=date(2026, 7, 31))
    )

    with pytest.raises(FieldError) as exc:
        service.update_phase(
            db, actor=AdminFactory(), phase=phase, data=PhaseUpdate(ends_on=date(2026, 1, 1))
        )

    assert exc.value.field == "ends_on"


def test_update_phase_changes_fields_and_audits(db):
    phase = loaded_phase(db, RoadmapPhaseFactory(name="Old"))

    service.update_phase(
        db,
        actor=AdminFactory(),
        phase=phase,
        data=PhaseUpdate(name="New", status=RoadmapStatus.IN_PROGRESS),
    )

    assert (phase.name, phase.status) == ("New", RoadmapStatus.IN_PROGRESS)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "roadmap_phase.update")).one()
    assert entry.details == {"initiative_id": phase.initiative_id, "fields": ["name", "status"]}


def test_delete_phase_deletes_its_milestones(db):
    phase = RoadmapPhaseFactory()
    milestone = MilestoneFactory(phase=phase)
    phase_id, milestone_id = phase.id, milestone.id
    phase = loaded_phase(db, phase)

    service.delete_phase(db, actor=AdminFactory(), phase=phase)

    db.expire_all()
    assert db.get(RoadmapPhase, phase_id) is None
    assert db.get(Milestone, milestone_id) is None
    assert "roadmap_phase.delete" in actions(db)


# --- milestones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        (date(2026, 1, 31), date(2026, 2, 5), "starts_on"),
        (date(2026, 7, 30), date(2026, 8, 1), "ends_on"),
        (date(2026, 8, 1), date(2026, 8, 2), "starts_on"),
    ],
)
def test_add_milestone_outside_its_phase_is_a_field_error(db, starts_on, ends_on, field):
    phase = RoadmapPhaseFactory(starts_on=date(2026, 2, 1), ends_on=date(2026, 7, 31))
    phase = loaded_phase(db, phase)

    with pytest.raises(FieldError) as exc:
        service.add_milestone(
            db,
            actor=AdminFactory(),
            phase=phase,
            data=milestone_data(starts_on=starts_on, ends_on=ends_on),
        )

    assert exc.value.field == field
    assert "within its phase (February 1, 2026 – July 31, 2026)" in exc.value.message
    assert phase.milestones == []


def test_add_milestone_on_the_phase_boundaries_is_accepted(db):
    phase = loaded_phase(
        db, RoadmapPhaseFactory(starts_on=date(2026, 2, 1), ends_on=date(2026, 7, 31))
    )

    milestone = service.add_milestone(
        db,
        actor=AdminFactory(),
        phase=phase,
        data=milestone_data(starts_on=date(2026, 2, 1), ends_on=date(2026, 7, 31)),
    )

    assert milestone.phase_id == phase.id


def test_update_milestone_outside_its_phase_is_a_field_error(db):
    milestone = MilestoneFactory()
    phase = loaded_phase(db, milestone.phase)
    milestone = phase.milestones[0]

    with pytest.raises(FieldError) as exc:
        service.update_milestone(
            db,
            actor=AdminFactory(),
            phase=phase,
            milestone=milestone,
            data=MilestoneUpdate(ends_on=date(2027, 1, 1)),
        )

    assert exc.value.field == "ends_on"


def test_update_and_delete_milestone_are_audited(db):
    milestone = MilestoneFactory(name="Old")
    phase = loaded_phase(db, milestone.phase)
    milestone = phase.milestones[0]
    admin = AdminFactory()

    service.update_milestone(
        db, actor=admin, phase=phase, milestone=milestone, data=MilestoneUpdate(name="New")
    )
    service.delete_milestone(db, actor=admin, phase=phase, milestone=milestone)

    assert actions(db) == ["milestone.update", "milestone.delete"]
    assert db.scalar(select(Milestone)) is None


def test_get_milestone_of_another_phase_is_not_found(db):
    initiative = InitiativeFactory()
    phase = RoadmapPhaseFactory(initiative=initiative)
    other = MilestoneFactory(phase=RoadmapPhaseFactory(initiative=initiative))
    phase = loaded_phase(db, phase)

    with pytest.raises(NotFound):
        service.get_milestone(db, viewer=None, phase=phase, milestone_id=other.id)
