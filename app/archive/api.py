"""/api/v1: an event's archive out, and an archive in as a new event (administrators)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from app.archive import service
from app.archive.schemas import EventArchive, ImportRead
from app.deps import CsrfChecked, CurrentUser, DbSession, WritesOnRead, client_address, declare
from app.errors import API_ERRORS
from app.events.deps import EventDep
from app.policy import Action

router = APIRouter(prefix="/api/v1", tags=["event archive"], dependencies=[CsrfChecked], responses=API_ERRORS)

TRANSFER = declare(Action.EVENT_TRANSFER)


async def archive_body(request: Request) -> bytes:
    """The request's body, refused past the archive's size limit (unread when it says so)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > service.MAX_BYTES:
        raise service.ArchiveError(service.too_large())
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > service.MAX_BYTES:
            raise service.ArchiveError(service.too_large())
    return bytes(body)


ArchiveBody = Annotated[bytes, Depends(archive_body)]

_ARCHIVE_SCHEMA = EventArchive.model_json_schema(by_alias=True)


@router.get(
    "/events/{event_id}/archive",
    dependencies=[WritesOnRead, TRANSFER],
    responses={200: {"model": EventArchive, "description": "The event's archive."}},
)
def export_archive(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    """The event with everything that belongs to it, for `POST /api/v1/events/import` on another
    instance: travel-document numbers stay encrypted (under the key `key_id` names), accounts are
    named by e-mail address. Written to the audit log."""
    archive = service.export_archive(db, actor=user, event=event, client=client_address(request))
    return Response(service.encode(archive), media_type="application/json", headers={"Cache-Control": "no-store"})


@router.post(
    "/events/import",
    response_model=ImportRead,
    status_code=201,
    dependencies=[TRANSFER],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ARCHIVE_SCHEMA}},
            "description": "An archive from `GET /api/v1/events/{event_id}/archive` (or gzip-compressed).",
        }
    },
)
def import_archive(request: Request, db: DbSession, user: CurrentUser, raw: ArchiveBody) -> ImportRead:
    """Create the archive's event here, with new ids, and everything that belongs to it; people
    are matched by e-mail address, accounts linked by theirs. All or nothing: an archive that is
    malformed, from another version of Parley, encrypted with a key this instance lacks or that
    would collide with what is here answers 422 (`ArchiveError`) and imports nothing."""
    result = service.import_archive(db, actor=user, data=service.read(raw), client=client_address(request))
    return ImportRead(
        event_id=result.event.id,
        title=result.event.title,
        created=result.created,
        reused=result.reused,
        skipped_grants=result.skipped_grants,
        unknown_accounts=result.unknown_accounts,
        documents=result.documents,
    )
