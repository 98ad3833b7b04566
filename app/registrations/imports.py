"""CSV import of a delegation's participant list: read the file, check every row, preview, apply.

Nothing is written until every row passes: the file is read (UTF-8 with or without BOM, comma,
semicolon or tab), each row is checked with the registration schemas, matched against the
people of the event, and the preview says what will be created, updated or left unchanged.
The confirmation re-reads and re-checks the same file, and applies it in the request's one
transaction: new registrations together (as the registration service would add them one by
one), changes through the registration service. Re-importing a file changes nothing.

A person is matched by e-mail address, else by the hash of their travel-document number among
the event's participants, else by name and organisation within the delegation. A column that is
absent from the file leaves the field as it is; a blank cell clears a text field, and leaves a
choice (sector, circle, category) at its default or as it is. Travel documents are read from a
file with a `doc_number` column only: the participant list exported as CSV (which has the type
and the masked number) imports again and changes nothing. Headings and choices may also be
written as the pages and the XLSX export word them, in any of Parley's languages.
"""

import base64
import binascii
import csv
import hashlib
import io
import json
import logging
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app import audit, crypto, i18n, policy
from app.accounts.models import User
from app.delegations.models import Delegation
from app.errors import Conflict, DomainError, FieldError
from app.forms import errors_by_field
from app.i18n import N_, _
from app.policy import Action
from app.registrations import service as registrations
from app.registrations.models import (
    Category,
    Circle,
    DocumentType,
    Person,
    Registration,
    RegistrationStatus,
    Sector,
)
from app.registrations.schemas import (
    NeedsFields,
    PersonFields,
    RegistrationCreate,
    TravelDocumentIn,
    doc_type_label,
)
from app.security import keyed_hash, same

log = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
# A delegation's list is tens or hundreds of people; 2,000 rows import in a few seconds.
MAX_ROWS = 2000
# A request body larger than this is refused before it is read.
MAX_BODY = 8 * 1024 * 1024
# The largest form field: the pasted list, or the sealed file carried to the confirmation.
MAX_FIELD = 4 * 1024 * 1024
# How many values one IN (...) carries.
CHUNK = 500

PERSON_COLUMNS = (
    "given_name",
    "family_name",
    "given_name_native",
    "family_name_native",
    "organisation",
    "position",
    "sector",
)
NEEDS_COLUMNS = ("languages", "dietary_needs", "accessibility_needs")
PLACEMENT_COLUMNS = ("circle", "category")
DOCUMENT_COLUMNS = ("doc_type", "doc_number", "doc_issuing_country", "doc_nationality", "doc_expires_on")
# The columns a file may have, in the template's order.
COLUMNS = ("email", *PERSON_COLUMNS, *PLACEMENT_COLUMNS, *NEEDS_COLUMNS, *DOCUMENT_COLUMNS)
REQUIRED = ("given_name", "family_name")
# Columns whose blank cell means "not given": the default for a newcomer, no change otherwise.
CHOICES: dict[str, type[StrEnum]] = {
    "sector": Sector,
    "circle": Circle,
    "category": Category,
    "doc_type": DocumentType,
}
ALIASES = {"e_mail": "email", "e_mail_address": "email", "email_address": "email"}
DELIMITERS = (",", ";", "\t")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The whole travel document, as one change in the preview.
DOCUMENT = "travel_document"
# What each column holds, in words (the pages show them; a file may use them as headings too,
# in any of Parley's languages: a participant list exported as XLSX and saved as CSV imports).
COLUMN_LABELS = {
    "": N_("Whole row"),
    "email": N_("E-mail address"),
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "given_name_native": N_("Given name (native script)"),
    "family_name_native": N_("Family name (native script)"),
    "organisation": N_("Organisation"),
    "position": N_("Position"),
    "sector": N_("Sector"),
    "circle": N_("Circle"),
    "category": N_("Category"),
    "languages": N_("Languages"),
    "dietary_needs": N_("Dietary needs"),
    "accessibility_needs": N_("Accessibility needs"),
    "doc_type": N_("Document type"),
    "doc_number": N_("Document number"),
    "doc_issuing_country": N_("Issuing country"),
    "doc_nationality": N_("Nationality"),
    "doc_expires_on": N_("Document expires on"),
    DOCUMENT: N_("Travel document"),
}


class FileProblem(DomainError):
    """The file as a whole cannot be read (encoding, size, header); no row is looked at."""

    status_code = 422


TOO_LARGE = N_(
    "The file is larger than %(mb)s MB. Split the list into smaller files and import them one after the other."
)


def too_large() -> str:
    return _(TOO_LARGE) % {"mb": MAX_BYTES // (1024 * 1024)}


class FileTooLarge(DomainError):
    status_code = 413

    def __init__(self) -> None:
        super().__init__(too_large())


class Outcome(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


class RowsRejected(Exception):
    """The database refused a row while applying (e.g. a circle filled up since the preview)."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} rows rejected")


@dataclass(frozen=True)
class SheetRow:
    # As a spreadsheet numbers it: the header is row 1.
    number: int
    # The cells of the known columns, stripped.
    cells: dict[str, str]
    # Whether it has something in a column without a heading.
    overflows: bool = False


@dataclass
class Sheet:
    """The file read as a table: the known columns it has, and its non-blank rows."""

    columns: list[str]
    unknown: list[str]
    rows: list[SheetRow]
    delimiter: str


@dataclass
class PlannedRow:
    number: int
    data: RegistrationCreate
    document: TravelDocumentIn | None
    # The fields this row sets (a column absent from the file, or a blank choice, sets nothing).
    given: frozenset[str]
    outcome: Outcome = Outcome.CREATE
    registration: Registration | None = None
    # The person the row is, when known: by e-mail (perhaps from another event) or as matched.
    person: Person | None = None
    changes: list[str] = field(default_factory=list)
    set_email: bool = False

    @property
    def name(self) -> str:
        return f"{self.data.given_name} {self.data.family_name}"

    @property
    def name_native(self) -> str:
        return f"{self.data.given_name_native} {self.data.family_name_native}".strip()


@dataclass
class Preview:
    delegation: Delegation
    text: str
    delimiter: str
    columns: list[str]
    unknown: list[str]
    # The file's rows that hold something; `rows` are those that passed the checks.
    total: int
    rows: list[PlannedRow]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors

    def of(self, outcome: Outcome) -> list[PlannedRow]:
        return [row for row in self.rows if row.outcome == outcome]

    @property
    def counts(self) -> dict[str, int]:
        return {outcome.value: len(self.of(outcome)) for outcome in Outcome}

    @property
    def fingerprint(self) -> str:
        """What the confirmation would do; it changes when the participants change meanwhile."""
        plan = [
            (row.number, row.outcome.value, row.registration.id if row.registration else None, row.changes)
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(plan).encode()).hexdigest()[:32]


# --- reading the file ----------------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """The file's text: UTF-8, with or without a byte-order mark."""
    if len(raw) > MAX_BYTES:
        raise FileProblem(too_large())
    if not raw.strip():
        raise FileProblem(_("The file is empty."))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(_("The file is UTF-16 text. Save it as “CSV UTF-8” and upload it again."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            _(
                "The file is not UTF-8 text (see byte %(byte)s). "
                "In your spreadsheet, save it as “CSV UTF-8” and upload it again."
            )
            % {"byte": exc.start + 1}
        ) from exc
    if "\x00" in text:
        raise FileProblem(_("The file contains NUL characters: it is not a CSV file."))
    return text


def _folded(text: str) -> str:
    return re.sub(r"[\s\-_]+", " ", text.strip().casefold())


@lru_cache
def _headings() -> dict[str, str]:
    """The columns by their labels in every language of Parley ("Given name", "Имя" …).
    A label that names different columns in different languages names neither."""
    found: dict[str, set[str]] = defaultdict(set)
    for code in i18n.LANGUAGES:
        with i18n.use_language(code):
            for column, label in COLUMN_LABELS.items():
                if column in COLUMNS:
                    found[_folded(_(label))].add(column)
    return {label: columns.pop() for label, columns in found.items() if len(columns) == 1}


def _column_name(heading: str) -> str:
    """A heading's column: its name (in any case, spaces or hyphens for underscores), or its
    label in any of Parley's languages."""
    name = re.sub(r"[\s\-]+", "_", heading.strip().lower())
    name = ALIASES.get(name, name)
    if name in COLUMNS or not name:
        return name
    return _headings().get(_folded(heading), name)


def _delimiter(text: str) -> str:
    """The separator of the header line: whichever of comma, semicolon and tab it has most of."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_sheet(text: str) -> Sheet:
    """The header and the rows. Row numbers are those a spreadsheet shows: the header is row 1."""
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    positions: dict[int, str] = {}
    unknown: list[str] = []
    unnamed: set[int] = set()
    rows: list[SheetRow] = []
    try:
        for number, record in enumerate(reader, start=1):
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue
            if header is None:
                header = cells
                positions, unknown, unnamed = _read_header(header)
                continue
            if len(rows) >= MAX_ROWS:
                raise FileProblem(
                    _("The file has more than %(rows)s rows. Split the list into smaller files.")
                    % {"rows": i18n.format_number(MAX_ROWS)}
                )
            known = {name: cells[i] if i < len(cells) else "" for i, name in positions.items()}
            overflows = any(c for i, c in enumerate(cells) if i >= len(header) or i in unnamed)
            rows.append(SheetRow(number, known, overflows))
    except csv.Error as exc:
        raise FileProblem(
            _("Row %(row)s cannot be read as CSV: %(error)s.") % {"row": reader.line_num, "error": exc}
        ) from exc
    if header is None:
        raise FileProblem(_("The file is empty."))
    if not rows:
        raise FileProblem(_("The file has a header but no rows under it."))
    return Sheet(columns=list(positions.values()), unknown=unknown, rows=rows, delimiter=delimiter)


def _read_header(header: list[str]) -> tuple[dict[int, str], list[str], set[int]]:
    positions: dict[int, str] = {}
    unknown: list[str] = []
    unnamed: set[int] = set()
    for i, heading in enumerate(header):
        name = _column_name(heading)
        if not name:
            unnamed.add(i)
        elif name not in COLUMNS:
            unknown.append(heading)
        elif name in positions.values():
            raise FileProblem(_("The column “%(name)s” appears twice in the header.") % {"name": name})
        else:
            positions[i] = name
    missing = [name for name in REQUIRED if name not in positions.values()]
    if len(missing) == 1:
        raise FileProblem(
            _(
                "The first row must name the columns, and it has no “%(name)s” column. "
                "Download the template to see the column names."
            )
            % {"name": missing[0]}
        )
    if missing:  # both of REQUIRED
        raise FileProblem(
            _(
                "The first row must name the columns, and it has no “%(first)s” or “%(second)s” column. "
                "Download the template to see the column names."
            )
            % {"first": missing[0], "second": missing[1]}
        )
    return positions, unknown, unnamed


def template_csv() -> bytes:
    """The header row, with a byte-order mark so that spreadsheets read the file as UTF-8."""
    return ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode()


# --- checking each row ---------------------------------------------------------------------------


def _choice(column: str, value: str) -> str | None:
    """A choice given as its value or its label in any of Parley's languages, in any case
    ("Civil society", "civil-society" and "Гражданское общество" → civil_society)."""
    wanted = re.sub(r"[\s\-]+", "_", value.strip().lower())
    options = CHOICES[column]
    if wanted in {o.value for o in options}:
        return wanted
    return _choice_labels(column).get(_folded(value))


@lru_cache
def _choice_labels(column: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for code in i18n.LANGUAGES:
        with i18n.use_language(code):
            for option in CHOICES[column]:
                found.setdefault(_folded(i18n.label(option)), option.value)
                if column == "doc_type":
                    found.setdefault(_folded(doc_type_label(option)), option.value)
    return found


def _options(column: str) -> str:
    return ", ".join(o.value for o in CHOICES[column])


# What to write instead, where a column's text has not the form it must have.
FORMAT_HINTS = {
    "doc_number": N_("Use letters A–Z, digits, spaces and hyphens only."),
    "phone": N_("Use digits, spaces and + ( ) - . only."),
}


def _errors(number: int, exc: ValidationError, *, skip: set[str] | frozenset[str] = frozenset()) -> list[RowError]:
    """Pydantic's errors by column, in the forms' wording; a validator's message in full."""
    worded = errors_by_field(exc)
    found = []
    for error in exc.errors():
        column = str(error["loc"][0]) if error["loc"] else ""
        message = worded[column].pop(0) if worded.get(column) else error["msg"]
        if error["type"] == "value_error":
            message = str((error.get("ctx") or {}).get("error", message))
        elif error["type"] == "string_pattern_mismatch" and column in FORMAT_HINTS:
            message = _(FORMAT_HINTS[column])
        if column not in skip:
            found.append(RowError(number, column, message))
    return found


def check_row(
    sheet_row: SheetRow, columns: list[str], delegation: Delegation
) -> tuple[PlannedRow | None, list[RowError]]:
    """The row as a registration and a travel document, or what is wrong with it, by column."""
    number, cells = sheet_row.number, sheet_row.cells
    errors: list[RowError] = []
    if sheet_row.overflows:
        errors.append(RowError(number, "", _("This row has cells in columns without a heading.")))
    values: dict[str, object] = {}
    given: set[str] = set()
    for column in ("email", *PERSON_COLUMNS, *PLACEMENT_COLUMNS, *NEEDS_COLUMNS):
        if column not in columns:
            continue
        value = cells.get(column, "")
        if column in CHOICES:
            if not value:
                continue
            choice = _choice(column, value)
            if choice is None:
                errors.append(RowError(number, column, _("Use one of: %(options)s.") % {"options": _options(column)}))
                continue
            value = choice
        if column == "email":
            if not value:
                continue
            value = value.lower()
        values[column] = value
        given.add(column)
    data: RegistrationCreate | None = None
    try:
        data = RegistrationCreate(delegation_id=delegation.id, **values)  # type: ignore[arg-type]
    except ValidationError as exc:
        errors.extend(_errors(number, exc))

    document: TravelDocumentIn | None = None
    cells_of_document = {c: cells.get(c, "") for c in DOCUMENT_COLUMNS if c in columns}
    if "doc_number" in columns and any(cells_of_document.values()):
        given.add(DOCUMENT)
        doc_values: dict[str, str] = {}
        flagged: set[str] = set()
        for column in DOCUMENT_COLUMNS:
            value = cells_of_document.get(column, "")
            problem = None
            if not value:
                problem = _("Required when a travel document is given.")
            elif column == "doc_type" and _choice(column, value) is None:
                problem = _("Use one of: %(options)s.") % {"options": _options(column)}
            elif column == "doc_expires_on" and not DATE.match(value):
                problem = _("Enter a date as YYYY-MM-DD.")
            if problem is None:
                doc_values[column] = _choice(column, value) if column == "doc_type" else value  # type: ignore[assignment]
            else:
                errors.append(RowError(number, column, problem))
                flagged.add(column)
        try:
            document = TravelDocumentIn(**doc_values)  # type: ignore[arg-type]
        except ValidationError as exc:
            errors.extend(_errors(number, exc, skip=flagged))
    if errors or data is None:
        return None, errors
    return PlannedRow(number=number, data=data, document=document, given=frozenset(given)), []


def _name_key(given_name: str, family_name: str, organisation: str) -> tuple[str, str, str]:
    return (given_name.casefold().strip(), family_name.casefold().strip(), organisation.casefold().strip())


SAME = {
    "email": N_("Row %(row)s has the same e-mail address."),
    "doc_number": N_("Row %(row)s has the same document number."),
    "given_name": N_("Row %(row)s has the same name and organisation."),
}


def _duplicates(rows: list[PlannedRow]) -> list[RowError]:
    """Two rows of the file that are the same person: by e-mail, document number, or name."""
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        keys = []
        if row.data.email:
            keys.append(("email", row.data.email))
        if row.document is not None:
            keys.append(("doc_number", registrations.normalise_document_number(row.document.doc_number)))
        if not row.data.email and row.document is None:
            keys.append(("given_name", "|".join(_name_key(row.data.given_name, row.data.family_name, row.data.organisation))))
        for key in keys:
            if key in seen:
                errors.append(RowError(row.number, key[0], _(SAME[key[0]]) % {"row": seen[key]}))
            else:
                seen[key] = row.number
    return errors


# --- matching against the event -----------------------------------------------------------------


def check_allowed(*, actor: User, delegation: Delegation) -> None:
    """May this person import into this delegation now (its event open, its data not erased)?"""
    policy.require(actor, Action.PARTICIPANT_MANAGE, delegation)
    if delegation.event.personal_data_purged_at is not None:
        raise Conflict(_("The personal data of this event has been erased."))


def _people_by_email(db: Session, emails: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for start in range(0, len(emails), CHUNK):
        chunk = emails[start : start + CHUNK]
        for person in db.scalars(select(Person).where(Person.email.in_(chunk))):
            found[person.email or ""] = person
    return found


def _event_registrations(db: Session, delegation: Delegation) -> list[Registration]:
    """Every registration of the event, for matching only: nothing of another delegation is shown."""
    query = (
        select(Registration)
        .options(
            joinedload(Registration.person),
            joinedload(Registration.delegation),
            joinedload(Registration.event),
        )
        .where(Registration.event_id == delegation.event_id)
    )
    return list(db.scalars(query).unique())


def preview(db: Session, *, actor: User, delegation: Delegation, text: str) -> Preview:
    """Read and check the whole file and say what importing it would do; writes nothing."""
    check_allowed(actor=actor, delegation=delegation)
    sheet = read_sheet(text)
    rows: list[PlannedRow] = []
    errors: list[RowError] = []
    for sheet_row in sheet.rows:
        row, row_errors = check_row(sheet_row, sheet.columns, delegation)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    duplicates = _duplicates(rows)
    errors.extend(duplicates)
    twice = {e.row for e in duplicates}
    errors.extend(_plan(db, delegation, [row for row in rows if row.number not in twice]))
    order = {name: i for i, name in enumerate(("", *COLUMNS))}
    errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
    return Preview(
        delegation=delegation,
        text=text,
        delimiter=sheet.delimiter,
        columns=sheet.columns,
        unknown=sheet.unknown,
        total=len(sheet.rows),
        rows=rows,
        errors=errors,
    )


def _plan(db: Session, delegation: Delegation, rows: list[PlannedRow]) -> list[RowError]:
    """Match each row with a participant and find what changes; errors for rows that clash."""
    existing = _event_registrations(db, delegation)
    by_person = {r.person_id: r for r in existing}
    by_hash = {r.doc_number_hash: r for r in existing if r.doc_number_hash}
    by_name: dict[tuple[str, str, str], list[Registration]] = defaultdict(list)
    for r in existing:
        if r.delegation_id == delegation.id:
            by_name[_name_key(r.person.given_name, r.person.family_name, r.person.organisation)].append(r)
    people = _people_by_email(db, sorted({row.data.email for row in rows if row.data.email}))

    errors: list[RowError] = []
    claimed: dict[int, int] = {}
    for row in rows:
        email = row.data.email
        digest = registrations.document_hash(row.document.doc_number) if row.document else None
        person = people.get(email) if email else None
        registration = by_person.get(person.id) if person is not None else None
        matched_by = "email"
        if person is None and digest is not None and digest in by_hash:
            candidate = by_hash[digest]
            if not email or candidate.person.email is None:
                registration, person, matched_by = candidate, candidate.person, "doc_number"
        if person is None:
            key = _name_key(row.data.given_name, row.data.family_name, row.data.organisation)
            candidates = [r for r in by_name.get(key, []) if not email or r.person.email is None]
            if len(candidates) > 1:
                errors.append(RowError(row.number, "given_name", _(
                    "Several participants of this delegation have this name and organisation: "
                    "add their e-mail addresses to tell them apart."
                )))
                continue
            if candidates:
                registration, person, matched_by = candidates[0], candidates[0].person, "given_name"
        if digest is not None and digest in by_hash and by_hash[digest] is not registration:
            errors.append(RowError(row.number, "doc_number", _(registrations.DOCUMENT_TAKEN)))
            continue
        if registration is not None:
            if registration.delegation_id != delegation.id:
                errors.append(RowError(row.number, matched_by, _(registrations.ALREADY_REGISTERED)))
                continue
            if registration.id in claimed:
                errors.append(RowError(
                    row.number, matched_by, _("Row %(row)s is the same participant.") % {"row": claimed[registration.id]}
                ))
                continue
            claimed[registration.id] = row.number
        if person is not None:
            # Fields the file does not give keep their values.
            merged = {k: getattr(person, k) for k in PersonFields.model_fields if k not in row.given}
            if registration is not None:
                merged |= {k: getattr(registration, k) for k in NeedsFields.model_fields if k not in row.given}
                merged |= {k: getattr(registration, k) for k in PLACEMENT_COLUMNS if k not in row.given}
            row.data = row.data.model_copy(update=merged)
        row.registration = registration
        row.person = person
        row.set_email = bool(registration is not None and email and person is not None and person.email is None)
        row.changes = _changes(row, person, registration)
        if registration is None:
            row.outcome = Outcome.CREATE
        else:
            row.outcome = Outcome.UPDATE if row.changes else Outcome.UNCHANGED
    return errors


def _changes(row: PlannedRow, person: Person | None, registration: Registration | None) -> list[str]:
    """The fields of an existing person and registration that the row changes."""
    changes: list[str] = []
    if person is not None:
        if row.set_email:
            changes.append("email")
        changes += [c for c in PERSON_COLUMNS if c in row.given and getattr(person, c) != getattr(row.data, c)]
    if registration is not None:
        changes += [
            c for c in (*PLACEMENT_COLUMNS, *NEEDS_COLUMNS) if c in row.given and getattr(registration, c) != getattr(row.data, c)
        ]
        if row.document is not None and _document_changes(row.document, registration):
            changes.append(DOCUMENT)
    return changes


def _document_changes(document: TravelDocumentIn, registration: Registration) -> bool:
    return (
        registration.doc_number_hash != registrations.document_hash(document.doc_number),
        registration.doc_type,
        registration.doc_issuing_country,
        registration.doc_nationality,
        registration.doc_expires_on,
    ) != (False, document.doc_type, document.doc_issuing_country, document.doc_nationality, document.doc_expires_on)


# --- applying ------------------------------------------------------------------------------------


CONCURRENT = N_("Someone changed these participants at the same time. Check the file and try again.")


def apply(db: Session, *, actor: User, delegation: Delegation, preview: Preview) -> dict[str, int]:
    """Create and update what the preview said, and write one audit entry for the import.

    Raises RowsRejected having written part of the file: the caller runs this in a savepoint
    and rolls the savepoint back, so that nothing of the file is kept.
    """
    check_allowed(actor=actor, delegation=delegation)
    if not preview.ok:
        raise RowsRejected(preview.errors)
    try:
        _create_all(db, actor, delegation, preview.of(Outcome.CREATE))
        for row in preview.of(Outcome.UPDATE):
            assert row.registration is not None
            try:
                _update(db, actor, row, row.registration)
            except FieldError as exc:
                column = exc.field if exc.field in COLUMNS else ""
                raise RowsRejected([RowError(row.number, column, exc.message)]) from exc
    except IntegrityError as exc:  # another request registered the same person meanwhile
        raise RowsRejected([RowError(0, "", _(CONCURRENT))]) from exc
    counts = preview.counts
    audit.record(
        db,
        actor,
        "participants.import",
        delegation,
        rows=len(preview.rows),
        created=counts[Outcome.CREATE],
        updated=counts[Outcome.UPDATE],
        unchanged=counts[Outcome.UNCHANGED],
    )
    log.info(
        "participants imported into delegation %s by %s: %s created, %s updated, %s unchanged",
        delegation.id, actor.id, counts[Outcome.CREATE], counts[Outcome.UPDATE], counts[Outcome.UNCHANGED],
    )
    return counts


def _create_all(db: Session, actor: User, delegation: Delegation, rows: list[PlannedRow]) -> None:
    """The new registrations, written together: what `registrations.add` and
    `set_travel_document` do row by row (their checks were made for the whole file by the
    preview, and the unique constraints catch a concurrent change), in a handful of statements
    instead of a dozen per row, so that a file of thousands of rows imports in seconds."""
    created: list[tuple[PlannedRow, Registration]] = []
    for row in rows:
        fields = row.data.model_dump(include=set(PersonFields.model_fields))
        person = row.person
        if person is None:
            person = Person(email=row.data.email, **fields)
            db.add(person)
        else:  # known by e-mail from another event: updated as `upsert_person` does
            for key, value in fields.items():
                setattr(person, key, value)
        registration = Registration(
            event=delegation.event,
            delegation=delegation,
            person=person,
            circle=row.data.circle,
            category=row.data.category,
            status=RegistrationStatus.REGISTERED,
            consents=[],
            **row.data.model_dump(include=set(NeedsFields.model_fields)),
        )
        db.add(registration)
        created.append((row, registration))
    db.flush()
    for row, registration in created:
        if row.document is not None:
            _store_document(registration, row.document)
        audit.record(
            db,
            actor,
            "registration.create",
            registration,
            delegation_id=delegation.id,
            via="import",
            document=row.document is not None,
        )
    db.flush()


def _store_document(registration: Registration, document: TravelDocumentIn) -> None:
    """As `registrations.set_travel_document` stores it: encrypted, bound to the row."""
    number = registrations.normalise_document_number(document.doc_number)
    registration.doc_type = document.doc_type
    registration.doc_number = crypto.encrypt(number, table="registration", column="doc_number", row_id=registration.id)
    registration.doc_number_hash = registrations.document_hash(number)
    registration.doc_number_hint = number[-4:]
    registration.doc_issuing_country = document.doc_issuing_country
    registration.doc_nationality = document.doc_nationality
    registration.doc_expires_on = document.doc_expires_on


def _update(db: Session, actor: User, row: PlannedRow, registration: Registration) -> None:
    changes = set(row.changes)
    person = registration.person
    if row.set_email:
        person.email = row.data.email
        db.flush()
        audit.record(db, actor, "person.update", person, event_id=registration.event_id, fields=["email"])
    if changes & set(PERSON_COLUMNS):
        data = PersonFields.model_construct(**{k: getattr(row.data, k) for k in PersonFields.model_fields})
        registrations.update_person(db, actor=actor, registration=registration, data=data)
    if changes & set(NEEDS_COLUMNS):
        data_needs = NeedsFields.model_construct(**{k: getattr(row.data, k) for k in NeedsFields.model_fields})
        registrations.update_needs(db, actor=actor, registration=registration, data=data_needs)
    if changes & set(PLACEMENT_COLUMNS):
        registrations.change_placement(
            db,
            actor=actor,
            registration=registration,
            circle=row.data.circle if "circle" in changes else None,
            category=row.data.category if "category" in changes else None,
        )
    if DOCUMENT in changes and row.document is not None:
        registrations.set_travel_document(db, actor=actor, registration=registration, data=row.document)


# --- carrying the file from the preview to the confirmation --------------------------------------


def _signature(payload: str, fingerprint: str, actor: User, delegation: Delegation) -> str:
    return keyed_hash("participants-import", f"{actor.id}:{delegation.id}:{fingerprint}:{payload}")


def seal(preview: Preview, *, actor: User) -> dict[str, str]:
    """The checked file, compressed and signed for this user and delegation, for hidden fields.

    The confirmation reads and checks it again: the signature only says it came from a preview.
    """
    payload = base64.urlsafe_b64encode(zlib.compress(preview.text.encode(), 6)).decode()
    fingerprint = preview.fingerprint
    return {
        "payload": payload,
        "fingerprint": fingerprint,
        "signature": _signature(payload, fingerprint, actor, preview.delegation),
    }


def unseal(*, payload: str, fingerprint: str, signature: str, actor: User, delegation: Delegation) -> str:
    expired = FileProblem(_("This preview cannot be confirmed any more. Upload the file again."))
    if not same(_signature(payload, fingerprint, actor, delegation), signature):
        raise expired
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(payload), MAX_BYTES + 1)
        if len(raw) > MAX_BYTES or inflater.unconsumed_tail:
            raise expired
        return raw.decode()
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise expired from exc
