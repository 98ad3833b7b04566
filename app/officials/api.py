"""/api/v1/events/{event_id}/officials: the office holders the event's participants meet."""

from fastapi import APIRouter, Response

from app.deps import CsrfChecked, CurrentUser, DbSession, PageNumber, declare
from app.errors import API_ERRORS
from app.events.deps import EventDep
from app.officials import service
from app.officials.deps import OfficialDep
from app.officials.schemas import OfficialCreate, OfficialRead, OfficialUpdate
from app.pagination import PageOut, PerPage
from app.policy import Action

router = APIRouter(prefix="/api/v1", tags=["officials"], dependencies=[CsrfChecked], responses=API_ERRORS)

VIEW = declare(Action.AGENDA_VIEW)
MANAGE = declare(Action.AGENDA_MANAGE)
BASE = "/events/{event_id}/officials"
ONE = BASE + "/{official_id}"


@router.get(BASE, response_model=PageOut[OfficialRead], dependencies=[VIEW])
def list_officials(
    db: DbSession, user: CurrentUser, event: EventDep, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[OfficialRead]:
    """The event's officials by name."""
    found = service.list_for_event(db, viewer=user, event=event, page=page, per_page=per_page)
    return PageOut[OfficialRead].of(found, OfficialRead)


@router.post(BASE, response_model=OfficialRead, status_code=201, dependencies=[MANAGE])
def create_official(db: DbSession, user: CurrentUser, event: EventDep, data: OfficialCreate) -> OfficialRead:
    official = service.create(db, actor=user, event=event, fields=data.model_dump())
    return OfficialRead.model_validate(official)


@router.get(ONE, response_model=OfficialRead, dependencies=[VIEW])
def get_official(official: OfficialDep) -> OfficialRead:
    return OfficialRead.model_validate(official)


@router.patch(ONE, response_model=OfficialRead, dependencies=[MANAGE])
def update_official(db: DbSession, user: CurrentUser, official: OfficialDep, data: OfficialUpdate) -> OfficialRead:
    """Change the given fields."""
    service.update(db, actor=user, official=official, fields=data.model_dump(exclude_unset=True))
    return OfficialRead.model_validate(official)


@router.delete(ONE, status_code=204, dependencies=[MANAGE])
def delete_official(db: DbSession, user: CurrentUser, official: OfficialDep) -> Response:
    """Only an official who takes part in no session can be deleted (409 otherwise)."""
    service.delete(db, actor=user, official=official)
    return Response(status_code=204)
