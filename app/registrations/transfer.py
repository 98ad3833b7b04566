"""Moving participant lists in and out: a delegation's CSV import, and the CSV/XLSX export.

The import's two POST routes parse their own form (one file, larger fields) before the CSRF
check reads it, which is why the CSRF check is declared per route here, after the upload.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from app import policy
from app.accounts.models import User
from app.delegations.deps import DelegationDep
from app.delegations.models import Delegation
from app.deps import CsrfChecked, CurrentUser, DbSession, WritesOnRead, client_address, declare
from app.errors import FieldError, NotFound
from app.events.deps import EventDep
from app.events.models import Event
from app.forms import validate_form
from app.i18n import _
from app.policy import Action
from app.registrations import exports, imports
from app.registrations.schemas import ParticipantFilterForm
from app.registrations.service import ParticipantFilter
from app.web import flash, redirect_303, render

router = APIRouter(include_in_schema=False)


def column_labels() -> dict[str, str]:
    return {name: _(label) for name, label in imports.COLUMN_LABELS.items()}


def column_hints() -> dict[str, str]:
    """What each column of the file holds, for the upload page."""
    choices = {name: ", ".join(o.value for o in kind) for name, kind in imports.CHOICES.items()}
    return {
        "email": _("Optional; how a person is recognised when the file is imported again."),
        "given_name": _("Required, in Latin letters."),
        "family_name": _("Required, in Latin letters."),
        "given_name_native": _("Optional, e.g. Armenian or Azerbaijani spelling."),
        "family_name_native": _("Optional, e.g. Armenian or Azerbaijani spelling."),
        "organisation": _("Optional."),
        "position": _("Optional."),
        "sector": _("One of: %(options)s.") % {"options": choices["sector"]},
        "circle": _("One of: %(options)s.") % {"options": choices["circle"]},
        "category": _("One of: %(options)s.") % {"options": choices["category"]},
        "languages": _("Two-letter codes separated by commas, e.g. hy, az, ru, en."),
        "dietary_needs": _("Optional."),
        "accessibility_needs": _("Optional."),
        "doc_type": _("One of: %(options)s.") % {"options": choices["doc_type"]},
        "doc_number": _("4 to 30 letters, digits, spaces or hyphens."),
        "doc_issuing_country": _("Two-letter country code, e.g. AM or AZ."),
        "doc_nationality": _("Two-letter country code, e.g. AM or AZ."),
        "doc_expires_on": _("A date as YYYY-MM-DD."),
    }


# --- dependencies --------------------------------------------------------------------------------


def delegation_for_import(user: CurrentUser, delegation: DelegationDep) -> Delegation:
    """The delegation, for those who may see its people; 404 for everyone else, whoever asks."""
    if not policy.can(user, Action.PARTICIPANT_LIST, delegation):
        raise NotFound()
    return delegation


ImportDelegation = Annotated[Delegation, Depends(delegation_for_import)]


async def upload_body(request: Request) -> FormData:
    """The import form with its one file; a body far beyond the limit is refused unread."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > imports.MAX_BODY:
        raise imports.FileTooLarge()
    return await request.form(max_files=1, max_fields=20, max_part_size=imports.MAX_FIELD)


UploadBody = Annotated[FormData, Depends(upload_body)]
# Signed in, the delegation loaded and visible (else 404), then the form read and its CSRF token
# checked (csrf_checked reads the form this dependency has parsed).
UPLOAD = [declare(Action.PARTICIPANT_MANAGE), Depends(delegation_for_import), Depends(upload_body), CsrfChecked]


# --- pages ---------------------------------------------------------------------------------------


def _import_url(event: Event, delegation: Delegation) -> str:
    return f"/events/{event.id}/delegations/{delegation.id}/import"


def _upload_page(
    request: Request,
    event: Event,
    delegation: Delegation,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "event": event,
        "delegation": delegation,
        "values": values or {},
        "columns": imports.COLUMNS,
        "labels": column_labels(),
        "hints": column_hints(),
        "required": imports.REQUIRED,
        "max_mb": imports.MAX_BYTES // (1024 * 1024),
        "max_rows": imports.MAX_ROWS,
        "errors": errors or {},
        "action": _import_url(event, delegation),
    }
    return render(request, "registrations/import.html", context, status_code=status_code)


def _preview_page(
    request: Request,
    user: User,
    event: Event,
    delegation: Delegation,
    preview: imports.Preview,
    *,
    changed: bool = False,
    status_code: int | None = None,
) -> Response:
    context: dict[str, Any] = {
        "event": event,
        "delegation": delegation,
        "preview": preview,
        "counts": preview.counts,
        "created": preview.of(imports.Outcome.CREATE),
        "updated": preview.of(imports.Outcome.UPDATE),
        "unchanged": preview.of(imports.Outcome.UNCHANGED),
        "labels": column_labels(),
        "delimiter": {",": _("comma"), ";": _("semicolon"), "\t": _("tab")}[preview.delimiter],
        "sealed": imports.seal(preview, actor=user) if preview.ok else {},
        "changed": changed,
        "action": _import_url(event, delegation),
    }
    if status_code is None:
        status_code = 200 if preview.ok else 422
    return render(request, "registrations/import_preview.html", context, status_code=status_code)


@router.get("/events/{event_id}/delegations/{delegation_id}/import", dependencies=[declare(Action.PARTICIPANT_MANAGE)])
def import_form(request: Request, user: CurrentUser, event: EventDep, delegation: ImportDelegation) -> Response:
    imports.check_allowed(actor=user, delegation=delegation)
    return _upload_page(request, event, delegation)


@router.get(
    "/events/{event_id}/delegations/{delegation_id}/import/template.csv",
    dependencies=[declare(Action.PARTICIPANT_MANAGE)],
)
def import_template(user: CurrentUser, event: EventDep, delegation: ImportDelegation) -> Response:
    imports.check_allowed(actor=user, delegation=delegation)
    return Response(
        imports.template_csv(),
        media_type=exports.CSV_TYPE,
        headers={"Content-Disposition": 'attachment; filename="participants-template.csv"'},
    )


def _field(body: FormData, name: str) -> str:
    value = body.get(name)
    return value if isinstance(value, str) else ""


def _uploaded(body: FormData) -> bytes | None:
    """The chosen file (read up to just past the limit), else the pasted rows, else None."""
    upload = body.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        content = upload.file.read(imports.MAX_BYTES + 1)
        upload.file.close()
        if content:
            return content
    pasted = _field(body, "text")
    return pasted.encode() if pasted.strip() else None


@router.post("/events/{event_id}/delegations/{delegation_id}/import", dependencies=UPLOAD)
def import_preview(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, delegation: ImportDelegation, body: UploadBody
) -> Response:
    raw = _uploaded(body)
    values = {"text": _field(body, "text")}
    if raw is None:
        errors = {"file": [_("Choose a CSV file to upload, or paste the rows.")]}
        return _upload_page(request, event, delegation, errors=errors, values=values, status_code=422)
    try:
        preview = imports.preview(db, actor=user, delegation=delegation, text=imports.decode(raw))
    except imports.FileProblem as exc:
        errors = {"file": [exc.message]}
        return _upload_page(request, event, delegation, errors=errors, values=values, status_code=422)
    return _preview_page(request, user, event, delegation, preview)


@router.post("/events/{event_id}/delegations/{delegation_id}/import/confirm", dependencies=UPLOAD)
def import_confirm(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, delegation: ImportDelegation, body: UploadBody
) -> Response:
    sealed = {name: _field(body, name) for name in ("payload", "fingerprint", "signature")}
    try:
        text = imports.unseal(**sealed, actor=user, delegation=delegation)
        preview = imports.preview(db, actor=user, delegation=delegation, text=text)
    except imports.FileProblem as exc:
        return _upload_page(request, event, delegation, errors={"file": [exc.message]}, status_code=422)
    if not preview.ok:
        return _preview_page(request, user, event, delegation, preview)
    if preview.fingerprint != sealed["fingerprint"]:
        return _preview_page(request, user, event, delegation, preview, changed=True, status_code=409)
    try:
        with db.begin_nested():
            counts = imports.apply(db, actor=user, delegation=delegation, preview=preview)
    except imports.RowsRejected as exc:
        preview.errors = exc.errors
        return _preview_page(request, user, event, delegation, preview)
    flash(
        request,
        _("The list has been imported: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.")
        % {"created": counts["create"], "updated": counts["update"], "unchanged": counts["unchanged"]},
    )
    return redirect_303(request, f"/events/{event.id}/participants?delegation_id={delegation.id}")


# --- exports -------------------------------------------------------------------------------------


FilterParam = Annotated[str | None, Query(max_length=200)]


def participant_query(
    delegation_id: FilterParam = None,
    circle: FilterParam = None,
    category: FilterParam = None,
    status: FilterParam = None,
    q: FilterParam = None,
    sort: FilterParam = None,
) -> ParticipantFilter:
    """The participants list's filters; a value that is not valid is a 422 naming the filter."""
    given = {"delegation_id": delegation_id, "circle": circle, "category": category, "status": status, "q": q, "sort": sort}
    data, errors = validate_form(ParticipantFilterForm, {k: v for k, v in given.items() if v is not None})
    if data is None:
        name, messages = next(iter(errors.items()))
        raise FieldError(name, _("The filter “%(name)s” is not valid: %(message)s") % {"name": name, "message": messages[0]})
    return ParticipantFilter(**data.model_dump())


ParticipantQuery = Annotated[ParticipantFilter, Depends(participant_query)]


def _download(export: exports.Export) -> Response:
    return Response(
        export.content,
        media_type=export.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/events/{event_id}/participants.csv", dependencies=[WritesOnRead, declare(Action.PARTICIPANT_LIST)])
def export_csv(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, filters: ParticipantQuery
) -> Response:
    export = exports.participants(
        db, viewer=user, event=event, filters=filters, fmt=exports.Format.CSV, client=client_address(request)
    )
    return _download(export)


@router.get("/events/{event_id}/participants.xlsx", dependencies=[WritesOnRead, declare(Action.PARTICIPANT_LIST)])
def export_xlsx(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, filters: ParticipantQuery
) -> Response:
    export = exports.participants(
        db, viewer=user, event=event, filters=filters, fmt=exports.Format.XLSX, client=client_address(request)
    )
    return _download(export)
