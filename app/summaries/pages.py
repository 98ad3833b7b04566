"""Summary pages: the post-event summary (either variant) and its files, the organisers' edit
form, and publishing or unpublishing the public variant (each through a confirmation page).

The summary and its files are for whoever may see the event (EVENT_VIEW, checked in full by the
service: the internal variant needs SUMMARY_VIEW, the public one a published summary); the files
of the internal variant are audited (WritesOnRead) and never cached.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.accounts.models import User
from app.deps import (
    CsrfChecked,
    CurrentUser,
    DbSession,
    FormBody,
    OptionalUser,
    WritesOnRead,
    client_address,
    declare,
)
from app.errors import FieldError
from app.events.deps import EventDep
from app.events.models import Event
from app.forms import form_values, validate_form
from app.i18n import _
from app.policy import Action
from app.summaries import exports, service
from app.summaries.record import Variant
from app.summaries.schemas import TEXT_MAX, SummaryForm
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

VIEW = declare(Action.EVENT_VIEW)
MANAGE = declare(Action.SUMMARY_MANAGE)

VariantQuery = Annotated[Variant | None, Query(description="internal or public; the fullest one may read by default")]


def _url(event: Event, suffix: str = "") -> str:
    return f"/events/{event.id}/summary{suffix}"


@router.get("/events/{event_id}/summary", dependencies=[VIEW], name="summaries:page")
def summary_page(
    request: Request, db: DbSession, user: OptionalUser, event: EventDep, variant: VariantQuery = None
) -> Response:
    record = service.record_for_viewer(db, viewer=user, event=event, variant=variant)
    context = {
        "event": event,
        "record": record,
        "charts": exports.participation_charts(record.participation),
        "sees_internal": service.sees_internal(user, event),
        "publishable": event.status in service.PUBLISHABLE,
        "for_print": False,
        "formats": [
            (exports.Format.PDF, _("PDF")),
            (exports.Format.DOCX, _("Word")),
            (exports.Format.MARKDOWN, _("Markdown")),
            (exports.Format.JSON, _("JSON")),
        ],
    }
    return render(request, "summaries/summary.html", context, private=not record.is_public)


def _file(
    request: Request, db: DbSession, user: User | None, event: Event, variant: Variant | None, fmt: exports.Format
) -> Response:
    export = exports.export(db, viewer=user, event=event, variant=variant, fmt=fmt, client=client_address(request))
    headers = {"Content-Disposition": f'{export.disposition}; filename="{export.filename}"'}
    if export.personal:
        headers["Cache-Control"] = "no-store"
    return Response(export.content, media_type=export.media_type, headers=headers)


@router.get("/events/{event_id}/summary.pdf", dependencies=[WritesOnRead, VIEW], name="summaries:pdf")
def summary_pdf(
    request: Request, db: DbSession, user: OptionalUser, event: EventDep, variant: VariantQuery = None
) -> Response:
    """The summary printed as PDF."""
    return _file(request, db, user, event, variant, exports.Format.PDF)


@router.get("/events/{event_id}/summary.md", dependencies=[WritesOnRead, VIEW], name="summaries:markdown")
def summary_markdown(
    request: Request, db: DbSession, user: OptionalUser, event: EventDep, variant: VariantQuery = None
) -> Response:
    """The summary as Markdown."""
    return _file(request, db, user, event, variant, exports.Format.MARKDOWN)


@router.get("/events/{event_id}/summary.docx", dependencies=[WritesOnRead, VIEW], name="summaries:docx")
def summary_docx(
    request: Request, db: DbSession, user: OptionalUser, event: EventDep, variant: VariantQuery = None
) -> Response:
    """The summary as a Word document."""
    return _file(request, db, user, event, variant, exports.Format.DOCX)


@router.get("/events/{event_id}/summary.json", dependencies=[WritesOnRead, VIEW], name="summaries:json")
def summary_json(
    request: Request, db: DbSession, user: OptionalUser, event: EventDep, variant: VariantQuery = None
) -> Response:
    """The summary as JSON (the API's SummaryOut)."""
    return _file(request, db, user, event, variant, exports.Format.JSON)


# --- the introduction and the conclusion -----------------------------------------------------------


def _form_page(
    request: Request, event: Event, values: dict[str, Any], errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"event": event, "values": values, "errors": errors or {}, "text_max": TEXT_MAX}
    return render(request, "summaries/form.html", context, status_code=status_code)


@router.get("/events/{event_id}/summary/edit", dependencies=[MANAGE], name="summaries:edit_form")
def edit_form(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    service.check_manageable(actor=user, event=event)
    summary = service.get_state(db, viewer=user, event=event)
    values = {name: getattr(summary, name) if summary is not None else "" for name in SummaryForm.model_fields}
    return _form_page(request, event, values)


@router.post("/events/{event_id}/summary/edit", dependencies=[MANAGE], name="summaries:edit")
def edit(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    service.check_manageable(actor=user, event=event)
    data, errors = validate_form(SummaryForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.update(db, actor=user, event=event, introduction=data.introduction, conclusion=data.conclusion)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The introduction and the conclusion have been saved."))
            return redirect_303(request, _url(event))
    return _form_page(request, event, form_values(body), errors, status_code=422)


# --- publishing the public variant ----------------------------------------------------------------------


@router.get("/events/{event_id}/summary/publish", dependencies=[MANAGE], name="summaries:publish_confirm")
def publish_confirm(request: Request, user: CurrentUser, event: EventDep) -> Response:
    service.check_manageable(actor=user, event=event)
    context = {
        "heading": _("Publish the public summary?"),
        "message": _(
            "Everyone who may see the event will be able to read the public summary of “%(title)s” and "
            "download it: no participant is named in it, and internal sessions are left out. "
            "You can unpublish it later."
        ) % {"title": event.title},
        "action": _url(event, "/publish"),
        "fields": {},
        "confirm_label": _("Publish the public summary"),
        "cancel_url": _url(event, "?variant=public"),
        "style": "primary",
    }
    return render(request, "confirm.html", context)


@router.post("/events/{event_id}/summary/publish", dependencies=[MANAGE], name="summaries:publish")
def publish(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    service.publish(db, actor=user, event=event)
    flash(request, _("The public summary has been published."))
    return redirect_303(request, _url(event, "?variant=public"))


@router.get("/events/{event_id}/summary/unpublish", dependencies=[MANAGE], name="summaries:unpublish_confirm")
def unpublish_confirm(request: Request, user: CurrentUser, event: EventDep) -> Response:
    service.check_manageable(actor=user, event=event)
    context = {
        "heading": _("Unpublish the public summary?"),
        "message": _(
            "The public summary of “%(title)s” will no longer be shown to the public. "
            "You can publish it again later."
        ) % {"title": event.title},
        "action": _url(event, "/unpublish"),
        "fields": {},
        "confirm_label": _("Unpublish the public summary"),
        "cancel_url": _url(event),
    }
    return render(request, "confirm.html", context)


@router.post("/events/{event_id}/summary/unpublish", dependencies=[MANAGE], name="summaries:unpublish")
def unpublish(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    service.unpublish(db, actor=user, event=event)
    flash(request, _("The public summary has been unpublished."))
    return redirect_303(request, _url(event))
