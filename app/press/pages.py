"""Press pages: the board of press releases and joint statements (public: the published ones),
an item with its versions and approvals, new and edit, the differences between two versions,
approve, publish, withdraw, delete; the Atom feed; the media-coverage log and its CSV.
"""

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app import i18n
from app.accounts.models import User
from app.deps import (
    CsrfChecked,
    CurrentUser,
    DbSession,
    FormBody,
    OptionalUser,
    PageNumber,
    declare,
)
from app.errors import Conflict, FieldError
from app.events.deps import EventDep
from app.events.models import Event
from app.forms import form_values, validate_form
from app.i18n import _
from app.policy import Action
from app.press import exports, service
from app.press.deps import CoverageDep, PressDep
from app.press.diff import word_diff
from app.press.models import MediaCoverage, PressItem, PressKind, PressStatus
from app.press.schemas import (
    LANGUAGES,
    MAX_ID,
    ApprovalForm,
    CoverageFilterForm,
    CoverageForm,
    PressEditForm,
    PressFilterForm,
    PressForm,
    coverage_languages,
)
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

PUBLIC_VIEW = declare(Action.EVENT_VIEW)
VIEW = declare(Action.PRESS_VIEW)
MANAGE = declare(Action.PRESS_MANAGE)
APPROVE = declare(Action.PRESS_APPROVE)

# The badge colours the stylesheet has for each status.
STATUS_BADGES = {PressStatus.DRAFT.value: "draft", PressStatus.PUBLISHED.value: "confirmed", PressStatus.WITHDRAWN.value: "cancelled"}


def _url(event: Event, item: PressItem | None = None) -> str:
    base = f"/events/{event.id}/press"
    return base if item is None else f"{base}/{item.id}"


def _coverage_url(event: Event, coverage: MediaCoverage | None = None) -> str:
    base = f"/events/{event.id}/coverage"
    return base if coverage is None else f"{base}/{coverage.id}"


def _common(event: Event) -> dict[str, Any]:
    """What every press template reads: labels and the helpers that read a loaded item."""
    return {
        "event": event,
        "status_badges": STATUS_BADGES,
        "language_names": {k: _(v) for k, v in LANGUAGES.items()},
        "latest_texts": service.latest_texts,
        "approval_of": service.approval_of,
        "headline": service.headline,
    }


def _options(labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(value, _(text)) for value, text in labels.items()]


# --- the board and the public list ----------------------------------------------------------------


@router.get("/events/{event_id}/press", dependencies=[PUBLIC_VIEW])
def list_page(
    request: Request, db: DbSession, user: OptionalUser, event: EventDep, page: PageNumber = 1
) -> Response:
    """The staff's board (drafts, approvals, published) or, for everyone else, the published items."""
    if not service.sees_drafts(user, event):
        found = service.list_for_event(db, viewer=user, event=event, page=page)
        context = {**_common(event), "page": found}
        names = context["language_names"]
        texts = {item.id: service.latest_texts(item) for item in found.items}
        context["texts"] = texts
        context["languages"] = {id_: [names[t.language] for t in latest] for id_, latest in texts.items()}
        return render(request, "press/public_list.html", context, private=False)
    query = {k: request.query_params.get(k, "") for k in ("status", "kind")}
    filters, errors = validate_form(PressFilterForm, query)
    chosen = filters or PressFilterForm()
    found = service.list_for_event(
        db, viewer=user, event=event, page=page,
        filters=service.PressFilter(status=chosen.status, kind=chosen.kind),
    )
    context = {
        **_common(event),
        "page": found,
        "delegations": service.delegations_of(db, event=event),
        "values": query,
        "errors": errors,
        "query": {k: v for k, v in query.items() if v},
        "filtered": bool(filters and filters.model_fields_set),
        "kinds": i18n.choices(PressKind),
        "statuses": i18n.choices(PressStatus),
    }
    return render(request, "press/board.html", context)


@router.get("/events/{event_id}/press.atom", dependencies=[PUBLIC_VIEW])
def feed(db: DbSession, user: OptionalUser, event: EventDep) -> Response:
    """The published items as an Atom feed, newest first."""
    export = exports.press_feed(db, viewer=user, event=event)
    return Response(export.content, media_type=export.media_type)


# --- new and edit ---------------------------------------------------------------------------------


def _form_page(
    request: Request,
    db: DbSession,
    user: User,
    event: Event,
    item: PressItem | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    language = str(values.get("language") or "en")
    context = {
        **_common(event),
        "item": item,
        "values": values,
        "errors": errors or {},
        "kinds": i18n.choices(PressKind),
        "text_languages": _options(LANGUAGES),
        "language": language if language in LANGUAGES else "en",
        "sessions": service.session_choices(db, viewer=user, event=event),
        "latest": service.latest_of(item, language) if item is not None else None,
    }
    return render(request, "press/form.html", context, status_code=status_code)


@router.get("/events/{event_id}/press/new", dependencies=[MANAGE])
def new_form(request: Request, db: DbSession, user: CurrentUser, event: EventDep, kind: str | None = None) -> Response:
    service.check_manageable(actor=user, event=event)
    chosen = kind if kind in {k.value for k in PressKind} else PressKind.RELEASE.value
    return _form_page(request, db, user, event, None, {"kind": chosen, "language": "en"})


@router.post("/events/{event_id}/press/new", dependencies=[MANAGE])
def create(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    service.check_manageable(actor=user, event=event)
    data, errors = validate_form(PressForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                item = service.create(
                    db, actor=user, event=event, kind=data.kind, language=data.language, title=data.title,
                    body=data.body, session_id=data.session_id,
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The draft has been saved."))
            return redirect_303(request, _url(event, item))
    return _form_page(request, db, user, event, None, form_values(body), errors, status_code=422)


@router.get("/events/{event_id}/press/{press_id}/edit", dependencies=[MANAGE])
def edit_form(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, item: PressDep, language: str | None = None
) -> Response:
    """One language's text (?language=hy), prefilled with its latest version; empty for a
    language the item has no text in yet."""
    service.check_manageable(actor=user, event=event)
    if language not in LANGUAGES:
        first = service.headline(item)
        language = first.language if first is not None else "en"
    latest = service.latest_of(item, language)
    values = {
        "language": language,
        "title": latest.title if latest else "",
        "body": latest.body if latest else "",
        "session_id": item.session_id,
    }
    return _form_page(request, db, user, event, item, values)


@router.post("/events/{event_id}/press/{press_id}/edit", dependencies=[MANAGE])
def edit(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, item: PressDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, event=event)
    data, errors = validate_form(PressEditForm, body)
    status_code = 422
    if data is not None:
        revision = item.revision
        try:
            with db.begin_nested():
                item = service.edit(
                    db, actor=user, item=item, language=data.language, title=data.title, body=data.body,
                    session_id=data.session_id,
                )
        except FieldError as exc:
            errors = exc.as_errors()
        except Conflict as exc:
            errors, status_code = {"__all__": [exc.message]}, exc.status_code
        else:
            if item.revision == revision:
                flash(request, _("Nothing changed in the text."), "info")
            else:
                saved = service.latest_of(item, data.language.value)
                flash(request, _("Version %(number)s in %(language)s has been saved: the item is at revision %(revision)s.")
                      % {"number": saved.number if saved else 1, "language": _(LANGUAGES[data.language.value]),
                         "revision": item.revision})
            return redirect_303(request, _url(event, item))
    return _form_page(request, db, user, event, item, form_values(body), errors, status_code=status_code)


# --- one item -------------------------------------------------------------------------------------


def _detail_page(
    request: Request,
    db: DbSession,
    user: User | None,
    event: Event,
    item: PressItem,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    if not service.sees_drafts(user, event):
        return render(request, "press/public_detail.html", {**_common(event), "item": item}, private=False)
    delegations = service.delegations_of(db, event=event)
    context = {
        **_common(event),
        "item": item,
        "refusal": refusal,
        "versions": service.versions_by_language(item),
        "delegations": delegations,
        "missing": service.missing_approvals(item, delegations),
        "approvable": service.approvable(user, item, delegations),
        "other_languages": [(code, _(name)) for code, name in LANGUAGES.items()
                            if service.latest_of(item, code) is None],
    }
    return render(request, "press/detail.html", context, status_code=status_code)


@router.get("/events/{event_id}/press/{press_id}", dependencies=[PUBLIC_VIEW])
def detail(request: Request, db: DbSession, user: OptionalUser, event: EventDep, item: PressDep) -> Response:
    """The item in every language; for the staff also its versions and approvals."""
    return _detail_page(request, db, user, event, item)


@router.get("/events/{event_id}/press/{press_id}/diff", dependencies=[VIEW])
def diff(
    request: Request,
    user: CurrentUser,
    event: EventDep,
    item: PressDep,
    language: str | None = None,
    from_: int | None = Query(None, alias="from", ge=1, le=MAX_ID),
    to: int | None = Query(None, ge=1, le=MAX_ID),
) -> Response:
    """What changed between two versions of one language (?language=en&from=1&to=2; by default
    the latest version against the one before)."""
    service.check_viewable(viewer=user, event=event)
    by_language = service.versions_by_language(item)
    if language not in by_language:
        language = next(iter(by_language), "en")
    versions = by_language.get(language, [])
    numbers = {v.number: v for v in versions}
    new = numbers.get(to) if to is not None else (versions[-1] if versions else None)
    if new is None and versions:
        new = versions[-1]
    if from_ is not None and from_ in numbers:
        old = numbers[from_]
    else:
        earlier = [v for v in versions if new is not None and v.number < new.number]
        old = earlier[-1] if earlier else None
    context = {
        **_common(event),
        "item": item,
        "language": language,
        "text_languages": [(code, _(LANGUAGES.get(code, code))) for code in by_language],
        "numbers": [(v.number, _("Version %(number)s (revision %(revision)s)") % {"number": v.number, "revision": v.revision})
                    for v in versions],
        "values": {"language": language, "from": old.number if old else "", "to": new.number if new else ""},
        "old": old,
        "new": new,
        "title_diff": word_diff(old.title, new.title) if old and new else None,
        "body_diff": word_diff(old.body, new.body) if old and new else None,
    }
    return render(request, "press/diff.html", context)


@router.post("/events/{event_id}/press/{press_id}/approve", dependencies=[APPROVE])
def approve(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, item: PressDep, body: FormBody
) -> Response:
    """The coordinator's delegation approves the revision they read (a hidden field)."""
    service.check_approver(actor=user, event=event)
    data, errors = validate_form(ApprovalForm, body)
    if data is None:
        return _detail_page(request, db, user, event, item, _("The approval could not be read. Reload the page and try again."), 422)
    try:
        with db.begin_nested():
            approval = service.approve(db, actor=user, item=item, revision=data.revision, delegation_id=data.delegation_id)
    except (Conflict, FieldError) as exc:
        return _detail_page(request, db, user, event, item, exc.message, exc.status_code)
    name = next((d.name for d in service.delegations_of(db, event=event) if d.id == approval.delegation_id), "")
    flash(request, _("Revision %(revision)s has been approved for %(delegation)s.") % {"revision": approval.revision, "delegation": name})
    return redirect_303(request, _url(event, item))


@router.post("/events/{event_id}/press/{press_id}/publish", dependencies=[MANAGE])
def publish(request: Request, db: DbSession, user: CurrentUser, event: EventDep, item: PressDep) -> Response:
    try:
        with db.begin_nested():
            service.publish(db, actor=user, item=item)
    except Conflict as exc:
        return _detail_page(request, db, user, event, item, exc.message, exc.status_code)
    flash(request, _("Published: it is on the event's public press page and in its feed."))
    return redirect_303(request, _url(event, item))


def _confirm(event: Event, item: PressItem, what: str) -> dict[str, Any]:
    first = service.headline(item)
    title = first.title if first is not None else ""
    if what == "withdraw":
        return {
            "heading": _("Withdraw this item?"),
            "message": _("“%(title)s” will no longer be public: it leaves the press page and the feed. You can then "
                         "change it (a joint statement needs the delegations' approval again) and publish it again.")
            % {"title": title},
            "action": f"{_url(event, item)}/withdraw",
            "fields": {},
            "confirm_label": _("Withdraw it"),
            "cancel_url": _url(event, item),
        }
    return {
        "heading": _("Delete this draft?"),
        "message": _("“%(title)s” will be deleted for good, with all its versions and approvals. "
                     "Only a draft that was never published can be deleted.") % {"title": title},
        "action": f"{_url(event, item)}/delete",
        "fields": {},
        "confirm_label": _("Delete the draft"),
        "cancel_url": _url(event, item),
    }


@router.get("/events/{event_id}/press/{press_id}/withdraw", dependencies=[MANAGE])
def withdraw_confirm(request: Request, user: CurrentUser, event: EventDep, item: PressDep) -> Response:
    service.check_manageable(actor=user, event=event)
    return render(request, "confirm.html", _confirm(event, item, "withdraw"))


@router.post("/events/{event_id}/press/{press_id}/withdraw", dependencies=[MANAGE])
def withdraw(request: Request, db: DbSession, user: CurrentUser, event: EventDep, item: PressDep) -> Response:
    service.withdraw(db, actor=user, item=item)
    flash(request, _("Withdrawn: it is no longer public."))
    return redirect_303(request, _url(event, item))


@router.get("/events/{event_id}/press/{press_id}/delete", dependencies=[MANAGE])
def delete_confirm(request: Request, user: CurrentUser, event: EventDep, item: PressDep) -> Response:
    service.check_manageable(actor=user, event=event)
    return render(request, "confirm.html", _confirm(event, item, "delete"))


@router.post("/events/{event_id}/press/{press_id}/delete", dependencies=[MANAGE])
def delete(request: Request, db: DbSession, user: CurrentUser, event: EventDep, item: PressDep) -> Response:
    service.delete(db, actor=user, item=item)
    flash(request, _("The draft has been deleted."))
    return redirect_303(request, _url(event))


# --- media coverage -------------------------------------------------------------------------------


def _coverage_filters(request: Request) -> tuple[dict[str, str], service.CoverageFilter, dict[str, list[str]]]:
    values = {k: request.query_params.get(k, "") for k in ("language", "country", "q")}
    data, errors = validate_form(CoverageFilterForm, values)
    chosen = data or CoverageFilterForm()
    return values, service.CoverageFilter(language=chosen.language, country=chosen.country, q=chosen.q), errors


@router.get("/events/{event_id}/coverage", dependencies=[VIEW])
def coverage_list(request: Request, db: DbSession, user: CurrentUser, event: EventDep, page: PageNumber = 1) -> Response:
    """The coverage log with counts by language, country and outlet; filters and pages."""
    values, filters, errors = _coverage_filters(request)
    query = {k: v for k, v in values.items() if v}
    context = {
        **_common(event),
        "page": service.list_coverage(db, viewer=user, event=event, filters=filters, page=page),
        "counts": service.coverage_counts(db, viewer=user, event=event, filters=filters),
        "values": values,
        "errors": errors,
        "query": query,
        "filtered": filters.used,
        "language_options": list(coverage_languages().items()),
        "country_options": i18n.countries(i18n.current_language()),
        "coverage_language_names": coverage_languages(),
    }
    return render(request, "press/coverage_list.html", context)


@router.get("/events/{event_id}/coverage.csv", dependencies=[VIEW])
def coverage_csv(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    """The log (with the page's filters) as CSV."""
    _, filters, _errors = _coverage_filters(request)
    export = exports.coverage_csv(db, viewer=user, event=event, filters=filters)
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"', "Cache-Control": "no-store"},
    )


def _coverage_form(
    request: Request,
    event: Event,
    coverage: MediaCoverage | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "event": event,
        "coverage": coverage,
        "values": values,
        "errors": errors or {},
        "language_options": list(coverage_languages().items()),
        "country_options": i18n.countries(i18n.current_language()),
    }
    return render(request, "press/coverage_form.html", context, status_code=status_code)


@router.get("/events/{event_id}/coverage/new", dependencies=[MANAGE])
def new_coverage_form(request: Request, user: CurrentUser, event: EventDep) -> Response:
    service.check_manageable(actor=user, event=event)
    return _coverage_form(request, event, None, {"language": "en", "country": event.host_country})


@router.post("/events/{event_id}/coverage/new", dependencies=[MANAGE])
def create_coverage(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    service.check_manageable(actor=user, event=event)
    data, errors = validate_form(CoverageForm, body)
    if data is not None:
        service.create_coverage(db, actor=user, event=event, fields=data.model_dump())
        flash(request, _("The coverage has been added to the log."))
        return redirect_303(request, _coverage_url(event))
    return _coverage_form(request, event, None, form_values(body), errors, status_code=422)


@router.get("/events/{event_id}/coverage/{coverage_id}/edit", dependencies=[MANAGE])
def edit_coverage_form(request: Request, user: CurrentUser, event: EventDep, coverage: CoverageDep) -> Response:
    service.check_manageable(actor=user, event=event)
    values = {name: getattr(coverage, name) for name in CoverageForm.model_fields}
    return _coverage_form(request, event, coverage, values)


@router.post("/events/{event_id}/coverage/{coverage_id}/edit", dependencies=[MANAGE])
def edit_coverage(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, coverage: CoverageDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, event=event)
    data, errors = validate_form(CoverageForm, body)
    if data is not None:
        service.update_coverage(db, actor=user, coverage=coverage, fields=data.model_dump())
        flash(request, _("The coverage has been saved."))
        return redirect_303(request, _coverage_url(event))
    return _coverage_form(request, event, coverage, form_values(body), errors, status_code=422)


@router.get("/events/{event_id}/coverage/{coverage_id}/delete", dependencies=[MANAGE])
def delete_coverage_confirm(request: Request, user: CurrentUser, event: EventDep, coverage: CoverageDep) -> Response:
    service.check_manageable(actor=user, event=event)
    context = {
        "heading": _("Delete this coverage?"),
        "message": _("“%(title)s” (%(outlet)s) will be removed from the log.")
        % {"title": coverage.title, "outlet": coverage.outlet},
        "action": f"{_coverage_url(event, coverage)}/delete",
        "fields": {},
        "confirm_label": _("Delete the coverage"),
        "cancel_url": _coverage_url(event),
    }
    return render(request, "confirm.html", context)


@router.post("/events/{event_id}/coverage/{coverage_id}/delete", dependencies=[MANAGE])
def delete_coverage(request: Request, db: DbSession, user: CurrentUser, event: EventDep, coverage: CoverageDep) -> Response:
    service.delete_coverage(db, actor=user, coverage=coverage)
    flash(request, _("The coverage has been removed from the log."))
    return redirect_303(request, _coverage_url(event))
