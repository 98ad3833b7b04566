"""The event's outcomes as one Markdown file, for its staff.

Built from `service.rows_for_event`, which carries no speaker: no name or organisation can sit
next to what was said, whatever the session. Session titles are plain text (their Markdown
punctuation is escaped); notes are the rapporteur's Markdown, with raw HTML neutralised so that
no renderer of the file runs what someone typed.
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app import policy
from app.accounts.models import User
from app.agenda import service as agenda_service
from app.events.models import Event
from app.i18n import _, format_day
from app.outcomes import service
from app.outcomes.service import OutcomeRow
from app.policy import Action

MEDIA_TYPE = "text/markdown; charset=utf-8"
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str
    count: int


def plain(text: str) -> str:
    """Text shown as it is in Markdown: one line, its punctuation escaped."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def no_html(markdown: str) -> str:
    """The Markdown with `<` as an entity: raw HTML and autolinks show as text."""
    return markdown.replace("&", "&amp;").replace("<", "&lt;")


def render(event: Event, rows: list[OutcomeRow]) -> str:
    zone = event.timezone.replace("_", " ")
    # (gettext calls stay outside f-strings, where the message extractor sees them)
    heading = _("Outcomes: %(title)s") % {"title": event.title}
    key_points = _("Key points")
    lines = [
        f"# {plain(heading)}",
        "",
        _("Times in %(zone)s. Under the Chatham House Rule nothing here is attributed to anyone.") % {"zone": zone},
        "",
    ]
    if not rows:
        lines += [_("No session of this event has an outcome yet."), ""]
    day: date | None = None
    for row in rows:
        start = agenda_service.local(event, row.starts_at)
        end = agenda_service.local(event, row.ends_at)
        if start.date() != day:
            day = start.date()
            lines += [f"## {plain(format_day(day, fmt='full'))}", ""]
        lines += [f"### {start:%H:%M}–{end:%H:%M} {plain(row.session_title)}", ""]
        marks = [_("Chatham House Rule")] if row.chatham_house else []
        marks.append(_("Public") if row.is_public else _("Internal"))
        lines += [f"*{plain(' · '.join(marks))}*", ""]
        if row.notes.strip():
            lines += [no_html(row.notes.strip()), ""]
        if row.key_points:
            lines += [f"**{plain(key_points)}**", ""]
            lines += [f"- {no_html(' '.join(point.split()))}" for point in row.key_points]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def export_markdown(db: Session, *, viewer: User | None, event: Event) -> Export:
    """Every outcome of the event (public or internal), by day and time in its zone."""
    policy.require(viewer, Action.OUTCOME_VIEW, event)
    rows = service.rows_for_event(db, event=event, public_only=False)
    return Export(
        content=render(event, rows).encode(),
        media_type=MEDIA_TYPE,
        filename=f"outcomes-{event.id}.md",
        count=len(rows),
    )
