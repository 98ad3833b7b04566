"""Path loaders for invitations: missing, of another event or not the viewer's to manage is a 404."""

from typing import Annotated

from fastapi import Depends

from app.deps import DbSession, Id, OptionalUser
from app.events.deps import EventDep
from app.invitations import service
from app.invitations.models import Invitation


def invitation_for_viewer(db: DbSession, user: OptionalUser, event: EventDep, invitation_id: Id) -> Invitation:
    return service.get_for_viewer(db, viewer=user, event=event, invitation_id=invitation_id)


InvitationDep = Annotated[Invitation, Depends(invitation_for_viewer)]
