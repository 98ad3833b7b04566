"""Event pages: the list, the overview, create and edit, the status workflow and the staff."""

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app import i18n, policy
from app.accounts.models import User
from app.config import get_settings
from app.delegations import service as delegation_service
from app.deps import (
    CsrfChecked,
    CurrentUser,
    DbSession,
    FormBody,
    OptionalUser,
    PageNumber,
    declare,
)
from app.errors import FieldError
from app.events import service
from app.events.deps import EventDep, StaffDep
from app.events.models import Event, EventKind, EventStatus, StaffRole
from app.events.schemas import (
    MAX_ID,
    EventCreate,
    EventFilter,
    EventForm,
    EventUpdate,
    StaffForm,
    StatusForm,
)
from app.forms import form_values, validate_form
from app.i18n import _
from app.initiatives import service as initiative_service
from app.policy import Action
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

PER_PAGE = 25


# --- the list ------------------------------------------------------------------------------------


@router.get("/events", dependencies=[declare(Action.EVENT_VIEW)])
def list_page(
    request: Request,
    db: DbSession,
    user: OptionalUser,
    page: PageNumber = 1,
    q: str | None = Query(None, max_length=200),
    status: str | None = Query(None, max_length=40),
    initiative_id: str | None = Query(None, max_length=12),
) -> Response:
    query = {"q": q or "", "status": status or "", "initiative_id": initiative_id or ""}
    filters, errors = validate_form(EventFilter, query)
    events = service.list_events(
        db, viewer=user, filters=filters or EventFilter(), page=page, per_page=PER_PAGE
    )
    context = {
        "page": events,
        "query": query,
        "values": query,
        "errors": errors,
        "filtered": any(query.values()),
        "statuses": i18n.choices(EventStatus),
        "initiatives": [(i.id, i.name) for i in initiative_service.choices(db, viewer=user)],
    }
    return render(request, "events/list.html", context, status_code=422 if errors else 200)


# --- create and edit -----------------------------------------------------------------------------


def _form_page(
    request: Request,
    db: DbSession,
    user: User,
    *,
    event: Event | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    current = event.initiative_id if event is not None else None
    initiatives = initiative_service.choices(db, viewer=user, current_id=current)
    context = {
        "event": event,
        "values": values,
        "errors": errors or {},
        "kinds": [(k.value, i18n.label(k)) for k in EventKind],
        "countries": i18n.countries(i18n.current_language()),
        "timezones": [(tz, tz.replace("_", " ")) for tz in i18n.timezones()],
        "initiatives": [(i.id, i.name) for i in initiatives],
    }
    return render(request, "events/form.html", context, status_code=status_code)


@router.get("/events/new", dependencies=[declare(Action.EVENT_CREATE)])
def new_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    initiative_id: int | None = Query(None, ge=1, le=MAX_ID),
) -> Response:
    policy.require(user, Action.EVENT_CREATE)
    values = {
        "kind": EventKind.ROUNDTABLE.value,
        "timezone": get_settings().default_timezone,
        "initiative_id": initiative_id,
    }
    return _form_page(request, db, user, event=None, values=values)


@router.post("/events/new", dependencies=[declare(Action.EVENT_CREATE)])
def create(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    data, errors = validate_form(EventForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                event = service.create(db, actor=user, data=EventCreate(**data.model_dump()))
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The event has been created as a draft."))
            return redirect_303(request, f"/events/{event.id}")
    return _form_page(
        request, db, user, event=None, values=form_values(body), errors=errors, status_code=422
    )


@router.get("/events/{event_id}", dependencies=[declare(Action.EVENT_VIEW)])
def detail(request: Request, db: DbSession, user: OptionalUser, event: EventDep) -> Response:
    overview = service.overview(db, viewer=user, event=event)
    context = {
        "event": overview.event,
        "staff": overview.staff,
        "transitions": overview.transitions,
        "overdue": overview.overdue,
        "delegations": delegation_service.overview(db, viewer=user, event=event),
    }
    return render(request, "events/detail.html", context)


@router.get("/events/{event_id}/edit", dependencies=[declare(Action.EVENT_EDIT)])
def edit_form(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    service.check_editable(actor=user, event=event)
    values = {name: getattr(event, name) for name in EventForm.model_fields}
    return _form_page(request, db, user, event=event, values=values)


@router.post("/events/{event_id}/edit", dependencies=[declare(Action.EVENT_EDIT)])
def edit(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody
) -> Response:
    data, errors = validate_form(EventForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.update(db, actor=user, event=event, data=EventUpdate(**data.model_dump()))
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The event has been saved."))
            return redirect_303(request, f"/events/{event.id}")
    return _form_page(
        request, db, user, event=event, values=form_values(body), errors=errors, status_code=422
    )


# --- the status workflow -------------------------------------------------------------------------


@router.post("/events/{event_id}/status", dependencies=[declare(Action.EVENT_CHANGE_STATUS)])
def change_status(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody
) -> Response:
    data, errors = validate_form(StatusForm, body)
    if data is None:
        raise FieldError("status", _("Choose one of the statuses."))
    service.change_status(db, actor=user, event=event, status=data.status)
    flash(
        request,
        _("The event is now “%(status)s”.") % {"status": i18n.label(data.status)},
    )
    return redirect_303(request, f"/events/{event.id}")


@router.get("/events/{event_id}/archive", dependencies=[declare(Action.EVENT_CHANGE_STATUS)])
def archive_confirm(request: Request, user: CurrentUser, event: EventDep) -> Response:
    service.check_transition(actor=user, event=event, status=EventStatus.ARCHIVED)
    context = {
        "heading": _("Archive this event?"),
        "message": _(
            "“%(title)s” will disappear from the public list and become a read-only record. "
            "An administrator can restore it."
        )
        % {"title": event.title},
        "action": f"/events/{event.id}/status",
        "fields": {"status": EventStatus.ARCHIVED.value},
        "confirm_label": _("Archive the event"),
        "cancel_url": f"/events/{event.id}",
    }
    return render(request, "confirm.html", context)


# --- staff ---------------------------------------------------------------------------------------


def _staff_page(
    request: Request,
    db: DbSession,
    user: User,
    event: Event,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "event": event,
        "staff": service.list_staff(db, viewer=user, event=event).items,
        "roles": [(r.value, i18n.label(r)) for r in StaffRole],
        "values": values or {"role": StaffRole.ORGANISER.value},
        "errors": errors or {},
    }
    return render(request, "events/staff.html", context, status_code=status_code)


@router.get("/events/{event_id}/staff", dependencies=[declare(Action.EVENT_VIEW_INTERNAL)])
def staff_page(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    return _staff_page(request, db, user, event)


@router.post("/events/{event_id}/staff", dependencies=[declare(Action.EVENT_MANAGE_STAFF)])
def add_staff(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody
) -> Response:
    data, errors = validate_form(StaffForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.add_staff(db, actor=user, event=event, email=data.email, role=data.role)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The person has been added to the event's staff."))
            return redirect_303(request, f"/events/{event.id}/staff")
    return _staff_page(
        request, db, user, event, values=form_values(body), errors=errors, status_code=422
    )


@router.get(
    "/events/{event_id}/staff/{staff_id}/remove", dependencies=[declare(Action.EVENT_MANAGE_STAFF)]
)
def remove_staff_confirm(
    request: Request, user: CurrentUser, event: EventDep, staff: StaffDep
) -> Response:
    service.check_staff_change(actor=user, event=event)
    context = {
        "heading": _("Remove from the staff?"),
        "message": _("%(name)s will no longer have the role “%(role)s” at “%(title)s”.")
        % {"name": staff.user.full_name, "role": i18n.label(staff.role), "title": event.title},
        "action": f"/events/{event.id}/staff/{staff.id}/remove",
        "fields": {},
        "confirm_label": _("Remove"),
        "cancel_url": f"/events/{event.id}/staff",
    }
    return render(request, "confirm.html", context)


@router.post(
    "/events/{event_id}/staff/{staff_id}/remove", dependencies=[declare(Action.EVENT_MANAGE_STAFF)]
)
def remove_staff(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, staff: StaffDep
) -> Response:
    service.remove_staff(db, actor=user, event=event, staff=staff)
    flash(request, _("The person has been removed from the event's staff."))
    return redirect_303(request, f"/events/{event.id}/staff")
