"""Path loaders for events: a missing or invisible event is a 404, whatever the viewer asks."""

from typing import Annotated

from fastapi import Depends

from app.deps import DbSession, Id, OptionalUser
from app.events import service
from app.events.models import Event, EventStaff


def event_for_viewer(db: DbSession, user: OptionalUser, event_id: Id) -> Event:
    return service.get_for_viewer(db, viewer=user, event_id=event_id)


EventDep = Annotated[Event, Depends(event_for_viewer)]


def staff_for_viewer(
    db: DbSession, user: OptionalUser, event: EventDep, staff_id: Id
) -> EventStaff:
    return service.get_staff(db, viewer=user, event=event, staff_id=staff_id)


StaffDep = Annotated[EventStaff, Depends(staff_for_viewer)]
