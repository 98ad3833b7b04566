"""Path loaders for delegations: missing, of another event or invisible is a 404."""

from typing import Annotated

from fastapi import Depends

from app.delegations import service
from app.delegations.models import Delegation, DelegationCoordinator
from app.deps import DbSession, Id, OptionalUser
from app.events.deps import EventDep


def delegation_for_viewer(db: DbSession, user: OptionalUser, event: EventDep, delegation_id: Id) -> Delegation:
    return service.get_for_viewer(db, viewer=user, event=event, delegation_id=delegation_id)


DelegationDep = Annotated[Delegation, Depends(delegation_for_viewer)]


def coordinator_of_delegation(delegation: DelegationDep, coordinator_id: Id) -> DelegationCoordinator:
    return service.get_coordinator(delegation, coordinator_id)


CoordinatorDep = Annotated[DelegationCoordinator, Depends(coordinator_of_delegation)]
