"""Itinerary pages: "My itinerary" for the delegate (phone-first page, PDF, iCalendar, and the
private subscription address shown once), the public feed the address names, and any itinerary
in their scope for organisers and coordinators, with a delegation's PDFs in one zip."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app import i18n
from app.agenda.exports import base_url
from app.db import utcnow
from app.delegations.deps import DelegationDep
from app.deps import (
    PUBLIC,
    CsrfChecked,
    CurrentUser,
    DbSession,
    FormBody,
    WritesOnRead,
    client_address,
    declare,
)
from app.errors import NotFound
from app.forms import validate_form
from app.i18n import _
from app.itineraries import exports, service
from app.itineraries.deps import OwnItineraryDep
from app.itineraries.schemas import FeedForm
from app.itineraries.service import TOKEN_MAX, Itinerary
from app.policy import Action
from app.registrations.deps import RegistrationDep
from app.registrations.models import Registration
from app.web import flash, redirect_303, render

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)
VIEW = declare(Action.REGISTRATION_VIEW)
EDIT = declare(Action.REGISTRATION_EDIT)
LIST = declare(Action.PARTICIPANT_LIST)
Token = Annotated[str, Path(max_length=TOKEN_MAX)]
OWN_URL = "/me/itinerary"


def _file(export: exports.Export, *, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{export.filename}"', "Cache-Control": "no-store"},
    )


def _own_url(registration: Registration, suffix: str = "") -> str:
    return f"{OWN_URL}{suffix}?registration_id={registration.id}"


def feed_url(token: str) -> str:
    return f"{base_url()}/feeds/itinerary/{token}.ics"


def _page(request: Request, itinerary: Itinerary, context: dict[str, object]) -> Response:
    return render(request, "itineraries/detail.html", {"itinerary": itinerary, "event": itinerary.event,
                                                       "registration": itinerary.registration, **context})


# --- the delegate's own ---------------------------------------------------------------------------------


@router.get(OWN_URL, dependencies=[WritesOnRead, VIEW], name="itineraries:own")
def own_page(request: Request, db: DbSession, user: CurrentUser, own: OwnItineraryDep) -> Response:
    """The person's itinerary; what changed since they last looked is marked, once."""
    if own.registration is None:
        return render(request, "itineraries/none.html")
    itinerary = service.for_registration(db, viewer=user, registration=own.registration)
    feed = service.active_feed(db, registration=own.registration)
    # The UPDATE only when there is something to mark (a declined or cancelled registration's
    # itinerary lists no changes, but they are marked all the same).
    if itinerary.changes or itinerary.explanation:
        service.mark_seen(db, viewer=user, registration=own.registration)
    return _page(request, itinerary, {"own": True, "choices": own.choices, "feed": feed,
                                      "pdf_url": _own_url(own.registration, ".pdf"),
                                      "ics_url": _own_url(own.registration, ".ics")})


@router.get(OWN_URL + ".pdf", dependencies=[VIEW], name="itineraries:own_pdf")
def own_pdf(db: DbSession, user: CurrentUser, own: OwnItineraryDep) -> Response:
    if own.registration is None:
        return _file(exports.empty_pdf())
    itinerary = service.for_registration(db, viewer=user, registration=own.registration)
    return _file(exports.pdf_export(itinerary))


@router.get(OWN_URL + ".ics", dependencies=[VIEW], name="itineraries:own_ics")
def own_ics(db: DbSession, user: CurrentUser, own: OwnItineraryDep) -> Response:
    if own.registration is None:
        return _file(exports.empty_ics())
    itinerary = service.for_registration(db, viewer=user, registration=own.registration)
    return _file(exports.ics_export(itinerary))


def _form_registration(db: DbSession, user: CurrentUser, body: FormBody) -> Registration:
    data, _errors = validate_form(FeedForm, body)
    if data is None:
        raise NotFound()
    registrations = service.own_registrations(db, user=user)
    return service.choose(registrations, registration_id=data.registration_id, today=utcnow().date())


@router.post(OWN_URL + "/feed", dependencies=[EDIT], name="itineraries:feed_create")
def create_feed(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    """A new subscription address, shown on this page only; an earlier one stops working."""
    registration = _form_registration(db, user, body)
    token = service.create_feed(db, actor=user, registration=registration)
    return render(request, "itineraries/feed.html", {"registration": registration, "event": registration.event,
                                                     "feed_url": feed_url(token),
                                                     "back_url": _own_url(registration)})


@router.post(OWN_URL + "/feed/revoke", dependencies=[EDIT], name="itineraries:feed_revoke")
def revoke_feed(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    registration = _form_registration(db, user, body)
    service.revoke_feed(db, actor=user, registration=registration)
    flash(request, _("The subscription address no longer works. Calendars subscribed to it stop updating."))
    return redirect_303(request, _own_url(registration))


@router.get("/feeds/itinerary/{token}.ics", dependencies=[declare(PUBLIC)], name="itineraries:feed")
def feed(db: DbSession, token: Token) -> Response:
    """The private calendar feed: the current itinerary of the token's registration, in the
    language its person chose for their account (else the calendar app's); a revoked, renewed or
    unknown token is a 404."""
    registration = service.registration_for_token(db, token=token)
    with i18n.use_language(service.feed_language(db, registration=registration)):
        export = exports.ics_export(service.build(db, registration=registration, with_changes=False))
    return _file(export, inline=True)


# --- organisers and coordinators -------------------------------------------------------------------------

STAFF_URL = "/events/{event_id}/participants/{registration_id}/itinerary"


@router.get(STAFF_URL, dependencies=[VIEW], name="itineraries:staff")
def staff(request: Request, db: DbSession, user: CurrentUser, registration: RegistrationDep) -> Response:
    itinerary = service.for_registration(db, viewer=user, registration=registration)
    base = STAFF_URL.format(event_id=registration.event_id, registration_id=registration.id)
    return _page(request, itinerary, {"own": False, "choices": [], "feed": None,
                                      "pdf_url": base + ".pdf", "ics_url": None})


@router.get(STAFF_URL + ".pdf", dependencies=[VIEW], name="itineraries:staff_pdf")
def staff_pdf(db: DbSession, user: CurrentUser, registration: RegistrationDep) -> Response:
    itinerary = service.for_registration(db, viewer=user, registration=registration)
    return _file(exports.pdf_export(itinerary))


@router.get(
    "/events/{event_id}/delegations/{delegation_id}/itineraries.zip",
    dependencies=[WritesOnRead, LIST],
    name="itineraries:delegation_zip",
)
def delegation_zip(request: Request, db: DbSession, user: CurrentUser, delegation: DelegationDep) -> Response:
    """Every confirmed person's itinerary as a PDF, in one zip (audited)."""
    return _file(exports.delegation_zip(db, viewer=user, delegation=delegation, client=client_address(request)))
