"""/api/v1/events: events, their status and their staff."""

from fastapi import APIRouter, Query, Response

from app.deps import CsrfChecked, CurrentUser, DbSession, OptionalUser, PageNumber, declare
from app.errors import API_ERRORS
from app.events import service
from app.events.deps import EventDep, StaffDep
from app.events.models import EventStatus
from app.events.schemas import (
    MAX_ID,
    EventCreate,
    EventFilter,
    EventRead,
    EventUpdate,
    StaffCreate,
    StaffRead,
    StatusChange,
)
from app.pagination import PageOut, PerPage
from app.policy import Action

router = APIRouter(
    prefix="/api/v1", tags=["events"], dependencies=[CsrfChecked], responses=API_ERRORS
)


@router.get("/events", response_model=PageOut[EventRead], dependencies=[declare(Action.EVENT_VIEW)])
def list_events(
    db: DbSession,
    user: OptionalUser,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    status: EventStatus | None = None,
    initiative_id: int | None = Query(None, ge=1, le=MAX_ID),
    q: str | None = Query(None, max_length=200),
) -> PageOut[EventRead]:
    """Events the caller may see, newest first; `q` searches title, city and venue."""
    filters = EventFilter(status=status, initiative_id=initiative_id, q=q)
    result = service.list_events(db, viewer=user, filters=filters, page=page, per_page=per_page)
    return PageOut[EventRead].of(result, EventRead)


@router.post(
    "/events",
    response_model=EventRead,
    status_code=201,
    dependencies=[declare(Action.EVENT_CREATE)],
)
def create_event(db: DbSession, user: CurrentUser, data: EventCreate) -> EventRead:
    """A new event, in draft."""
    return EventRead.model_validate(service.create(db, actor=user, data=data))


@router.get(
    "/events/{event_id}", response_model=EventRead, dependencies=[declare(Action.EVENT_VIEW)]
)
def get_event(event: EventDep) -> EventRead:
    return EventRead.model_validate(event)


@router.patch(
    "/events/{event_id}", response_model=EventRead, dependencies=[declare(Action.EVENT_EDIT)]
)
def update_event(db: DbSession, user: CurrentUser, event: EventDep, data: EventUpdate) -> EventRead:
    """Change the given fields; the others stay as they are."""
    return EventRead.model_validate(service.update(db, actor=user, event=event, data=data))


@router.post(
    "/events/{event_id}/status",
    response_model=EventRead,
    dependencies=[declare(Action.EVENT_CHANGE_STATUS)],
)
def change_status(
    db: DbSession, user: CurrentUser, event: EventDep, data: StatusChange
) -> EventRead:
    """One step on or back, `archived` from any status, `concluded` from archived (administrators)."""
    return EventRead.model_validate(
        service.change_status(db, actor=user, event=event, status=data.status)
    )


@router.get(
    "/events/{event_id}/staff",
    response_model=PageOut[StaffRead],
    dependencies=[declare(Action.EVENT_VIEW_INTERNAL)],
)
def list_staff(
    db: DbSession, user: CurrentUser, event: EventDep, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[StaffRead]:
    result = service.list_staff(db, viewer=user, event=event, page=page, per_page=per_page)
    return PageOut[StaffRead].of(result, StaffRead)


@router.post(
    "/events/{event_id}/staff",
    response_model=StaffRead,
    status_code=201,
    dependencies=[declare(Action.EVENT_MANAGE_STAFF)],
)
def add_staff(db: DbSession, user: CurrentUser, event: EventDep, data: StaffCreate) -> StaffRead:
    """Give an existing user a role at the event, by their e-mail address."""
    staff = service.add_staff(db, actor=user, event=event, email=data.email, role=data.role)
    return StaffRead.model_validate(staff)


@router.delete(
    "/events/{event_id}/staff/{staff_id}",
    status_code=204,
    dependencies=[declare(Action.EVENT_MANAGE_STAFF)],
)
def remove_staff(db: DbSession, user: CurrentUser, event: EventDep, staff: StaffDep) -> Response:
    service.remove_staff(db, actor=user, event=event, staff=staff)
    return Response(status_code=204)
