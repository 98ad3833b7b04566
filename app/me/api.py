"""/api/v1/me/registrations: the caller's own registrations, and keeping them current."""

from fastapi import APIRouter, Request

from app.deps import CsrfChecked, CurrentUser, DbSession, PageNumber, client_address, declare
from app.errors import API_ERRORS
from app.me import service
from app.me.deps import OwnRegistrationDep
from app.me.schemas import (
    CancelIn,
    OwnConsentsIn,
    OwnDocumentIn,
    OwnRegistrationRead,
    OwnRegistrationUpdate,
)
from app.pagination import PageOut, PerPage
from app.policy import Action
from app.registrations import service as registrations
from app.registrations.schemas import DocumentRevealed, NeedsFields, PersonFields, TravelDocumentIn

router = APIRouter(prefix="/api/v1", tags=["me"], dependencies=[CsrfChecked], responses=API_ERRORS)
BASE = "/me/registrations"
ONE = BASE + "/{registration_id}"


def _read(registration) -> OwnRegistrationRead:  # type: ignore[no-untyped-def]
    return OwnRegistrationRead.model_validate(registration)


@router.get(BASE, response_model=PageOut[OwnRegistrationRead], dependencies=[declare(Action.REGISTRATION_VIEW)])
def list_own(
    db: DbSession, user: CurrentUser, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[OwnRegistrationRead]:
    """The caller's registrations, latest event first."""
    result = service.list_own(db, user=user, page=page, per_page=per_page)
    return PageOut[OwnRegistrationRead].of(result, OwnRegistrationRead)


@router.get(ONE, response_model=OwnRegistrationRead, dependencies=[declare(Action.REGISTRATION_VIEW)])
def get_own(registration: OwnRegistrationDep) -> OwnRegistrationRead:
    return _read(registration)


@router.patch(ONE, response_model=OwnRegistrationRead, dependencies=[declare(Action.REGISTRATION_EDIT)])
def update_own(
    db: DbSession, user: CurrentUser, registration: OwnRegistrationDep, data: OwnRegistrationUpdate
) -> OwnRegistrationRead:
    """Change the given fields of the caller's details and needs. Circle, category, status and
    delegation are not the delegate's to change (422)."""
    person = data.person(
        PersonFields.model_validate({k: getattr(registration.person, k) for k in PersonFields.model_fields})
    )
    needs = data.needs(NeedsFields.model_validate({k: getattr(registration, k) for k in NeedsFields.model_fields}))
    if person is not None:
        registrations.update_person(db, actor=user, registration=registration, data=person)
    if needs is not None:
        registrations.update_needs(db, actor=user, registration=registration, data=needs)
    return _read(registration)


@router.put(
    ONE + "/consents", response_model=OwnRegistrationRead, dependencies=[declare(Action.REGISTRATION_EDIT)]
)
def set_consents(
    db: DbSession, user: CurrentUser, registration: OwnRegistrationDep, data: OwnConsentsIn
) -> OwnRegistrationRead:
    """The consents given now, each stored with the time and the text version; those left out
    are withdrawn. Data processing cannot be withdrawn while registered: cancel instead."""
    registrations.set_consents(db, actor=user, registration=registration, kinds=data.kinds)
    return _read(registration)


@router.put(
    ONE + "/document", response_model=OwnRegistrationRead, dependencies=[declare(Action.REGISTRATION_EDIT)]
)
def set_document(
    db: DbSession, user: CurrentUser, registration: OwnRegistrationDep, data: OwnDocumentIn
) -> OwnRegistrationRead:
    """Record or replace the travel document; the answer shows its number masked."""
    document = TravelDocumentIn(**data.model_dump())
    registrations.set_travel_document(db, actor=user, registration=registration, data=document)
    return _read(registration)


@router.post(
    ONE + "/document/reveal", response_model=DocumentRevealed, dependencies=[declare(Action.DOCUMENT_REVEAL)]
)
def reveal_document(
    request: Request, db: DbSession, user: CurrentUser, registration: OwnRegistrationDep
) -> DocumentRevealed:
    """The full document number; every reveal is written to the audit log."""
    number = registrations.reveal_document(db, actor=user, registration=registration, client=client_address(request))
    return DocumentRevealed(registration_id=registration.id, doc_type=registration.doc_type, doc_number=number)


@router.post(ONE + "/cancel", response_model=OwnRegistrationRead, dependencies=[declare(Action.REGISTRATION_CANCEL)])
def cancel(db: DbSession, user: CurrentUser, registration: OwnRegistrationDep, data: CancelIn) -> OwnRegistrationRead:
    """Cancel the caller's registration, with a reason the organisers see."""
    registrations.cancel(db, actor=user, registration=registration, reason=data.reason)
    return _read(registration)
