"""/api/v1/initiatives: initiatives and their roadmaps (phases and milestones)."""

from fastapi import APIRouter, Response

from app.deps import CsrfChecked, CurrentUser, DbSession, OptionalUser, PageNumber, declare
from app.errors import API_ERRORS
from app.initiatives import service
from app.initiatives.deps import InitiativeDep, MilestoneDep, PhaseDep
from app.initiatives.schemas import (
    InitiativeCreate,
    InitiativeRead,
    InitiativeUpdate,
    MilestoneCreate,
    MilestoneRead,
    MilestoneUpdate,
    PhaseCreate,
    PhaseRead,
    PhaseUpdate,
)
from app.pagination import PageOut, PerPage
from app.policy import Action

router = APIRouter(
    prefix="/api/v1", tags=["initiatives"], dependencies=[CsrfChecked], responses=API_ERRORS
)

VIEW = declare(Action.INITIATIVE_VIEW)
EDIT = declare(Action.INITIATIVE_EDIT)


@router.get("/initiatives", response_model=PageOut[InitiativeRead], dependencies=[VIEW])
def list_initiatives(
    db: DbSession, user: OptionalUser, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[InitiativeRead]:
    """Active initiatives (administrators also see archived ones)."""
    result = service.list_initiatives(db, viewer=user, page=page, per_page=per_page)
    return PageOut[InitiativeRead].of(result, InitiativeRead)


@router.post(
    "/initiatives",
    response_model=InitiativeRead,
    status_code=201,
    dependencies=[declare(Action.INITIATIVE_CREATE)],
)
def create_initiative(db: DbSession, user: CurrentUser, data: InitiativeCreate) -> InitiativeRead:
    return InitiativeRead.model_validate(service.create(db, actor=user, data=data))


@router.get("/initiatives/{initiative_id}", response_model=InitiativeRead, dependencies=[VIEW])
def get_initiative(initiative: InitiativeDep) -> InitiativeRead:
    return InitiativeRead.model_validate(initiative)


@router.patch("/initiatives/{initiative_id}", response_model=InitiativeRead, dependencies=[EDIT])
def update_initiative(
    db: DbSession, user: CurrentUser, initiative: InitiativeDep, data: InitiativeUpdate
) -> InitiativeRead:
    return InitiativeRead.model_validate(
        service.update(db, actor=user, initiative=initiative, data=data)
    )


@router.post(
    "/initiatives/{initiative_id}/archive", response_model=InitiativeRead, dependencies=[EDIT]
)
def archive_initiative(
    db: DbSession, user: CurrentUser, initiative: InitiativeDep
) -> InitiativeRead:
    return InitiativeRead.model_validate(
        service.set_archived(db, actor=user, initiative=initiative, archived=True)
    )


@router.post(
    "/initiatives/{initiative_id}/unarchive", response_model=InitiativeRead, dependencies=[EDIT]
)
def unarchive_initiative(
    db: DbSession, user: CurrentUser, initiative: InitiativeDep
) -> InitiativeRead:
    return InitiativeRead.model_validate(
        service.set_archived(db, actor=user, initiative=initiative, archived=False)
    )


# --- roadmap -------------------------------------------------------------------------------------


@router.get(
    "/initiatives/{initiative_id}/phases", response_model=PageOut[PhaseRead], dependencies=[VIEW]
)
def list_phases(
    db: DbSession,
    user: OptionalUser,
    initiative: InitiativeDep,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> PageOut[PhaseRead]:
    """The roadmap: phases in date order, each with its milestones."""
    result = service.list_phases(
        db, viewer=user, initiative=initiative, page=page, per_page=per_page
    )
    return PageOut[PhaseRead].of(result, PhaseRead)


@router.post(
    "/initiatives/{initiative_id}/phases",
    response_model=PhaseRead,
    status_code=201,
    dependencies=[EDIT],
)
def add_phase(
    db: DbSession, user: CurrentUser, initiative: InitiativeDep, data: PhaseCreate
) -> PhaseRead:
    return PhaseRead.model_validate(
        service.add_phase(db, actor=user, initiative=initiative, data=data)
    )


@router.patch(
    "/initiatives/{initiative_id}/phases/{phase_id}", response_model=PhaseRead, dependencies=[EDIT]
)
def update_phase(db: DbSession, user: CurrentUser, phase: PhaseDep, data: PhaseUpdate) -> PhaseRead:
    """Change the given fields; milestones must still lie within the phase."""
    return PhaseRead.model_validate(service.update_phase(db, actor=user, phase=phase, data=data))


@router.delete(
    "/initiatives/{initiative_id}/phases/{phase_id}", status_code=204, dependencies=[EDIT]
)
def delete_phase(db: DbSession, user: CurrentUser, phase: PhaseDep) -> Response:
    """Delete the phase and its milestones."""
    service.delete_phase(db, actor=user, phase=phase)
    return Response(status_code=204)


@router.post(
    "/initiatives/{initiative_id}/phases/{phase_id}/milestones",
    response_model=MilestoneRead,
    status_code=201,
    dependencies=[EDIT],
)
def add_milestone(
    db: DbSession, user: CurrentUser, phase: PhaseDep, data: MilestoneCreate
) -> MilestoneRead:
    """A milestone within the phase's window."""
    return MilestoneRead.model_validate(
        service.add_milestone(db, actor=user, phase=phase, data=data)
    )


@router.patch(
    "/initiatives/{initiative_id}/phases/{phase_id}/milestones/{milestone_id}",
    response_model=MilestoneRead,
    dependencies=[EDIT],
)
def update_milestone(
    db: DbSession,
    user: CurrentUser,
    phase: PhaseDep,
    milestone: MilestoneDep,
    data: MilestoneUpdate,
) -> MilestoneRead:
    return MilestoneRead.model_validate(
        service.update_milestone(db, actor=user, phase=phase, milestone=milestone, data=data)
    )


@router.delete(
    "/initiatives/{initiative_id}/phases/{phase_id}/milestones/{milestone_id}",
    status_code=204,
    dependencies=[EDIT],
)
def delete_milestone(
    db: DbSession, user: CurrentUser, phase: PhaseDep, milestone: MilestoneDep
) -> Response:
    service.delete_milestone(db, actor=user, phase=phase, milestone=milestone)
    return Response(status_code=204)
