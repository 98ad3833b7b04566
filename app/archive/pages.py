"""Event archive pages (administrators): what an event's archive holds and its download, and
the upload that imports one as a new event.

The import's POST parses its own form (one file) before the CSRF check reads it, which is why
the CSRF check is declared per route here, after the upload (as app.registrations.transfer does).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from app import crypto
from app.archive import service
from app.deps import CsrfChecked, CurrentUser, DbSession, WritesOnRead, client_address, declare
from app.errors import DomainError
from app.events.deps import EventDep
from app.i18n import N_, _
from app.policy import Action
from app.web import render

router = APIRouter(include_in_schema=False)

TRANSFER = declare(Action.EVENT_TRANSFER)
# The upload: the archive, which may be compressed, and the form's few fields around it.
MAX_UPLOAD = service.MAX_BYTES + 1024 * 1024


def table_labels() -> dict[str, str]:
    return {
        "event": _("Event"),
        "event_staff": _("Staff roles"),
        "delegation": _("Delegations"),
        "delegation_coordinator": _("Coordinator roles"),
        "person": _("People"),
        "registration": _("Participants (registrations)"),
        "consent": _("Consents"),
        "invitation": _("Invitations"),
        "room": _("Rooms"),
        "official": _("Officials"),
        "agenda_session": _("Sessions"),
        "session_speaker": _("Speakers and moderators"),
        "session_invitee": _("Invited participants of sessions"),
        "session_translation": _("Translations of sessions"),
        "crossing": _("Crossings"),
        "vehicle": _("Vehicles"),
        "manifest_entry": _("Manifest entries"),
        "procedure_step": _("Crossing procedure steps"),
        "outcome": _("Session outcomes"),
        "press_item": _("Press releases and joint statements"),
        "press_version": _("Press texts (versions)"),
        "press_approval": _("Approvals of joint statements"),
        "media_coverage": _("Media coverage"),
        "event_summary": _("Post-event summary"),
        "recommendation": _("Recommendations"),
        "progress_update": _("Progress updates"),
        "initiative": _("Initiatives"),
        "roadmap_phase": _("Roadmap phases"),
        "crossing_point": _("Crossing points"),
        "procedure_template": _("Procedures of crossing points"),
    }


def _ordered(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts by table in the order of the labels (the event first, then its parts)."""
    order = list(table_labels())
    return sorted(counts.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))


# The tables that stay behind, by name (the account tables are one line of their own).
EXCLUDED_LABELS = {
    "audit_entry": N_("Audit log"),
    "itinerary_feed": N_("Calendar subscriptions"),
    "itinerary_change": N_("Notices of itinerary changes"),
    "outbox_message": N_("Outgoing e-mail"),
    "site_setting": N_("Site settings"),
    "milestone": N_("Roadmap milestones"),
}


def _excluded() -> list[tuple[str, str]]:
    """What stays behind, and why (the account tables as one line)."""
    accounts = {"user", "user_session", "api_token", "password_reset", "login_attempt"}
    why_accounts_stay = service.EXCLUDED["user"]  # (inside _() Babel would take "user" for a message)
    items = [(_("Accounts, their sign-ins and tokens"), _(why_accounts_stay))]
    items += [
        (_(EXCLUDED_LABELS[name]), _(reason))
        for name, reason in service.EXCLUDED.items()
        if name not in accounts
    ]
    return items


# --- export --------------------------------------------------------------------------------------


@router.get("/events/{event_id}/export", dependencies=[TRANSFER])
def export_page(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    counts = service.contents(db, viewer=user, event=event)
    context = {
        "event": event,
        "counts": _ordered({k: v for k, v in counts.items() if k != "documents"}),
        "documents": counts["documents"],
        "labels": table_labels(),
        "excluded": _excluded(),
        "key_id": crypto.keyring().current,
    }
    return render(request, "archive/export.html", context)


@router.get("/events/{event_id}/archive.json", dependencies=[WritesOnRead, TRANSFER])
def download(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    """The archive file; written to the audit log, never cached."""
    archive = service.export_archive(db, actor=user, event=event, client=client_address(request))
    filename = f"parley-event-{event.id}-{event.starts_on.isoformat()}.json"
    return Response(
        service.encode(archive),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# --- import --------------------------------------------------------------------------------------


class UploadTooLarge(DomainError):
    status_code = 413

    def __init__(self) -> None:
        super().__init__(service.too_large())


async def upload_body(request: Request) -> FormData:
    """The import form with its one file; a body far beyond the limit is refused unread."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_UPLOAD:
        raise UploadTooLarge()
    return await request.form(max_files=1, max_fields=10)


UploadBody = Annotated[FormData, Depends(upload_body)]
# Signed in and an administrator (else refused at once), then the form read and its CSRF token
# checked (csrf_checked reads the form this dependency has parsed).
UPLOAD = [TRANSFER, Depends(upload_body), CsrfChecked]


def _form(request: Request, *, errors: dict[str, list[str]] | None = None, status_code: int = 200) -> Response:
    context = {"errors": errors or {}, "max_mb": service.MAX_BYTES // (1024 * 1024)}
    return render(request, "archive/import.html", context, status_code=status_code)


def _uploaded(body: FormData) -> bytes | None:
    upload = body.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        content = upload.file.read(MAX_UPLOAD + 1)
        upload.file.close()
        return content or None
    return None


@router.get("/events/import", dependencies=[TRANSFER])
def import_form(request: Request, user: CurrentUser) -> Response:
    service.check_allowed(actor=user)
    return _form(request)


@router.post("/events/import", dependencies=UPLOAD)
def import_upload(request: Request, db: DbSession, user: CurrentUser, body: UploadBody) -> Response:
    raw = _uploaded(body)
    if raw is None:
        return _form(request, errors={"file": [_("Choose an archive file to upload.")]}, status_code=422)
    if len(raw) > MAX_UPLOAD:
        return _form(request, errors={"file": [service.too_large()]}, status_code=422)
    try:
        result = service.import_archive(db, actor=user, data=service.read(raw), client=client_address(request))
    except service.ArchiveError as exc:
        db.rollback()
        return _form(request, errors={"file": [exc.message]}, status_code=422)
    context = {
        "result": result,
        "event": result.event,
        "created": _ordered(result.created),
        "reused": _ordered(result.reused),
        "labels": table_labels(),
    }
    return render(request, "archive/imported.html", context)
