"""Invitation pages: the list of an event's invitations, inviting one address or many, resend,
revoke and edit (organisers, and coordinators for their delegation); and the link a delegate
opens to make an account, or sign in, and register."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from app.accounts import service as accounts
from app.accounts.models import User
from app.deps import (
    PUBLIC,
    CsrfChecked,
    CurrentUser,
    DbSession,
    FormBody,
    OptionalUser,
    PageNumber,
    client_address,
    declare,
)
from app.errors import FieldError
from app.events.deps import EventDep
from app.events.models import Event
from app.forms import form_values, validate_form
from app.i18n import _
from app.invitations import service
from app.invitations.deps import InvitationDep
from app.invitations.models import Invitation
from app.invitations.schemas import (
    TOKEN_MAX,
    AccountForm,
    BatchForm,
    InvitationCreate,
    InvitationEditForm,
    InvitationFilter,
    InvitationForm,
    InvitationState,
    InvitationUpdate,
    RegistrationForm,
    registration_choices,
)
from app.policy import Action
from app.registrations.schemas import CONSENT_TEXT_VERSION
from app.web import SESSION_COOKIE, flash, new_csrf_seed, redirect_303, render, set_cookie

PER_PAGE = 25
UPLOAD_MAX_BYTES = 1_000_000
BATCH_PATH_END = "/invitations/batch"


async def accept_one_file(request: Request) -> None:
    """The batch form may carry one CSV file. Its form is read here, before the CSRF check reads
    forms allowing no file, and both then see the same parsed form."""
    if request.method == "POST" and request.url.path.endswith(BATCH_PATH_END):
        await request.form(max_files=1, max_fields=2000)


router = APIRouter(dependencies=[Depends(accept_one_file), CsrfChecked], include_in_schema=False)
MANAGE = declare(Action.INVITATION_MANAGE)
Token = Annotated[str, Path(max_length=TOKEN_MAX)]


def _url(event: Event, invitation: Invitation | None = None, suffix: str = "") -> str:
    base = f"/events/{event.id}/invitations"
    return f"{base}/{invitation.id}{suffix}" if invitation is not None else f"{base}{suffix}"


# --- the list ------------------------------------------------------------------------------------


@router.get("/events/{event_id}/invitations", dependencies=[MANAGE])
def list_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    event: EventDep,
    page: PageNumber = 1,
    state: str | None = Query(None, max_length=20),
    delegation_id: str | None = Query(None, max_length=12),
    q: str | None = Query(None, max_length=200),
) -> Response:
    query = {"state": state or "", "delegation_id": delegation_id or "", "q": q or ""}
    filters, errors = validate_form(InvitationFilter, query)
    result = service.list_for_event(
        db, viewer=user, event=event, filters=filters or InvitationFilter(), page=page, per_page=PER_PAGE
    )
    context = {
        "event": event,
        "result": result,
        "page": result.page,
        "states": {inv.id: service.state(inv) for inv in result.page.items},
        "query": query,
        "values": query,
        "errors": errors,
        "filtered": any(query.values()),
        "state_choices": _state_choices(),
        "delegation_choices": [(d.id, d.name) for d in result.delegations],
    }
    return render(request, "invitations/list.html", context, status_code=422 if errors else 200)


def _state_choices() -> list[tuple[str, str]]:
    return [
        (InvitationState.PENDING.value, _("Not answered")),
        (InvitationState.EXPIRED.value, _("Expired")),
        (InvitationState.ACCEPTED.value, _("Registered")),
        (InvitationState.REVOKED.value, _("Withdrawn")),
    ]


# --- inviting one --------------------------------------------------------------------------------


def _form_page(
    request: Request,
    db: DbSession,
    user: User,
    event: Event,
    *,
    invitation: Invitation | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    choices = registration_choices()
    context = {
        "event": event,
        "invitation": invitation,
        "values": values,
        "errors": errors or {},
        "delegation_choices": [
            (d.id, d.name) for d in service.manageable_delegations(db, viewer=user, event=event)
        ],
        "circles": choices["circles"],
        "categories": choices["categories"],
    }
    return render(request, "invitations/form.html", context, status_code=status_code)


def _defaults(db: DbSession, user: User, event: Event) -> dict[str, Any]:
    delegations = service.manageable_delegations(db, viewer=user, event=event)
    return {
        "delegation_id": delegations[0].id if len(delegations) == 1 else "",
        "circle": "broader",
        "category": "civil_society",
    }


@router.get("/events/{event_id}/invitations/new", dependencies=[MANAGE])
def new_form(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    return _form_page(request, db, user, event, invitation=None, values=_defaults(db, user, event))


@router.post("/events/{event_id}/invitations/new", dependencies=[MANAGE])
def create(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    data, errors = validate_form(InvitationForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                invitation = service.invite(
                    db, actor=user, event=event, data=InvitationCreate(**data.model_dump())
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The invitation has been sent to %(email)s.") % {"email": invitation.email})
            return redirect_303(request, _url(event))
    return _form_page(
        request, db, user, event, invitation=None, values=form_values(body), errors=errors, status_code=422
    )


# --- inviting many -------------------------------------------------------------------------------


def _batch_page(
    request: Request,
    db: DbSession,
    user: User,
    event: Event,
    *,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    line_errors: list[service.LineError] | None = None,
    status_code: int = 200,
) -> Response:
    choices = registration_choices()
    context = {
        "event": event,
        "values": values,
        "errors": errors or {},
        "line_errors": line_errors or [],
        "delegation_choices": [
            (d.id, d.name) for d in service.manageable_delegations(db, viewer=user, event=event)
        ],
        "circles": choices["circles"],
        "categories": choices["categories"],
    }
    return render(request, "invitations/batch.html", context, status_code=status_code)


@router.get("/events/{event_id}/invitations/batch", dependencies=[MANAGE])
def batch_form(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    return _batch_page(request, db, user, event, values=_defaults(db, user, event))


def _batch_text(body: FormData, pasted: str | None) -> str:
    upload = body.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = upload.file.read(UPLOAD_MAX_BYTES + 1)
        if len(raw) > UPLOAD_MAX_BYTES:
            raise FieldError("file", _("The file is larger than 1 MB. Split it into smaller files."))
        return service.decode_upload(raw)
    if not pasted:
        raise FieldError("emails", _("Paste the addresses, one a line, or choose a CSV file."))
    return pasted


@router.post("/events/{event_id}/invitations/batch", dependencies=[MANAGE])
def batch(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    values = {k: v for k, v in form_values(body).items() if k != "file"}
    data, errors = validate_form(BatchForm, values)
    line_errors: list[service.LineError] = []
    if data is not None:
        try:
            text = _batch_text(body, data.emails)
            lines = service.parse_batch(
                text, delegation_id=data.delegation_id, circle=data.circle, category=data.category
            )
            with db.begin_nested():
                result = service.invite_many(db, actor=user, event=event, lines=lines)
        except FieldError as exc:
            errors = exc.as_errors()
        except service.BatchInvalid as exc:
            line_errors = exc.errors
            errors = {"emails": [_("Some lines are not valid. Nothing has been sent: correct them and try again.")]}
        else:
            context = {"event": event, "result": result}
            return render(request, "invitations/batch_done.html", context)
    return _batch_page(
        request, db, user, event, values=values, errors=errors, line_errors=line_errors, status_code=422
    )


# --- one invitation ------------------------------------------------------------------------------


@router.get("/events/{event_id}/invitations/{invitation_id}", dependencies=[MANAGE])
def detail(request: Request, user: CurrentUser, event: EventDep, invitation: InvitationDep) -> Response:
    choices = registration_choices()
    context = {
        "event": event,
        "invitation": invitation,
        "state": service.state(invitation),
        "state_labels": dict(_state_choices()),
        "circle_labels": dict(choices["circles"]),
        "category_labels": dict(choices["categories"]),
    }
    return render(request, "invitations/detail.html", context)


@router.get("/events/{event_id}/invitations/{invitation_id}/edit", dependencies=[MANAGE])
def edit_form(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, invitation: InvitationDep
) -> Response:
    values = {"email": invitation.email, "circle": invitation.circle.value, "category": invitation.category.value}
    return _form_page(request, db, user, event, invitation=invitation, values=values)


@router.post("/events/{event_id}/invitations/{invitation_id}/edit", dependencies=[MANAGE])
def edit(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, invitation: InvitationDep, body: FormBody
) -> Response:
    data, errors = validate_form(InvitationEditForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.update_invitation(
                    db, actor=user, invitation=invitation, data=InvitationUpdate(**data.model_dump())
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The invitation has been changed."))
            return redirect_303(request, _url(event, invitation))
    return _form_page(
        request, db, user, event, invitation=invitation, values=form_values(body), errors=errors, status_code=422
    )


@router.post("/events/{event_id}/invitations/{invitation_id}/resend", dependencies=[MANAGE])
def resend(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, invitation: InvitationDep
) -> Response:
    service.resend(db, actor=user, invitation=invitation)
    flash(
        request,
        _("A new link has been sent to %(email)s. The previous link no longer works.") % {"email": invitation.email},
    )
    return redirect_303(request, _url(event, invitation))


@router.get("/events/{event_id}/invitations/{invitation_id}/revoke", dependencies=[MANAGE])
def revoke_confirm(request: Request, event: EventDep, invitation: InvitationDep) -> Response:
    context = {
        "heading": _("Withdraw this invitation?"),
        "message": _("The link sent to %(email)s will stop working. You can invite the address again later.")
        % {"email": invitation.email},
        "action": _url(event, invitation, "/revoke"),
        "fields": {},
        "confirm_label": _("Withdraw the invitation"),
        "cancel_url": _url(event, invitation),
    }
    return render(request, "confirm.html", context)


@router.post("/events/{event_id}/invitations/{invitation_id}/revoke", dependencies=[MANAGE])
def revoke(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, invitation: InvitationDep
) -> Response:
    service.revoke(db, actor=user, invitation=invitation)
    flash(request, _("The invitation has been withdrawn: its link no longer works."))
    return redirect_303(request, _url(event, invitation))


# --- the link a delegate opens -------------------------------------------------------------------


def _unusable(request: Request, exc: service.LinkUnusable) -> Response:
    context = {"reason": exc.reason, "message": exc.message}
    return render(request, "invitations/unusable.html", context, status_code=exc.status_code)


def _closed(request: Request, invitation: Invitation) -> Response:
    """The event is not open for registration: a page that says so, and changes nothing."""
    context = {
        "invitation": invitation,
        "not_yet": service.registration_not_open_yet(invitation),
        "expires": service.expires_label(invitation),
    }
    return render(request, "invitations/closed.html", context, status_code=409)


def _wrong_address(request: Request, user: User, invitation: Invitation, token: str) -> Response:
    context = {
        "invitation": invitation,
        "masked_email": service.mask_email(invitation.email),
        "token": token,
    }
    return render(request, "invitations/wrong_address.html", context, status_code=403)


def _welcome(
    request: Request,
    db: DbSession,
    invitation: Invitation,
    token: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "invitation": invitation,
        "token": token,
        "has_account": service.account_exists(db, invitation=invitation),
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "invitations/welcome.html", context, status_code=status_code)


def _register_page(
    request: Request,
    invitation: Invitation,
    token: str,
    *,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "invitation": invitation,
        "token": token,
        "values": values,
        "errors": errors or {},
        "choices": registration_choices(),
        "consent_version": CONSENT_TEXT_VERSION,
    }
    return render(request, "invitations/register.html", context, status_code=status_code)


@router.get("/invitations/{token}", dependencies=[declare(PUBLIC)])
def open_link(request: Request, db: DbSession, user: OptionalUser, token: Token) -> Response:
    try:
        invitation = service.open_link(db, token=token)
    except service.LinkUnusable as exc:
        return _unusable(request, exc)
    if not service.registration_open(invitation):
        return _closed(request, invitation)
    if user is None:
        return _welcome(request, db, invitation, token)
    if not service.is_invited(user, invitation):
        return _wrong_address(request, user, invitation, token)
    values = {**service.prefill(user), "languages": []}
    return _register_page(request, invitation, token, values=values)


@router.post("/invitations/{token}/account", dependencies=[declare(PUBLIC)])
def create_account(request: Request, db: DbSession, user: OptionalUser, token: Token, body: FormBody) -> Response:
    try:
        invitation = service.open_link(db, token=token)
    except service.LinkUnusable as exc:
        return _unusable(request, exc)
    if not service.registration_open(invitation):
        return _closed(request, invitation)
    if user is not None:
        return redirect_303(request, f"/invitations/{token}")
    data, errors = validate_form(AccountForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                account = service.create_account(
                    db, invitation=invitation, full_name=data.full_name, password=data.password
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            session = accounts.start_session(db, user=account, second_factor_done=True, client=client_address(request))
            new_csrf_seed(request)
            flash(request, _("Your account has been created. Now tell us about yourself to register."))
            response = redirect_303(request, f"/invitations/{token}")
            set_cookie(request, response, SESSION_COOKIE, session)
            return response
    values = {k: v for k, v in form_values(body).items() if not k.startswith("password")}
    return _welcome(request, db, invitation, token, values=values, errors=errors, status_code=422)


@router.post("/invitations/{token}", dependencies=[declare(PUBLIC)])
def register(request: Request, db: DbSession, user: CurrentUser, token: Token, body: FormBody) -> Response:
    try:
        invitation = service.open_link(db, token=token)
    except service.LinkUnusable as exc:
        return _unusable(request, exc)
    if not service.registration_open(invitation):
        return _closed(request, invitation)
    if not service.is_invited(user, invitation):
        return _wrong_address(request, user, invitation, token)
    values = form_values(body, lists=("languages",))
    data, errors = validate_form(RegistrationForm, values)
    if data is not None:
        errors = data.document_missing()
    if data is not None and not errors:
        try:
            with db.begin_nested():
                registration = service.accept(db, actor=user, invitation=invitation, form=data)
        except FieldError as exc:
            errors = exc.as_errors()
        except service.LinkUnusable as exc:
            return _unusable(request, exc)
        except service.RegistrationClosed:
            return _closed(request, invitation)
        else:
            flash(request, _("You are registered. The organisers will confirm your place."))
            return redirect_303(request, f"/me/registrations/{registration.id}")
    return _register_page(request, invitation, token, values=values, errors=errors, status_code=422)
