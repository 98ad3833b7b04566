"""The delegate's own pages: their registrations, and keeping their details, needs, consents and
travel document current; revealing the document's number (audited); cancelling."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.deps import (
    CsrfChecked,
    CurrentUser,
    DbSession,
    FormBody,
    PageNumber,
    client_address,
    declare,
)
from app.errors import FieldError
from app.forms import form_values, validate_form
from app.i18n import _
from app.invitations.schemas import registration_choices
from app.me import service
from app.me.deps import OwnRegistrationDep
from app.me.schemas import CancelForm, ConsentForm, DocumentForm, NeedsForm, PersonForm
from app.policy import Action
from app.registrations import service as registrations
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.schemas import (
    CONSENT_TEXT_VERSION,
    NeedsFields,
    PersonFields,
    TravelDocumentIn,
    doc_type_label,
)
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)
VIEW = declare(Action.REGISTRATION_VIEW)
EDIT = declare(Action.REGISTRATION_EDIT)
REVEAL = declare(Action.DOCUMENT_REVEAL)
CANCEL = declare(Action.REGISTRATION_CANCEL)
PER_PAGE = 25


def _url(registration: Registration, anchor: str = "") -> str:
    return f"/me/registrations/{registration.id}" + (f"#{anchor}" if anchor else "")


@router.get("/me/registrations", dependencies=[VIEW])
def list_page(request: Request, db: DbSession, user: CurrentUser, page: PageNumber = 1) -> Response:
    result = service.list_own(db, user=user, page=page, per_page=PER_PAGE)
    return render(request, "me/list.html", {"page": result, "query": {}})


def _current(registration: Registration) -> dict[str, dict[str, Any]]:
    """Each form of the page, filled in from the registration as it is."""
    person = registration.person
    return {
        "person": {name: getattr(person, name) for name in PersonFields.model_fields},
        "needs": {
            **{name: getattr(registration, name) for name in NeedsFields.model_fields},
            "languages": [c for c in registration.languages.split(",") if c],
        },
        "consents": {f"consent_{c.kind.value}": "on" for c in registration.consents},
        "document": {
            "doc_type": registration.doc_type,
            "doc_issuing_country": registration.doc_issuing_country,
            "doc_nationality": registration.doc_nationality,
            "doc_expires_on": registration.doc_expires_on,
        },
    }


def _detail(
    request: Request,
    registration: Registration,
    *,
    section: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    revealed: str | None = None,
    status_code: int = 200,
) -> Response:
    forms = _current(registration)
    if section is not None and values is not None:
        forms[section] = values
    context = {
        "registration": registration,
        "event": registration.event,
        "forms": forms,
        "section": section,
        "errors": errors or {},
        "revealed": revealed,
        "consents": {c.kind.value: c for c in registration.consents},
        "choices": registration_choices(),
        "doc_type_label": doc_type_label,
        "consent_version": CONSENT_TEXT_VERSION,
        "cancellable": registration.status in registrations.CANCELLABLE,
    }
    return render(request, "me/detail.html", context, status_code=status_code)


@router.get("/me/registrations/{registration_id}", dependencies=[VIEW])
def detail(request: Request, registration: OwnRegistrationDep) -> Response:
    return _detail(request, registration)


@router.post("/me/registrations/{registration_id}/person", dependencies=[EDIT])
def save_person(
    request: Request, db: DbSession, user: CurrentUser, registration: OwnRegistrationDep, body: FormBody
) -> Response:
    data, errors = validate_form(PersonForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                registrations.update_person(db, actor=user, registration=registration, data=data)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("Your details have been saved."))
            return redirect_303(request, _url(registration, "person"))
    return _detail(request, registration, section="person", values=form_values(body), errors=errors, status_code=422)


@router.post("/me/registrations/{registration_id}/needs", dependencies=[EDIT])
def save_needs(
    request: Request, db: DbSession, user: CurrentUser, registration: OwnRegistrationDep, body: FormBody
) -> Response:
    values = form_values(body, lists=("languages",))
    data, errors = validate_form(NeedsForm, values)
    if data is not None:
        try:
            with db.begin_nested():
                registrations.update_needs(db, actor=user, registration=registration, data=data)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("Your needs and languages have been saved."))
            return redirect_303(request, _url(registration, "needs"))
    return _detail(request, registration, section="needs", values=values, errors=errors, status_code=422)


@router.post("/me/registrations/{registration_id}/consents", dependencies=[EDIT])
def save_consents(
    request: Request, db: DbSession, user: CurrentUser, registration: OwnRegistrationDep, body: FormBody
) -> Response:
    data, errors = validate_form(ConsentForm, body)
    if data is not None:
        with db.begin_nested():
            registrations.set_consents(db, actor=user, registration=registration, kinds=data.kinds())
        flash(request, _("Your consents have been saved."))
        return redirect_303(request, _url(registration, "consents"))
    return _detail(request, registration, section="consents", values=form_values(body), errors=errors, status_code=422)


@router.post("/me/registrations/{registration_id}/document", dependencies=[EDIT])
def save_document(
    request: Request, db: DbSession, user: CurrentUser, registration: OwnRegistrationDep, body: FormBody
) -> Response:
    data, errors = validate_form(DocumentForm, body)
    if data is not None:
        document = TravelDocumentIn(**data.model_dump(include=set(TravelDocumentIn.model_fields)))
        try:
            with db.begin_nested():
                registrations.set_travel_document(db, actor=user, registration=registration, data=document)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("Your travel document has been saved."))
            return redirect_303(request, _url(registration, "document"))
    values = {k: v for k, v in form_values(body).items() if k != "doc_number"}
    return _detail(request, registration, section="document", values=values, errors=errors, status_code=422)


@router.post("/me/registrations/{registration_id}/document/reveal", dependencies=[REVEAL])
def reveal_document(
    request: Request, db: DbSession, user: CurrentUser, registration: OwnRegistrationDep
) -> Response:
    number = registrations.reveal_document(
        db, actor=user, registration=registration, client=client_address(request)
    )
    return _detail(request, registration, revealed=number)


@router.get("/me/registrations/{registration_id}/cancel", dependencies=[CANCEL])
def cancel_form(request: Request, user: CurrentUser, registration: OwnRegistrationDep) -> Response:
    registrations.check_decision(actor=user, registration=registration, status=RegistrationStatus.CANCELLED)
    return render(request, "me/cancel.html", {"registration": registration})


@router.post("/me/registrations/{registration_id}/cancel", dependencies=[CANCEL])
def cancel(
    request: Request, db: DbSession, user: CurrentUser, registration: OwnRegistrationDep, body: FormBody
) -> Response:
    data, errors = validate_form(CancelForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                registrations.cancel(db, actor=user, registration=registration, reason=data.reason)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("Your registration has been cancelled. The organisers have been told."))
            return redirect_303(request, _url(registration))
    context = {"registration": registration, "values": form_values(body), "errors": errors}
    return render(request, "me/cancel.html", context, status_code=422)
