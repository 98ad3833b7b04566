"""The programme as files: iCalendar, the frab schedule (JSON and XML), a printed PDF, JSON-LD.

Every builder takes a `Programme` (app.agenda.programme: what the viewer may read, loaded in a
few queries) and returns bytes, built before the response is sent. Calendar entries keep the
session's UID for its whole life and carry its SEQUENCE, so calendar apps update them in place;
a cancelled session stays in the calendar as STATUS:CANCELLED. The frab schedule is what
conference apps (Giggity, ConfClerk, EventFahrplan) read; it leaves cancelled sessions out.

Languages: the calendar, the PDF and JSON-LD give titles and descriptions in the reader's language
(translated where the session has a translation); the frab schedule, which has one language per
talk, keeps them as the organiser wrote them.
"""

import json
import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from icalendar import Calendar, Timezone
from icalendar import Event as CalendarEvent
from lxml import etree
from markupsafe import Markup
from sqlalchemy.orm import Session

from app import audit, i18n
from app.accounts.models import User
from app.agenda import programme as programmes
from app.agenda.programme import Day, Item, Programme, Room
from app.config import get_settings
from app.events.models import Event
from app.i18n import _

log = logging.getLogger(__name__)

PRODID = "-//Parley//Agenda//EN"
GENERATOR = "Parley"
TIMESLOT = "00:15"


class Format(StrEnum):
    ICS = "ics"
    JSON = "json"
    XML = "xml"
    PDF = "pdf"


MEDIA_TYPES = {
    Format.ICS: "text/calendar; charset=utf-8",
    Format.JSON: "application/json",
    Format.XML: "application/xml",
    Format.PDF: "application/pdf",
}
FILENAMES = {Format.ICS: "agenda.ics", Format.JSON: "schedule.json", Format.XML: "schedule.xml", Format.PDF: "programme.pdf"}


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str
    count: int


# --- shared --------------------------------------------------------------------------------------


def base_url() -> str:
    return get_settings().base_url.rstrip("/")


def programme_url(event: Event) -> str:
    return f"{base_url()}/events/{event.id}/programme"


def session_url(programme_url: str, item: Item) -> str:
    """A session's address on the public programme (whose address is `programme_url`)."""
    return f"{programme_url}#session-{item.id}"


def location(programme: Programme, item: Item) -> str:
    """The room, or the venue when the session has none."""
    if item.room is not None:
        return item.room.name
    event = programme.event
    return event.venue or event.city


def _details(item: Item) -> list[str]:
    """The session's speakers, topics and the rule it follows, as lines of plain text."""
    lines = []
    for speaker in item.speakers:
        who = f"{speaker.name} ({speaker.affiliation})" if speaker.affiliation else speaker.name
        lines.append(_("%(role)s: %(name)s") % {"role": i18n.label(speaker.role), "name": who})
    if item.topics:
        lines.append(_("Topics: %(topics)s") % {"topics": "; ".join(item.topics)})
    if item.chatham_house:
        lines.append(_("Held under the Chatham House Rule."))
    return lines


def plain_description(item: Item) -> str:
    """The session as plain text: its description (in the reader's language), speakers, topics
    and the rule it follows."""
    lines = [item.description.strip()] if item.description.strip() else []
    return "\n".join(lines + _details(item))


def _hhmm(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50].strip("-")


def acronym(event: Event) -> str:
    return f"parley_{event.id}"


def slug(event: Event, item: Item) -> str:
    words = _slugify(item.original_title)
    return f"{acronym(event)}-{item.id:04d}" + (f"-{words}" if words else "")


def _guid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url()}/{name}"))


def room_guid(event: Event, room: Room | None) -> str:
    return _guid(f"events/{event.id}/rooms/{room.id if room else 'venue'}")


def person_guid(event: Event, key: str) -> str:
    return _guid(f"events/{event.id}/{key}")


def version(programme: Programme) -> str:
    """Changes whenever a session does: the time of the latest change, and how many there are."""
    items = programme.items
    if not items:
        return "0"
    latest = max(i.updated_at for i in items)
    return f"{latest:%Y%m%d%H%M%S}.{len(items)}"


# --- iCalendar (RFC 5545) --------------------------------------------------------------------------


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    return Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1))


def ics(programme: Programme) -> bytes:
    """The programme as one calendar: a VTIMEZONE for the event's zone, then one VEVENT a session."""
    event = programme.event
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", event.title)
    calendar.add("x-wr-timezone", event.timezone)
    calendar.add_component(vtimezone(event.timezone, programme.first_day.year - 1, programme.last_day.year + 2))
    url = programme_url(event)
    for item in programme.items:
        entry = CalendarEvent()
        entry.add("uid", f"{item.uid}@parley")
        entry.add("dtstamp", item.updated_at)
        entry.add("created", item.created_at)
        entry.add("last-modified", item.updated_at)
        entry.add("sequence", item.sequence)
        entry.add("dtstart", item.start)
        entry.add("dtend", item.end)
        entry.add("summary", item.title)
        entry.add("location", location(programme, item))
        if description := plain_description(item):
            entry.add("description", description)
        entry.add("categories", [item.kind_label])
        entry.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        entry.add("class", "PUBLIC" if item.is_published else "CONFIDENTIAL")
        entry.add("transp", "OPAQUE")
        entry.add("url", session_url(url, item))
        calendar.add_component(entry)
    return calendar.to_ical()


# --- frab schedule: JSON and XML ---------------------------------------------------------------------


def _scheduled(day: Day) -> list[Item]:
    return [item for item in day.items if not item.cancelled]


def _day_rooms(programme: Programme, day: Day) -> list[tuple[str, Room | None, list[Item]]]:
    """The rooms of a day in the event's order, each with its sessions; the venue for sessions
    without a room."""
    items = _scheduled(day)
    columns: list[tuple[str, Room | None, list[Item]]] = [
        (room.name, room, [i for i in items if i.room is not None and i.room.id == room.id]) for room in programme.rooms
    ]
    homeless = [i for i in items if i.room is None]
    if homeless:
        columns.append((location(programme, homeless[0]), None, homeless))
    return columns


def _json_event(programme: Programme, item: Item, room_name: str) -> dict[str, Any]:
    event = programme.event
    return {
        "guid": item.uid,
        "id": item.id,
        "date": item.start.isoformat(),
        "start": f"{item.start:%H:%M}",
        "end": item.end.isoformat(),
        "duration": _hhmm(item.duration),
        "room": room_name,
        "slug": slug(event, item),
        "url": session_url(programme_url(event), item),
        "title": item.original_title,
        "subtitle": "",
        "track": item.kind_label,
        "type": item.kind.value,
        "language": None,
        "abstract": item.original_description,
        "description": "\n".join(_details(item)),
        "do_not_record": item.chatham_house,
        "persons": [
            {"guid": person_guid(event, s.key), "name": s.name, "biography": s.affiliation or None}
            for s in item.speakers
        ],
        "links": [],
        "attachments": [],
    }


def frab_schedule(programme: Programme) -> dict[str, Any]:
    """The frab schedule as a dict (the JSON file's content)."""
    event = programme.event
    rooms = [
        {"name": room.name, "guid": room_guid(event, room), "capacity": room.capacity} for room in programme.rooms
    ]
    days = []
    for day in programme.days:
        columns = _day_rooms(programme, day)
        for name, room, _items in columns:
            if room is None and all(r["name"] != name for r in rooms):
                rooms.append({"name": name, "guid": room_guid(event, None), "capacity": None})
        days.append(
            {
                "index": day.index,
                "date": day.date.isoformat(),
                "day_start": day.start(programme.zone).isoformat(),
                "day_end": day.end(programme.zone).isoformat(),
                "rooms": {name: [_json_event(programme, i, name) for i in items] for name, _room, items in columns},
            }
        )
    return {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": GENERATOR, "version": "1"},
        "schedule": {
            "version": version(programme),
            "base_url": base_url() + "/",
            "conference": {
                "acronym": acronym(event),
                "title": event.title,
                "start": programme.first_day.isoformat(),
                "end": programme.last_day.isoformat(),
                "daysCount": len(programme.days),
                "timeslot_duration": TIMESLOT,
                "time_zone_name": event.timezone,
                "url": programme_url(event),
                "rooms": rooms,
                "days": days,
            },
        },
    }


def frab_json(programme: Programme) -> bytes:
    return json.dumps(frab_schedule(programme), ensure_ascii=False, indent=2).encode()


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: v for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def frab_xml(programme: Programme) -> bytes:
    """The frab/Pentabarf schedule XML."""
    event = programme.event
    root = etree.Element("schedule")
    _sub(root, "generator", name=GENERATOR, version="1")
    _sub(root, "url", f"{base_url()}/events/{event.id}/schedule.xml")
    _sub(root, "version", version(programme))
    conference = _sub(root, "conference")
    _sub(conference, "acronym", acronym(event))
    _sub(conference, "title", event.title)
    _sub(conference, "start", programme.first_day.isoformat())
    _sub(conference, "end", programme.last_day.isoformat())
    _sub(conference, "days", str(len(programme.days)))
    _sub(conference, "timeslot_duration", TIMESLOT)
    _sub(conference, "base_url", base_url() + "/")
    _sub(conference, "url", programme_url(event))
    _sub(conference, "time_zone_name", event.timezone)
    for day in programme.days:
        day_element = _sub(
            root, "day", index=str(day.index), date=day.date.isoformat(),
            start=day.start(programme.zone).isoformat(), end=day.end(programme.zone).isoformat(),
        )
        for name, room, items in _day_rooms(programme, day):
            room_element = _sub(day_element, "room", name=name, guid=room_guid(event, room))
            for item in items:
                _xml_event(room_element, programme, item, name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)  # type: ignore[no-any-return]


def _xml_event(parent: etree._Element, programme: Programme, item: Item, room_name: str) -> None:
    event = programme.event
    data = _json_event(programme, item, room_name)
    element = _sub(parent, "event", id=str(item.id), guid=item.uid)
    _sub(element, "room", room_name)
    _sub(element, "title", item.original_title)
    _sub(element, "subtitle", "")
    _sub(element, "type", item.kind.value)
    _sub(element, "date", data["date"])
    _sub(element, "start", data["start"])
    _sub(element, "duration", data["duration"])
    _sub(element, "abstract", item.original_description)
    _sub(element, "slug", data["slug"])
    _sub(element, "track", data["track"])
    persons = _sub(element, "persons")
    for speaker in item.speakers:
        _sub(persons, "person", speaker.name, guid=person_guid(event, speaker.key))
    _sub(element, "description", data["description"])
    recording = _sub(element, "recording")
    _sub(recording, "license", "")
    _sub(recording, "optout", "true" if item.chatham_house else "false")
    _sub(element, "links")
    _sub(element, "attachments")
    _sub(element, "url", data["url"])


# --- the printed programme and JSON-LD -----------------------------------------------------------------


def programme_pdf(programme: Programme, *, url_base: str | None = None) -> bytes:
    """The printed programme, from templates/agenda/programme_print.html and its print CSS."""
    from app.pdf import render_pdf  # WeasyPrint loads only where a PDF is made
    from app.web import render_template

    html = render_template("agenda/programme_print.html", {"programme": programme, "event": programme.event})
    return render_pdf(html, url_base or base_url())


def json_ld(programme: Programme) -> dict[str, Any]:
    """schema.org Event for the event, with its public sessions as subEvent (published only)."""
    event = programme.event
    url = programme_url(event)
    place = {
        "@type": "Place",
        "name": event.venue or event.city,
        "address": {"@type": "PostalAddress", "addressLocality": event.city, "addressCountry": event.host_country},
    }
    sub_events = []
    for item in programme.items:
        if not item.is_published:
            continue
        item_url = session_url(url, item)
        sub: dict[str, Any] = {
            "@type": "Event",
            "@id": item_url,
            "identifier": item.uid,
            "name": item.title,
            "startDate": item.start_iso,
            "endDate": item.end_iso,
            "eventStatus": "https://schema.org/EventCancelled" if item.cancelled else "https://schema.org/EventScheduled",
            "location": {"@type": "Place", "name": location(programme, item)},
            "url": item_url,
        }
        if item.description:
            sub["description"] = item.description
        if item.speakers:
            sub["performer"] = [
                {"@type": "Person", "name": s.name, **({"jobTitle": s.affiliation} if s.affiliation else {})}
                for s in item.speakers
            ]
        sub_events.append(sub)
    return {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": event.starts_on.isoformat(),
        "endDate": event.ends_on.isoformat(),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventScheduled",
        "location": place,
        "url": url,
        **({"description": event.description} if event.description else {}),
        "subEvent": sub_events,
    }


def script_json(data: object) -> Markup:
    """JSON for a <script type="application/ld+json"> block: `<`, `>` and `&` escaped, so no
    text in it can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704  # nosec B704 - JSON with <, > and & escaped: cannot leave the element


# --- one call for the routes -------------------------------------------------------------------------


BUILDERS = {Format.ICS: ics, Format.JSON: frab_json, Format.XML: frab_xml, Format.PDF: programme_pdf}


def export(db: Session, *, viewer: User | None, event: Event, fmt: Format, client: str | None = None) -> Export:
    """The programme the viewer may read, as a file. An export that holds internal sessions (for
    AGENDA_VIEW viewers) is written to the audit log with its format and size."""
    programme = programmes.for_viewer(db, viewer=viewer, event=event)
    content = BUILDERS[fmt](programme)
    count = len(programme.items)
    if programme.complete and viewer is not None:
        audit.record(db, viewer, "agenda.export", event, client=client, format=fmt.value, count=count)
        log.info("agenda of event %s exported as %s by %s: %s sessions", event.id, fmt.value, viewer.id, count)
    return Export(content=content, media_type=MEDIA_TYPES[fmt], filename=f"event-{event.id}-{FILENAMES[fmt]}", count=count)
