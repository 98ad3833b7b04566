"""Crossing point pages: the list, a point with its procedures, and the administrators' forms.

Organisers and coordinators may read them; every change is the administrators'. Each post
checks the permission before it reads the form, so a refusal is never disguised as a 422.
"""

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app import i18n
from app.crossings import points
from app.crossings.models import CrossingPoint, ProcedureTemplate, ResponsibleSide
from app.crossings.points_deps import CrossingPointDep, ProcedureDep
from app.crossings.points_schemas import (
    SEARCH_MAX,
    CrossingPointCreate,
    CrossingPointForm,
    CrossingPointUpdate,
    MoveForm,
    ProcedureCreate,
    ProcedureForm,
    ProcedureUpdate,
)
from app.deps import CsrfChecked, CurrentUser, DbSession, FormBody, PageNumber, declare
from app.errors import FieldError
from app.forms import form_values, validate_form
from app.i18n import _
from app.policy import Action
from app.web import flash, redirect_303, render, render_error

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

VIEW = declare(Action.CROSSING_POINT_VIEW)
MANAGE = declare(Action.CROSSING_POINT_MANAGE)
PER_PAGE = 50
LIST_URL = "/crossing-points"
SHOW = {"active": True, "inactive": False, "all": None}


def _url(point: CrossingPoint, procedure: ProcedureTemplate | None = None) -> str:
    url = f"{LIST_URL}/{point.id}"
    return url if procedure is None else f"{url}/procedures/{procedure.id}"


def _sides() -> list[tuple[str, str]]:
    labels = {
        ResponsibleSide.HOST: _("The host side"),
        ResponsibleSide.VISITING: _("The visiting side"),
        ResponsibleSide.BOTH: _("Both sides"),
    }
    return [(side.value, labels[side]) for side in ResponsibleSide]


# --- the list and a point ------------------------------------------------------------------------


@router.get(LIST_URL, dependencies=[VIEW])
def list_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    page: PageNumber = 1,
    q: str | None = Query(None, max_length=SEARCH_MAX),
    show: str | None = Query(None, max_length=10),
) -> Response:
    show = show if show in SHOW else "active"
    q = (q or "").strip() or None
    found = points.list_points(db, viewer=user, active=SHOW[show], q=q, page=page, per_page=PER_PAGE)
    query = {"q": q or "", "show": show}
    shows = [("active", _("In use")), ("inactive", _("Deactivated")), ("all", _("All"))]
    return render(request, "crossing_points/list.html", {"page": found, "query": query, "values": query, "shows": shows})


def _detail_page(
    request: Request,
    point: CrossingPoint,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"point": point, "sides": _sides(), "values": values or {}, "errors": errors or {}}
    return render(request, "crossing_points/detail.html", context, status_code=status_code)


# --- create and edit -----------------------------------------------------------------------------


def _form_page(
    request: Request,
    point: CrossingPoint | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "point": point,
        "values": values,
        "errors": errors or {},
        "countries": i18n.countries(i18n.current_language()),
    }
    return render(request, "crossing_points/form.html", context, status_code=status_code)


@router.get(LIST_URL + "/new", dependencies=[MANAGE])
def new_form(request: Request, user: CurrentUser) -> Response:
    points.check_manageable(actor=user)
    return _form_page(request, None, {})


@router.post(LIST_URL + "/new", dependencies=[MANAGE])
def create(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    points.check_manageable(actor=user)
    data, errors = validate_form(CrossingPointForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                point = points.create(db, actor=user, data=CrossingPointCreate(**data.model_dump()))
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The crossing point has been created. Add the procedures it requires."))
            return redirect_303(request, _url(point))
    return _form_page(request, None, form_values(body), errors, status_code=422)


# (After /new, which it would otherwise take for an id.)
@router.get(LIST_URL + "/{crossing_point_id}", dependencies=[VIEW])
def detail(request: Request, point: CrossingPointDep) -> Response:
    return _detail_page(request, point, {"lead_days": 0})


@router.get(LIST_URL + "/{crossing_point_id}/edit", dependencies=[MANAGE])
def edit_form(request: Request, user: CurrentUser, point: CrossingPointDep) -> Response:
    points.check_manageable(actor=user)
    values = {name: getattr(point, name) for name in CrossingPointForm.model_fields}
    return _form_page(request, point, values)


@router.post(LIST_URL + "/{crossing_point_id}/edit", dependencies=[MANAGE])
def edit(request: Request, db: DbSession, user: CurrentUser, point: CrossingPointDep, body: FormBody) -> Response:
    points.check_manageable(actor=user)
    data, errors = validate_form(CrossingPointForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                points.update(db, actor=user, point=point, data=CrossingPointUpdate(**data.model_dump()))
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The crossing point has been saved."))
            return redirect_303(request, _url(point))
    return _form_page(request, point, form_values(body), errors, status_code=422)


@router.post(LIST_URL + "/{crossing_point_id}/deactivate", dependencies=[MANAGE])
def deactivate(request: Request, db: DbSession, user: CurrentUser, point: CrossingPointDep) -> Response:
    points.deactivate(db, actor=user, point=point)
    flash(request, _("The crossing point has been deactivated: it is no longer offered for new crossings."))
    return redirect_303(request, _url(point))


@router.post(LIST_URL + "/{crossing_point_id}/reactivate", dependencies=[MANAGE])
def reactivate(request: Request, db: DbSession, user: CurrentUser, point: CrossingPointDep) -> Response:
    points.reactivate(db, actor=user, point=point)
    flash(request, _("The crossing point is in use again."))
    return redirect_303(request, _url(point))


@router.get(LIST_URL + "/{crossing_point_id}/delete", dependencies=[MANAGE])
def delete_confirm(request: Request, user: CurrentUser, point: CrossingPointDep) -> Response:
    points.check_manageable(actor=user)
    context = {
        "heading": _("Delete this crossing point?"),
        "message": _("“%(label)s” and its procedures will be deleted. A crossing point that a crossing "
                     "goes through cannot be deleted: deactivate it instead.") % {"label": point.label},
        "action": f"{_url(point)}/delete",
        "fields": {},
        "confirm_label": _("Delete the crossing point"),
        "cancel_url": _url(point),
    }
    return render(request, "confirm.html", context)


@router.post(LIST_URL + "/{crossing_point_id}/delete", dependencies=[MANAGE])
def delete(request: Request, db: DbSession, user: CurrentUser, point: CrossingPointDep) -> Response:
    label = point.label
    points.delete(db, actor=user, point=point)
    flash(request, _("The crossing point “%(label)s” has been deleted.") % {"label": label})
    return redirect_303(request, LIST_URL)


# --- procedures ----------------------------------------------------------------------------------


@router.post(LIST_URL + "/{crossing_point_id}/procedures", dependencies=[MANAGE])
def add_procedure(
    request: Request, db: DbSession, user: CurrentUser, point: CrossingPointDep, body: FormBody
) -> Response:
    points.check_manageable(actor=user)
    data, errors = validate_form(ProcedureForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                points.add_procedure(db, actor=user, point=point, data=ProcedureCreate(**data.model_dump()))
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The procedure has been added."))
            return redirect_303(request, _url(point))
    return _detail_page(request, point, form_values(body), errors, status_code=422)


def _procedure_page(
    request: Request,
    point: CrossingPoint,
    procedure: ProcedureTemplate,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"point": point, "procedure": procedure, "sides": _sides(), "values": values, "errors": errors or {}}
    return render(request, "crossing_points/procedure_form.html", context, status_code=status_code)


@router.get(LIST_URL + "/{crossing_point_id}/procedures/{procedure_id}/edit", dependencies=[MANAGE])
def edit_procedure_form(
    request: Request, user: CurrentUser, point: CrossingPointDep, procedure: ProcedureDep
) -> Response:
    points.check_manageable(actor=user)
    values = {name: getattr(procedure, name) for name in ProcedureForm.model_fields}
    return _procedure_page(request, point, procedure, values)


@router.post(LIST_URL + "/{crossing_point_id}/procedures/{procedure_id}/edit", dependencies=[MANAGE])
def edit_procedure(
    request: Request, db: DbSession, user: CurrentUser, point: CrossingPointDep, procedure: ProcedureDep,
    body: FormBody,
) -> Response:
    points.check_manageable(actor=user)
    data, errors = validate_form(ProcedureForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                points.update_procedure(
                    db, actor=user, point=point, procedure=procedure, data=ProcedureUpdate(**data.model_dump())
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The procedure has been saved."))
            return redirect_303(request, _url(point))
    return _procedure_page(request, point, procedure, form_values(body), errors, status_code=422)


@router.get(LIST_URL + "/{crossing_point_id}/procedures/{procedure_id}/delete", dependencies=[MANAGE])
def delete_procedure_confirm(
    request: Request, user: CurrentUser, point: CrossingPointDep, procedure: ProcedureDep
) -> Response:
    points.check_manageable(actor=user)
    context = {
        "heading": _("Delete this procedure?"),
        "message": _("“%(title)s” will no longer be required at %(label)s. Crossings already planned "
                     "keep it on their checklists.") % {"title": procedure.title, "label": point.label},
        "action": f"{_url(point, procedure)}/delete",
        "fields": {},
        "confirm_label": _("Delete the procedure"),
        "cancel_url": _url(point),
    }
    return render(request, "confirm.html", context)


@router.post(LIST_URL + "/{crossing_point_id}/procedures/{procedure_id}/delete", dependencies=[MANAGE])
def delete_procedure(
    request: Request, db: DbSession, user: CurrentUser, point: CrossingPointDep, procedure: ProcedureDep
) -> Response:
    title = procedure.title
    points.delete_procedure(db, actor=user, point=point, procedure=procedure)
    flash(request, _("The procedure “%(title)s” has been deleted.") % {"title": title})
    return redirect_303(request, _url(point))


@router.post(LIST_URL + "/{crossing_point_id}/procedures/{procedure_id}/move", dependencies=[MANAGE])
def move_procedure(
    request: Request, db: DbSession, user: CurrentUser, point: CrossingPointDep, procedure: ProcedureDep,
    body: FormBody,
) -> Response:
    points.check_manageable(actor=user)
    data, errors = validate_form(MoveForm, body)
    if data is None:
        return render_error(request, 422, _("Choose whether to move the procedure up or down."))
    points.move_procedure(db, actor=user, point=point, procedure=procedure, up=data.direction == "up")
    return redirect_303(request, f"{_url(point)}#procedures")
