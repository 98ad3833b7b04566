"""Agenda pages: the organiser's builder (day grid and list), sessions and rooms.

Every page works without JavaScript: a free half hour of the grid links to the new-session form
for that day, time and room; moving is a small form that keeps the session's length.
"""

from datetime import date, time
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import i18n
from app.accounts.models import User
from app.agenda import service
from app.agenda.deps import RoomDep, SessionDep
from app.agenda.models import AgendaSession, Audience, Room, SessionKind, SessionStatus, SpeakerRole
from app.agenda.schemas import (
    BLANK_SPEAKER_ROWS,
    AgendaFilterForm,
    MoveForm,
    RoomForm,
    SessionForm,
    TranslationsForm,
)
from app.deps import CsrfChecked, CurrentUser, DbSession, FormBody, declare
from app.errors import FieldError
from app.events.deps import EventDep
from app.events.models import Event
from app.forms import form_values, validate_form
from app.i18n import N_, _, format_day
from app.policy import Action
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

VIEW = declare(Action.AGENDA_VIEW)
MANAGE = declare(Action.AGENDA_MANAGE)

# Where the service's errors show on the session form (it speaks of moments, the form of a day
# and clock times) and on the move form.
FORM_FIELD = {"starts_at": "day", "ends_at": "end"}
MOVE_FIELD = {"starts_at": "day", "ends_at": "start", "room_id": "room_id"}


def _agenda_url(event: Event) -> str:
    return f"/events/{event.id}/agenda"


def _session_url(event: Event, session: AgendaSession | None = None) -> str:
    base = f"/events/{event.id}/agenda/sessions"
    return base if session is None else f"{base}/{session.id}"


def _rooms_url(event: Event) -> str:
    return f"/events/{event.id}/rooms"


def _errors(exc: FieldError, fields: dict[str, str], known: set[str]) -> dict[str, list[str]]:
    name = fields.get(exc.field, exc.field)
    return {name if name in known else "__all__": [exc.message]}


def _options(enum: type, labels: dict[Any, str] | None = None) -> list[tuple[str, str]]:
    """(value, words) for a select: the page's own words for a value, else its label."""
    return [(m.value, _(labels[m]) if labels and m in labels else i18n.label(m)) for m in enum]


KIND_LABELS = {
    SessionKind.PLENARY: N_("Plenary"),
    SessionKind.THEMATIC: N_("Thematic session"),
    SessionKind.WORKING_GROUP: N_("Working group"),
    SessionKind.CULTURAL: N_("Cultural or social activity"),
    SessionKind.OFFICIAL_MEETING: N_("Meeting with officials"),
    SessionKind.PRESS_CONFERENCE: N_("Press conference"),
    SessionKind.BREAK: N_("Break"),
}
AUDIENCE_LABELS = {
    Audience.EVERYONE: N_("Everyone"),
    Audience.CORE: N_("Core members only"),
    Audience.DELEGATION: N_("One delegation"),
    Audience.INVITED: N_("Invited participants only"),
}


def _translation_languages() -> list[tuple[str, str, str]]:
    """The languages a session's title and description may be translated into: (code, its name
    in the reader's language, its name in itself)."""
    return [(code, i18n.language_name(code), own) for code, own in i18n.LANGUAGES.items()]


def _day_options(event: Event) -> list[tuple[str, str]]:
    return [(d.isoformat(), format_day(d, fmt="full")) for d in service.event_days(event)]


def _common(event: Event) -> dict[str, Any]:
    """What every agenda template reads: the event's clock and the labels of kinds."""
    return {
        "event": event,
        "local": partial(service.local, event),
        "kind_labels": {k.value: _(v) for k, v in KIND_LABELS.items()},
        "audience_labels": {k.value: _(v) for k, v in AUDIENCE_LABELS.items()},
        "tz_name": event.timezone.replace("_", " "),
    }


# --- the builder ---------------------------------------------------------------------------------


@router.get("/events/{event_id}/agenda", dependencies=[VIEW])
def builder(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    """The day grid (?day=YYYY-MM-DD) or the list (?view=list, with filters)."""
    agenda = service.agenda(db, viewer=user, event=event)
    query = dict(request.query_params)
    view = "list" if query.get("view") == "list" else "grid"
    context = {**_common(event), "agenda": agenda, "view": view, "rooms": agenda.rooms}
    if view == "grid":
        try:
            day = date.fromisoformat(query.get("day") or "")
        except ValueError:
            day = None
        if day is None or day not in agenda.days:
            day = agenda.days[0]
        context["day"] = day
        context["grid"] = service.day_grid(agenda, day)
        context["outside"] = agenda.outside_days()
    else:
        filters, errors = validate_form(AgendaFilterForm, {k: query.get(k, "") for k in ("kind", "room_id", "status")})
        chosen = filters or AgendaFilterForm()
        sessions = agenda.filtered(kind=chosen.kind, room_id=chosen.room_id, status=chosen.status)
        days: dict[date, list[AgendaSession]] = {}
        for session in sessions:
            days.setdefault(agenda.day_of(session), []).append(session)
        context.update(
            values=query, errors=errors, by_day=days, filtered=bool(filters and filters.model_fields_set),
            kinds=_options(SessionKind, KIND_LABELS), statuses=_options(SessionStatus),
            room_options=[(r.id, r.name) for r in agenda.rooms],
        )
    return render(request, "agenda/builder.html", context)


# --- sessions: create and edit -------------------------------------------------------------------


def _session_form(
    request: Request, db: DbSession, user: User, event: Event, session: AgendaSession | None,
    values: dict[str, Any], errors: dict[str, list[str]] | None = None,
    warnings: list[service.Conflict] | None = None, status_code: int = 200,
) -> Response:
    choices = service.choices(db, viewer=user, event=event)
    rows = sum(1 for key in values if _is_speaker_row(key)) + BLANK_SPEAKER_ROWS
    for n in range(rows):
        values.setdefault(f"speaker_{n}_role", SpeakerRole.SPEAKER.value)
    context = {
        **_common(event),
        "session": session,
        "values": values,
        "errors": errors or {},
        "warnings": warnings or [],
        "choices": choices,
        "kinds": _options(SessionKind, KIND_LABELS),
        "audiences": _options(Audience, AUDIENCE_LABELS),
        "roles": _options(SpeakerRole),
        "days": _day_options(event),
        "room_options": [(r.id, r.name) for r in choices.rooms],
        "delegation_options": [(d.id, d.name) for d in choices.delegations],
        "speaker_rows": range(rows),
    }
    return render(request, "agenda/session_form.html", context, status_code=status_code)


def _is_speaker_row(key: str) -> bool:
    return key.startswith("speaker_") and not key.endswith("_role")


def _values_of(event: Event, session: AgendaSession) -> dict[str, Any]:
    start, end = service.local(event, session.starts_at), service.local(event, session.ends_at)
    values: dict[str, Any] = {
        "kind": session.kind.value, "title": session.title, "description": session.description,
        "day": start.date().isoformat(), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
        "room_id": session.room_id, "topics": ", ".join(session.topics or []), "audience": session.audience.value,
        "audience_delegation_id": session.audience_delegation_id, "chatham_house": session.chatham_house,
        "is_published": session.is_published, "notes": session.notes,
        "invitee_ids": [str(i.registration_id) for i in session.invitees],
    }
    for n, speaker in enumerate(session.speakers):
        who = f"r:{speaker.registration_id}" if speaker.registration_id else f"o:{speaker.official_id}"
        values[f"speaker_{n}"] = who
        values[f"speaker_{n}_role"] = speaker.role.value
    return values


def _prefill(event: Event, query: dict[str, str]) -> dict[str, Any]:
    """A new session's values: from a grid cell (?day=&start=&room=), else the first day at 09:00."""
    days = service.event_days(event)
    try:
        day = date.fromisoformat(query.get("day", ""))
    except ValueError:
        day = days[0]
    try:
        start = time.fromisoformat(query.get("start", ""))
    except ValueError:
        start = time(9)
    end = time(min(23, start.hour + 1), start.minute) if start.hour < 23 else time(23, 59)
    room = query.get("room", "")
    return {
        "kind": SessionKind.THEMATIC.value, "audience": Audience.EVERYONE.value,
        "day": (day if day in days else days[0]).isoformat(), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
        "room_id": room if room.isdigit() else None, "is_published": True,
    }


@router.get("/events/{event_id}/agenda/sessions/new", dependencies=[MANAGE])
def new_session_form(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    service.check_manageable(actor=user, event=event)
    return _session_form(request, db, user, event, None, _prefill(event, dict(request.query_params)))


def _save_session(
    request: Request, db: DbSession, user: User, event: Event, session: AgendaSession | None, body: FormBody
) -> Response:
    service.check_manageable(actor=user, event=event)
    values = form_values(body, lists=("invitee_ids",))
    data, errors = validate_form(SessionForm, values)
    warnings: list[service.Conflict] = []
    if data is not None:
        status = session.status if session is not None else SessionStatus.SCHEDULED
        try:
            with db.begin_nested():
                if session is None:
                    session = service.create_session(
                        db, actor=user, event=event, data=data.to_input(event.timezone, status=status),
                        confirm=data.confirm,
                    )
                    message = _("The session has been added to the agenda.")
                else:  # the translations have a page of their own: they stay as they are
                    service.update_session(
                        db, actor=user, session=session,
                        changes=data.to_input(event.timezone, status=status).model_dump(exclude={"translations"}),
                        confirm=data.confirm,
                    )
                    message = _("The session has been saved.")
        except FieldError as exc:
            errors = _errors(exc, FORM_FIELD, set(SessionForm.model_fields))
        except service.ConflictWarning as exc:
            warnings = exc.conflicts
        else:
            flash(request, message)
            return redirect_303(request, _session_url(event, session))
    values.pop("confirm", None)  # confirming is a decision made on seeing the warnings
    status_code = 409 if warnings else 422
    return _session_form(request, db, user, event, session, values, errors, warnings, status_code)


@router.post("/events/{event_id}/agenda/sessions/new", dependencies=[MANAGE])
def create_session(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    return _save_session(request, db, user, event, None, body)


@router.get("/events/{event_id}/agenda/sessions/{session_id}", dependencies=[VIEW])
def session_detail(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep
) -> Response:
    context = {
        **_common(event),
        "session": session,
        "warnings": service.conflicts_of(db, viewer=user, event=event, session=session),
        "translation_languages": _translation_languages(),
    }
    return render(request, "agenda/session_detail.html", context)


@router.get("/events/{event_id}/agenda/sessions/{session_id}/edit", dependencies=[MANAGE])
def edit_session_form(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep
) -> Response:
    service.check_manageable(actor=user, event=event)
    return _session_form(request, db, user, event, session, _values_of(event, session))


@router.post("/events/{event_id}/agenda/sessions/{session_id}/edit", dependencies=[MANAGE])
def edit_session(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep, body: FormBody
) -> Response:
    return _save_session(request, db, user, event, session, body)


# --- sessions: translations ----------------------------------------------------------------------


def _translations_form(
    request: Request, event: Event, session: AgendaSession, values: dict[str, Any],
    errors: dict[str, list[str]] | None = None, status_code: int = 200,
) -> Response:
    context = {
        **_common(event), "session": session, "values": values, "errors": errors or {},
        "translation_languages": _translation_languages(),
    }
    return render(request, "agenda/session_translations.html", context, status_code=status_code)


@router.get("/events/{event_id}/agenda/sessions/{session_id}/translations", dependencies=[MANAGE])
def translations_form(request: Request, user: CurrentUser, event: EventDep, session: SessionDep) -> Response:
    """The session's title and description in each language, for readers of that language."""
    service.check_manageable(actor=user, event=event)
    return _translations_form(request, event, session, TranslationsForm.values_of(session))


@router.post("/events/{event_id}/agenda/sessions/{session_id}/translations", dependencies=[MANAGE])
def save_translations(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, event=event)
    data, errors = validate_form(TranslationsForm, body)
    if data is None:
        return _translations_form(request, event, session, form_values(body), errors, status_code=422)
    service.set_translations(db, actor=user, session=session, translations=data.translations())
    flash(request, _("The translations have been saved."))
    return redirect_303(request, _session_url(event, session))


# --- sessions: move, duplicate, cancel, delete ---------------------------------------------------


def _move_form(
    request: Request, db: DbSession, user: User, event: Event, session: AgendaSession, values: dict[str, Any],
    errors: dict[str, list[str]] | None = None, warnings: list[service.Conflict] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        **_common(event),
        "session": session,
        "values": values,
        "errors": errors or {},
        "warnings": warnings or [],
        "days": _day_options(event),
        "room_options": [(r.id, r.name) for r in service.list_rooms(db, viewer=user, event=event)],
    }
    return render(request, "agenda/move.html", context, status_code=status_code)


@router.get("/events/{event_id}/agenda/sessions/{session_id}/move", dependencies=[MANAGE])
def move_form(request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> Response:
    service.check_manageable(actor=user, event=event)
    start = service.local(event, session.starts_at)
    values = {"day": start.date().isoformat(), "start": f"{start:%H:%M}", "room_id": session.room_id}
    return _move_form(request, db, user, event, session, values)


@router.post("/events/{event_id}/agenda/sessions/{session_id}/move", dependencies=[MANAGE])
def move(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, event=event)
    values = form_values(body)
    data, errors = validate_form(MoveForm, values)
    warnings: list[service.Conflict] = []
    if data is not None:
        try:
            with db.begin_nested():
                service.move_session(
                    db, actor=user, session=session, starts_at=service.at(event, data.day, data.start),
                    room_id=data.room_id, confirm=data.confirm,
                )
        except FieldError as exc:
            errors = _errors(exc, MOVE_FIELD, set(MoveForm.model_fields))
        except service.ConflictWarning as exc:
            warnings = exc.conflicts
        else:
            flash(request, _("The session has been moved."))
            day = service.local(event, session.starts_at).date()
            return redirect_303(request, f"{_agenda_url(event)}?day={day.isoformat()}")
    values.pop("confirm", None)
    return _move_form(request, db, user, event, session, values, errors, warnings, 409 if warnings else 422)


@router.post("/events/{event_id}/agenda/sessions/{session_id}/duplicate", dependencies=[MANAGE])
def duplicate(request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> Response:
    copy = service.duplicate_session(db, actor=user, session=session)
    flash(request, _("A copy has been made, without a room and not published: choose its time and room."))
    return redirect_303(request, f"{_session_url(event, copy)}/move")


@router.post("/events/{event_id}/agenda/sessions/{session_id}/cancel", dependencies=[MANAGE])
def cancel(request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> Response:
    service.cancel_session(db, actor=user, session=session)
    flash(request, _("The session has been cancelled. It stays on the agenda, marked as cancelled."))
    return redirect_303(request, _session_url(event, session))


@router.post("/events/{event_id}/agenda/sessions/{session_id}/reinstate", dependencies=[MANAGE])
def reinstate(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep, body: FormBody
) -> Response:
    try:
        with db.begin_nested():
            service.reinstate_session(db, actor=user, session=session, confirm=body.get("confirm") == "on")
    except FieldError as exc:
        flash(request, exc.message, "error")
    except service.ConflictWarning as exc:
        flash(request, " ".join(c.message for c in exc.conflicts) + " " + _("Edit the session to reinstate it anyway."), "error")
    else:
        flash(request, _("The session is scheduled again."))
    return redirect_303(request, _session_url(event, session))


@router.get("/events/{event_id}/agenda/sessions/{session_id}/delete", dependencies=[MANAGE])
def delete_session_confirm(request: Request, user: CurrentUser, event: EventDep, session: SessionDep) -> Response:
    service.check_manageable(actor=user, event=event)
    context = {
        "heading": _("Delete this session?"),
        "message": _("“%(title)s” will be removed from the agenda for good. To keep it on the agenda "
                     "as cancelled, so that calendars learn of it, cancel it instead.") % {"title": session.reader_title},
        "action": f"{_session_url(event, session)}/delete",
        "fields": {},
        "confirm_label": _("Delete the session"),
        "cancel_url": _session_url(event, session),
    }
    return render(request, "confirm.html", context)


@router.post("/events/{event_id}/agenda/sessions/{session_id}/delete", dependencies=[MANAGE])
def delete_session(request: Request, db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> Response:
    title = session.reader_title
    day = service.local(event, session.starts_at).date()
    service.delete_session(db, actor=user, session=session)
    flash(request, _("The session “%(title)s” has been deleted.") % {"title": title})
    return redirect_303(request, f"{_agenda_url(event)}?day={day.isoformat()}")


# --- rooms ---------------------------------------------------------------------------------------


@router.get("/events/{event_id}/rooms", dependencies=[VIEW])
def rooms(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    context = {"event": event, "rooms": service.list_rooms(db, viewer=user, event=event)}
    return render(request, "agenda/rooms.html", context)


def _room_form(
    request: Request, event: Event, room: Room | None, values: dict[str, Any],
    errors: dict[str, list[str]] | None = None, status_code: int = 200,
) -> Response:
    context = {"event": event, "room": room, "values": values, "errors": errors or {}}
    return render(request, "agenda/room_form.html", context, status_code=status_code)


@router.get("/events/{event_id}/rooms/new", dependencies=[MANAGE])
def new_room_form(request: Request, user: CurrentUser, event: EventDep) -> Response:
    service.check_manageable(actor=user, event=event)
    return _room_form(request, event, None, {"position": 0})


@router.post("/events/{event_id}/rooms/new", dependencies=[MANAGE])
def create_room(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    service.check_manageable(actor=user, event=event)
    data, errors = validate_form(RoomForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                room = service.create_room(db, actor=user, event=event, data=data.model_dump())
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The room “%(name)s” has been added.") % {"name": room.name})
            return redirect_303(request, _rooms_url(event))
    return _room_form(request, event, None, form_values(body), errors, status_code=422)


@router.get("/events/{event_id}/rooms/{room_id}/edit", dependencies=[MANAGE])
def edit_room_form(request: Request, user: CurrentUser, event: EventDep, room: RoomDep) -> Response:
    service.check_manageable(actor=user, event=event)
    values = {name: getattr(room, name) for name in RoomForm.model_fields}
    return _room_form(request, event, room, values)


@router.post("/events/{event_id}/rooms/{room_id}/edit", dependencies=[MANAGE])
def edit_room(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, room: RoomDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, event=event)
    data, errors = validate_form(RoomForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.update_room(db, actor=user, room=room, fields=data.model_dump())
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The room has been saved."))
            return redirect_303(request, _rooms_url(event))
    return _room_form(request, event, room, form_values(body), errors, status_code=422)


@router.get("/events/{event_id}/rooms/{room_id}/delete", dependencies=[MANAGE])
def delete_room_confirm(request: Request, user: CurrentUser, event: EventDep, room: RoomDep) -> Response:
    service.check_manageable(actor=user, event=event)
    context = {
        "heading": _("Delete this room?"),
        "message": _("The room “%(name)s” will be removed. A room with scheduled sessions cannot be "
                     "deleted: move or cancel them first.") % {"name": room.name},
        "action": f"{_rooms_url(event)}/{room.id}/delete",
        "fields": {},
        "confirm_label": _("Delete the room"),
        "cancel_url": _rooms_url(event),
    }
    return render(request, "confirm.html", context)


@router.post("/events/{event_id}/rooms/{room_id}/delete", dependencies=[MANAGE])
def delete_room(request: Request, db: DbSession, user: CurrentUser, event: EventDep, room: RoomDep) -> Response:
    name = room.name
    service.delete_room(db, actor=user, room=room)
    flash(request, _("The room “%(name)s” has been deleted.") % {"name": name})
    return redirect_303(request, _rooms_url(event))
