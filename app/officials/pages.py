"""Official pages: the event's directory of officials, their meetings, create, edit, delete."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import i18n
from app.agenda.models import AgendaSession
from app.deps import CsrfChecked, CurrentUser, DbSession, FormBody, PageNumber, declare
from app.errors import FieldError
from app.events.deps import EventDep
from app.events.models import Event
from app.forms import form_values, validate_form
from app.i18n import _
from app.officials import service
from app.officials.deps import OfficialDep
from app.officials.models import Official
from app.officials.schemas import OfficialForm
from app.policy import Action
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

VIEW = declare(Action.AGENDA_VIEW)
MANAGE = declare(Action.AGENDA_MANAGE)


def _url(event: Event, official: Official | None = None) -> str:
    base = f"/events/{event.id}/officials"
    return base if official is None else f"{base}/{official.id}"


@router.get("/events/{event_id}/officials", dependencies=[VIEW])
def list_page(request: Request, db: DbSession, user: CurrentUser, event: EventDep, page: PageNumber = 1) -> Response:
    context = {"event": event, "page": service.list_for_event(db, viewer=user, event=event, page=page)}
    return render(request, "officials/list.html", context)


# --- create and edit -----------------------------------------------------------------------------


def _form_page(
    request: Request,
    event: Event,
    official: Official | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "event": event,
        "official": official,
        "values": values,
        "errors": errors or {},
        "countries": i18n.countries(i18n.current_language()),
    }
    return render(request, "officials/form.html", context, status_code=status_code)


@router.get("/events/{event_id}/officials/new", dependencies=[MANAGE])
def new_form(request: Request, user: CurrentUser, event: EventDep) -> Response:
    service.check_manageable(actor=user, event=event)
    return _form_page(request, event, None, {"country": event.host_country})


@router.post("/events/{event_id}/officials/new", dependencies=[MANAGE])
def create(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    data, errors = validate_form(OfficialForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                official = service.create(db, actor=user, event=event, fields=data.model_dump())
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The official has been added."))
            return redirect_303(request, _url(event, official))
    return _form_page(request, event, None, form_values(body), errors, status_code=422)


def _others(official: Official, meetings: list[AgendaSession]) -> dict[int, list[str]]:
    """The names of the others on each of the official's sessions, in the session's order."""
    return {
        s.id: [
            sp.official.display_name if sp.official else sp.registration.person.display_name
            for sp in s.speakers
            if sp.official_id != official.id
        ]
        for s in meetings
    }


@router.get("/events/{event_id}/officials/{official_id}", dependencies=[VIEW])
def detail(request: Request, db: DbSession, user: CurrentUser, event: EventDep, official: OfficialDep) -> Response:
    meetings = service.meetings(db, viewer=user, official=official)
    context = {"event": event, "official": official, "meetings": meetings, "others": _others(official, meetings)}
    return render(request, "officials/detail.html", context)


@router.get("/events/{event_id}/officials/{official_id}/edit", dependencies=[MANAGE])
def edit_form(request: Request, user: CurrentUser, event: EventDep, official: OfficialDep) -> Response:
    service.check_manageable(actor=user, event=event)
    values = {name: getattr(official, name) for name in OfficialForm.model_fields}
    return _form_page(request, event, official, values)


@router.post("/events/{event_id}/officials/{official_id}/edit", dependencies=[MANAGE])
def edit(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, official: OfficialDep, body: FormBody
) -> Response:
    data, errors = validate_form(OfficialForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.update(db, actor=user, official=official, fields=data.model_dump())
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The official has been saved."))
            return redirect_303(request, _url(event, official))
    return _form_page(request, event, official, form_values(body), errors, status_code=422)


@router.get("/events/{event_id}/officials/{official_id}/delete", dependencies=[MANAGE])
def delete_confirm(request: Request, user: CurrentUser, event: EventDep, official: OfficialDep) -> Response:
    service.check_manageable(actor=user, event=event)
    context = {
        "heading": _("Delete this official?"),
        "message": _("“%(name)s” will be removed from the event's officials. "
                     "An official who takes part in a session cannot be deleted.") % {"name": official.name},
        "action": f"{_url(event, official)}/delete",
        "fields": {},
        "confirm_label": _("Delete the official"),
        "cancel_url": _url(event, official),
    }
    return render(request, "confirm.html", context)


@router.post("/events/{event_id}/officials/{official_id}/delete", dependencies=[MANAGE])
def delete(request: Request, db: DbSession, user: CurrentUser, event: EventDep, official: OfficialDep) -> Response:
    name = official.name
    service.delete(db, actor=user, official=official)
    flash(request, _("The official “%(name)s” has been deleted.") % {"name": name})
    return redirect_303(request, _url(event))
