"""Path loaders for registrations: missing, of another event or not the viewer's to see is a 404."""

from typing import Annotated

from fastapi import Depends

from app.deps import DbSession, Id, OptionalUser
from app.events.deps import EventDep
from app.registrations import service
from app.registrations.models import Registration


def registration_for_viewer(
    db: DbSession, user: OptionalUser, event: EventDep, registration_id: Id
) -> Registration:
    return service.get_for_viewer(db, viewer=user, event=event, registration_id=registration_id)


RegistrationDep = Annotated[Registration, Depends(registration_for_viewer)]
