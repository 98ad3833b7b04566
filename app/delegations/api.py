"""/api/v1/events/{event_id}/delegations: delegations, their places and their coordinators."""

from fastapi import APIRouter, Response

from app.delegations import service
from app.delegations.deps import CoordinatorDep, DelegationDep
from app.delegations.models import DelegationCoordinator
from app.delegations.schemas import (
    CircleCounts,
    CoordinatorCreate,
    CoordinatorRead,
    DelegationCounts,
    DelegationCreate,
    DelegationRead,
    DelegationUpdate,
)
from app.deps import CsrfChecked, CurrentUser, DbSession, PageNumber, declare
from app.errors import API_ERRORS
from app.events.deps import EventDep
from app.pagination import PageOut, PerPage
from app.policy import Action
from app.registrations.models import Circle

router = APIRouter(prefix="/api/v1", tags=["delegations"], dependencies=[CsrfChecked], responses=API_ERRORS)

VIEW = declare(Action.DELEGATION_VIEW)
MANAGE = declare(Action.DELEGATION_MANAGE)
BASE = "/events/{event_id}/delegations"
ONE = BASE + "/{delegation_id}"


def _coordinator(grant: DelegationCoordinator) -> CoordinatorRead:
    return CoordinatorRead(
        id=grant.id, user_id=grant.user_id, full_name=grant.user.full_name, email=grant.user.email,
        created_at=grant.created_at,
    )


def _read(summary: service.Summary) -> DelegationRead:
    d, counts = summary.delegation, summary.counts

    def circle(c: Circle) -> CircleCounts:
        return CircleCounts(capacity=summary.capacity(c), confirmed=summary.taken(c), waitlisted=summary.waiting(c))

    return DelegationRead(
        id=d.id, event_id=d.event_id, name=d.name, country=d.country, side=d.side, head_name=d.head_name,
        capacity_core=d.capacity_core, capacity_broader=d.capacity_broader,
        coordinators=[_coordinator(c) for c in d.coordinators],
        counts=DelegationCounts(
            core=circle(Circle.CORE), broader=circle(Circle.BROADER),
            by_status={status.value: n for status, n in counts.by_status.items()},
        ),
        created_at=d.created_at, updated_at=d.updated_at,
    )


@router.get(BASE, response_model=PageOut[DelegationRead], dependencies=[VIEW])
def list_delegations(
    db: DbSession, user: CurrentUser, event: EventDep, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[DelegationRead]:
    """The event's delegations, with their coordinators and the places taken in each circle."""
    summaries = service.summaries(db, viewer=user, event=event)
    start = (page - 1) * per_page
    items = [_read(s) for s in summaries[start : start + per_page]]
    return PageOut[DelegationRead](items=items, total=len(summaries), page=page, per_page=per_page)


@router.post(BASE, response_model=DelegationRead, status_code=201, dependencies=[MANAGE])
def create_delegation(db: DbSession, user: CurrentUser, event: EventDep, data: DelegationCreate) -> DelegationRead:
    delegation = service.create(db, actor=user, event=event, fields=data.model_dump())
    return _read(service.summary(db, viewer=user, delegation=delegation))


@router.get(ONE, response_model=DelegationRead, dependencies=[VIEW])
def get_delegation(db: DbSession, user: CurrentUser, delegation: DelegationDep) -> DelegationRead:
    return _read(service.summary(db, viewer=user, delegation=delegation))


@router.patch(ONE, response_model=DelegationRead, dependencies=[MANAGE])
def update_delegation(
    db: DbSession, user: CurrentUser, delegation: DelegationDep, data: DelegationUpdate
) -> DelegationRead:
    """Change the given fields. A raised capacity confirms waiting registrations, oldest first;
    a capacity below the places already taken is refused."""
    service.update(db, actor=user, delegation=delegation, fields=data.model_dump(exclude_unset=True))
    return _read(service.summary(db, viewer=user, delegation=delegation))


@router.delete(ONE, status_code=204, dependencies=[MANAGE])
def delete_delegation(db: DbSession, user: CurrentUser, delegation: DelegationDep) -> Response:
    """Only a delegation without participants can be deleted (409 otherwise)."""
    service.delete(db, actor=user, delegation=delegation)
    return Response(status_code=204)


# --- coordinators --------------------------------------------------------------------------------


@router.get(ONE + "/coordinators", response_model=PageOut[CoordinatorRead], dependencies=[VIEW])
def list_coordinators(
    delegation: DelegationDep, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[CoordinatorRead]:
    items = [_coordinator(c) for c in delegation.coordinators]
    start = (page - 1) * per_page
    return PageOut[CoordinatorRead](
        items=items[start : start + per_page], total=len(items), page=page, per_page=per_page
    )


@router.post(ONE + "/coordinators", response_model=CoordinatorRead, status_code=201, dependencies=[MANAGE])
def add_coordinator(
    db: DbSession, user: CurrentUser, delegation: DelegationDep, data: CoordinatorCreate
) -> CoordinatorRead:
    """Make an existing, active account a coordinator of the delegation, by its e-mail address."""
    return _coordinator(service.add_coordinator(db, actor=user, delegation=delegation, email=data.email))


@router.delete(ONE + "/coordinators/{coordinator_id}", status_code=204, dependencies=[MANAGE])
def remove_coordinator(
    db: DbSession, user: CurrentUser, delegation: DelegationDep, grant: CoordinatorDep
) -> Response:
    service.remove_coordinator(db, actor=user, delegation=delegation, coordinator_id=grant.id)
    return Response(status_code=204)
