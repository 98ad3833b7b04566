"""Path loaders for crossing points: none, or a procedure of another point, is a 404."""

from typing import Annotated

from fastapi import Depends

from app.crossings import points
from app.crossings.models import CrossingPoint, ProcedureTemplate
from app.deps import DbSession, Id, OptionalUser


def crossing_point_for_viewer(db: DbSession, user: OptionalUser, crossing_point_id: Id) -> CrossingPoint:
    return points.get_for_viewer(db, viewer=user, crossing_point_id=crossing_point_id)


CrossingPointDep = Annotated[CrossingPoint, Depends(crossing_point_for_viewer)]


def procedure_for_viewer(
    db: DbSession, user: OptionalUser, point: CrossingPointDep, procedure_id: Id
) -> ProcedureTemplate:
    return points.get_procedure(db, viewer=user, point=point, procedure_id=procedure_id)


ProcedureDep = Annotated[ProcedureTemplate, Depends(procedure_for_viewer)]
