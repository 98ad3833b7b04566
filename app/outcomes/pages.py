"""Outcome pages: the event's sessions with their outcomes, one session's outcome, edit, delete,
and the Markdown export of them all."""

from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.agenda import service as agenda_service
from app.agenda.deps import SessionDep
from app.agenda.models import AgendaSession
from app.deps import CsrfChecked, CurrentUser, DbSession, FormBody, declare
from app.errors import FieldError
from app.events.deps import EventDep
from app.events.models import Event
from app.forms import form_values, validate_form
from app.i18n import _
from app.outcomes import exports, service
from app.outcomes.models import Outcome
from app.outcomes.schemas import KEY_POINT_MAX, KEY_POINTS_MAX, NOTES_MAX, OutcomeForm, OutcomeIn
from app.policy import Action
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

VIEW = declare(Action.OUTCOME_VIEW)
MANAGE = declare(Action.OUTCOME_MANAGE)


def _list_url(event: Event) -> str:
    return f"/events/{event.id}/outcomes"


def _url(event: Event, session: AgendaSession) -> str:
    return f"/events/{event.id}/sessions/{session.id}/outcome"


def _common(event: Event) -> dict[str, Any]:
    return {"event": event, "local": partial(agenda_service.local, event), "tz_name": event.timezone.replace("_", " ")}


@router.get("/events/{event_id}/outcomes", dependencies=[VIEW])
def list_page(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    """The event's sessions by day, each with the state of its outcome (?show=with|without)."""
    raw = request.query_params.get("show", "")
    show = service.Show(raw) if raw in set(service.Show) else None
    found = service.list_for_event(db, viewer=user, event=event, show=show)
    days: dict[date, list[service.SessionOutcome]] = {}
    for item in found:
        days.setdefault(agenda_service.local(event, item.session.starts_at).date(), []).append(item)
    context = {**_common(event), "by_day": days, "show": show.value if show else "", "count": len(found)}
    return render(request, "outcomes/list.html", context)


@router.get("/events/{event_id}/outcomes.md", dependencies=[VIEW])
def export_markdown(db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    """Every outcome of the event as Markdown; no speaker is ever named next to them."""
    export = exports.export_markdown(db, viewer=user, event=event)
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"', "Cache-Control": "no-store"},
    )


@router.get("/events/{event_id}/sessions/{session_id}/outcome", dependencies=[VIEW])
def detail(request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> Response:
    """The session's outcome (or that it has none yet). Under the Chatham House Rule the page
    names none of the session's speakers."""
    outcome = service.find(db, viewer=user, session=session)
    context = {**_common(event), "session": session, "outcome": outcome}
    return render(request, "outcomes/detail.html", context)


# --- edit ----------------------------------------------------------------------------------------


def _form_page(
    request: Request, event: Event, session: AgendaSession, outcome_exists: bool, values: dict[str, Any],
    errors: dict[str, list[str]] | None = None, status_code: int = 200,
) -> Response:
    context = {
        **_common(event),
        "session": session,
        "outcome_exists": outcome_exists,
        "values": values,
        "errors": errors or {},
        "notes_max": NOTES_MAX,
        "key_point_max": KEY_POINT_MAX,
        "key_points_max": KEY_POINTS_MAX,
    }
    return render(request, "outcomes/form.html", context, status_code=status_code)


def _values_of(outcome: Outcome | None) -> dict[str, Any]:
    if outcome is None:
        return {"notes": "", "key_points": "", "is_public": True}
    return {"notes": outcome.notes, "key_points": "\n".join(outcome.key_points or []), "is_public": outcome.is_public}


@router.get("/events/{event_id}/sessions/{session_id}/outcome/edit", dependencies=[MANAGE])
def edit_form(request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> Response:
    service.check_manageable(actor=user, session=session)
    outcome = service.find(db, viewer=user, session=session)
    return _form_page(request, event, session, outcome is not None, _values_of(outcome))


@router.post("/events/{event_id}/sessions/{session_id}/outcome/edit", dependencies=[MANAGE])
def edit(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, session=session)
    values = form_values(body)
    data, errors = validate_form(OutcomeForm, values)
    if data is not None:
        try:
            with db.begin_nested():
                service.save(db, actor=user, session=session, data=OutcomeIn(**data.model_dump()))
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The outcome has been saved."))
            return redirect_303(request, _url(event, session))
    exists = service.find(db, viewer=user, session=session) is not None
    return _form_page(request, event, session, exists, values, errors, status_code=422)


# --- delete --------------------------------------------------------------------------------------


@router.get("/events/{event_id}/sessions/{session_id}/outcome/delete", dependencies=[MANAGE])
def delete_confirm(request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> Response:
    service.check_manageable(actor=user, session=session)
    service.get(db, viewer=user, session=session)
    context = {
        "heading": _("Delete this outcome?"),
        "message": _("The notes and key points of “%(title)s” will be deleted for good.") % {"title": session.reader_title},
        "action": f"{_url(event, session)}/delete",
        "fields": {},
        "confirm_label": _("Delete the outcome"),
        "cancel_url": _url(event, session),
    }
    return render(request, "confirm.html", context)


@router.post("/events/{event_id}/sessions/{session_id}/outcome/delete", dependencies=[MANAGE])
def delete(request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> Response:
    service.delete(db, actor=user, session=session)
    flash(request, _("The outcome of “%(title)s” has been deleted.") % {"title": session.reader_title})
    return redirect_303(request, _list_url(event))
