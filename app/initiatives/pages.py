"""Initiative pages: the list, an initiative with its events, and its roadmap."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import i18n, policy
from app.db import utcnow
from app.deps import (
    CsrfChecked,
    CurrentUser,
    DbSession,
    FormBody,
    OptionalUser,
    PageNumber,
    declare,
)
from app.errors import FieldError
from app.events import service as event_service
from app.forms import form_values, validate_form
from app.i18n import _, ngettext
from app.initiatives import service
from app.initiatives.deps import InitiativeDep, MilestoneDep, PhaseDep
from app.initiatives.models import Initiative, Milestone, RoadmapPhase, RoadmapStatus
from app.initiatives.schemas import (
    InitiativeCreate,
    InitiativeForm,
    InitiativeUpdate,
    MilestoneCreate,
    MilestoneForm,
    MilestoneUpdate,
    PhaseCreate,
    PhaseForm,
    PhaseUpdate,
)
from app.policy import Action
from app.recommendations import roadmap as roadmap_chart
from app.recommendations import service as recommendation_service
from app.recommendations.models import RecommendationArea, RecommendationStatus
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

PER_PAGE = 25
VIEW = declare(Action.INITIATIVE_VIEW)
EDIT = declare(Action.INITIATIVE_EDIT)


# --- initiatives ---------------------------------------------------------------------------------


@router.get("/initiatives", dependencies=[VIEW])
def list_page(
    request: Request, db: DbSession, user: OptionalUser, page: PageNumber = 1
) -> Response:
    initiatives = service.list_initiatives(db, viewer=user, page=page, per_page=PER_PAGE)
    return render(request, "initiatives/list.html", {"page": initiatives, "query": {}})


def _form_page(
    request: Request,
    initiative: Initiative | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"initiative": initiative, "values": values, "errors": errors or {}}
    return render(request, "initiatives/form.html", context, status_code=status_code)


@router.get("/initiatives/new", dependencies=[declare(Action.INITIATIVE_CREATE)])
def new_form(request: Request, user: CurrentUser) -> Response:
    policy.require(user, Action.INITIATIVE_CREATE)
    return _form_page(request, None, {})


@router.post("/initiatives/new", dependencies=[declare(Action.INITIATIVE_CREATE)])
def create(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    data, errors = validate_form(InitiativeForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                initiative = service.create(
                    db, actor=user, data=InitiativeCreate(**data.model_dump())
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The initiative has been created."))
            return redirect_303(request, f"/initiatives/{initiative.id}")
    return _form_page(request, None, form_values(body), errors, status_code=422)


@router.get("/initiatives/{initiative_id}", dependencies=[VIEW])
def detail(
    request: Request, db: DbSession, user: OptionalUser, initiative: InitiativeDep
) -> Response:
    context = {
        "initiative": initiative,
        "events": event_service.list_for_initiative(db, viewer=user, initiative=initiative),
        "phases": service.list_phases(db, viewer=user, initiative=initiative).items,
    }
    return render(request, "initiatives/detail.html", context)


@router.get("/initiatives/{initiative_id}/edit", dependencies=[EDIT])
def edit_form(request: Request, user: CurrentUser, initiative: InitiativeDep) -> Response:
    service.check_editable(actor=user, initiative=initiative)
    values = {"name": initiative.name, "description": initiative.description}
    return _form_page(request, initiative, values)


@router.post("/initiatives/{initiative_id}/edit", dependencies=[EDIT])
def edit(
    request: Request, db: DbSession, user: CurrentUser, initiative: InitiativeDep, body: FormBody
) -> Response:
    data, errors = validate_form(InitiativeForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.update(
                    db,
                    actor=user,
                    initiative=initiative,
                    data=InitiativeUpdate(**data.model_dump()),
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The initiative has been saved."))
            return redirect_303(request, f"/initiatives/{initiative.id}")
    return _form_page(request, initiative, form_values(body), errors, status_code=422)


@router.get("/initiatives/{initiative_id}/archive", dependencies=[EDIT])
def archive_confirm(request: Request, user: CurrentUser, initiative: InitiativeDep) -> Response:
    service.check_editable(actor=user, initiative=initiative)
    context = {
        "heading": _("Archive this initiative?"),
        "message": _(
            "“%(name)s” will be hidden from everyone but administrators, and its roadmap "
            "becomes read-only. Its events are not changed. You can restore it later."
        )
        % {"name": initiative.name},
        "action": f"/initiatives/{initiative.id}/archive",
        "fields": {},
        "confirm_label": _("Archive the initiative"),
        "cancel_url": f"/initiatives/{initiative.id}",
    }
    return render(request, "confirm.html", context)


@router.post("/initiatives/{initiative_id}/archive", dependencies=[EDIT])
def archive(
    request: Request, db: DbSession, user: CurrentUser, initiative: InitiativeDep
) -> Response:
    service.set_archived(db, actor=user, initiative=initiative, archived=True)
    flash(request, _("The initiative has been archived."))
    return redirect_303(request, f"/initiatives/{initiative.id}")


@router.post("/initiatives/{initiative_id}/unarchive", dependencies=[EDIT])
def unarchive(
    request: Request, db: DbSession, user: CurrentUser, initiative: InitiativeDep
) -> Response:
    service.set_archived(db, actor=user, initiative=initiative, archived=False)
    flash(request, _("The initiative has been restored."))
    return redirect_303(request, f"/initiatives/{initiative.id}")


# --- the roadmap ---------------------------------------------------------------------------------


@router.get("/initiatives/{initiative_id}/roadmap", dependencies=[VIEW])
def roadmap(
    request: Request, db: DbSession, user: OptionalUser, initiative: InitiativeDep
) -> Response:
    phases = service.list_phases(db, viewer=user, initiative=initiative).items
    recommendations = recommendation_service.for_roadmap(db, viewer=user, initiative=initiative)
    chart = roadmap_chart.layout(
        phases, recommendations, today=utcnow().date(), no_phase_label=_("Not in a phase")
    )
    context = {
        "initiative": initiative,
        "phases": phases,
        "recommendations": recommendations,
        "chart": chart,
        "status_labels": dict(i18n.choices(RecommendationStatus)),
        "area_labels": {
            a.value: _(recommendation_service.area_label(a)) for a in RecommendationArea
        },
    }
    return render(request, "initiatives/roadmap.html", context)


def _roadmap_url(initiative_id: int) -> str:
    return f"/initiatives/{initiative_id}/roadmap"


def _phase_page(
    request: Request,
    initiative: Initiative,
    phase: RoadmapPhase | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "initiative": initiative,
        "phase": phase,
        "statuses": i18n.choices(RoadmapStatus),
        "values": values,
        "errors": errors or {},
    }
    return render(request, "initiatives/phase_form.html", context, status_code=status_code)


@router.get("/initiatives/{initiative_id}/phases/new", dependencies=[EDIT])
def new_phase_form(request: Request, user: CurrentUser, initiative: InitiativeDep) -> Response:
    service.check_editable(actor=user, initiative=initiative)
    return _phase_page(request, initiative, None, {"status": RoadmapStatus.PLANNED.value})


@router.post("/initiatives/{initiative_id}/phases/new", dependencies=[EDIT])
def add_phase(
    request: Request, db: DbSession, user: CurrentUser, initiative: InitiativeDep, body: FormBody
) -> Response:
    data, errors = validate_form(PhaseForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.add_phase(
                    db, actor=user, initiative=initiative, data=PhaseCreate(**data.model_dump())
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The phase has been added."))
            return redirect_303(request, _roadmap_url(initiative.id))
    return _phase_page(request, initiative, None, form_values(body), errors, status_code=422)


@router.get("/initiatives/{initiative_id}/phases/{phase_id}/edit", dependencies=[EDIT])
def edit_phase_form(
    request: Request, user: CurrentUser, initiative: InitiativeDep, phase: PhaseDep
) -> Response:
    service.check_editable(actor=user, initiative=initiative)
    values = {name: getattr(phase, name) for name in PhaseForm.model_fields}
    return _phase_page(request, initiative, phase, values)


@router.post("/initiatives/{initiative_id}/phases/{phase_id}/edit", dependencies=[EDIT])
def edit_phase(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    initiative: InitiativeDep,
    phase: PhaseDep,
    body: FormBody,
) -> Response:
    data, errors = validate_form(PhaseForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.update_phase(
                    db, actor=user, phase=phase, data=PhaseUpdate(**data.model_dump())
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The phase has been saved."))
            return redirect_303(request, _roadmap_url(initiative.id))
    return _phase_page(request, initiative, phase, form_values(body), errors, status_code=422)


@router.get("/initiatives/{initiative_id}/phases/{phase_id}/delete", dependencies=[EDIT])
def delete_phase_confirm(
    request: Request, user: CurrentUser, initiative: InitiativeDep, phase: PhaseDep
) -> Response:
    service.check_editable(actor=user, initiative=initiative)
    message = _("The phase “%(name)s” will be deleted.") % {"name": phase.name}
    if phase.milestones:
        count = len(phase.milestones)
        message += " " + ngettext(
            "Its milestone will be deleted with it.",
            "Its %(count)s milestones will be deleted with it.",
            count,
        ) % {"count": count}
    context = {
        "heading": _("Delete this phase?"),
        "message": message,
        "action": f"/initiatives/{initiative.id}/phases/{phase.id}/delete",
        "fields": {},
        "confirm_label": _("Delete the phase"),
        "cancel_url": _roadmap_url(initiative.id),
    }
    return render(request, "confirm.html", context)


@router.post("/initiatives/{initiative_id}/phases/{phase_id}/delete", dependencies=[EDIT])
def delete_phase(
    request: Request, db: DbSession, user: CurrentUser, initiative: InitiativeDep, phase: PhaseDep
) -> Response:
    service.delete_phase(db, actor=user, phase=phase)
    flash(request, _("The phase has been deleted."))
    return redirect_303(request, _roadmap_url(initiative.id))


# --- milestones ----------------------------------------------------------------------------------


def _milestone_page(
    request: Request,
    initiative: Initiative,
    phase: RoadmapPhase,
    milestone: Milestone | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "initiative": initiative,
        "phase": phase,
        "milestone": milestone,
        "statuses": i18n.choices(RoadmapStatus),
        "values": values,
        "errors": errors or {},
    }
    return render(request, "initiatives/milestone_form.html", context, status_code=status_code)


@router.get("/initiatives/{initiative_id}/phases/{phase_id}/milestones/new", dependencies=[EDIT])
def new_milestone_form(
    request: Request, user: CurrentUser, initiative: InitiativeDep, phase: PhaseDep
) -> Response:
    service.check_editable(actor=user, initiative=initiative)
    values = {
        "status": RoadmapStatus.PLANNED.value,
        "starts_on": phase.starts_on,
        "ends_on": phase.starts_on,
    }
    return _milestone_page(request, initiative, phase, None, values)


@router.post("/initiatives/{initiative_id}/phases/{phase_id}/milestones/new", dependencies=[EDIT])
def add_milestone(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    initiative: InitiativeDep,
    phase: PhaseDep,
    body: FormBody,
) -> Response:
    data, errors = validate_form(MilestoneForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.add_milestone(
                    db, actor=user, phase=phase, data=MilestoneCreate(**data.model_dump())
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The milestone has been added."))
            return redirect_303(request, _roadmap_url(initiative.id))
    return _milestone_page(
        request, initiative, phase, None, form_values(body), errors, status_code=422
    )


@router.get(
    "/initiatives/{initiative_id}/phases/{phase_id}/milestones/{milestone_id}/edit",
    dependencies=[EDIT],
)
def edit_milestone_form(
    request: Request,
    user: CurrentUser,
    initiative: InitiativeDep,
    phase: PhaseDep,
    milestone: MilestoneDep,
) -> Response:
    service.check_editable(actor=user, initiative=initiative)
    values = {name: getattr(milestone, name) for name in MilestoneForm.model_fields}
    return _milestone_page(request, initiative, phase, milestone, values)


@router.post(
    "/initiatives/{initiative_id}/phases/{phase_id}/milestones/{milestone_id}/edit",
    dependencies=[EDIT],
)
def edit_milestone(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    initiative: InitiativeDep,
    phase: PhaseDep,
    milestone: MilestoneDep,
    body: FormBody,
) -> Response:
    data, errors = validate_form(MilestoneForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.update_milestone(
                    db,
                    actor=user,
                    phase=phase,
                    milestone=milestone,
                    data=MilestoneUpdate(**data.model_dump()),
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The milestone has been saved."))
            return redirect_303(request, _roadmap_url(initiative.id))
    return _milestone_page(
        request, initiative, phase, milestone, form_values(body), errors, status_code=422
    )


@router.get(
    "/initiatives/{initiative_id}/phases/{phase_id}/milestones/{milestone_id}/delete",
    dependencies=[EDIT],
)
def delete_milestone_confirm(
    request: Request,
    user: CurrentUser,
    initiative: InitiativeDep,
    phase: PhaseDep,
    milestone: MilestoneDep,
) -> Response:
    service.check_editable(actor=user, initiative=initiative)
    context = {
        "heading": _("Delete this milestone?"),
        "message": _("The milestone “%(name)s” of the phase “%(phase)s” will be deleted.")
        % {"name": milestone.name, "phase": phase.name},
        "action": f"/initiatives/{initiative.id}/phases/{phase.id}/milestones/{milestone.id}/delete",
        "fields": {},
        "confirm_label": _("Delete the milestone"),
        "cancel_url": _roadmap_url(initiative.id),
    }
    return render(request, "confirm.html", context)


@router.post(
    "/initiatives/{initiative_id}/phases/{phase_id}/milestones/{milestone_id}/delete",
    dependencies=[EDIT],
)
def delete_milestone(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    initiative: InitiativeDep,
    phase: PhaseDep,
    milestone: MilestoneDep,
) -> Response:
    service.delete_milestone(db, actor=user, phase=phase, milestone=milestone)
    flash(request, _("The milestone has been deleted."))
    return redirect_303(request, _roadmap_url(initiative.id))
