"""Crossing pages: the event's board, a crossing with its vehicles, manifest and checklist, and
the forms that prepare, submit and record it.

Every POST checks the permission (and that the event is open) before it reads the form, so an
unauthorised post is a 403/404, never a 422. The export links on the detail page
(manifest.csv/.pdf, seating.pdf) are served by app.crossings.downloads.
"""

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app import i18n, policy
from app.accounts.models import User
from app.crossings import service
from app.crossings.deps import CrossingDep, EntryDep, StepDep, VehicleDep
from app.crossings.models import (
    Crossing,
    CrossingDirection,
    ManifestEntry,
    ManifestStatus,
    ProcedureStep,
    Vehicle,
)
from app.crossings.schemas import (
    AddPersonForm,
    CompleteForm,
    CrossingForm,
    EntryStatusForm,
    EntryVehicleForm,
    NotesForm,
    StayingForm,
    VehicleForm,
    VehicleIn,
)
from app.deps import CsrfChecked, CurrentUser, DbSession, FormBody, declare
from app.errors import Conflict, FieldError
from app.events.deps import EventDep
from app.events.models import Event
from app.forms import form_values, validate_form
from app.i18n import _, ngettext
from app.policy import Action
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

VIEW = declare(Action.CROSSING_VIEW)
MANAGE = declare(Action.CROSSING_MANAGE)
DECIDE = declare(Action.CROSSING_DECIDE)
BOARD = "/events/{event_id}/crossings"
ONE = BOARD + "/{crossing_id}"

# Where the service's errors show on the crossing form (it speaks of moments, the form of a day
# and clock times).
FORM_FIELD = {"planned_at": "day", "meeting_at": "meeting_day", "actual_at": "actual_day"}


def _board_url(event: Event) -> str:
    return f"/events/{event.id}/crossings"


def _url(crossing: Crossing) -> str:
    return f"/events/{crossing.event_id}/crossings/{crossing.id}"


def _errors(exc: FieldError, known: set[str]) -> dict[str, list[str]]:
    name = FORM_FIELD.get(exc.field, exc.field)
    return {name if name in known else "__all__": [exc.message]}


def _common(event: Event) -> dict[str, Any]:
    """What every crossing template reads: the event's clock and the labels of values."""
    return {
        "event": event,
        "local": partial(service.local, event),
        "when": partial(service.when, event),
        "tz_name": event.timezone.replace("_", " "),
        "side_labels": {"host": _("Host side"), "visiting": _("Visiting side"), "both": _("Both sides")},
    }


# --- the board -----------------------------------------------------------------------------------


@router.get(BOARD, dependencies=[VIEW])
def board(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    """Every crossing of the event the viewer may see, with counts, open problems and overdue
    steps, and the reconciliation of each delegation's departures against its arrivals."""
    found = service.board(db, viewer=user, event=event)
    context = {**_common(event), "board": found, "can_create": _may_create(user, event)}
    return render(request, "crossings/board.html", context)


def _may_create(user: User, event: Event) -> bool:
    return event.status != "archived" and policy.can(user, Action.CROSSING_MANAGE, event)


# --- create and edit -----------------------------------------------------------------------------


def _form_page(
    request: Request, db: DbSession, user: User, event: Event, crossing: Crossing | None, values: dict[str, Any],
    errors: dict[str, list[str]] | None = None, status_code: int = 200,
) -> Response:
    choices = service.choices(db, viewer=user, event=event, current=crossing.crossing_point if crossing else None)
    context = {
        **_common(event),
        "crossing": crossing,
        "values": values,
        "errors": errors or {},
        "notes_only": crossing is not None and crossing.status == "completed",
        "draft": crossing is None or crossing.status == "draft",
        "delegation_options": [(d.id, d.name) for d in choices.delegations],
        "point_options": [(p.id, p.label) for p in choices.points],
        "directions": i18n.choices(CrossingDirection),
    }
    return render(request, "crossings/form.html", context, status_code=status_code)


@router.get(BOARD + "/new", dependencies=[MANAGE])
def new_form(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    service.check_manageable(actor=user, obj=event)
    values = {"direction": CrossingDirection.ARRIVAL.value, "day": event.starts_on.isoformat(), "time": "08:00"}
    return _form_page(request, db, user, event, None, values)


@router.post(BOARD + "/new", dependencies=[MANAGE])
def create(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    service.check_manageable(actor=user, obj=event)
    values = form_values(body)
    data, errors = validate_form(CrossingForm, values)
    if data is not None and data.delegation_id is None:
        errors = {"delegation_id": [_("Choose a delegation.")]}
    elif data is not None:
        try:
            with db.begin_nested():
                crossing = service.create(db, actor=user, event=event, data=data.to_input(event.timezone))
        except FieldError as exc:
            errors = _errors(exc, set(CrossingForm.model_fields))
        else:
            flash(request, _("The crossing has been created, with its checklist. Now add the people and vehicles."))
            return redirect_303(request, _url(crossing))
    return _form_page(request, db, user, event, None, values, errors, status_code=422)


def _values_of(event: Event, crossing: Crossing) -> dict[str, Any]:
    planned = service.local(event, crossing.planned_at)
    meeting = service.local(event, crossing.meeting_at) if crossing.meeting_at else None
    return {
        "crossing_point_id": crossing.crossing_point_id, "direction": crossing.direction.value,
        "day": planned.date().isoformat(), "time": f"{planned:%H:%M}",
        "meeting_day": meeting.date().isoformat() if meeting else "", "meeting_time": f"{meeting:%H:%M}" if meeting else "",
        "meeting_point": crossing.meeting_point, "host_escort": crossing.host_escort,
        "host_contact": crossing.host_contact, "visiting_escort": crossing.visiting_escort,
        "visiting_contact": crossing.visiting_contact, "notes": crossing.notes,
    }


@router.get(ONE + "/edit", dependencies=[MANAGE])
def edit_form(request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    return _form_page(request, db, user, event, crossing, _values_of(event, crossing))


@router.post(ONE + "/edit", dependencies=[MANAGE])
def edit(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    values = form_values(body)
    changes: dict[str, Any] | None = None
    status_code = 422
    if crossing.status == "completed":
        notes, errors = validate_form(NotesForm, values)
        changes = {"notes": notes.notes} if notes is not None else None
        known = set(NotesForm.model_fields)
    else:
        data, errors = validate_form(CrossingForm, values)
        changes = data.to_changes(event.timezone) if data is not None else None
        known = set(CrossingForm.model_fields)
    if changes is not None:
        try:
            with db.begin_nested():
                service.update(db, actor=user, crossing=crossing, changes=changes)
        except FieldError as exc:
            errors = _errors(exc, known)
        except Conflict as exc:
            errors, status_code = {"__all__": [exc.message]}, exc.status_code
        else:
            flash(request, _("The crossing has been saved."))
            return redirect_303(request, _url(crossing))
    return _form_page(request, db, user, event, crossing, values, errors, status_code=status_code)


@router.get(ONE + "/delete", dependencies=[MANAGE])
def delete_confirm(request: Request, user: CurrentUser, crossing: CrossingDep) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    if crossing.status != "draft":
        flash(request, _("Only a draft crossing can be deleted: this one has been submitted."), "error")
        return redirect_303(request, _url(crossing))
    context = {
        "heading": _("Delete this crossing?"),
        "message": _("“%(crossing)s” will be removed with its manifest, vehicles and checklist.")
        % {"crossing": service.label(crossing)},
        "action": _url(crossing) + "/delete",
        "fields": {},
        "confirm_label": _("Delete the crossing"),
        "cancel_url": _url(crossing),
    }
    return render(request, "confirm.html", context)


@router.post(ONE + "/delete", dependencies=[MANAGE])
def delete(request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep) -> Response:
    service.delete(db, actor=user, crossing=crossing)
    flash(request, _("The crossing has been deleted."))
    return redirect_303(request, _board_url(event))


# --- one crossing --------------------------------------------------------------------------------


def _detail_page(
    request: Request, db: DbSession, user: User, event: Event, crossing: Crossing,
    values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
    refused: list[service.Problem] | None = None, status_code: int = 200,
) -> Response:
    found = service.detail(db, viewer=user, crossing=crossing)
    open_event = event.status != "archived"
    manage = open_event and service.may_manage(user, event, crossing.delegation)
    context = {
        **_common(event),
        "crossing": crossing,
        "detail": found,
        "summary": found.summary,
        "url": _url(crossing),
        "editable": manage,
        "manage": manage and crossing.status != "completed",
        "manifest_open": manage and crossing.status == "draft",
        "staying_open": manage and crossing.direction == CrossingDirection.ARRIVAL,
        "decide": open_event and _may_decide(user, crossing),
        "values": values or {},
        "errors": errors or {},
        "refused": refused or [],
        "entry_statuses": i18n.choices(ManifestStatus),
    }
    return render(request, "crossings/detail.html", context, status_code=status_code)


def _may_decide(user: User, crossing: Crossing) -> bool:
    return policy.can(user, Action.CROSSING_DECIDE, crossing)


@router.get(ONE, dependencies=[VIEW])
def detail(request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep) -> Response:
    return _detail_page(request, db, user, event, crossing)


def _done(request: Request, crossing: Crossing, message: str, anchor: str = "", category: str = "success") -> Response:
    flash(request, message, category)
    return redirect_303(request, _url(crossing) + anchor)


def _conflict(request: Request, crossing: Crossing, exc: Conflict, anchor: str = "") -> Response:
    return _done(request, crossing, exc.message, anchor, "error")


# --- the workflow --------------------------------------------------------------------------------


@router.post(ONE + "/submit", dependencies=[MANAGE])
def submit(request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    try:
        with db.begin_nested():
            service.submit(db, actor=user, crossing=crossing)
    except service.ManifestProblems as exc:
        return _detail_page(request, db, user, event, crossing, refused=exc.problems, status_code=409)
    except Conflict as exc:
        return _conflict(request, crossing, exc)
    return _done(request, crossing, _("The manifest has been submitted."))


@router.post(ONE + "/clear", dependencies=[DECIDE])
def clear(request: Request, db: DbSession, user: CurrentUser, crossing: CrossingDep) -> Response:
    service.check_decidable(actor=user, crossing=crossing)
    try:
        with db.begin_nested():
            service.clear(db, actor=user, crossing=crossing)
    except Conflict as exc:
        return _conflict(request, crossing, exc)
    return _done(request, crossing, _("The crossing has been marked as cleared."))


@router.post(ONE + "/complete", dependencies=[DECIDE])
def complete(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep, body: FormBody
) -> Response:
    service.check_decidable(actor=user, crossing=crossing)
    values = form_values(body)
    data, errors = validate_form(CompleteForm, values)
    if data is not None:
        try:
            with db.begin_nested():
                service.complete(db, actor=user, crossing=crossing, actual_at=data.actual_at(event.timezone))
        except FieldError as exc:
            errors = _errors(exc, set(CompleteForm.model_fields))
        except Conflict as exc:
            return _conflict(request, crossing, exc)
        else:
            return _done(request, crossing, _("The crossing has been marked as completed."))
    return _detail_page(request, db, user, event, crossing, values, errors, status_code=422)


# --- vehicles ------------------------------------------------------------------------------------


@router.post(ONE + "/vehicles/new", dependencies=[MANAGE])
def add_vehicle(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    values = form_values(body)
    data, errors = validate_form(VehicleForm, values)
    if data is not None:
        try:
            with db.begin_nested():
                vehicle = service.add_vehicle(
                    db, actor=user, crossing=crossing, data=VehicleIn(**data.model_dump())
                )
        except FieldError as exc:
            errors = exc.as_errors()
        except Conflict as exc:
            return _conflict(request, crossing, exc)
        else:
            return _done(request, crossing, _("The vehicle “%(label)s” has been added.") % {"label": vehicle.label}, "#vehicles")
    return _detail_page(request, db, user, event, crossing, values, errors, status_code=422)


def _vehicle_page(
    request: Request, event: Event, crossing: Crossing, vehicle: Vehicle, values: dict[str, Any],
    errors: dict[str, list[str]] | None = None, status_code: int = 200,
) -> Response:
    context = {**_common(event), "crossing": crossing, "vehicle": vehicle, "values": values, "errors": errors or {},
               "title": service.label(crossing)}
    return render(request, "crossings/vehicle_form.html", context, status_code=status_code)


@router.get(ONE + "/vehicles/{vehicle_id}/edit", dependencies=[MANAGE])
def edit_vehicle_form(
    request: Request, user: CurrentUser, event: EventDep, crossing: CrossingDep, vehicle: VehicleDep
) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    values = {name: getattr(vehicle, name) for name in service.VEHICLE_FIELDS}
    return _vehicle_page(request, event, crossing, vehicle, values)


@router.post(ONE + "/vehicles/{vehicle_id}/edit", dependencies=[MANAGE])
def edit_vehicle(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep, vehicle: VehicleDep,
    body: FormBody,
) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    values = form_values(body)
    data, errors = validate_form(VehicleForm, values)
    if data is not None:
        try:
            with db.begin_nested():
                service.update_vehicle(db, actor=user, vehicle=vehicle, changes=data.model_dump())
        except FieldError as exc:
            errors = exc.as_errors()
        except Conflict as exc:
            return _conflict(request, crossing, exc)
        else:
            return _done(request, crossing, _("The vehicle has been saved."), "#vehicles")
    return _vehicle_page(request, event, crossing, vehicle, values, errors, status_code=422)


@router.get(ONE + "/vehicles/{vehicle_id}/remove", dependencies=[MANAGE])
def remove_vehicle_confirm(request: Request, user: CurrentUser, crossing: CrossingDep, vehicle: VehicleDep) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    context = {
        "heading": _("Remove this vehicle?"),
        "message": _("“%(label)s” (%(plate)s) will be removed; the people seated in it will need another seat.")
        % {"label": vehicle.label, "plate": vehicle.plate},
        "action": f"{_url(crossing)}/vehicles/{vehicle.id}/remove",
        "fields": {},
        "confirm_label": _("Remove the vehicle"),
        "cancel_url": _url(crossing) + "#vehicles",
    }
    return render(request, "confirm.html", context)


@router.post(ONE + "/vehicles/{vehicle_id}/remove", dependencies=[MANAGE])
def remove_vehicle(request: Request, db: DbSession, user: CurrentUser, crossing: CrossingDep, vehicle: VehicleDep) -> Response:
    label = vehicle.label
    try:
        with db.begin_nested():
            service.remove_vehicle(db, actor=user, vehicle=vehicle)
    except Conflict as exc:
        return _conflict(request, crossing, exc)
    return _done(request, crossing, _("The vehicle “%(label)s” has been removed.") % {"label": label}, "#vehicles")


# --- the manifest --------------------------------------------------------------------------------


@router.post(ONE + "/manifest/add", dependencies=[MANAGE])
def add_person(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep, body: FormBody
) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    values = form_values(body)
    data, errors = validate_form(AddPersonForm, values)
    if data is not None:
        try:
            with db.begin_nested():
                entry = service.add_entry(db, actor=user, crossing=crossing, registration_id=data.registration_id)
        except FieldError as exc:
            errors = exc.as_errors()
        except Conflict as exc:
            return _conflict(request, crossing, exc)
        else:
            message = _("%(name)s has been added to the manifest.") % {"name": entry.registration.person.full_name}
            return _done(request, crossing, message, "#manifest")
    return _detail_page(request, db, user, event, crossing, values, errors, status_code=422)


@router.post(ONE + "/manifest/add-all", dependencies=[MANAGE])
def add_all(request: Request, db: DbSession, user: CurrentUser, crossing: CrossingDep) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    try:
        with db.begin_nested():
            added = service.add_all_confirmed(db, actor=user, crossing=crossing)
    except Conflict as exc:
        return _conflict(request, crossing, exc)
    if not added:
        return _done(request, crossing, _("Everyone confirmed is on the manifest already."), "#manifest")
    message = ngettext(
        "%(n)s confirmed participant has been added to the manifest.",
        "%(n)s confirmed participants have been added to the manifest.",
        len(added),
    ) % {"n": len(added)}
    return _done(request, crossing, message, "#manifest")


def _entry_form(
    request: Request, db: DbSession, user: User, event: Event, crossing: Crossing, entry: ManifestEntry, form: type,
    body: FormBody, change: str,
) -> Response:
    """A change of one person on the manifest; errors show beside the person."""
    service.check_manageable(actor=user, obj=crossing)
    values = form_values(body)
    data, errors = validate_form(form, values)
    if data is not None:
        try:
            with db.begin_nested():
                service.update_entry(db, actor=user, entry=entry, changes={change: getattr(data, change)})
        except FieldError as exc:
            errors = {exc.field: [exc.message]}
        except Conflict as exc:
            return _conflict(request, crossing, exc, "#manifest")
        else:
            return _done(request, crossing, _("%(name)s: saved.") % {"name": entry.registration.person.full_name},
                         f"#entry-{entry.id}")
    messages = [m for ms in errors.values() for m in ms]
    return _detail_page(request, db, user, event, crossing, {}, {f"entry-{entry.id}": messages}, status_code=422)


@router.post(ONE + "/manifest/{entry_id}/status", dependencies=[MANAGE])
def entry_status(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep, entry: EntryDep,
    body: FormBody,
) -> Response:
    return _entry_form(request, db, user, event, crossing, entry, EntryStatusForm, body, "status")


@router.post(ONE + "/manifest/{entry_id}/vehicle", dependencies=[MANAGE])
def entry_vehicle(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep, entry: EntryDep,
    body: FormBody,
) -> Response:
    return _entry_form(request, db, user, event, crossing, entry, EntryVehicleForm, body, "vehicle_id")


@router.post(ONE + "/manifest/{entry_id}/staying", dependencies=[MANAGE])
def entry_staying(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, crossing: CrossingDep, entry: EntryDep,
    body: FormBody,
) -> Response:
    return _entry_form(request, db, user, event, crossing, entry, StayingForm, body, "staying_reason")


@router.get(ONE + "/manifest/{entry_id}/remove", dependencies=[MANAGE])
def remove_person_confirm(request: Request, user: CurrentUser, crossing: CrossingDep, entry: EntryDep) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    context = {
        "heading": _("Remove this person from the manifest?"),
        "message": _("%(name)s will no longer be on the manifest of “%(crossing)s”.")
        % {"name": entry.registration.person.full_name, "crossing": service.label(crossing)},
        "action": f"{_url(crossing)}/manifest/{entry.id}/remove",
        "fields": {},
        "confirm_label": _("Remove from the manifest"),
        "cancel_url": _url(crossing) + "#manifest",
    }
    return render(request, "confirm.html", context)


@router.post(ONE + "/manifest/{entry_id}/remove", dependencies=[MANAGE])
def remove_person(request: Request, db: DbSession, user: CurrentUser, crossing: CrossingDep, entry: EntryDep) -> Response:
    name = entry.registration.person.full_name
    try:
        with db.begin_nested():
            service.remove_entry(db, actor=user, entry=entry)
    except Conflict as exc:
        return _conflict(request, crossing, exc, "#manifest")
    return _done(request, crossing, _("%(name)s has been removed from the manifest.") % {"name": name}, "#manifest")


# --- the checklist -------------------------------------------------------------------------------


def _step(request: Request, db: DbSession, user: User, crossing: Crossing, step: ProcedureStep, done: bool) -> Response:
    service.check_manageable(actor=user, obj=crossing)
    try:
        with db.begin_nested():
            service.set_step_done(db, actor=user, step=step, done=done)
    except Conflict as exc:
        return _conflict(request, crossing, exc, "#checklist")
    message = _("“%(title)s” is done.") if done else _("“%(title)s” is marked as not done.")
    return _done(request, crossing, message % {"title": step.title}, f"#step-{step.id}")


@router.post(ONE + "/steps/{step_id}/done", dependencies=[MANAGE])
def step_done(request: Request, db: DbSession, user: CurrentUser, crossing: CrossingDep, step: StepDep) -> Response:
    return _step(request, db, user, crossing, step, True)


@router.post(ONE + "/steps/{step_id}/undone", dependencies=[MANAGE])
def step_undone(request: Request, db: DbSession, user: CurrentUser, crossing: CrossingDep, step: StepDep) -> Response:
    return _step(request, db, user, crossing, step, False)
