"""/api/v1/events/{event_id}/registrations: participants, decisions, check-in, travel documents."""

from fastapi import APIRouter, Query, Request

from app.deps import CsrfChecked, CurrentUser, DbSession, Id, PageNumber, client_address, declare
from app.errors import API_ERRORS
from app.events.deps import EventDep
from app.pagination import PageOut, PerPage
from app.policy import Action
from app.registrations import service
from app.registrations.deps import RegistrationDep
from app.registrations.models import Category, Circle, RegistrationStatus
from app.registrations.schemas import (
    MAX_ID,
    CheckInIn,
    DecisionIn,
    DocumentRevealed,
    PersonHistory,
    PersonHistoryItem,
    PersonRead,
    PurgeResult,
    RegistrationCreate,
    RegistrationDetail,
    RegistrationRead,
    RegistrationUpdate,
    Sort,
    TravelDocumentIn,
)

router = APIRouter(prefix="/api/v1", tags=["registrations"], dependencies=[CsrfChecked], responses=API_ERRORS)

BASE = "/events/{event_id}/registrations"
ONE = BASE + "/{registration_id}"


@router.get(BASE, response_model=PageOut[RegistrationRead], dependencies=[declare(Action.PARTICIPANT_LIST)])
def list_registrations(
    db: DbSession,
    user: CurrentUser,
    event: EventDep,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    delegation_id: int | None = Query(None, ge=1, le=MAX_ID),
    circle: Circle | None = None,
    category: Category | None = None,
    status: RegistrationStatus | None = None,
    q: str | None = Query(None, max_length=200),
    sort: Sort = "name",
) -> PageOut[RegistrationRead]:
    """The registrations the caller may see: every delegation's for organisers, their own
    delegation's for coordinators. `q` searches names, organisation and e-mail. Travel-document
    numbers are masked."""
    filters = service.ParticipantFilter(
        delegation_id=delegation_id, circle=circle, category=category, status=status, q=q, sort=sort
    )
    result = service.list_for_event(db, viewer=user, event=event, filters=filters, page=page, per_page=per_page)
    return PageOut[RegistrationRead].of(result, RegistrationRead)


@router.post(BASE, response_model=RegistrationDetail, status_code=201, dependencies=[declare(Action.PARTICIPANT_MANAGE)])
def add_registration(db: DbSession, user: CurrentUser, event: EventDep, data: RegistrationCreate) -> RegistrationDetail:
    """Add a person to a delegation of the event, as registered (approve to give them a place).
    A person already registered for the event is refused (422 on `email`)."""
    registration = service.add_to_event(db, actor=user, event=event, data=data)
    return RegistrationDetail.model_validate(registration)


@router.get(ONE, response_model=RegistrationDetail, dependencies=[declare(Action.REGISTRATION_VIEW)])
def get_registration(registration: RegistrationDep) -> RegistrationDetail:
    return RegistrationDetail.model_validate(registration)


@router.patch(ONE, response_model=RegistrationDetail, dependencies=[declare(Action.REGISTRATION_EDIT)])
def update_registration(
    db: DbSession, user: CurrentUser, registration: RegistrationDep, data: RegistrationUpdate
) -> RegistrationDetail:
    """Change the person's fields, the needs, or (staff only) the circle and category."""
    return RegistrationDetail.model_validate(service.update(db, actor=user, registration=registration, data=data))


@router.post(ONE + "/approve", response_model=RegistrationDetail, dependencies=[declare(Action.REGISTRATION_DECIDE)])
def approve(
    db: DbSession, user: CurrentUser, registration: RegistrationDep, data: DecisionIn | None = None
) -> RegistrationDetail:
    """Confirm the registration when its circle has a free place, else waitlist it."""
    reason = data.reason if data is not None else ""
    return RegistrationDetail.model_validate(service.approve(db, actor=user, registration=registration, reason=reason))


@router.post(ONE + "/decline", response_model=RegistrationDetail, dependencies=[declare(Action.REGISTRATION_DECIDE)])
def decline(db: DbSession, user: CurrentUser, registration: RegistrationDep, data: DecisionIn) -> RegistrationDetail:
    """Decline with a reason (the participant is told it); a place it held goes to the first waiting."""
    return RegistrationDetail.model_validate(
        service.decline(db, actor=user, registration=registration, reason=data.reason)
    )


@router.post(ONE + "/cancel", response_model=RegistrationDetail, dependencies=[declare(Action.REGISTRATION_CANCEL)])
def cancel(db: DbSession, user: CurrentUser, registration: RegistrationDep, data: DecisionIn) -> RegistrationDetail:
    """Cancel with a reason; a place it held goes to the first waiting."""
    return RegistrationDetail.model_validate(
        service.cancel(db, actor=user, registration=registration, reason=data.reason)
    )


@router.post(ONE + "/check-in", response_model=RegistrationDetail, dependencies=[declare(Action.CHECK_IN)])
def check_in(
    db: DbSession, user: CurrentUser, registration: RegistrationDep, data: CheckInIn | None = None
) -> RegistrationDetail:
    """Mark a confirmed participant as attended (default) or as a no-show."""
    attended = data.attended if data is not None else True
    return RegistrationDetail.model_validate(
        service.check_in(db, actor=user, registration=registration, attended=attended)
    )


@router.put(ONE + "/document", response_model=RegistrationDetail, dependencies=[declare(Action.REGISTRATION_EDIT)])
def set_document(
    db: DbSession, user: CurrentUser, registration: RegistrationDep, data: TravelDocumentIn
) -> RegistrationDetail:
    """Replace the travel document; the number is stored encrypted and read back masked."""
    service.set_travel_document(db, actor=user, registration=registration, data=data)
    return RegistrationDetail.model_validate(registration)


@router.post(ONE + "/document/reveal", response_model=DocumentRevealed, dependencies=[declare(Action.DOCUMENT_REVEAL)])
def reveal_document(
    request: Request, db: DbSession, user: CurrentUser, registration: RegistrationDep
) -> DocumentRevealed:
    """The full travel-document number. Every call is written to the audit log."""
    number = service.reveal_document(db, actor=user, registration=registration, client=client_address(request))
    return DocumentRevealed(registration_id=registration.id, doc_type=registration.doc_type, doc_number=number)


@router.get(
    "/events/{event_id}/people/{person_id}", response_model=PersonHistory, dependencies=[declare(Action.REGISTRATION_VIEW)]
)
def person_history(db: DbSession, user: CurrentUser, event: EventDep, person_id: Id) -> PersonHistory:
    """A person's registrations at the events of this event's initiative that the caller may see."""
    person, registrations = service.person_history(db, viewer=user, person_id=person_id, event=event)
    return PersonHistory(
        person=PersonRead.model_validate(person),
        registrations=[
            PersonHistoryItem(
                registration_id=r.id, event_id=r.event_id, event_title=r.event.title, starts_on=r.event.starts_on,
                delegation_name=r.delegation.name, circle=r.circle, category=r.category, status=r.status,
            )
            for r in registrations
        ],
    )


@router.post(
    "/events/{event_id}/purge-personal-data",
    response_model=PurgeResult,
    dependencies=[declare(Action.EVENT_PURGE_PERSONAL_DATA)],
)
def purge(db: DbSession, user: CurrentUser, event: EventDep) -> PurgeResult:
    """Erase the travel documents and other sensitive fields of the event's registrations, once
    the event's retention period is over (409 before); a second call erases nothing more."""
    return PurgeResult(event_id=event.id, registrations=service.purge_event(db, actor=user, event=event))
