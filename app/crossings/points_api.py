"""/api/v1/crossing-points: border crossings and the procedures each requires (administrators
change them; organisers and coordinators read them)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.crossings import points
from app.crossings.points_deps import CrossingPointDep, ProcedureDep
from app.crossings.points_schemas import (
    SEARCH_MAX,
    CrossingPointCreate,
    CrossingPointRead,
    CrossingPointUpdate,
    ProcedureCreate,
    ProcedureRead,
    ProcedureUpdate,
)
from app.deps import CsrfChecked, CurrentUser, DbSession, PageNumber, declare
from app.errors import API_ERRORS
from app.pagination import PageOut, PerPage
from app.policy import Action

router = APIRouter(
    prefix="/api/v1", tags=["crossing points"], dependencies=[CsrfChecked], responses=API_ERRORS
)

VIEW = declare(Action.CROSSING_POINT_VIEW)
MANAGE = declare(Action.CROSSING_POINT_MANAGE)
BASE = "/crossing-points"
ONE = BASE + "/{crossing_point_id}"
PROCEDURES = ONE + "/procedures"
PROCEDURE = PROCEDURES + "/{procedure_id}"


@router.get(BASE, response_model=PageOut[CrossingPointRead], dependencies=[VIEW])
def list_crossing_points(
    db: DbSession,
    user: CurrentUser,
    active: Annotated[bool | None, Query(description="true: in use; false: deactivated; absent: all")] = None,
    q: Annotated[str | None, Query(max_length=SEARCH_MAX, description="A piece of a name or status, or a country code")] = None,
    page: PageNumber = 1,
    per_page: PerPage = 50,
) -> PageOut[CrossingPointRead]:
    """Crossing points by name, each with its procedures in order."""
    found = points.list_points(db, viewer=user, active=active, q=q, page=page, per_page=per_page)
    return PageOut[CrossingPointRead].of(found, CrossingPointRead)


@router.post(BASE, response_model=CrossingPointRead, status_code=201, dependencies=[MANAGE])
def create_crossing_point(db: DbSession, user: CurrentUser, data: CrossingPointCreate) -> CrossingPointRead:
    """A new, active crossing point; add its procedures next."""
    point = points.create(db, actor=user, data=data)
    return CrossingPointRead.model_validate(point)


@router.get(ONE, response_model=CrossingPointRead, dependencies=[VIEW])
def get_crossing_point(point: CrossingPointDep) -> CrossingPointRead:
    return CrossingPointRead.model_validate(point)


@router.patch(ONE, response_model=CrossingPointRead, dependencies=[MANAGE])
def update_crossing_point(
    db: DbSession, user: CurrentUser, point: CrossingPointDep, data: CrossingPointUpdate
) -> CrossingPointRead:
    """Change the given fields; `"is_active": false` deactivates the point (no longer offered
    for new crossings), `true` reactivates it."""
    points.update(db, actor=user, point=point, data=data)
    return CrossingPointRead.model_validate(point)


@router.delete(ONE, status_code=204, dependencies=[MANAGE])
def delete_crossing_point(db: DbSession, user: CurrentUser, point: CrossingPointDep) -> Response:
    """Delete the point and its procedures; 409 while any crossing goes through it
    (deactivate it instead)."""
    points.delete(db, actor=user, point=point)
    return Response(status_code=204)


# --- procedures ----------------------------------------------------------------------------------


@router.get(PROCEDURES, response_model=PageOut[ProcedureRead], dependencies=[VIEW])
def list_procedures(
    db: DbSession, user: CurrentUser, point: CrossingPointDep, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[ProcedureRead]:
    """The point's procedures in order."""
    found = points.list_procedures(db, viewer=user, point=point, page=page, per_page=per_page)
    return PageOut[ProcedureRead].of(found, ProcedureRead)


@router.post(PROCEDURES, response_model=ProcedureRead, status_code=201, dependencies=[MANAGE])
def create_procedure(
    db: DbSession, user: CurrentUser, point: CrossingPointDep, data: ProcedureCreate
) -> ProcedureRead:
    """A new procedure, last in the list."""
    procedure = points.add_procedure(db, actor=user, point=point, data=data)
    return ProcedureRead.model_validate(procedure)


@router.get(PROCEDURE, response_model=ProcedureRead, dependencies=[VIEW])
def get_procedure(procedure: ProcedureDep) -> ProcedureRead:
    return ProcedureRead.model_validate(procedure)


@router.patch(PROCEDURE, response_model=ProcedureRead, dependencies=[MANAGE])
def update_procedure(
    db: DbSession, user: CurrentUser, point: CrossingPointDep, procedure: ProcedureDep, data: ProcedureUpdate
) -> ProcedureRead:
    """Change the given fields; `position` (1 = first) moves the procedure in the list."""
    points.update_procedure(db, actor=user, point=point, procedure=procedure, data=data)
    return ProcedureRead.model_validate(procedure)


@router.delete(PROCEDURE, status_code=204, dependencies=[MANAGE])
def delete_procedure(db: DbSession, user: CurrentUser, point: CrossingPointDep, procedure: ProcedureDep) -> Response:
    """Remove the procedure; crossings already planned keep their copy of it."""
    points.delete_procedure(db, actor=user, point=point, procedure=procedure)
    return Response(status_code=204)
