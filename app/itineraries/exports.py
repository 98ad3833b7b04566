"""An itinerary as files: iCalendar (download and private feed), a printed PDF (a page per day),
and a delegation's PDFs in one zip.

Every builder takes an `Itinerary` (app.itineraries.service) and returns bytes, built before the
response is sent. Calendar entries carry UIDs made of the session's (or crossing's) own id and
the registration's, the same on every fetch, and a SEQUENCE that grows with each change; a
cancelled session stays in the calendar as STATUS:CANCELLED.
"""

import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy.orm import Session

from app import audit, i18n
from app.accounts.models import User
from app.agenda.exports import base_url, vtimezone
from app.delegations.models import Delegation
from app.i18n import _
from app.itineraries import service
from app.itineraries.service import Entry, Itinerary

log = logging.getLogger(__name__)

PRODID = "-//Parley//Itinerary//EN"
ICS_TYPE = "text/calendar; charset=utf-8"
PDF_TYPE = "application/pdf"
ZIP_TYPE = "application/zip"
REFRESH = "PT1H"


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


def filename(itinerary: Itinerary, suffix: str) -> str:
    return f"itinerary-{itinerary.event.id}-{itinerary.registration.id}.{suffix}"


def description(entry: Entry) -> str:
    """The entry as plain text: where to meet, their role, the speakers. No internal notes."""
    lines: list[str] = []
    if entry.crossing is not None:
        c = entry.crossing
        if c.meeting is not None:
            lines.append(_("Meeting point: %(place)s, %(time)s") % {"place": c.meeting_point or "—", "time": f"{c.meeting:%H:%M}"})
        elif c.meeting_point:
            lines.append(_("Meeting point: %(place)s") % {"place": c.meeting_point})
        lines.append(_("Crossing at %(time)s: %(point)s") % {"time": f"{c.planned:%H:%M}", "point": c.point})
        return "\n".join(lines)
    if entry.role is not None:
        lines.append(_("Your role: %(role)s") % {"role": i18n.label(entry.role)})
    if entry.description.strip():
        lines.append(entry.description.strip())
    for speaker in entry.speakers:
        who = f"{speaker.name} ({speaker.affiliation})" if speaker.affiliation else speaker.name
        lines.append(_("%(role)s: %(name)s") % {"role": i18n.label(speaker.role), "name": who})
    if entry.chatham_house:
        lines.append(_("Held under the Chatham House Rule."))
    return "\n".join(lines)


def ics(itinerary: Itinerary) -> bytes:
    """The itinerary as one calendar: the event's VTIMEZONE, then one VEVENT an entry."""
    event = itinerary.event
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("%(event)s: my itinerary") % {"event": event.title})
    calendar.add("x-wr-timezone", event.timezone)
    calendar.add("x-published-ttl", REFRESH)  # how often a subscribed calendar app should look
    first = min([event.starts_on, *(d.date for d in itinerary.days)])
    last = max([event.ends_on, *(d.date for d in itinerary.days)])
    calendar.add_component(vtimezone(event.timezone, first.year - 1, last.year + 2))
    for entry in itinerary.entries:
        item = CalendarEvent()
        item.add("uid", entry.uid)
        item.add("dtstamp", entry.updated_at)
        item.add("created", entry.created_at)
        item.add("last-modified", entry.updated_at)
        item.add("sequence", entry.sequence)
        item.add("dtstart", entry.start)
        item.add("dtend", entry.end)
        item.add("summary", entry.title)
        item.add("location", entry.location)
        if text := description(entry):
            item.add("description", text)
        item.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        item.add("class", "PRIVATE")
        item.add("transp", "OPAQUE")
        calendar.add_component(item)
    return calendar.to_ical()


def pdf(itinerary: Itinerary, *, url_base: str | None = None) -> bytes:
    """The printed itinerary, a page per day, from templates/itineraries/print.html."""
    from app.pdf import render_pdf  # WeasyPrint loads only where a PDF is made
    from app.web import render_template

    html = render_template("itineraries/print.html", {"itinerary": itinerary, "event": itinerary.event})
    return render_pdf(html, url_base or base_url())


def empty_ics() -> Export:
    """The calendar of someone with no registration: no events."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("My itinerary"))
    return Export(calendar.to_ical(), ICS_TYPE, "itinerary.ics")


def empty_pdf() -> Export:
    """The printed itinerary of someone with no registration: a page that says so."""
    from app.pdf import render_pdf
    from app.web import render_template

    html = render_template("itineraries/print.html", {"itinerary": None, "event": None})
    return Export(render_pdf(html, base_url()), PDF_TYPE, "itinerary.pdf")


def ics_export(itinerary: Itinerary) -> Export:
    return Export(ics(itinerary), ICS_TYPE, filename(itinerary, "ics"))


def pdf_export(itinerary: Itinerary) -> Export:
    return Export(pdf(itinerary), PDF_TYPE, filename(itinerary, "pdf"))


def delegation_zip(db: Session, *, viewer: User, delegation: Delegation, client: str | None = None) -> Export:
    """One PDF itinerary per confirmed person of the delegation, in one zip (written to the
    audit log: it names the people)."""
    itineraries = service.for_delegation(db, viewer=viewer, delegation=delegation)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for itinerary in itineraries:
            name = _slug(itinerary.registration.person.full_name) or "participant"
            archive.writestr(f"{itinerary.registration.id:05d}-{name}.pdf", pdf(itinerary))
    audit.record(db, viewer, "itinerary.export_zip", delegation, client=client, count=len(itineraries))
    log.info("itineraries of delegation %s exported by %s: %s", delegation.id, viewer.id, len(itineraries))
    return Export(buffer.getvalue(), ZIP_TYPE, f"itineraries-{delegation.event_id}-{delegation.id}.zip")
