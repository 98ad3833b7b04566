"""Path loaders for crossings: missing, of another event or not the viewer's is a 404."""

from typing import Annotated

from fastapi import Depends

from app.crossings import service
from app.crossings.models import Crossing
from app.deps import DbSession, Id, OptionalUser
from app.events.deps import EventDep


def crossing_for_viewer(db: DbSession, user: OptionalUser, event: EventDep, crossing_id: Id) -> Crossing:
    return service.get_for_viewer(db, viewer=user, event=event, crossing_id=crossing_id)


CrossingDep = Annotated[Crossing, Depends(crossing_for_viewer)]
