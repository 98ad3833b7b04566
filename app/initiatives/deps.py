"""Path loaders for initiatives and their roadmaps: missing, invisible or misplaced is a 404."""

from typing import Annotated

from fastapi import Depends

from app.deps import DbSession, Id, OptionalUser
from app.initiatives import service
from app.initiatives.models import Initiative, Milestone, RoadmapPhase


def initiative_for_viewer(db: DbSession, user: OptionalUser, initiative_id: Id) -> Initiative:
    return service.get_for_viewer(db, viewer=user, initiative_id=initiative_id)


InitiativeDep = Annotated[Initiative, Depends(initiative_for_viewer)]


def phase_for_viewer(
    db: DbSession, user: OptionalUser, initiative: InitiativeDep, phase_id: Id
) -> RoadmapPhase:
    return service.get_phase(db, viewer=user, initiative=initiative, phase_id=phase_id)


PhaseDep = Annotated[RoadmapPhase, Depends(phase_for_viewer)]


def milestone_for_viewer(
    db: DbSession, user: OptionalUser, phase: PhaseDep, milestone_id: Id
) -> Milestone:
    return service.get_milestone(db, viewer=user, phase=phase, milestone_id=milestone_id)


MilestoneDep = Annotated[Milestone, Depends(milestone_for_viewer)]
