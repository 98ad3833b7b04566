"""Recommendation pages: an initiative's list (filtered, counted by status), one recommendation
with its progress updates, create, edit, delete, and adding or deleting an update."""

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app import i18n, policy
from app.accounts.models import User
from app.db import utcnow
from app.deps import (
    PUBLIC,
    CsrfChecked,
    CurrentUser,
    DbSession,
    FormBody,
    OptionalUser,
    PageNumber,
    declare,
)
from app.errors import FieldError
from app.events import service as events_service
from app.events.models import Event
from app.forms import form_values, validate_form
from app.i18n import _, country_name, format_day
from app.initiatives.deps import InitiativeDep
from app.initiatives.models import Initiative, InitiativeStatus
from app.policy import Action
from app.recommendations import service
from app.recommendations.deps import InitiativeRecommendationDep, PageUpdateDep
from app.recommendations.models import Recommendation, RecommendationArea, RecommendationStatus
from app.recommendations.schemas import ProgressUpdateForm, RecommendationFilter, RecommendationForm
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

VIEW = declare(Action.INITIATIVE_VIEW)
# One recommendation: whether the viewer may see it is its own business (the agreed ones are
# public, the others are seen by their event's staff); a 404 otherwise.
SHOW = declare(PUBLIC)
MANAGE = declare(Action.RECOMMENDATION_MANAGE)
PER_PAGE = 25
OWNER_LISTS = ("owners",)


def _list_url(initiative_id: int) -> str:
    return f"/initiatives/{initiative_id}/recommendations"


def _url(recommendation: Recommendation) -> str:
    return f"{_list_url(recommendation.initiative_id)}/{recommendation.id}"


def _areas() -> list[tuple[str, str]]:
    return [(area.value, _(service.AREA_LABELS[area])) for area in RecommendationArea]


def _statuses(statuses: list[RecommendationStatus] | None = None) -> list[tuple[str, str]]:
    return i18n.choices(statuses or RecommendationStatus)


def _labels() -> dict[str, Any]:
    return {
        "area_labels": dict(_areas()),
        "status_labels": dict(_statuses()),
    }


# --- the list ------------------------------------------------------------------------------------


@router.get("/initiatives/{initiative_id}/recommendations", dependencies=[VIEW])
def list_page(
    request: Request,
    db: DbSession,
    user: OptionalUser,
    initiative: InitiativeDep,
    page: PageNumber = 1,
    area: str | None = Query(None, max_length=40),
    status: str | None = Query(None, max_length=40),
    phase_id: str | None = Query(None, max_length=12),
    event_id: str | None = Query(None, max_length=12),
    owner: str | None = Query(None, max_length=12),
    q: str | None = Query(None, max_length=200),
) -> Response:
    values = {
        "area": area or "", "status": status or "", "phase_id": phase_id or "", "event_id": event_id or "",
        "owner": owner or "", "q": q or "",
    }
    filters, errors = validate_form(RecommendationFilter, values)
    listing = service.list_recommendations(
        db, viewer=user, initiative=initiative, filters=filters or RecommendationFilter(), page=page, per_page=PER_PAGE
    )
    events = events_service.list_for_initiative(db, viewer=user, initiative=initiative)
    owners = service.delegation_countries(db, event_ids=[e.id for e in events])
    if filters is not None and filters.owner and filters.owner not in owners:
        owners.append(filters.owner)
    query = {k: v for k, v in values.items() if v}
    context = {
        "initiative": initiative,
        "listing": listing,
        "page": listing.page,
        "query": query,
        "values": values,
        "errors": errors,
        "filtered": bool(query),
        "areas": _areas(),
        "statuses": _statuses(),
        "phases": [(p.id, p.name) for p in service.phase_choices(db, initiative=initiative)],
        "events": [(e.id, e.title) for e in events],
        "owners": [(code, country_name(code)) for code in owners],
        "can_create": initiative.status == InitiativeStatus.ACTIVE
        and (
            policy.can(user, Action.RECOMMENDATION_MANAGE, initiative)
            or any(policy.can(user, Action.RECOMMENDATION_MANAGE, e) for e in events)
        ),
        **_labels(),
    }
    return render(request, "recommendations/list.html", context, status_code=422 if errors else 200)


# --- create and edit -----------------------------------------------------------------------------


def _form_page(
    request: Request,
    db: DbSession,
    user: User,
    initiative: Initiative,
    recommendation: Recommendation | None,
    events: list[Event],
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    if recommendation is not None and recommendation.event is not None and recommendation.event not in events:
        events = [*events, recommendation.event]  # its own event, even when archived since
    sessions = service.session_choices(db, events=events)
    owners = service.delegation_countries(db, event_ids=[e.id for e in events])
    chosen = values.get("owners") or []
    if isinstance(chosen, str):
        chosen = [chosen]
    owners += [code for code in chosen if code not in owners and len(code) == 2]
    if recommendation is None:
        statuses = list(service.INITIAL)
    else:
        statuses = [recommendation.status, *service.next_statuses(recommendation.status)]
    context = {
        "initiative": initiative,
        "recommendation": recommendation,
        "values": values,
        "errors": errors or {},
        "events": [(e.id, e.title) for e in events],
        "sessions_by_event": [(e, [s for s in sessions if s.event_id == e.id]) for e in events],
        "whole_initiative": policy.can(user, Action.RECOMMENDATION_MANAGE, initiative),
        "phases": [
            (p.id, f"{p.name} ({format_day(p.starts_on)} – {format_day(p.ends_on)})")
            for p in service.phase_choices(db, initiative=initiative)
        ],
        "areas": _areas(),
        "statuses": _statuses(statuses),
        "owner_choices": owners,
        "chosen_owners": chosen,
    }
    return render(request, "recommendations/form.html", context, status_code=status_code)


@router.get("/initiatives/{initiative_id}/recommendations/new", dependencies=[MANAGE])
def new_form(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    initiative: InitiativeDep,
    event_id: str | None = Query(None, max_length=12),
) -> Response:
    events = service.manageable_events(db, viewer=user, initiative=initiative)
    service.check_may_create(actor=user, initiative=initiative, events=events)
    chosen = event_id if event_id and any(str(e.id) == event_id for e in events) else None
    if chosen is None and len(events) == 1 and not policy.can(user, Action.RECOMMENDATION_MANAGE, initiative):
        chosen = str(events[0].id)
    values = {"status": RecommendationStatus.PROPOSED.value, "event_id": chosen or "", "owners": []}
    return _form_page(request, db, user, initiative, None, events, values)


@router.post("/initiatives/{initiative_id}/recommendations/new", dependencies=[MANAGE])
def create(
    request: Request, db: DbSession, user: CurrentUser, initiative: InitiativeDep, body: FormBody
) -> Response:
    events = service.manageable_events(db, viewer=user, initiative=initiative)
    service.check_may_create(actor=user, initiative=initiative, events=events)
    data, errors = validate_form(RecommendationForm, body, lists=OWNER_LISTS)
    if data is not None:
        if data.event_id is None and not policy.can(user, Action.RECOMMENDATION_MANAGE, initiative):
            errors = {"event_id": [_("Choose the event the recommendation comes from.")]}
        else:
            try:
                with db.begin_nested():
                    recommendation = service.create(db, actor=user, initiative=initiative, fields=data.fields())
            except FieldError as exc:
                errors = exc.as_errors()
            else:
                flash(request, _("The recommendation has been added."))
                return redirect_303(request, _url(recommendation))
    values = form_values(body, lists=OWNER_LISTS)
    return _form_page(request, db, user, initiative, None, events, values, errors, status_code=422)


def _values_of(recommendation: Recommendation) -> dict[str, Any]:
    return {
        "event_id": recommendation.event_id or "",
        "session_id": recommendation.session_id or "",
        "phase_id": recommendation.phase_id or "",
        "title": recommendation.title,
        "description": recommendation.description,
        "area": recommendation.area.value,
        "owners": list(recommendation.owners),
        "target_on": recommendation.target_on.isoformat() if recommendation.target_on else "",
        "status": recommendation.status.value,
    }


@router.get("/initiatives/{initiative_id}/recommendations/{recommendation_id}/edit", dependencies=[MANAGE])
def edit_form(
    request: Request, db: DbSession, user: CurrentUser, recommendation: InitiativeRecommendationDep
) -> Response:
    service.check_manageable(actor=user, recommendation=recommendation)
    initiative = recommendation.initiative
    events = service.manageable_events(db, viewer=user, initiative=initiative)
    return _form_page(request, db, user, initiative, recommendation, events, _values_of(recommendation))


@router.post("/initiatives/{initiative_id}/recommendations/{recommendation_id}/edit", dependencies=[MANAGE])
def edit(
    request: Request, db: DbSession, user: CurrentUser, recommendation: InitiativeRecommendationDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, recommendation=recommendation)
    initiative = recommendation.initiative
    data, errors = validate_form(RecommendationForm, body, lists=OWNER_LISTS)
    if data is not None:
        if data.event_id is None and not policy.can(user, Action.RECOMMENDATION_MANAGE, initiative):
            errors = {"event_id": [_("Choose the event the recommendation comes from.")]}
        else:
            try:
                with db.begin_nested():
                    service.update(db, actor=user, recommendation=recommendation, fields=data.fields())
            except FieldError as exc:
                errors = exc.as_errors()
            else:
                flash(request, _("The recommendation has been saved."))
                return redirect_303(request, _url(recommendation))
    events = service.manageable_events(db, viewer=user, initiative=initiative)
    values = form_values(body, lists=OWNER_LISTS)
    return _form_page(request, db, user, initiative, recommendation, events, values, errors, status_code=422)


# --- one recommendation and its progress updates -------------------------------------------------


def _today(recommendation: Recommendation) -> date:
    """Today where the recommendation's event takes place (UTC for the initiative's own)."""
    if recommendation.event is not None:
        return utcnow().astimezone(ZoneInfo(recommendation.event.timezone)).date()
    return utcnow().date()


def _detail_page(
    request: Request,
    user: User | None,
    recommendation: Recommendation,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    manage = (
        policy.can(user, Action.RECOMMENDATION_MANAGE, recommendation)
        and recommendation.initiative.status == InitiativeStatus.ACTIVE
    )
    context = {
        "initiative": recommendation.initiative,
        "recommendation": recommendation,
        "manage": manage,
        "values": values if values is not None else {"reported_on": _today(recommendation).isoformat()},
        "errors": errors or {},
        "next_statuses": _statuses(service.next_statuses(recommendation.status)),
        **_labels(),
    }
    return render(request, "recommendations/detail.html", context, status_code=status_code)


@router.get("/initiatives/{initiative_id}/recommendations/{recommendation_id}", dependencies=[SHOW])
def detail(request: Request, user: OptionalUser, recommendation: InitiativeRecommendationDep) -> Response:
    return _detail_page(request, user, recommendation)


@router.post("/initiatives/{initiative_id}/recommendations/{recommendation_id}/updates", dependencies=[MANAGE])
def add_update(
    request: Request, db: DbSession, user: CurrentUser, recommendation: InitiativeRecommendationDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, recommendation=recommendation)
    data, errors = validate_form(ProgressUpdateForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.add_update(
                    db,
                    actor=user,
                    recommendation=recommendation,
                    text=data.text,
                    reported_on=data.reported_on,
                    status=data.status,
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The progress update has been added."))
            return redirect_303(request, _url(recommendation) + "#updates")
    return _detail_page(request, user, recommendation, form_values(body), errors, status_code=422)


# --- delete --------------------------------------------------------------------------------------


@router.get("/initiatives/{initiative_id}/recommendations/{recommendation_id}/delete", dependencies=[MANAGE])
def delete_confirm(request: Request, user: CurrentUser, recommendation: InitiativeRecommendationDep) -> Response:
    service.check_manageable(actor=user, recommendation=recommendation)
    message = _("“%(title)s” will be deleted with its progress updates.") % {"title": recommendation.title}
    context = {
        "heading": _("Delete this recommendation?"),
        "message": message,
        "action": f"{_url(recommendation)}/delete",
        "fields": {},
        "confirm_label": _("Delete the recommendation"),
        "cancel_url": _url(recommendation),
    }
    return render(request, "confirm.html", context)


@router.post("/initiatives/{initiative_id}/recommendations/{recommendation_id}/delete", dependencies=[MANAGE])
def delete(request: Request, db: DbSession, user: CurrentUser, recommendation: InitiativeRecommendationDep) -> Response:
    initiative_id, title = recommendation.initiative_id, recommendation.title
    service.delete(db, actor=user, recommendation=recommendation)
    flash(request, _("The recommendation “%(title)s” has been deleted.") % {"title": title})
    return redirect_303(request, _list_url(initiative_id))


@router.get(
    "/initiatives/{initiative_id}/recommendations/{recommendation_id}/updates/{update_id}/delete",
    dependencies=[MANAGE],
)
def delete_update_confirm(
    request: Request, user: CurrentUser, recommendation: InitiativeRecommendationDep, update: PageUpdateDep
) -> Response:
    service.check_manageable(actor=user, recommendation=recommendation)
    context = {
        "heading": _("Delete this progress update?"),
        "message": _("The update of %(day)s on “%(title)s” will be deleted. The recommendation keeps its status.")
        % {"day": format_day(update.reported_on), "title": recommendation.title},
        "action": f"{_url(recommendation)}/updates/{update.id}/delete",
        "fields": {},
        "confirm_label": _("Delete the update"),
        "cancel_url": _url(recommendation) + "#updates",
    }
    return render(request, "confirm.html", context)


@router.post(
    "/initiatives/{initiative_id}/recommendations/{recommendation_id}/updates/{update_id}/delete",
    dependencies=[MANAGE],
)
def delete_update(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    recommendation: InitiativeRecommendationDep,
    update: PageUpdateDep,
) -> Response:
    service.delete_update(db, actor=user, recommendation=recommendation, update=update)
    flash(request, _("The progress update has been deleted."))
    return redirect_303(request, _url(recommendation) + "#updates")
