"""The programme for everyone who may see the event: the page, the calendar and the exports.

Public for a public event (EVENT_VIEW), a 404 for an event the viewer may not see; the internal
sessions appear only for viewers who may see the whole agenda (AGENDA_VIEW).
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.agenda import exports
from app.agenda import programme as programmes
from app.deps import DbSession, OptionalUser, WritesOnRead, client_address, declare
from app.events.deps import EventDep
from app.policy import Action
from app.web import render

router = APIRouter(include_in_schema=False)

VIEW = declare(Action.EVENT_VIEW)


@router.get("/events/{event_id}/programme", dependencies=[VIEW])
def programme_page(request: Request, db: DbSession, user: OptionalUser, event: EventDep) -> Response:
    programme = programmes.for_viewer(db, viewer=user, event=event)
    context = {
        "event": event,
        "programme": programme,
        "json_ld": exports.script_json(exports.json_ld(programme)),
    }
    return render(request, "agenda/programme.html", context, private=False)


def _file(request: Request, db: DbSession, user: OptionalUser, event: EventDep, fmt: exports.Format) -> Response:
    export = exports.export(db, viewer=user, event=event, fmt=fmt, client=client_address(request))
    disposition = "attachment" if fmt in (exports.Format.ICS, exports.Format.PDF) else "inline"
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{export.filename}"'},
    )


@router.get("/events/{event_id}/agenda.ics", dependencies=[WritesOnRead, VIEW])
def agenda_ics(request: Request, db: DbSession, user: OptionalUser, event: EventDep) -> Response:
    """The programme as an iCalendar feed (RFC 5545) that calendar apps can subscribe to."""
    return _file(request, db, user, event, exports.Format.ICS)


@router.get("/events/{event_id}/schedule.json", dependencies=[WritesOnRead, VIEW])
def schedule_json(request: Request, db: DbSession, user: OptionalUser, event: EventDep) -> Response:
    """The frab-compatible schedule JSON that conference apps read."""
    return _file(request, db, user, event, exports.Format.JSON)


@router.get("/events/{event_id}/schedule.xml", dependencies=[WritesOnRead, VIEW])
def schedule_xml(request: Request, db: DbSession, user: OptionalUser, event: EventDep) -> Response:
    """The frab-compatible schedule XML that conference apps read."""
    return _file(request, db, user, event, exports.Format.XML)


@router.get("/events/{event_id}/programme.pdf", dependencies=[WritesOnRead, VIEW])
def programme_pdf(request: Request, db: DbSession, user: OptionalUser, event: EventDep) -> Response:
    """The printable programme."""
    return _file(request, db, user, event, exports.Format.PDF)
