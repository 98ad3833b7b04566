"""The post-event summary as files: PDF, Markdown, Word (DOCX) and JSON.

The page and the PDF are drawn from the same templates (`templates/summaries/`; the PDF with its
print stylesheet, charts included as inline SVG). Markdown and DOCX are written from one outline
of the record (`outline()`: headings, paragraphs, lists and tables), so the two say the same
things in the same order; the JSON is `SummaryOut`, as the API serves it. Every builder takes a
`SummaryRecord` and returns bytes, built before the response is sent.

A file of the internal variant holds personal data (the speakers' and officials' names): each is
written to the audit log and served with `Cache-Control: no-store`. Printing a PDF takes a
second or more, so the PDF of the same printed HTML is kept (see `_printed`).
"""

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from markdown_it import MarkdownIt
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.config import get_settings
from app.events.models import Event
from app.i18n import _, country_name, format_day, format_range, ngettext, pgettext
from app.summaries import charts as charting
from app.summaries import service
from app.summaries.record import (
    HeldSession,
    Participation,
    SummaryRecord,
    Variant,
)
from app.summaries.schemas import summary_out

log = logging.getLogger(__name__)


class Format(StrEnum):
    PDF = "pdf"
    MARKDOWN = "md"
    DOCX = "docx"
    JSON = "json"


MEDIA_TYPES = {
    Format.PDF: "application/pdf",
    Format.MARKDOWN: "text/markdown; charset=utf-8",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.JSON: "application/json",
}
# Opened by the browser (JSON) or saved (the rest).
INLINE = frozenset({Format.JSON})


@dataclass(frozen=True)
class Export:
    content: bytes
    fmt: Format
    filename: str
    variant: Variant

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.fmt]

    @property
    def personal(self) -> bool:
        """Holds personal data: never cached."""
        return self.variant == Variant.INTERNAL

    @property
    def disposition(self) -> str:
        return "inline" if self.fmt in INLINE else "attachment"


def filename(record: SummaryRecord, fmt: Format) -> str:
    suffix = "-public" if record.is_public else ""
    return f"event-{record.overview.id}-summary{suffix}.{fmt.value}"


def label(value: object) -> str:
    """An enum value as words: "thematic_session" → "Thematic session" (as the `label` filter)."""
    return _(str(value).replace("_", " ").capitalize())


# --- charts: the same figures as the participation tables ----------------------------------------


def participation_charts(participation: Participation) -> dict[str, charting.Chart]:
    """Registered and attended by delegation, by circle and by category (those with anyone),
    by their ids ("chart-delegations", "chart-circles", "chart-categories")."""
    series = [_("Registered"), _("Attended")]
    specs = [
        ("chart-delegations", _("Registered and attended, by delegation"), participation.by_delegation, True),
        ("chart-circles", _("Registered and attended, by circle"), participation.by_circle, False),
        ("chart-categories", _("Registered and attended, by category"), participation.by_category, False),
    ]
    found = {}
    for chart_id, title, tallies, keep_empty in specs:
        groups = [(t.label, [t.registered, t.attended]) for t in tallies if keep_empty or t.registered or t.attended]
        if groups:
            found[chart_id] = charting.bar_chart(id=chart_id, title=title, series=series, groups=groups)
    return found


# --- the outline shared by Markdown and DOCX -------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int  # 1: the title; 2: a section; 3 and 4 below
    text: str


@dataclass(frozen=True)
class Text:
    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class MarkdownText:
    """Text the organisers or rapporteurs wrote in Markdown."""

    source: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)  # columns aligned right


Block = Heading | Text | MarkdownText | Bullets | Table


def _fact(name: str, value: object) -> str:
    """"Name: value" (the name translated by the caller, outside any f-string: the message
    extractor does not look inside them)."""
    return f"{name}: {value}"


def _place(record: SummaryRecord) -> str:
    o = record.overview
    return ", ".join(part for part in (o.venue, o.city, country_name(o.host_country)) if part)


def _speaker_lines(session: HeldSession) -> list[str]:
    if session.chatham_house:
        return [_("Held under the Chatham House Rule: the speakers are not named.")]
    return session.speaker_texts


def _tally_table(first: str, tallies) -> Table:  # type: ignore[no-untyped-def]
    rows = [[t.label, str(t.registered), str(t.attended)] for t in tallies]
    return Table([first, _("Registered"), _("Attended")], rows, numeric={1, 2})


def outline(record: SummaryRecord) -> list[Block]:
    """The summary, section by section, as the Markdown and DOCX files write it."""
    o = record.overview
    p = record.participation
    blocks: list[Block] = [
        Heading(1, o.title),
        Text(" · ".join((_("Post-event summary"), format_range(o.starts_on, o.ends_on), _place(record)))),
        Text(
            _("Public summary.") if record.is_public
            else _("Internal summary: it names participants. Do not pass it on outside the event's staff."),
            emphasis=True,
        ),
        Heading(2, _("Overview")),
    ]
    days = ngettext("%(n)s day", "%(n)s days", o.days) % {"n": o.days}
    facts = [
        _fact(_("Kind"), label(o.kind)),
        _fact(_("Dates"), f"{format_range(o.starts_on, o.ends_on)} ({days})"),
        _fact(_("Place"), _place(record)),
    ]
    if o.initiative:
        facts.append(_fact(_("Initiative"), o.initiative))
    facts += [
        _fact(_("Delegations"), len(p.by_delegation)),
        _("Registered: %(registered)s; attended: %(attended)s") % {"registered": p.registered, "attended": p.attended},
        _fact(_("Sessions held"), len(record.sessions)),
        _fact(_("Officials met"), len(record.officials)),
        _fact(_("Recommendations agreed"), len(record.recommendations)),
    ]
    blocks.append(Bullets(facts))
    if o.description:
        blocks.append(Text(o.description))

    if record.introduction.strip():
        blocks += [Heading(2, _("Introduction")), MarkdownText(record.introduction)]

    blocks.append(Heading(2, _("Participation")))
    blocks.append(
        Text(_("Registered: those who held a confirmed place; attended: those checked in at the event."))
    )
    if p.by_delegation:
        blocks += [Heading(3, _("By delegation")), _tally_table(_("Delegation"), p.by_delegation)]
        blocks += [Heading(3, _("By circle")), _tally_table(_("Circle"), p.by_circle)]
        blocks += [Heading(3, _("By category")), _tally_table(_("Category"), p.by_category)]
        if p.cells:
            blocks += [
                Heading(3, _("By delegation, circle and category")),
                Table(
                    [_("Delegation"), _("Circle"), _("Category"), _("Registered"), _("Attended")],
                    [[c.delegation, c.circle_label, c.category_label,
                      str(c.registered), str(c.attended)] for c in p.cells],
                    numeric={3, 4},
                ),
            ]
    else:
        blocks.append(Text(_("The event has no delegations.")))

    blocks += [Heading(2, _("Agenda as held")), Text(_("Times are in the event's time zone, %(zone)s.") % {"zone": o.timezone})]
    for day in record.days_with_sessions:
        blocks.append(Heading(3, _("Day %(n)s: %(date)s") % {"n": day.index, "date": format_day(day.date, fmt="full")}))
        items = []
        for s in day.sessions:
            where = ", ".join(part for part in (s.kind_label, s.room or "") if part)
            flags = [_("internal")] if s.internal and not record.is_public else []
            line = f"{s.times} {s.title} ({where}{'; ' + ', '.join(flags) if flags else ''})"
            details = _speaker_lines(s)
            items.append(line + "".join(f"\n{detail}" for detail in details))
        blocks.append(Bullets(items))
    if not record.days_with_sessions:
        blocks.append(Text(_("No sessions were held.")))

    blocks.append(Heading(2, _("Officials met")))
    if record.officials:
        if record.is_public:
            blocks.append(Table([pgettext("official", "Title"), _("Institution"), _("Country")],
                                [[m.title, m.institution, country_name(m.country)] for m in record.officials]))
        else:
            blocks.append(Table([_("Name"), pgettext("official", "Title"), _("Institution"), _("Country")],
                                [[m.name or "", m.title, m.institution, country_name(m.country)] for m in record.officials]))
    else:
        blocks.append(Text(_("No officials were met.")))

    blocks.append(Heading(2, _("Crossings")))
    if record.crossings:
        blocks.append(
            Table(
                [_("Direction"), _("Delegation"), _("Crossing point"), _("Planned"), _("Actual"), _("Status"),
                 _("On the manifest"), _("Crossed")],
                [[label(c.direction), c.delegation, c.crossing_point, f"{c.planned:%Y-%m-%d %H:%M}",
                  f"{c.actual:%Y-%m-%d %H:%M}" if c.actual else "—", label(c.status), str(c.people), str(c.crossed)]
                 for c in record.crossings],
                numeric={6, 7},
            )
        )
    else:
        blocks.append(Text(_("No crossings are recorded.")))

    blocks.append(Heading(2, _("Outcomes and key points")))
    for outcome in record.outcomes:
        blocks.append(Heading(3, f"{outcome.session_title} ({format_day(outcome.start.date(), fmt='long')}, {outcome.start:%H:%M})"))
        if outcome.chatham_house:
            blocks.append(Text(_("Held under the Chatham House Rule: nothing here is attributed."), emphasis=True))
        if outcome.notes.strip():
            blocks.append(MarkdownText(outcome.notes))
        if outcome.key_points:
            blocks += [Text(_("Key points:")), Bullets(list(outcome.key_points))]
    if not record.outcomes:
        blocks.append(Text(_("No outcomes are recorded.")))

    blocks.append(Heading(2, _("Recommendations agreed")))
    for rec in record.recommendations:
        facts = [_fact(_("Area"), label(rec.area)), _fact(_("Status"), label(rec.status))]
        if rec.owners:
            facts.append(_fact(_("Owners"), ", ".join(country_name(c) for c in rec.owners)))
        if rec.target_on:
            facts.append(_fact(_("Target date"), format_day(rec.target_on, fmt="long")))
        blocks += [Heading(3, rec.title), Text("; ".join(facts))]
        if rec.description.strip():
            blocks.append(MarkdownText(rec.description))
    if not record.recommendations:
        blocks.append(Text(_("No recommendations were agreed.")))

    blocks.append(Heading(2, _("Statements")))
    for statement in record.statements:
        if statement.published_at:
            about = _("%(kind)s, published %(date)s") % {
                "kind": label(statement.kind), "date": format_day(statement.published_at.date(), fmt="long")
            }
        else:
            about = label(statement.kind)
        blocks.append(Heading(3, f"{statement.title} ({about})"))
        for text in statement.texts:
            if len(statement.texts) > 1:
                blocks.append(Heading(4, f"{text.title} [{text.language}]"))
            blocks.append(MarkdownText(text.body))
    if not record.statements:
        blocks.append(Text(_("No statements were published.")))

    blocks.append(Heading(2, _("Media coverage")))
    if record.coverage:
        blocks.append(
            Table(
                [_("Date"), _("Outlet"), _("Title"), _("Address"), _("Language"), _("Country")],
                [[format_day(c.published_on), c.outlet, c.title, c.url, c.language_name,
                  country_name(c.country) if c.country else ""] for c in record.coverage],
            )
        )
    else:
        blocks.append(Text(_("No coverage is logged.")))

    if record.conclusion.strip():
        blocks += [Heading(2, _("Conclusion")), MarkdownText(record.conclusion)]
    return blocks


# --- Markdown ---------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!{}])")
_MD_BLOCK_START = re.compile(r"^(\s*)([-+=>])")
_MD_ORDERED_START = re.compile(r"^(\s*\d+)([.)])")


def md_escape(text: str) -> str:
    """Plain text as Markdown that renders as that text (no markup, no raw HTML, one line)."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _MD_ORDERED_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_lines(block: Block) -> Iterator[str]:
    if isinstance(block, Heading):
        yield f"{'#' * block.level} {md_escape(block.text)}"
    elif isinstance(block, Text):
        text = md_escape(block.text)
        yield f"_{text}_" if block.emphasis else text
    elif isinstance(block, MarkdownText):
        yield block.source.strip()
    elif isinstance(block, Bullets):
        for item in block.items:
            first, *rest = item.split("\n")
            yield f"- {md_escape(first)}"
            for line in rest:
                yield f"  - {md_escape(line)}"
    elif isinstance(block, Table):
        yield "| " + " | ".join(md_escape(h) for h in block.headers) + " |"
        yield "| " + " | ".join("---:" if i in block.numeric else "---" for i in range(len(block.headers))) + " |"
        for row in block.rows:
            yield "| " + " | ".join(md_escape(cell) or " " for cell in row) + " |"


def markdown(record: SummaryRecord) -> bytes:
    parts = ["\n".join(_md_lines(block)) for block in outline(record)]
    return ("\n\n".join(part for part in parts if part) + "\n").encode()


# --- DOCX ---------------------------------------------------------------------------------------------

@lru_cache
def _markdown_parser() -> MarkdownIt:
    """CommonMark with raw HTML off, as the pages render it (app.markdown)."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


# Characters XML 1.0 cannot hold (python-docx refuses them): dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", str(text))


class _Word:
    """A Word document being written, its paragraph styles looked up once: python-docx finds a
    style by scanning all of the document's styles for every paragraph given one by name, which
    took most of the time of a three-day summary."""

    def __init__(self) -> None:
        from docx import Document

        self.document = Document()
        self._style_ids: dict[str, str] = {}

    def paragraph(self, text: str = "", style: str | None = None):  # type: ignore[no-untyped-def]
        paragraph = self.document.add_paragraph(_xml(text))
        if style is not None:
            if style not in self._style_ids:
                self._style_ids[style] = self.document.styles[style].style_id
            paragraph._p.style = self._style_ids[style]
        return paragraph

    def heading(self, text: str, level: int):  # type: ignore[no-untyped-def]
        return self.paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def markdown(self, source: str, heading_base: int = 3) -> None:
        """Markdown as Word paragraphs: headings, paragraphs with bold, italic and code, lists,
        quotes and code blocks. Raw HTML stays text; images show their alternative text."""
        lists: list[str] = []
        quote = 0
        heading: int | None = None
        for token in _markdown_parser().parse(_xml(source)):
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                lists.append("List Number" if kind == "ordered_list_open" else "List Bullet")
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "blockquote_open":
                quote += 1
            elif kind == "blockquote_close":
                quote -= 1
            elif kind == "heading_open":
                heading = min(9, heading_base + int(token.tag[1]) - 1)
            elif kind == "heading_close":
                heading = None
            elif kind in ("fence", "code_block"):
                self.paragraph().add_run(token.content.rstrip("\n")).font.name = "Courier New"
            elif kind == "hr":
                self.paragraph("―" * 10)
            elif kind == "inline":
                if heading is not None:
                    self.heading(token.content, heading)
                    continue
                style = lists[-1] if lists else ("Quote" if quote else None)
                _docx_inline(self.paragraph(style=style), token.children or [])

    def table(self, block: "Table") -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        table = self.document.add_table(rows=1, cols=len(block.headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
            cell.paragraphs[0].add_run(_xml(text)).bold = True
        for row in block.rows:
            for index, (cell, text) in enumerate(zip(table.add_row().cells, row, strict=True)):
                cell.text = _xml(text)
                if index in block.numeric:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _docx_inline(paragraph, children) -> None:  # type: ignore[no-untyped-def]
    bold = italic = False
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind in ("text", "code_inline", "html_inline", "image"):
            run = paragraph.add_run(child.content)
            run.bold, run.italic = bold or None, italic or None
            if kind == "code_inline":
                run.font.name = "Courier New"
        elif kind == "softbreak":
            paragraph.add_run(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break()


def docx(record: SummaryRecord) -> bytes:
    word = _Word()
    word.document.core_properties.title = _xml(record.overview.title)
    word.document.core_properties.subject = _("Post-event summary")
    for block in outline(record):
        if isinstance(block, Heading):
            word.heading(block.text, 0 if block.level == 1 else block.level - 1)
        elif isinstance(block, Text):
            word.paragraph().add_run(_xml(block.text)).italic = block.emphasis or None
        elif isinstance(block, MarkdownText):
            word.markdown(block.source)
        elif isinstance(block, Bullets):
            for item in block.items:
                first, *rest = item.split("\n")
                word.paragraph(first, "List Bullet")
                for line in rest:
                    word.paragraph(line, "List Bullet 2")
        elif isinstance(block, Table):
            word.table(block)
    out = io.BytesIO()
    word.document.save(out)
    return out.getvalue()


# --- PDF and JSON ---------------------------------------------------------------------------------------


def base_url() -> str:
    return get_settings().base_url.rstrip("/")


# Printing is the slow part (a second or more for a three-day event), and a summary changes
# seldom once the event is over: the PDF of the same HTML is kept, as app.markdown keeps rendered
# descriptions. The key is the whole printed HTML, so any change to what the summary shows makes a
# new PDF; access checks and the audit entry still happen on every request.
PDF_CACHE_SIZE = 16


@lru_cache(maxsize=PDF_CACHE_SIZE)
def _printed(html: str, url_base: str) -> bytes:
    from app.pdf import render_pdf  # WeasyPrint loads only where a PDF is made

    return render_pdf(html, url_base)


def print_html(record: SummaryRecord) -> str:
    from app.web import render_template

    context = {
        "record": record,
        "event": record.event,
        "charts": participation_charts(record.participation),
        "for_print": True,
    }
    return render_template("summaries/summary_print.html", context)


def pdf(record: SummaryRecord) -> bytes:
    """The summary printed from templates/summaries/summary_print.html with its print CSS."""
    return _printed(print_html(record), base_url())


def json_document(record: SummaryRecord) -> bytes:
    return summary_out(record).model_dump_json(indent=2).encode()


BUILDERS = {Format.PDF: pdf, Format.MARKDOWN: markdown, Format.DOCX: docx, Format.JSON: json_document}


def export(
    db: Session, *, viewer: User | None, event: Event, variant: Variant | None, fmt: Format, client: str | None = None
) -> Export:
    """The summary the viewer may read, as a file; a file of the internal variant is audited."""
    record = service.record_for_download(db, viewer=viewer, event=event, variant=variant, fmt=fmt.value, client=client)
    content = BUILDERS[fmt](record)
    return Export(content=content, fmt=fmt, filename=filename(record, fmt), variant=record.variant)
