"""/api/v1/events/{event_id}/rooms and …/sessions: the organiser's agenda."""

from datetime import date

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from app.accounts.models import User
from app.agenda import service
from app.agenda.deps import RoomDep, SessionDep
from app.agenda.models import AgendaSession, SessionKind, SessionStatus
from app.agenda.schemas import (
    MAX_ID,
    RoomCreate,
    RoomRead,
    RoomUpdate,
    SessionCreate,
    SessionRead,
    SessionUpdate,
    SpeakerRead,
    TranslationRead,
    WarningRead,
)
from app.deps import CsrfChecked, CurrentUser, DbSession, PageNumber, declare
from app.errors import API_ERRORS, ApiError
from app.events.deps import EventDep
from app.events.models import Event
from app.pagination import PageOut, PerPage
from app.policy import Action

router = APIRouter(prefix="/api/v1", tags=["agenda"], dependencies=[CsrfChecked], responses=API_ERRORS)

VIEW = declare(Action.AGENDA_VIEW)
MANAGE = declare(Action.AGENDA_MANAGE)
ROOMS = "/events/{event_id}/rooms"
ROOM = ROOMS + "/{room_id}"
SESSIONS = "/events/{event_id}/sessions"
SESSION = SESSIONS + "/{session_id}"
# Where each kind of warning points in the body.
WARNING_FIELD = {service.ROOM: "room_id", service.SPEAKER: "speakers", service.DATES: "starts_at"}


def _read(event: Event, session: AgendaSession, warnings: list[service.Conflict]) -> SessionRead:
    return SessionRead(
        id=session.id, event_id=session.event_id, uid=session.uid, kind=session.kind, title=session.title,
        description=session.description,
        starts_at=service.local(event, session.starts_at), ends_at=service.local(event, session.ends_at),
        timezone=event.timezone, room_id=session.room_id, room_name=session.room.name if session.room else None,
        topics=list(session.topics or []), audience=session.audience,
        audience_delegation_id=session.audience_delegation_id, chatham_house=session.chatham_house,
        is_published=session.is_published, status=session.status, sequence=session.sequence, notes=session.notes,
        speakers=[
            SpeakerRead(registration_id=s.registration_id, official_id=s.official_id, role=s.role,
                        name=service.speaker_name(s))
            for s in session.speakers
        ],
        invitee_ids=[i.registration_id for i in session.invitees],
        translations={t.language: TranslationRead(title=t.title, description=t.description) for t in session.translations},
        warnings=[
            WarningRead(kind=w.kind, message=w.message, other_session_id=w.other_session.id if w.other_session else None)
            for w in warnings
        ],
        created_at=session.created_at, updated_at=session.updated_at,
    )


def _saved(db: DbSession, user: User, event: Event, session: AgendaSession) -> SessionRead:
    return _read(event, session, service.conflicts_of(db, viewer=user, event=event, session=session))


def _needs_confirmation(exc: service.ConflictWarning) -> JSONResponse:
    """409 ConflictWarning, one item per conflict; send `confirm_warnings: true` to save anyway."""
    detail = [
        {"loc": ["body", WARNING_FIELD.get(c.kind, "__all__")], "msg": c.message, "type": c.kind}
        for c in exc.conflicts
    ]
    return JSONResponse({"error": exc.name, "detail": detail}, status_code=exc.status_code)


# --- rooms ---------------------------------------------------------------------------------------


@router.get(ROOMS, response_model=PageOut[RoomRead], dependencies=[VIEW])
def list_rooms(
    db: DbSession, user: CurrentUser, event: EventDep, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[RoomRead]:
    """The event's rooms, in the order of the agenda's columns (position, then name)."""
    rooms = service.list_rooms(db, viewer=user, event=event)
    start = (page - 1) * per_page
    items = [RoomRead.model_validate(r) for r in rooms[start : start + per_page]]
    return PageOut[RoomRead](items=items, total=len(rooms), page=page, per_page=per_page)


@router.post(ROOMS, response_model=RoomRead, status_code=201, dependencies=[MANAGE])
def create_room(db: DbSession, user: CurrentUser, event: EventDep, data: RoomCreate) -> RoomRead:
    """A room; its name is unique within the event (422 on `name`)."""
    return RoomRead.model_validate(service.create_room(db, actor=user, event=event, data=data))


@router.get(ROOM, response_model=RoomRead, dependencies=[VIEW])
def get_room(room: RoomDep) -> RoomRead:
    return RoomRead.model_validate(room)


@router.patch(ROOM, response_model=RoomRead, dependencies=[MANAGE])
def update_room(db: DbSession, user: CurrentUser, room: RoomDep, data: RoomUpdate) -> RoomRead:
    return RoomRead.model_validate(service.update_room(db, actor=user, room=room, fields=data.model_dump(exclude_unset=True)))


@router.delete(ROOM, status_code=204, dependencies=[MANAGE])
def delete_room(db: DbSession, user: CurrentUser, room: RoomDep) -> Response:
    """A room with scheduled sessions cannot be deleted (409); cancelled ones lose their room."""
    service.delete_room(db, actor=user, room=room)
    return Response(status_code=204)


# --- sessions ------------------------------------------------------------------------------------


@router.get(SESSIONS, response_model=PageOut[SessionRead], dependencies=[VIEW])
def list_sessions(
    db: DbSession,
    user: CurrentUser,
    event: EventDep,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    day: date | None = Query(None, description="A day of the event (its own calendar)."),
    kind: SessionKind | None = None,
    room_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: SessionStatus | None = None,
) -> PageOut[SessionRead]:
    """The event's sessions by start, internal ones too, each with its current warnings."""
    agenda = service.agenda(db, viewer=user, event=event)
    sessions = agenda.filtered(kind=kind, room_id=room_id, status=status, day=day)
    start = (page - 1) * per_page
    items = [_read(event, s, agenda.warnings(s)) for s in sessions[start : start + per_page]]
    return PageOut[SessionRead](items=items, total=len(sessions), page=page, per_page=per_page)


@router.post(
    SESSIONS, response_model=SessionRead, status_code=201, dependencies=[MANAGE],
    responses={409: {"model": ApiError, "description": "ConflictWarning: send `confirm_warnings: true` to save anyway; "
                                    "or the event is archived."}},
)
def create_session(db: DbSession, user: CurrentUser, event: EventDep, data: SessionCreate) -> SessionRead | Response:
    """A session. A room used at the same time refuses it (422 on `room_id`); a speaker in
    another session at the same time answers 409 ConflictWarning unless `confirm_warnings`."""
    try:
        session = service.create_session(db, actor=user, event=event, data=data, confirm=data.confirm_warnings)
    except service.ConflictWarning as exc:
        return _needs_confirmation(exc)
    return _saved(db, user, event, session)


@router.get(SESSION, response_model=SessionRead, dependencies=[VIEW])
def get_session(db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> SessionRead:
    return _saved(db, user, event, session)


@router.patch(SESSION, response_model=SessionRead, dependencies=[MANAGE])
def update_session(
    db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep, data: SessionUpdate
) -> SessionRead | Response:
    """Change the given fields (a move is a change of `starts_at`, `ends_at` and `room_id`);
    checked as a new session is. `status: cancelled` cancels it; changes that a calendar shows
    make `sequence` grow."""
    try:
        changes = data.changes()
        if changes == {"status": SessionStatus.CANCELLED}:
            service.cancel_session(db, actor=user, session=session)
        else:
            service.update_session(db, actor=user, session=session, changes=changes, confirm=data.confirm_warnings)
    except service.ConflictWarning as exc:
        return _needs_confirmation(exc)
    return _saved(db, user, event, session)


@router.delete(SESSION, status_code=204, dependencies=[MANAGE])
def delete_session(db: DbSession, user: CurrentUser, session: SessionDep) -> Response:
    """Deleted for good; cancel it instead (PATCH `status`) to let calendars know."""
    service.delete_session(db, actor=user, session=session)
    return Response(status_code=204)


@router.post(SESSION + "/duplicate", response_model=SessionRead, status_code=201, dependencies=[MANAGE])
def duplicate_session(db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> SessionRead:
    """A copy at the same time, without a room and internal, to be moved into place."""
    return _saved(db, user, event, service.duplicate_session(db, actor=user, session=session))
