"""The press files: the Atom feed of an event's published items, and the coverage log as CSV.

The feed (RFC 4287) is built with feedgen: newest first, each entry with every language's latest
text, its Markdown rendered and sanitised as on the pages. The CSV is safe to open in a
spreadsheet: a cell that would start a formula is made text, as the participants' export does.
Both are built before the response is sent.
"""

import csv
import io
import logging
import re
from dataclasses import dataclass

from feedgen.feed import FeedGenerator
from markupsafe import escape
from sqlalchemy.orm import Session

from app import i18n
from app.accounts.models import User
from app.config import get_settings
from app.events.models import Event
from app.i18n import N_, _
from app.markdown import render_markdown
from app.press import service
from app.press.models import PressItem
from app.registrations.exports import CSV_TYPE, neutralise

log = logging.getLogger(__name__)

ATOM_TYPE = "application/atom+xml; charset=utf-8"
FEED_LENGTH = 50
# The CSV's columns and their headings (in the reader's language).
COVERAGE_COLUMNS = ("published_on", "outlet", "title", "url", "language", "country")
COVERAGE_HEADINGS = {
    "published_on": N_("Date"),
    "outlet": N_("Outlet"),
    "title": N_("Title"),
    "url": N_("Address"),
    "language": N_("Language"),
    "country": N_("Country"),
}
# Characters XML 1.0 cannot hold (control characters but tab and line breaks, lone surrogates,
# U+FFFE and U+FFFF): dropped from the feed rather than failing it.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _base() -> str:
    return get_settings().base_url.rstrip("/")


def item_url(item: PressItem) -> str:
    return f"{_base()}/events/{item.event_id}/press/{item.id}"


def _entry_html(item: PressItem) -> str:
    """Every language's latest text, each in its own section marked with its language."""
    parts = []
    for version in service.latest_texts(item):
        parts.append(
            f'<section lang="{escape(version.language)}"><h2>{escape(version.title)}</h2>'
            f"{render_markdown(version.body)}</section>"
        )
    return "\n".join(parts)


def press_feed(db: Session, *, viewer: User | None, event: Event) -> Export:
    """The event's published press items as an Atom feed, newest first."""
    items = service.feed_items(db, viewer=viewer, event=event, limit=FEED_LENGTH)
    page = f"{_base()}/events/{event.id}/press"
    feed = FeedGenerator()
    feed.id(page)
    feed.title(_xml(_("%(event)s: press releases and joint statements") % {"event": event.title}))
    feed.author({"name": _xml(event.title)})
    feed.link(href=page, rel="alternate", type="text/html")
    feed.link(href=f"{page}.atom", rel="self", type="application/atom+xml")
    feed.language(i18n.current_language())
    feed.generator("Parley")
    moments = [item.published_at for item in items if item.published_at is not None]
    feed.updated(max(moments) if moments else event.created_at)
    for item in items:
        texts = service.latest_texts(item)
        entry = feed.add_entry(order="append")
        entry.id(item_url(item))
        entry.title(_xml(texts[0].title if texts else f"#{item.id}"))
        entry.link(href=item_url(item), rel="alternate", type="text/html")
        entry.published(item.published_at)
        entry.updated(item.published_at)
        entry.category(term=item.kind.value, label=i18n.label(item.kind))
        entry.content(_xml(_entry_html(item)), type="html")
    content = feed.atom_str(pretty=True)
    log.info("press feed of event %s: %s items", event.id, len(items))
    return Export(content=content, media_type=ATOM_TYPE, filename=f"press-event-{event.id}.atom")


def coverage_csv(
    db: Session, *, viewer: User | None, event: Event, filters: service.CoverageFilter | None = None
) -> Export:
    """The coverage log (with the page's filters) as CSV: UTF-8 with a byte-order mark, which
    Excel needs to read Armenian and Azerbaijani letters."""
    rows = service.coverage_rows(db, viewer=viewer, event=event, filters=filters)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_(COVERAGE_HEADINGS[column]) for column in COVERAGE_COLUMNS])
    for row in rows:
        writer.writerow(
            [
                row.published_on.isoformat(),
                neutralise(row.outlet),
                neutralise(row.title),
                neutralise(row.url),
                row.language,
                row.country,
            ]
        )
    log.info("coverage of event %s exported: %s rows", event.id, len(rows))
    return Export(
        content=("\ufeff" + buffer.getvalue()).encode(), media_type=CSV_TYPE, filename=f"coverage-event-{event.id}.csv"
    )
