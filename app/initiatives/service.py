"""Initiatives and their roadmaps (phases, milestones): every query and write."""

import logging
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app import audit, i18n, policy
from app.accounts.models import User
from app.accounts.service import actor_label
from app.errors import Conflict, FieldError, NotFound
from app.i18n import N_, _
from app.initiatives.models import (
    Initiative,
    InitiativeStatus,
    Milestone,
    RoadmapPhase,
)
from app.initiatives.schemas import (
    InitiativeCreate,
    InitiativeUpdate,
    MilestoneCreate,
    MilestoneUpdate,
    PhaseCreate,
    PhaseUpdate,
)
from app.pagination import MAX_PER_PAGE, Page, paginate
from app.policy import Action

log = logging.getLogger(__name__)

WINDOW_BACKWARDS = N_("The end date cannot be before the start date.")



def _require_active(initiative: Initiative) -> None:
    if initiative.status == InitiativeStatus.ARCHIVED:
        raise Conflict(_("This initiative is archived. Restore it before changing it."))


def _changes(obj: object, data: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in data.items() if getattr(obj, key) != value}


# --- initiatives ---------------------------------------------------------------------------------


def get_by_name(db: Session, name: str) -> Initiative | None:
    """Exact name lookup, without a viewer: for the command line and the demo loader."""
    return db.scalar(select(Initiative).where(Initiative.name == name))


def get_for_viewer(db: Session, *, viewer: User | None, initiative_id: int) -> Initiative:
    """The initiative, or NotFound when it does not exist or the viewer may not see it."""
    initiative = db.scalar(
        select(Initiative).where(Initiative.id == initiative_id, policy.visible_initiatives(viewer))
    )
    if initiative is None or not policy.can(viewer, Action.INITIATIVE_VIEW, initiative):
        raise NotFound()
    return initiative


def list_initiatives(
    db: Session, *, viewer: User | None, page: int, per_page: int = 50
) -> Page[Initiative]:
    query = (
        select(Initiative)
        .where(policy.visible_initiatives(viewer))
        .order_by(Initiative.status, Initiative.name, Initiative.id)
    )
    return paginate(db, query, page=page, per_page=per_page)


def choices(db: Session, *, viewer: User | None, current_id: int | None = None) -> list[Initiative]:
    """Initiatives for a picker: those the viewer sees, and the current one even if archived."""
    visible = policy.visible_initiatives(viewer)
    where = visible if current_id is None else visible | (Initiative.id == current_id)
    return list(db.scalars(select(Initiative).where(where).order_by(Initiative.name)))


def _check_name_free(db: Session, name: str, *, other_than: int | None = None) -> None:
    # Lowered by the database on both sides: Python's lower() and SQLite's (ASCII only) differ,
    # and a name the check lets through must not then break the unique constraint.
    query = select(Initiative.id).where(func.lower(Initiative.name) == func.lower(name))
    if other_than is not None:
        query = query.where(Initiative.id != other_than)
    if db.scalar(query.limit(1)) is not None:
        raise FieldError("name", _("An initiative with this name exists already."))


def create(db: Session, *, actor: User, data: InitiativeCreate) -> Initiative:
    policy.require(actor, Action.INITIATIVE_CREATE)
    _check_name_free(db, data.name)
    initiative = Initiative(
        name=data.name, description=data.description, status=InitiativeStatus.ACTIVE
    )
    db.add(initiative)
    db.flush()
    audit.record(db, actor, "initiative.create", initiative)
    log.info("initiative %s created by %s", initiative.id, actor_label(actor))
    return initiative


def update(
    db: Session, *, actor: User, initiative: Initiative, data: InitiativeUpdate
) -> Initiative:
    policy.require(actor, Action.INITIATIVE_EDIT, initiative)
    _require_active(initiative)
    changed = _changes(initiative, data.model_dump(exclude_unset=True))
    if "name" in changed:
        _check_name_free(db, str(changed["name"]), other_than=initiative.id)
    if not changed:
        return initiative
    for key, value in changed.items():
        setattr(initiative, key, value)
    db.flush()
    audit.record(db, actor, "initiative.update", initiative, fields=sorted(changed))
    log.info("initiative %s updated by %s", initiative.id, actor_label(actor))
    return initiative


def set_archived(db: Session, *, actor: User, initiative: Initiative, archived: bool) -> Initiative:
    policy.require(actor, Action.INITIATIVE_EDIT, initiative)
    target = InitiativeStatus.ARCHIVED if archived else InitiativeStatus.ACTIVE
    if initiative.status == target:
        raise Conflict(
            _("This initiative is archived already.")
            if archived
            else _("This initiative is not archived.")
        )
    initiative.status = target
    db.flush()
    action = "initiative.archive" if archived else "initiative.unarchive"
    audit.record(db, actor, action, initiative)
    log.info("%s %s by %s", action, initiative.id, actor_label(actor))
    return initiative


# --- roadmap phases ------------------------------------------------------------------------------


def _phases(initiative: Initiative) -> Select[tuple[RoadmapPhase]]:
    return (
        select(RoadmapPhase)
        .options(selectinload(RoadmapPhase.milestones))
        .where(RoadmapPhase.initiative_id == initiative.id)
        .order_by(RoadmapPhase.starts_on, RoadmapPhase.id)
    )


def list_phases(
    db: Session,
    *,
    viewer: User | None,
    initiative: Initiative,
    page: int = 1,
    per_page: int = MAX_PER_PAGE,
) -> Page[RoadmapPhase]:
    """The roadmap: phases in date order, each with its milestones loaded."""
    policy.require(viewer, Action.INITIATIVE_VIEW, initiative)
    return paginate(db, _phases(initiative), page=page, per_page=per_page)


def get_phase(
    db: Session, *, viewer: User | None, initiative: Initiative, phase_id: int
) -> RoadmapPhase:
    """A phase of this initiative (NotFound under any other), with its milestones."""
    policy.require(viewer, Action.INITIATIVE_VIEW, initiative)
    phase = db.scalar(
        _phases(initiative)
        .options(joinedload(RoadmapPhase.initiative))
        .where(RoadmapPhase.id == phase_id)
    )
    if phase is None:
        raise NotFound()
    return phase


def _check_window(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise FieldError("ends_on", _(WINDOW_BACKWARDS))


def add_phase(
    db: Session, *, actor: User, initiative: Initiative, data: PhaseCreate
) -> RoadmapPhase:
    policy.require(actor, Action.INITIATIVE_EDIT, initiative)
    _require_active(initiative)
    _check_window(data.starts_on, data.ends_on)
    phase = RoadmapPhase(
        initiative=initiative,
        name=data.name,
        description=data.description,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        status=data.status,
        milestones=[],
    )
    db.add(phase)
    db.flush()
    audit.record(db, actor, "roadmap_phase.create", phase, initiative_id=initiative.id)
    log.info("roadmap phase %s added to initiative %s by %s", phase.id, initiative.id, actor_label(actor))
    return phase


def update_phase(
    db: Session, *, actor: User, phase: RoadmapPhase, data: PhaseUpdate
) -> RoadmapPhase:
    policy.require(actor, Action.INITIATIVE_EDIT, phase.initiative)
    _require_active(phase.initiative)
    changed = _changes(phase, data.model_dump(exclude_unset=True))
    starts_on = changed.get("starts_on", phase.starts_on)
    ends_on = changed.get("ends_on", phase.ends_on)
    assert isinstance(starts_on, date) and isinstance(ends_on, date)
    _check_window(starts_on, ends_on)
    for milestone in phase.milestones:
        if milestone.starts_on < starts_on:
            raise FieldError(
                "starts_on",
                _("The milestone “%(name)s” starts on %(day)s, before this date. Move or delete it first.")
                % {"name": milestone.name, "day": i18n.format_day(milestone.starts_on)},
            )
        if milestone.ends_on > ends_on:
            raise FieldError(
                "ends_on",
                _("The milestone “%(name)s” ends on %(day)s, after this date. Move or delete it first.")
                % {"name": milestone.name, "day": i18n.format_day(milestone.ends_on)},
            )
    if not changed:
        return phase
    for key, value in changed.items():
        setattr(phase, key, value)
    db.flush()
    audit.record(
        db,
        actor,
        "roadmap_phase.update",
        phase,
        initiative_id=phase.initiative_id,
        fields=sorted(changed),
    )
    log.info("roadmap phase %s updated by %s", phase.id, actor_label(actor))
    return phase


def delete_phase(db: Session, *, actor: User, phase: RoadmapPhase) -> None:
    """Delete a phase and its milestones (loaded with it, so the cascade needs no query)."""
    policy.require(actor, Action.INITIATIVE_EDIT, phase.initiative)
    _require_active(phase.initiative)
    milestones = len(phase.milestones)
    db.delete(phase)
    db.flush()
    audit.record(
        db,
        actor,
        "roadmap_phase.delete",
        phase,
        initiative_id=phase.initiative_id,
        milestones=milestones,
    )
    log.info("roadmap phase %s deleted by %s", phase.id, actor_label(actor))


def check_editable(*, actor: User, initiative: Initiative) -> None:
    """For the pages that show a form or a confirmation: may the actor change the initiative now?"""
    policy.require(actor, Action.INITIATIVE_EDIT, initiative)
    _require_active(initiative)


# --- milestones ----------------------------------------------------------------------------------


def get_milestone(
    db: Session, *, viewer: User | None, phase: RoadmapPhase, milestone_id: int
) -> Milestone:
    """A milestone of this phase (NotFound under any other phase)."""
    policy.require(viewer, Action.INITIATIVE_VIEW, phase.initiative)
    for milestone in phase.milestones:
        if milestone.id == milestone_id:
            return milestone
    raise NotFound()


def _check_within_phase(phase: RoadmapPhase, starts_on: date, ends_on: date) -> None:
    _check_window(starts_on, ends_on)
    window = i18n.format_range(phase.starts_on, phase.ends_on)
    if not phase.starts_on <= starts_on <= phase.ends_on:
        raise FieldError("starts_on", _("The milestone must start within its phase (%(window)s).") % {"window": window})
    if not phase.starts_on <= ends_on <= phase.ends_on:
        raise FieldError("ends_on", _("The milestone must end within its phase (%(window)s).") % {"window": window})


def add_milestone(
    db: Session, *, actor: User, phase: RoadmapPhase, data: MilestoneCreate
) -> Milestone:
    policy.require(actor, Action.INITIATIVE_EDIT, phase.initiative)
    _require_active(phase.initiative)
    _check_within_phase(phase, data.starts_on, data.ends_on)
    milestone = Milestone(
        phase=phase,
        name=data.name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        status=data.status,
    )
    db.add(milestone)
    db.flush()
    audit.record(db, actor, "milestone.create", milestone, initiative_id=phase.initiative_id)
    log.info("milestone %s added to phase %s by %s", milestone.id, phase.id, actor_label(actor))
    return milestone


def update_milestone(
    db: Session, *, actor: User, phase: RoadmapPhase, milestone: Milestone, data: MilestoneUpdate
) -> Milestone:
    policy.require(actor, Action.INITIATIVE_EDIT, phase.initiative)
    _require_active(phase.initiative)
    if milestone.phase_id != phase.id:
        raise NotFound()
    changed = _changes(milestone, data.model_dump(exclude_unset=True))
    starts_on = changed.get("starts_on", milestone.starts_on)
    ends_on = changed.get("ends_on", milestone.ends_on)
    assert isinstance(starts_on, date) and isinstance(ends_on, date)
    _check_within_phase(phase, starts_on, ends_on)
    if not changed:
        return milestone
    for key, value in changed.items():
        setattr(milestone, key, value)
    db.flush()
    audit.record(
        db,
        actor,
        "milestone.update",
        milestone,
        initiative_id=phase.initiative_id,
        fields=sorted(changed),
    )
    log.info("milestone %s updated by %s", milestone.id, actor_label(actor))
    return milestone


def delete_milestone(
    db: Session, *, actor: User, phase: RoadmapPhase, milestone: Milestone
) -> None:
    policy.require(actor, Action.INITIATIVE_EDIT, phase.initiative)
    _require_active(phase.initiative)
    if milestone.phase_id != phase.id:
        raise NotFound()
    phase.milestones.remove(milestone)
    db.delete(milestone)
    db.flush()
    audit.record(db, actor, "milestone.delete", milestone, initiative_id=phase.initiative_id)
    log.info("milestone %s deleted by %s", milestone.id, actor_label(actor))
