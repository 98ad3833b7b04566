"""Path loaders for the agenda: missing, of another event or invisible is a 404."""

from typing import Annotated

from fastapi import Depends

from app.agenda import service
from app.agenda.models import AgendaSession, Room
from app.deps import DbSession, Id, OptionalUser
from app.events.deps import EventDep


def room_for_viewer(db: DbSession, user: OptionalUser, event: EventDep, room_id: Id) -> Room:
    return service.get_room(db, viewer=user, event=event, room_id=room_id)


RoomDep = Annotated[Room, Depends(room_for_viewer)]


def session_for_viewer(db: DbSession, user: OptionalUser, event: EventDep, session_id: Id) -> AgendaSession:
    return service.get_for_viewer(db, viewer=user, event=event, session_id=session_id)


SessionDep = Annotated[AgendaSession, Depends(session_for_viewer)]
