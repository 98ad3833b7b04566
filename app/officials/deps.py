"""Path loaders for officials: of another event or none is a 404."""

from typing import Annotated

from fastapi import Depends

from app.deps import DbSession, Id, OptionalUser
from app.events.deps import EventDep
from app.officials import service
from app.officials.models import Official


def official_for_viewer(db: DbSession, user: OptionalUser, event: EventDep, official_id: Id) -> Official:
    return service.get_for_viewer(db, viewer=user, event=event, official_id=official_id)


OfficialDep = Annotated[Official, Depends(official_for_viewer)]
