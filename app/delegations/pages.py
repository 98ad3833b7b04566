"""Delegation pages: the event's delegations with their places, create, edit, delete, coordinators."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import i18n
from app.accounts.models import User
from app.delegations import service
from app.delegations.deps import CoordinatorDep, DelegationDep
from app.delegations.models import Delegation, DelegationSide
from app.delegations.schemas import CoordinatorForm, DelegationForm
from app.deps import CsrfChecked, CurrentUser, DbSession, FormBody, declare
from app.errors import FieldError
from app.events.deps import EventDep
from app.events.models import Event
from app.forms import form_values, validate_form
from app.i18n import _
from app.policy import Action
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

VIEW = declare(Action.DELEGATION_VIEW)
MANAGE = declare(Action.DELEGATION_MANAGE)


def _url(event: Event, delegation: Delegation | None = None) -> str:
    base = f"/events/{event.id}/delegations"
    return base if delegation is None else f"{base}/{delegation.id}"


@router.get("/events/{event_id}/delegations", dependencies=[VIEW])
def list_page(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    summaries = service.summaries(db, viewer=user, event=event)
    coordinators = {s.delegation.id: service.coordinators_by_name(s.delegation) for s in summaries}
    context = {"event": event, "summaries": summaries, "coordinators": coordinators}
    return render(request, "delegations/list.html", context)


# --- create and edit -----------------------------------------------------------------------------


def _form_page(
    request: Request,
    event: Event,
    delegation: Delegation | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "event": event,
        "delegation": delegation,
        "values": values,
        "errors": errors or {},
        "countries": i18n.countries(i18n.current_language()),
        "sides": i18n.choices(DelegationSide),
    }
    return render(request, "delegations/form.html", context, status_code=status_code)


@router.get("/events/{event_id}/delegations/new", dependencies=[MANAGE])
def new_form(request: Request, user: CurrentUser, event: EventDep) -> Response:
    service.check_manageable(actor=user, obj=event)
    values = {"side": DelegationSide.HOST.value, "capacity_core": 0, "capacity_broader": 0}
    return _form_page(request, event, None, values)


@router.post("/events/{event_id}/delegations/new", dependencies=[MANAGE])
def create(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    data, errors = validate_form(DelegationForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                delegation = service.create(db, actor=user, event=event, fields=data.model_dump())
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The delegation has been created."))
            return redirect_303(request, _url(event, delegation))
    return _form_page(request, event, None, form_values(body), errors, status_code=422)


@router.get("/events/{event_id}/delegations/{delegation_id}", dependencies=[VIEW])
def detail(request: Request, db: DbSession, user: CurrentUser, event: EventDep, delegation: DelegationDep) -> Response:
    context = {
        "event": event,
        "summary": service.summary(db, viewer=user, delegation=delegation),
        "coordinators": service.coordinators_by_name(delegation),
    }
    return render(request, "delegations/detail.html", context)


@router.get("/events/{event_id}/delegations/{delegation_id}/edit", dependencies=[MANAGE])
def edit_form(request: Request, user: CurrentUser, event: EventDep, delegation: DelegationDep) -> Response:
    service.check_manageable(actor=user, obj=delegation)
    values = {name: getattr(delegation, name) for name in DelegationForm.model_fields}
    return _form_page(request, event, delegation, values)


@router.post("/events/{event_id}/delegations/{delegation_id}/edit", dependencies=[MANAGE])
def edit(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, delegation: DelegationDep, body: FormBody
) -> Response:
    data, errors = validate_form(DelegationForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.update(db, actor=user, delegation=delegation, fields=data.model_dump())
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The delegation has been saved."))
            return redirect_303(request, _url(event, delegation))
    return _form_page(request, event, delegation, form_values(body), errors, status_code=422)


@router.get("/events/{event_id}/delegations/{delegation_id}/delete", dependencies=[MANAGE])
def delete_confirm(request: Request, user: CurrentUser, event: EventDep, delegation: DelegationDep) -> Response:
    service.check_manageable(actor=user, obj=delegation)
    context = {
        "heading": _("Delete this delegation?"),
        "message": _("The delegation “%(name)s” and its coordinators' access will be removed. "
                     "A delegation with participants cannot be deleted.") % {"name": delegation.name},
        "action": f"{_url(event, delegation)}/delete",
        "fields": {},
        "confirm_label": _("Delete the delegation"),
        "cancel_url": _url(event, delegation),
    }
    return render(request, "confirm.html", context)


@router.post("/events/{event_id}/delegations/{delegation_id}/delete", dependencies=[MANAGE])
def delete(request: Request, db: DbSession, user: CurrentUser, event: EventDep, delegation: DelegationDep) -> Response:
    name = delegation.name
    service.delete(db, actor=user, delegation=delegation)
    flash(request, _("The delegation “%(name)s” has been deleted.") % {"name": name})
    return redirect_303(request, _url(event))


# --- coordinators --------------------------------------------------------------------------------


def _detail_with_errors(
    request: Request, db: DbSession, user: User, event: Event, delegation: Delegation, body: FormBody,
    errors: dict[str, list[str]],
) -> Response:
    context = {
        "event": event,
        "summary": service.summary(db, viewer=user, delegation=delegation),
        "coordinators": service.coordinators_by_name(delegation),
        "values": form_values(body),
        "errors": errors,
    }
    return render(request, "delegations/detail.html", context, status_code=422)


@router.post("/events/{event_id}/delegations/{delegation_id}/coordinators", dependencies=[MANAGE])
def add_coordinator(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, delegation: DelegationDep, body: FormBody
) -> Response:
    data, errors = validate_form(CoordinatorForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.add_coordinator(db, actor=user, delegation=delegation, email=data.email)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The coordinator has been added."))
            return redirect_303(request, _url(event, delegation))
    return _detail_with_errors(request, db, user, event, delegation, body, errors)


@router.get(
    "/events/{event_id}/delegations/{delegation_id}/coordinators/{coordinator_id}/remove", dependencies=[MANAGE]
)
def remove_coordinator_confirm(
    request: Request, user: CurrentUser, event: EventDep, delegation: DelegationDep, grant: CoordinatorDep
) -> Response:
    service.check_manageable(actor=user, obj=delegation)
    context = {
        "heading": _("Remove this coordinator?"),
        "message": _("%(name)s will no longer coordinate the delegation “%(delegation)s” and will lose "
                     "access to its participants.") % {"name": grant.user.full_name, "delegation": delegation.name},
        "action": f"{_url(event, delegation)}/coordinators/{grant.id}/remove",
        "fields": {},
        "confirm_label": _("Remove"),
        "cancel_url": _url(event, delegation),
    }
    return render(request, "confirm.html", context)


@router.post(
    "/events/{event_id}/delegations/{delegation_id}/coordinators/{coordinator_id}/remove", dependencies=[MANAGE]
)
def remove_coordinator(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, delegation: DelegationDep,
    grant: CoordinatorDep,
) -> Response:
    service.remove_coordinator(db, actor=user, delegation=delegation, coordinator_id=grant.id)
    flash(request, _("The coordinator has been removed."))
    return redirect_303(request, _url(event, delegation))
