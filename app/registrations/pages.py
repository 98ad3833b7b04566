"""Participant pages: the list, a registration, the decisions about it, its travel document,
a person's history, the check-in desk and the erasure of an event's personal data."""

import html
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from app import i18n, policy
from app.accounts.models import User
from app.delegations import service as delegation_service
from app.deps import (
    CsrfChecked,
    CurrentUser,
    DbSession,
    FormBody,
    Id,
    PageNumber,
    client_address,
    declare,
)
from app.errors import FieldError
from app.events.deps import EventDep
from app.events.models import Event
from app.forms import form_values, validate_form
from app.i18n import N_, _
from app.pagination import PerPage
from app.policy import Action
from app.registrations import service
from app.registrations.deps import RegistrationDep
from app.registrations.models import Category, Circle, Registration, RegistrationStatus, Sector
from app.registrations.schemas import (
    CheckInForm,
    DecisionForm,
    NeedsFields,
    ParticipantFilterForm,
    ParticipantForm,
    PersonFields,
    PlacementForm,
    ProfileForm,
    RegistrationCreate,
    TravelDocumentForm,
    TravelDocumentIn,
    doc_type_choices,
    language_choices,
)
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)

PER_PAGE = 50
LANGUAGE_LISTS = ("languages",)

# How the registration's history names what happened (audit actions).
HISTORY_LABELS = {
    "registration.create": N_("Added to the delegation"),
    "registration.registered": N_("Registered"),
    "registration.confirmed": N_("Confirmed"),
    "registration.waitlisted": N_("Put on the waiting list"),
    "registration.declined": N_("Declined"),
    "registration.cancelled": N_("Cancelled"),
    "registration.attended": N_("Checked in"),
    "registration.no_show": N_("Marked as no-show"),
    "registration.update": N_("Registration changed"),
    "registration.consents": N_("Consents recorded"),
    "person.update": N_("Personal details changed"),
    "document.update": N_("Travel document saved"),
    "document.reveal": N_("Travel document number revealed"),
}
SORTS = [
    ("name", N_("Name")), ("organisation", N_("Organisation")), ("status", N_("Status")),
    ("registered", N_("Registration date")),
]


def _choices() -> dict[str, Any]:
    """The options of the pages' lists, and the labels of the values they show."""
    circles = i18n.choices(Circle)
    categories = i18n.choices(Category)
    statuses = i18n.choices(RegistrationStatus)
    sectors = i18n.choices(Sector)
    doc_types = doc_type_choices()
    languages = language_choices(i18n.current_language())
    return {
        "circles": circles,
        "categories": categories,
        "statuses": statuses,
        "sectors": sectors,
        "doc_types": doc_types,
        "countries": i18n.countries(i18n.current_language()),
        "language_choices": languages,
        "circle_labels": dict(circles),
        "category_labels": dict(categories),
        "status_labels": dict(statuses),
        "sector_labels": dict(sectors),
        "doc_type_labels": dict(doc_types),
        "language_labels": dict(languages),
    }


def _url(event: Event, registration: Registration | None = None) -> str:
    base = f"/events/{event.id}/participants"
    return base if registration is None else f"{base}/{registration.id}"


# --- the list ------------------------------------------------------------------------------------


@router.get("/events/{event_id}/participants", dependencies=[declare(Action.PARTICIPANT_LIST)])
def list_page(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    event: EventDep,
    page: PageNumber = 1,
    per_page: PerPage = PER_PAGE,
    delegation_id: str | None = Query(None, max_length=12),
    circle: str | None = Query(None, max_length=40),
    category: str | None = Query(None, max_length=40),
    status: str | None = Query(None, max_length=40),
    q: str | None = Query(None, max_length=200),
    sort: str | None = Query(None, max_length=40),
) -> Response:
    values = {
        "delegation_id": delegation_id or "", "circle": circle or "", "category": category or "",
        "status": status or "", "q": q or "", "sort": sort or "",
    }
    filters, errors = validate_form(ParticipantFilterForm, values)
    chosen = filters or ParticipantFilterForm()
    found = service.list_lines_for_event(
        db, viewer=user, event=event, filters=service.ParticipantFilter(**chosen.model_dump()), page=page,
        per_page=per_page,
    )
    delegations = delegation_service.choices(db, viewer=user, event=event, action=Action.PARTICIPANT_LIST)
    query = {k: v for k, v in values.items() if v}
    choices = _choices()
    if per_page != PER_PAGE:
        query["per_page"] = str(per_page)
    context = {
        "event": event,
        "page": found.page,
        "query": query,
        "values": values,
        "errors": errors,
        "filtered": any(v for k, v in values.items() if k != "sort"),
        "counts": found.counts,
        "delegations": delegations,
        "delegation_options": [(d.id, d.name) for d in delegations],
        "can_add": any(policy.can(user, Action.PARTICIPANT_MANAGE, d) for d in delegations),
        "sorts": [(v, _(t)) for v, t in SORTS],
        **choices,
        "lines": _participant_lines(event, found.page.items, choices),
    }
    return render(request, "registrations/list.html", context, status_code=422 if errors else 200)


def _participant_lines(event: Event, lines: list[Any], choices: dict[str, Any]) -> Markup:
    """The participant list's table rows, from service.list_lines_for_event's rows
    (service.LINE_COLUMNS, in that order), as HTML for list.html to print.

    A list can show hundreds of lines. In a template, every printed value costs an attribute
    lookup and an escape call that makes a Markup object: with 11 values a line, more than the
    rest of the page. So the lines are written here, in one pass: every value from the database
    goes through `html.escape` (the five characters markupsafe escapes, without a Markup object
    per value), and what repeats from line to line (labels, days, delegation names) is escaped
    once. Each name is shown in the reader's script ("Family, Given", `service.sort_name`), the
    other spelling under it; every word of the page's own is translated.
    """
    circles, categories, statuses = (
        {value: html.escape(label) for value, label in choices[key].items()}  # keyed by the values
        for key in ("circle_labels", "category_labels", "status_labels")
    )
    badges = {value: html.escape(value) for value in statuses}
    no_document = f'<span class="muted">{html.escape(_("None"))}</span>'
    language = i18n.current_language()
    delegation_name = lru_cache(maxsize=None)(html.escape)  # a few for the whole list
    day = lru_cache(maxsize=None)(lambda value: html.escape(i18n.format_day(value)))
    href = f"/events/{event.id:d}/participants/"
    out = []
    for (
        id_, family_name, given_name, given_native, family_native, delegation, circle, category, organisation,
        status, hint, created_at,
    ) in lines:
        shown = service.sort_name(family_name, given_name, family_native, given_native, language)
        latin = f"{family_name}, {given_name}"
        other = ", ".join(part for part in (family_native, given_native) if part) if shown == latin else latin
        second = f'    <div class="muted small">{html.escape(other)}</div>\n' if other and other != shown else ""
        document = f'<span class="masked">•••••{html.escape(hint)}</span>' if hint else no_document
        out.append(f"""<tr class="participant">
  <td>
    <a href="{href}{id_:d}">{html.escape(shown)}</a>
{second}  </td>
  <td>{delegation_name(delegation)}</td>
  <td>{circles[circle]}</td>
  <td>{categories[category]}</td>
  <td>{html.escape(organisation)}</td>
  <td><span class="badge badge-{badges[status]}">{statuses[status]}</span></td>
  <td>{document}</td>
  <td>{day(created_at.date())}</td>
</tr>
""")
    return Markup("".join(out))  # noqa: S704  # nosec B704 - every value from the database escaped above


# --- add a participant ---------------------------------------------------------------------------


def _add_page(
    request: Request, db: DbSession, user: User, event: Event, values: dict[str, Any],
    errors: dict[str, list[str]] | None = None, status_code: int = 200,
) -> Response:
    context = {
        "event": event,
        "values": values,
        "errors": errors or {},
        "delegations": [
            (d.id, d.name)
            for d in delegation_service.choices(db, viewer=user, event=event, action=Action.PARTICIPANT_MANAGE)
        ],
        **_choices(),
    }
    return render(request, "registrations/new.html", context, status_code=status_code)


@router.get("/events/{event_id}/participants/new", dependencies=[declare(Action.PARTICIPANT_MANAGE)])
def new_form(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep,
    delegation_id: int | None = Query(None, ge=1, le=2**31 - 1),
) -> Response:
    service.check_addable(actor=user, event=event)
    values = {"delegation_id": delegation_id, "circle": "broader", "category": "civil_society", "sector": "civil_society"}
    return _add_page(request, db, user, event, values)


@router.post("/events/{event_id}/participants/new", dependencies=[declare(Action.PARTICIPANT_MANAGE)])
def create(request: Request, db: DbSession, user: CurrentUser, event: EventDep, body: FormBody) -> Response:
    data, errors = validate_form(ParticipantForm, body, lists=LANGUAGE_LISTS)
    if data is not None:
        try:
            with db.begin_nested():
                registration = service.add_to_event(
                    db, actor=user, event=event, data=RegistrationCreate(**data.model_dump())
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("%(name)s has been added.") % {"name": registration.person.display_name})
            return redirect_303(request, _url(event, registration))
    return _add_page(request, db, user, event, form_values(body, lists=LANGUAGE_LISTS), errors, status_code=422)


# --- one registration ----------------------------------------------------------------------------


def _detail_page(
    request: Request, db: DbSession, user: User, event: Event, registration: Registration,
    values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None, status_code: int = 200,
) -> Response:
    staff = policy.can(user, Action.REGISTRATION_DECIDE, registration)
    context = {
        "event": event,
        "registration": registration,
        "history": service.history(db, viewer=user, registration=registration) if staff else None,
        "history_labels": {k: _(v) for k, v in HISTORY_LABELS.items()},
        "approvable": {s.value for s in service.APPROVABLE},
        "declinable": {s.value for s in service.DECLINABLE},
        "cancellable": {s.value for s in service.CANCELLABLE},
        "values": values or {"circle": registration.circle.value, "category": registration.category.value},
        "errors": errors or {},
        **_choices(),
    }
    return render(request, "registrations/detail.html", context, status_code=status_code)


@router.get("/events/{event_id}/participants/{registration_id}", dependencies=[declare(Action.REGISTRATION_VIEW)])
def detail(request: Request, db: DbSession, user: CurrentUser, event: EventDep, registration: RegistrationDep) -> Response:
    return _detail_page(request, db, user, event, registration)


def _edit_page(
    request: Request, event: Event, registration: Registration, values: dict[str, Any],
    errors: dict[str, list[str]] | None = None, status_code: int = 200,
) -> Response:
    context = {"event": event, "registration": registration, "values": values, "errors": errors or {}, **_choices()}
    return render(request, "registrations/edit.html", context, status_code=status_code)


@router.get("/events/{event_id}/participants/{registration_id}/edit", dependencies=[declare(Action.REGISTRATION_EDIT)])
def edit_form(request: Request, user: CurrentUser, event: EventDep, registration: RegistrationDep) -> Response:
    service.check_editable(actor=user, registration=registration)
    values: dict[str, Any] = {name: getattr(registration.person, name) for name in PersonFields.model_fields}
    values |= {name: getattr(registration, name) for name in NeedsFields.model_fields}
    values["sector"] = registration.person.sector.value
    values["languages"] = [c for c in registration.languages.split(",") if c]
    values["email"] = registration.person.email
    return _edit_page(request, event, registration, values)


@router.post("/events/{event_id}/participants/{registration_id}/edit", dependencies=[declare(Action.REGISTRATION_EDIT)])
def edit(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, registration: RegistrationDep, body: FormBody
) -> Response:
    data, errors = validate_form(ProfileForm, body, lists=LANGUAGE_LISTS)
    if data is not None:
        try:
            with db.begin_nested():
                service.update_profile(
                    db, actor=user, registration=registration,
                    person=PersonFields(**data.model_dump(include=set(PersonFields.model_fields))),
                    needs=NeedsFields(**data.model_dump(include=set(NeedsFields.model_fields))),
                    email=data.email if "email" in body else ...,  # staff's form only
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The participant's details have been saved."))
            return redirect_303(request, _url(event, registration))
    return _edit_page(request, event, registration, form_values(body, lists=LANGUAGE_LISTS), errors, status_code=422)


@router.post(
    "/events/{event_id}/participants/{registration_id}/placement", dependencies=[declare(Action.REGISTRATION_DECIDE)]
)
def placement(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, registration: RegistrationDep, body: FormBody
) -> Response:
    data, errors = validate_form(PlacementForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.change_placement(
                    db, actor=user, registration=registration, circle=data.circle, category=data.category
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The circle and category have been saved."))
            return redirect_303(request, _url(event, registration))
    return _detail_page(request, db, user, event, registration, form_values(body), errors, status_code=422)


# --- decisions -----------------------------------------------------------------------------------


@router.post(
    "/events/{event_id}/participants/{registration_id}/approve", dependencies=[declare(Action.REGISTRATION_DECIDE)]
)
def approve(request: Request, db: DbSession, user: CurrentUser, event: EventDep, registration: RegistrationDep) -> Response:
    service.approve(db, actor=user, registration=registration)
    name = registration.person.display_name
    if registration.status == RegistrationStatus.CONFIRMED:
        flash(request, _("%(name)s is confirmed.") % {"name": name})
    else:
        flash(request, _("The circle is full: %(name)s is on the waiting list.") % {"name": name}, "warning")
    return redirect_303(request, _url(event, registration))


DECISIONS = {
    "decline": (RegistrationStatus.DECLINED, Action.REGISTRATION_DECIDE),
    "cancel": (RegistrationStatus.CANCELLED, Action.REGISTRATION_CANCEL),
}


def _decision_page(
    request: Request, event: Event, registration: Registration, kind: str, values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None, status_code: int = 200,
) -> Response:
    name = registration.person.display_name
    texts = {
        "decline": (_("Decline this registration?"), _("Decline"),
                    _("%(name)s will be told that their registration is declined, with your reason.") % {"name": name}),
        "cancel": (_("Cancel this registration?"), _("Cancel the registration"),
                   _("%(name)s will be told that their registration is cancelled, with your reason. "
                     "A place they held goes to the first one waiting.") % {"name": name}),
    }
    heading, confirm_label, message = texts[kind]
    context = {
        "event": event, "registration": registration, "kind": kind, "heading": heading,
        "confirm_label": confirm_label, "message": message, "values": values or {}, "errors": errors or {},
    }
    return render(request, "registrations/decision.html", context, status_code=status_code)


def _decide(
    request: Request, db: DbSession, user: User, event: Event, registration: Registration, body: FormBody, kind: str
) -> Response:
    data, errors = validate_form(DecisionForm, body)
    if data is not None:
        decide = service.decline if kind == "decline" else service.cancel
        try:
            with db.begin_nested():
                decide(db, actor=user, registration=registration, reason=data.reason)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            message = _("The registration has been declined.") if kind == "decline" else _("The registration has been cancelled.")
            flash(request, message)
            return redirect_303(request, _url(event, registration))
    return _decision_page(request, event, registration, kind, form_values(body), errors, status_code=422)


@router.get(
    "/events/{event_id}/participants/{registration_id}/decline", dependencies=[declare(Action.REGISTRATION_DECIDE)]
)
def decline_confirm(request: Request, user: CurrentUser, event: EventDep, registration: RegistrationDep) -> Response:
    service.check_decision(actor=user, registration=registration, status=RegistrationStatus.DECLINED)
    return _decision_page(request, event, registration, "decline")


@router.post(
    "/events/{event_id}/participants/{registration_id}/decline", dependencies=[declare(Action.REGISTRATION_DECIDE)]
)
def decline(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, registration: RegistrationDep, body: FormBody
) -> Response:
    return _decide(request, db, user, event, registration, body, "decline")


@router.get(
    "/events/{event_id}/participants/{registration_id}/cancel", dependencies=[declare(Action.REGISTRATION_CANCEL)]
)
def cancel_confirm(request: Request, user: CurrentUser, event: EventDep, registration: RegistrationDep) -> Response:
    service.check_decision(actor=user, registration=registration, status=RegistrationStatus.CANCELLED)
    return _decision_page(request, event, registration, "cancel")


@router.post(
    "/events/{event_id}/participants/{registration_id}/cancel", dependencies=[declare(Action.REGISTRATION_CANCEL)]
)
def cancel(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, registration: RegistrationDep, body: FormBody
) -> Response:
    return _decide(request, db, user, event, registration, body, "cancel")


# --- the travel document -------------------------------------------------------------------------


def _document_page(
    request: Request, event: Event, registration: Registration, values: dict[str, Any],
    errors: dict[str, list[str]] | None = None, status_code: int = 200,
) -> Response:
    context = {"event": event, "registration": registration, "values": values, "errors": errors or {}, **_choices()}
    return render(request, "registrations/document.html", context, status_code=status_code)


@router.get(
    "/events/{event_id}/participants/{registration_id}/document", dependencies=[declare(Action.REGISTRATION_EDIT)]
)
def document_form(request: Request, user: CurrentUser, event: EventDep, registration: RegistrationDep) -> Response:
    service.check_editable(actor=user, registration=registration)
    values = {
        "doc_type": registration.doc_type.value if registration.doc_type else "passport",
        "doc_issuing_country": registration.doc_issuing_country,
        "doc_nationality": registration.doc_nationality,
        "doc_expires_on": registration.doc_expires_on,
    }
    return _document_page(request, event, registration, values)


@router.post(
    "/events/{event_id}/participants/{registration_id}/document", dependencies=[declare(Action.REGISTRATION_EDIT)]
)
def document(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, registration: RegistrationDep, body: FormBody
) -> Response:
    data, errors = validate_form(TravelDocumentForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.set_travel_document(
                    db, actor=user, registration=registration, data=TravelDocumentIn(**data.model_dump())
                )
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The travel document has been saved."))
            return redirect_303(request, _url(event, registration))
    values = {k: v for k, v in form_values(body).items() if k != "doc_number"}  # never echoed back
    return _document_page(request, event, registration, values, errors, status_code=422)


@router.post(
    "/events/{event_id}/participants/{registration_id}/document/reveal",
    dependencies=[declare(Action.DOCUMENT_REVEAL)],
)
def reveal(request: Request, db: DbSession, user: CurrentUser, event: EventDep, registration: RegistrationDep) -> Response:
    number = service.reveal_document(db, actor=user, registration=registration, client=client_address(request))
    context = {"event": event, "registration": registration, "number": number}
    return render(request, "registrations/reveal.html", context)


# --- a person's history --------------------------------------------------------------------------


@router.get("/events/{event_id}/people/{person_id}", dependencies=[declare(Action.REGISTRATION_VIEW)])
def person_page(request: Request, db: DbSession, user: CurrentUser, event: EventDep, person_id: Id) -> Response:
    person, registrations = service.person_history(db, viewer=user, person_id=person_id, event=event)
    context = {"event": event, "person": person, "registrations": registrations}
    return render(request, "registrations/person.html", context)


# --- check-in ------------------------------------------------------------------------------------


@router.get("/events/{event_id}/check-in", dependencies=[declare(Action.CHECK_IN)])
def check_in_page(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, q: str | None = Query(None, max_length=200)
) -> Response:
    context = {
        "event": event,
        "q": q or "",
        "values": {"q": q or ""},
        "found": service.check_in_search(db, viewer=user, event=event, q=q or ""),
        "summaries": delegation_service.summaries(db, viewer=user, event=event, coordinators=False),
    }
    return render(request, "registrations/check_in.html", context)


@router.post("/events/{event_id}/check-in/{registration_id}", dependencies=[declare(Action.CHECK_IN)])
def check_in(
    request: Request, db: DbSession, user: CurrentUser, event: EventDep, registration: RegistrationDep, body: FormBody
) -> Response:
    data, errors = validate_form(CheckInForm, body)
    if data is None:
        raise FieldError("attended", _("Choose attended or no-show."))
    service.check_in(db, actor=user, registration=registration, attended=data.attended == "yes")
    name = registration.person.display_name
    if data.attended == "yes":
        flash(request, _("%(name)s is checked in.") % {"name": name})
    else:
        flash(request, _("%(name)s is marked as no-show.") % {"name": name})
    target = f"/events/{event.id}/check-in"
    if data.q:
        target += "?" + urlencode({"q": data.q})
    return redirect_303(request, target)


# --- erasing the event's personal data -----------------------------------------------------------


@router.get("/events/{event_id}/purge", dependencies=[declare(Action.EVENT_PURGE_PERSONAL_DATA)])
def purge_confirm(request: Request, user: CurrentUser, event: EventDep) -> Response:
    due_on = service.check_purge(actor=user, event=event)
    context = {"event": event, "due_on": due_on, "due": date.today() >= due_on}
    return render(request, "registrations/purge.html", context)


@router.post("/events/{event_id}/purge", dependencies=[declare(Action.EVENT_PURGE_PERSONAL_DATA)])
def purge(request: Request, db: DbSession, user: CurrentUser, event: EventDep) -> Response:
    count = service.purge_event(db, actor=user, event=event)
    flash(
        request,
        i18n.ngettext(
            "The personal data of %(num)s registration has been erased.",
            "The personal data of %(num)s registrations has been erased.",
            count,
        ) % {"num": count},
    )
    return redirect_303(request, _url(event))
