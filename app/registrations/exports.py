"""Participants as CSV and XLSX, with the list's filters and within the viewer's scope.

The CSV is for scripts and for importing again: its header is the import's column names and its
choices are their stored values, in every language. The XLSX is for people: its header and its
choices are in the requester's language (the import reads those too, in any of Parley's
languages, should the sheet be saved as CSV and imported). Both list the participants in the
participant list's order (by name, in the requester's collation, unless another is asked).

Safe to open in a spreadsheet: a cell that would start a formula (= + - @, a tab or a line break)
is prefixed with an apostrophe, and XLSX cells are written as strings, never as formulas.
Travel-document numbers appear masked only. The bytes are built before the response is sent.
"""

import csv
import io
import logging
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from app import audit, i18n, policy
from app.accounts.models import User
from app.events.models import Event
from app.i18n import N_, _
from app.policy import Action
from app.registrations import imports
from app.registrations import service as registrations
from app.registrations.models import DocumentType, Registration
from app.registrations.schemas import doc_type_label
from app.registrations.service import ParticipantFilter

log = logging.getLogger(__name__)

# Rows read per query; the pages of one export are read in its one transaction.
BATCH = 500

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The import's column names where they are the same field, so that scripts can rely on them.
COLUMNS = (
    "given_name",
    "family_name",
    "given_name_native",
    "family_name_native",
    "email",
    "organisation",
    "position",
    "sector",
    "delegation",
    "circle",
    "category",
    "status",
    "languages",
    "dietary_needs",
    "accessibility_needs",
    "doc_type",
    "doc_number_masked",
    "created_at",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# The XLSX's headings: the import's words for its columns, and these for the others.
LABELS = {
    **{name: label for name, label in imports.COLUMN_LABELS.items() if name in COLUMNS},
    "delegation": N_("Delegation"),
    "status": N_("Status"),
    "doc_number_masked": N_("Document number (masked)"),
    "created_at": N_("Registration date"),
}
SHEET_TITLE = N_("Participants")


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str
    count: int


def neutralise(value: str) -> str:
    """A cell a spreadsheet would read as a formula, made text: `=1+1` becomes `'=1+1`."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _visible(db: Session, *, viewer: User, event: Event, filters: ParticipantFilter) -> list[Registration]:
    """Every registration the list would show, in its order, read in batches."""
    found: list[Registration] = []
    page = 1
    while True:
        batch = registrations.list_for_event(
            db, viewer=viewer, event=event, filters=filters, page=page, per_page=BATCH
        )
        found += batch.items
        if not batch.has_next:
            return found
        page += 1


def _value(choice: StrEnum) -> str:
    return choice.value


def _words(choice: StrEnum) -> str:
    """A choice as the requester reads it ("Гражданское общество" for civil_society)."""
    if isinstance(choice, DocumentType):
        return doc_type_label(choice)
    return i18n.label(choice)


def _row(registration: Registration, zone: zoneinfo.ZoneInfo, show: Callable[[StrEnum], str]) -> list[str | datetime]:
    person = registration.person
    created = registration.created_at.astimezone(zone).replace(tzinfo=None, microsecond=0)
    return [
        person.given_name,
        person.family_name,
        person.given_name_native,
        person.family_name_native,
        person.email or "",
        person.organisation,
        person.position,
        show(person.sector),
        registration.delegation.name,
        show(registration.circle),
        show(registration.category),
        show(registration.status),
        registration.languages,
        registration.dietary_needs,
        registration.accessibility_needs,
        show(registration.doc_type) if registration.doc_type else "",
        registration.masked_document,
        created,
    ]


def to_csv(rows: list[list[str | datetime]]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read Armenian and Azerbaijani letters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else neutralise(value) for value in row]
        )
    return ("\ufeff" + buffer.getvalue()).encode()


def to_xlsx(rows: list[list[str | datetime]], *, title: str | None = None) -> bytes:
    """The sheet, its headings and its title in the requester's language."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title or _(SHEET_TITLE)))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: str | datetime, *, font: Font | None = None) -> WriteOnlyCell:
        if isinstance(value, datetime):
            written = WriteOnlyCell(sheet, value=value)
            written.number_format = "yyyy-mm-dd hh:mm"
            return written
        text = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
        written = WriteOnlyCell(sheet, value=text or None)  # an empty cell, not an empty string
        if text:
            written.data_type = "s"  # a string, whatever it looks like: never a formula
        if font is not None:
            written.font = font
        return written

    sheet.append([cell(_(LABELS[name]), font=bold) for name in COLUMNS])
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """A title a spreadsheet accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"


def participants(
    db: Session,
    *,
    viewer: User,
    event: Event,
    filters: ParticipantFilter,
    fmt: Format,
    client: str | None = None,
) -> Export:
    """The participants the viewer may see (organisers all, coordinators their delegation's),
    filtered as the list is, as a file; written to the audit log with its format and size."""
    policy.require(viewer, Action.PARTICIPANT_LIST, event)
    zone = zoneinfo.ZoneInfo(event.timezone)
    show = _value if fmt == Format.CSV else _words
    rows = [_row(r, zone, show) for r in _visible(db, viewer=viewer, event=event, filters=filters)]
    content = to_csv(rows) if fmt == Format.CSV else to_xlsx(rows)
    used = sorted(
        name
        for name in ("delegation_id", "circle", "category", "status", "q")
        if getattr(filters, name)
    )
    audit.record(
        db, viewer, "participants.export", event, client=client, format=fmt.value, count=len(rows), filters=used
    )
    log.info("participants of event %s exported as %s by %s: %s rows", event.id, fmt.value, viewer.id, len(rows))
    return Export(
        content=content,
        media_type=CSV_TYPE if fmt == Format.CSV else XLSX_TYPE,
        filename=f"participants-event-{event.id}.{fmt.value}",
        count=len(rows),
    )
