"""The event archive: a whole event, with everything that belongs to it, moved between instances
(from SQLite to PostgreSQL, say) as one JSON document (`schemas.EventArchive`).

What it holds, table by table (`tests/archive/test_coverage.py` fails when a table that belongs
to an event is in none of these):

- OWNED: the event and its records, each found through its `event_id` or its parent (a consent
  through its registration). The import always creates them anew, with new ids.
- SHARED: instance-wide records that the event's records refer to, matched on import by a natural
  key (NATURAL_KEYS) and created only when missing. A person with the e-mail address of one the
  instance has is that person, reused as they are (never overwritten); people without an address
  are created. A crossing point that is created brings its procedure templates (WITH_PARENT).
- EXCLUDED: what stays behind, with the reason.

Accounts never travel. A reference to a user is written as the user's e-mail address and linked,
on import, to the account with that address if there is one, else left empty; a staff or
coordinator role of an account the instance does not have is left out (and counted).

Travel-document numbers are never written in clear. Each is decrypted and encrypted again with
app.crypto under the instance's current key, bound to the archive (table "archive:<archive id>",
the column, the source row's id); the archive names that key (`key_id`). The import decrypts them
with its own keyring, which must hold that key, and stores them as the registrations service
does: encrypted bound to the new row, with the keyed hash and the last characters. Export and
import are each written to the audit log once.

Invitations keep the hash of their link's token: a pending invitation's link goes on working
when the instance moves to a new database at the same address.

An archive must have been written at this instance's schema revision. One from an older
revision is refused (export it again once the source runs this version: a schema change may
need data moved in ways only the migration knows); one from a newer or unknown revision too
(upgrade this instance first).

The import checks everything before it writes anything (the shape and type of every value, that
every reference resolves inside the archive, the keys, collisions with what the instance has),
then writes in one savepoint: it imports all of it or nothing.
"""

import gzip
import json
import logging
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import Any

from pydantic import ValidationError
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    Integer,
    Numeric,
    String,
    Table,
    func,
    select,
)
from sqlalchemy import Enum as EnumType
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import flag_modified

import app.models  # noqa: F401  (every table in Base.metadata)
from app import audit, crypto, policy
from app.accounts.models import User
from app.accounts.service import actor_label
from app.archive.schemas import FORMAT, EventArchive
from app.config import ROOT
from app.db import Base, UTCDateTime, utcnow
from app.errors import DomainError
from app.events.models import Event
from app.i18n import N_, _, format_day, ngettext
from app.policy import Action
from app.registrations import service as registrations_service
from app.registrations.models import Registration

log = logging.getLogger(__name__)

VERSION = 1
# The largest archive read, unpacked (an event of a few hundred people is a megabyte or two).
MAX_BYTES = 64 * 1024 * 1024
# How many values one IN (...) carries.
CHUNK = 500
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def too_large() -> str:
    """The refusal of an archive beyond MAX_BYTES, in the reader's language."""
    return _("The archive is larger than %(mb)s MB (unpacked).") % {"mb": MAX_BYTES // (1024 * 1024)}


OWNED = frozenset(
    {
        "event",
        "event_staff",
        "delegation",
        "delegation_coordinator",
        "registration",
        "consent",
        "invitation",
        "room",
        "official",
        "agenda_session",
        "session_speaker",
        "session_invitee",
        "session_translation",
        "crossing",
        "vehicle",
        "manifest_entry",
        "procedure_step",
        "outcome",
        "press_item",
        "press_version",
        "press_approval",
        "media_coverage",
        "event_summary",
        "recommendation",
        "progress_update",
    }
)

# Shared records and how the import recognises them (a key with an empty part matches nothing).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "person": ("email",),
    "initiative": ("name",),
    "roadmap_phase": ("initiative_id", "name"),
    "crossing_point": ("name_a", "name_b"),
}
# Shared records that travel with a shared parent: created with it, left out when it is matched.
WITH_PARENT: dict[str, str] = {"procedure_template": "crossing_point_id"}
SHARED = frozenset(NATURAL_KEYS) | frozenset(WITH_PARENT)

# Tables left out of the archive, and why (shown on the export page: `_(EXCLUDED[table])`).
EXCLUDED: dict[str, str] = {
    "audit_entry": N_("the source's record of who did what; the import writes an entry of its own"),
    "itinerary_feed": N_("private calendar-subscription tokens: delegates subscribe again on the new instance"),
    "itinerary_change": N_("notices of past changes, told (or due to be told) by the source instance"),
    "outbox_message": N_("e-mail of the source instance, sent or due to be sent from there"),
    "user": N_("accounts stay with their instance; the archive names them by e-mail address"),
    "user_session": N_("sign-ins, of the source instance"),
    "api_token": N_("secrets of the source instance's accounts"),
    "password_reset": N_("secrets of the source instance's accounts"),
    "login_attempt": N_("the source instance's sign-in throttling"),
    "site_setting": N_("the source instance's own settings"),
    "milestone": N_("the initiative's roadmap, kept by administrators, not the event's"),
}

# Encrypted at rest (app.crypto, bound to table, column and row): re-encrypted for the archive.
ENCRYPTED = frozenset({("registration", "doc_number")})
# Computed from an encrypted value: left out of the archive, computed again on import.
DERIVED = frozenset({("registration", "doc_number_hash"), ("registration", "doc_number_hint")})

TABLES = Base.metadata.tables
# Parents before children.
ARCHIVED: tuple[str, ...] = tuple(t.name for t in Base.metadata.sorted_tables if t.name in OWNED | SHARED)


class ArchiveError(DomainError):
    """The archive cannot be imported (or made); nothing was written. Its message is in the
    reader's language (the CLI's: the default language)."""

    status_code = 422
    default_message = N_("The archive cannot be imported.")


# --- the columns of each table ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    key: str  # the model's attribute
    kind: str  # id, ref, user, int, bool, str, enum, date, datetime, decimal, json
    nullable: bool
    unique: bool
    target: str | None = None  # the table a ref points to
    length: int | None = None
    choices: frozenset[str] = frozenset()
    limit: Decimal | None = None  # the bound (exclusive) of a decimal's absolute value


@cache
def _mapper(table: str) -> Mapper[Any]:
    return next(m for m in Base.registry.mappers if m.local_table is TABLES[table])


@cache
def columns(table: str) -> tuple[Column, ...]:
    """The archived columns of a table and how each is written."""
    mapper = _mapper(table)
    found = []
    for column in TABLES[table].columns:
        if (table, column.name) in DERIVED:
            continue
        key = mapper.get_property_by_column(column).key
        common = {"name": column.name, "key": key, "nullable": bool(column.nullable), "unique": bool(column.unique)}
        found.append(Column(**common, **_kind(table, column)))
    return tuple(found)


def _kind(table: str, column: Any) -> dict[str, Any]:
    if column.primary_key:
        return {"kind": "id"}
    if column.foreign_keys:
        target = next(iter(column.foreign_keys)).column.table.name
        if target == "user":
            return {"kind": "user", "length": User.__table__.c.email.type.length}
        if target not in OWNED | SHARED:
            raise RuntimeError(f"{table}.{column.name} refers to {target}, which the archive does not hold")
        return {"kind": "ref", "target": target}
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return {"kind": "datetime"}
    if isinstance(kind, EnumType):
        return {"kind": "enum", "choices": frozenset(kind.enums)}
    if isinstance(kind, Boolean):
        return {"kind": "bool"}
    if isinstance(kind, Integer):
        return {"kind": "int"}
    if isinstance(kind, Numeric):
        return {"kind": "decimal", "limit": Decimal(10) ** ((kind.precision or 18) - (kind.scale or 0))}
    if isinstance(kind, Date):
        return {"kind": "date"}
    if isinstance(kind, JSON):
        return {"kind": "json"}
    if isinstance(kind, String):
        return {"kind": "str", "length": kind.length}
    raise RuntimeError(f"{table}.{column.name}: the archive does not know how to write {kind!r}")


def _refs(table: str) -> list[Column]:
    return [c for c in columns(table) if c.kind == "ref"]


# --- which rows belong to an event ---------------------------------------------------------------


def _belongs(table: Table, event_id: int) -> ColumnElement[bool]:
    """The rows of an OWNED table that belong to the event: by `event_id`, else by their parent
    (the first required reference to an owned table)."""
    if table.name == "event":
        return table.c.id == event_id
    if "event_id" in table.c and any(fk.column.table.name == "event" for fk in table.c.event_id.foreign_keys):
        return table.c.event_id == event_id
    parent = next(c for c in _refs(table.name) if not c.nullable and c.target in OWNED)
    parent_table = TABLES[parent.target]  # type: ignore[index]
    return table.c[parent.name].in_(select(parent_table.c.id).where(_belongs(parent_table, event_id)))


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = sorted(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _rows_by_id(db: Session, table: Table, column: str, ids: set[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        rows += [dict(r) for r in db.execute(select(table).where(table.c[column].in_(chunk))).mappings()]
    return sorted(rows, key=lambda r: r["id"])


def _collect(db: Session, event_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every archived row of the event, by table, as the database has them."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in ARCHIVED:
        if name in OWNED:
            table = TABLES[name]
            query = select(table).where(_belongs(table, event_id)).order_by(table.c.id)
            rows[name] = [dict(r) for r in db.execute(query).mappings()]
    # Shared records, those referred to: children first, so that a phase brings its initiative.
    for name in reversed(ARCHIVED):
        if name in NATURAL_KEYS:
            wanted = {
                row[c.name]
                for other, found in rows.items()
                for c in _refs(other)
                if c.target == name
                for row in found
                if row[c.name] is not None
            }
            rows[name] = _rows_by_id(db, TABLES[name], "id", wanted)
    for name, parent_column in WITH_PARENT.items():
        target = next(c.target for c in _refs(name) if c.name == parent_column)
        parents = {row["id"] for row in rows[target]}  # type: ignore[index]
        rows[name] = _rows_by_id(db, TABLES[name], parent_column, parents)
    return {name: rows[name] for name in ARCHIVED}


# --- export ------------------------------------------------------------------------------------


@cache
def _revisions() -> tuple[str, frozenset[str]]:
    """This instance's schema revision (Alembic's head) and every revision before it."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini")))
    head = script.get_current_head()
    assert head is not None
    return head, frozenset(r.revision for r in script.walk_revisions())


def schema_revision() -> str:
    return _revisions()[0]


def _archive_aad(archive_id: str) -> str:
    return f"archive:{archive_id}"


def _dump(column: Column, value: Any, emails: dict[int, str]) -> Any:
    if value is None:
        return None
    if column.kind == "user":
        return emails[value]
    if column.kind in ("datetime", "date"):
        return value.isoformat()
    if column.kind == "decimal":
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def check_allowed(*, actor: User | None) -> None:
    """For the pages: may the actor move events between instances at all?"""
    policy.require(actor, Action.EVENT_TRANSFER)


def export_archive(db: Session, *, actor: User, event: Event, client: str | None = None) -> dict[str, Any]:
    """The event's archive (a JSON-ready dict); written to the audit log."""
    policy.require(actor, Action.EVENT_TRANSFER)
    archive_id = str(uuid.uuid4())
    found = _collect(db, event.id)
    user_ids = {row[c.name] for name, rows in found.items() for c in columns(name) if c.kind == "user" for row in rows}
    user_ids.discard(None)
    emails: dict[int, str] = {}
    for chunk in _chunks(user_ids):
        emails.update({row[0]: row[1] for row in db.execute(select(User.id, User.email).where(User.id.in_(chunk)))})
    ring = crypto.keyring()
    documents = 0
    records: dict[str, list[dict[str, Any]]] = {}
    for name, rows in found.items():
        records[name] = []
        for row in rows:
            item = {}
            for column in columns(name):
                value = row[column.name]
                if (name, column.name) in ENCRYPTED and value is not None:
                    try:
                        plain = crypto.decrypt(value, table=name, column=column.name, row_id=row["id"], ring=ring)
                    except crypto.DecryptionError as exc:
                        raise ArchiveError(
                            _(
                                "An encrypted value (%(table)s %(id)s, %(column)s) cannot be decrypted with "
                                "this instance's keys: the archive was not made."
                            )
                            % {"table": name, "id": row["id"], "column": column.name}
                        ) from exc
                    value = crypto.encrypt(
                        plain, table=_archive_aad(archive_id), column=column.name, row_id=row["id"], ring=ring
                    )
                    documents += 1
                else:
                    value = _dump(column, value, emails)
                item[column.name] = value
            records[name].append(item)
    counts = {name: len(rows) for name, rows in records.items()}
    audit.record(
        db, actor, "event.export", event, client=client, archive_id=archive_id, records=counts, documents=documents
    )
    log.info("event %s exported by %s as archive %s", event.id, actor_label(actor), archive_id)
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema": schema_revision(),
        "archive_id": archive_id,
        "exported_at": utcnow().isoformat(),
        "key_id": ring.current,
        "records": records,
    }


def encode(archive: dict[str, Any], *, compress: bool = False) -> bytes:
    """The archive as a file: UTF-8 JSON, gzip-compressed if asked."""
    data = json.dumps(archive, ensure_ascii=False, separators=(",", ":")).encode()
    return gzip.compress(data, mtime=0) if compress else data


def contents(db: Session, *, viewer: User, event: Event) -> dict[str, int]:
    """How many records of each owned kind the event's archive would hold, and how many travel
    documents (one query)."""
    policy.require(viewer, Action.EVENT_TRANSFER)
    counts = [
        select(func.count()).select_from(TABLES[name]).where(_belongs(TABLES[name], event.id)).scalar_subquery().label(name)
        for name in ARCHIVED
        if name in OWNED and name != "event"
    ]
    documents = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.doc_number.is_not(None))
        .scalar_subquery()
        .label("documents")
    )
    return dict(db.execute(select(*counts, documents)).one()._mapping)


# --- reading and checking an archive -------------------------------------------------------------


def read(raw: bytes) -> Any:
    """The JSON in a file's bytes (gzip-compressed or not)."""
    if raw[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            raw = inflater.decompress(raw, MAX_BYTES + 1)
        except zlib.error as exc:
            raise ArchiveError(_("The file looks compressed (gzip) but cannot be unpacked.")) from exc
        if len(raw) > MAX_BYTES or inflater.unconsumed_tail:
            raise ArchiveError(too_large())
    if len(raw) > MAX_BYTES:
        raise ArchiveError(too_large())
    if not raw.strip():
        raise ArchiveError(_("The file is empty."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArchiveError(_("The archive is not UTF-8 text: it is not a Parley event archive.")) from exc
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ArchiveError(_("The archive is not valid JSON (%(reason)s).") % {"reason": str(exc)[:120]}) from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


class _Invalid(Exception):
    """What is wrong with a value: a message (marked with N_) naming the value as %(where)s, and
    the message's other placeholders."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def _text(value: Any, length: int | None) -> str:
    if not isinstance(value, str):
        raise _Invalid(N_("%(where)s must be text"))
    if length is not None and len(value) > length:
        raise _Invalid(N_("%(where)s is longer than %(n)s characters"), n=length)
    if "\x00" in value:
        raise _Invalid(N_("%(where)s holds a NUL character"))
    return value


def _load(column: Column, value: Any) -> Any:
    """An archived value as the database takes it (refs and users as the archive has them)."""
    if value is None:
        if column.nullable and column.kind != "id":
            return None
        raise _Invalid(N_("%(where)s is required"))
    kind = column.kind
    if kind in ("id", "ref", "int"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Invalid(N_("%(where)s must be a whole number"))
        low = 1 if kind in ("id", "ref") else INT_MIN
        if not low <= value <= INT_MAX:
            raise _Invalid(N_("%(where)s is out of range"))
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _Invalid(N_("%(where)s must be true or false"))
        return value
    if kind in ("str", "user"):
        return _text(value, column.length)
    if kind == "enum":
        if value not in column.choices:
            raise _Invalid(N_("%(where)s must be one of %(choices)s"), choices=", ".join(sorted(column.choices)))
        return value
    if kind == "date":
        try:
            return date.fromisoformat(_text(value, 10))
        except ValueError as exc:
            raise _Invalid(N_("%(where)s must be a date (YYYY-MM-DD)")) from exc
    if kind == "datetime":
        try:
            moment = datetime.fromisoformat(_text(value, 40))
            if moment.tzinfo is None:
                raise _Invalid(N_("%(where)s must have a time-zone offset"))
            return moment.astimezone(UTC)
        except (ValueError, OverflowError) as exc:
            raise _Invalid(N_("%(where)s must be a date and time (ISO 8601)")) from exc
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _Invalid(N_("%(where)s must be a number"))
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise _Invalid(N_("%(where)s must be a number")) from exc
        if not number.is_finite() or (column.limit is not None and abs(number) >= column.limit):
            raise _Invalid(N_("%(where)s is out of range"))
        return number
    if kind == "json":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise _Invalid(N_("%(where)s must be a list of texts"))
        return [_text(item, None) for item in value]
    raise AssertionError(kind)


@dataclass
class Parsed:
    archive_id: str
    key_id: str | None
    rows: dict[str, list[dict[str, Any]]]

    @property
    def event(self) -> dict[str, Any]:
        return self.rows["event"][0]


class _Problems:
    """The first problems found; the archive is refused with them once the check is done."""

    LIMIT = 5

    def __init__(self) -> None:
        self.items: list[str] = []
        self.count = 0

    def add(self, where: str, message: str, **params: Any) -> None:
        """`message` is marked with N_ and names the value as %(where)s."""
        self.count += 1
        if len(self.items) < self.LIMIT:
            self.items.append(_(message) % {"where": where, **params})

    def raise_any(self) -> None:
        if not self.count:
            return
        found = "; ".join(self.items)
        more = self.count - len(self.items)
        if more:
            raise ArchiveError(
                ngettext(
                    "The archive is not valid: %(problems)s (and %(n)s more).",
                    "The archive is not valid: %(problems)s (and %(n)s more).",
                    more,
                )
                % {"problems": found, "n": more}
            )
        raise ArchiveError(_("The archive is not valid: %(problems)s.") % {"problems": found})


def _check_header(data: Any) -> None:
    if not isinstance(data, dict):
        raise ArchiveError(_("The archive is not valid: it must be a JSON object."))
    if data.get("format") != FORMAT:
        raise ArchiveError(_("This is not a Parley event archive: its “format” is not “%(format)s”.") % {"format": FORMAT})
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise ArchiveError(
            _("This archive was made by a newer Parley (archive format %(version)s): upgrade this instance first.")
            % {"version": version}
        )
    schema = data.get("schema")
    head, known = _revisions()
    if isinstance(schema, str) and schema != head:
        if schema in known:
            raise ArchiveError(
                _(
                    "This archive was made by an older Parley (schema %(schema)s; this instance is at %(head)s): "
                    "upgrade the source instance, then export the event again."
                )
                % {"schema": schema, "head": head}
            )
        raise ArchiveError(
            _("This archive was made by a newer Parley (schema %(schema)s, unknown here): upgrade this instance first.")
            % {"schema": schema[:40]}
        )
    try:
        EventArchive.model_validate(data)
    except ValidationError as exc:
        problems = _Problems()
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            if error["type"] == "missing":
                problems.add(where, N_("%(where)s is required"))
            else:
                problems.add(where, N_("%(where)s is not valid"))
        problems.raise_any()
    if version != VERSION:
        raise ArchiveError(_("The archive is not valid: its version must be %(version)s.") % {"version": VERSION})


def parse(data: Any) -> Parsed:
    """The archive checked in full, its values converted; ArchiveError if anything is wrong."""
    _check_header(data)
    records = data["records"]
    missing, unknown = set(ARCHIVED) - set(records), set(records) - set(ARCHIVED)
    if unknown:
        raise ArchiveError(
            _("The archive is not valid: it has tables this instance does not know (%(tables)s).")
            % {"tables": ", ".join(sorted(unknown))[:200]}
        )
    if missing:
        raise ArchiveError(
            _("The archive is not valid: it lacks the tables %(tables)s.") % {"tables": ", ".join(sorted(missing))}
        )
    problems = _Problems()
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in ARCHIVED:
        rows[name] = []
        expected = {c.name for c in columns(name)}
        for number, row in enumerate(records[name]):
            where = f"{name}[{number}]"
            if set(row) != expected:
                extra, lacking = sorted(set(row) - expected), sorted(expected - set(row))
                problems.add(
                    where,
                    N_("%(where)s has the wrong columns (unknown: %(unknown)s; missing: %(missing)s)"),
                    unknown=", ".join(extra)[:100] or _("none"),
                    missing=", ".join(lacking) or _("none"),
                )
                continue
            loaded = {}
            for column in columns(name):
                try:
                    loaded[column.name] = _load(column, row[column.name])
                except _Invalid as exc:
                    problems.add(f"{where}.{column.name}", exc.message, **exc.params)
            rows[name].append(loaded)
    problems.raise_any()
    _check_references(rows, problems)
    problems.raise_any()
    parsed = Parsed(archive_id=str(data["archive_id"]), key_id=data["key_id"], rows=rows)
    _check_encrypted(parsed, problems)
    problems.raise_any()
    return parsed


def _check_references(rows: dict[str, list[dict[str, Any]]], problems: _Problems) -> None:
    if len(rows["event"]) != 1:
        problems.add("event", N_("%(where)s must hold exactly one event, not %(n)s"), n=len(rows["event"]))
        return
    ids: dict[str, set[int]] = {}
    for name in ARCHIVED:
        ids[name] = set()
        for number, row in enumerate(rows[name]):
            if row["id"] in ids[name]:
                problems.add(f"{name}[{number}].id", N_("%(where)s: the id %(id)s appears twice"), id=row["id"])
            ids[name].add(row["id"])
    for name in ARCHIVED:
        for column in columns(name):
            carried = column.unique and column.kind not in ("id", "ref")
            seen: set[Any] = set()
            for number, row in enumerate(rows[name]):
                value = row[column.name]
                if column.kind == "ref" and value is not None and value not in ids[column.target]:  # type: ignore[index]
                    problems.add(
                        f"{name}[{number}].{column.name}",
                        N_("%(where)s refers to %(table)s %(id)s, which the archive does not hold"),
                        table=column.target,
                        id=value,
                    )
                if column.name == "event_id" and name in OWNED and value is None:
                    problems.add(f"{name}[{number}].event_id", N_("%(where)s is required"))
                if carried and value is not None:
                    if value in seen:
                        problems.add(f"{name}[{number}].{column.name}", N_("%(where)s appears twice"))
                    seen.add(value)


def _check_encrypted(parsed: Parsed, problems: _Problems) -> None:
    for name, column in sorted(ENCRYPTED):
        for number, row in enumerate(parsed.rows[name]):
            value = row[column]
            if value is None:
                continue
            parts = value.split(":")
            if len(parts) != 4 or parts[0] != "v1":
                problems.add(f"{name}[{number}].{column}", N_("%(where)s is not an encrypted value"))
            elif parts[1] != parsed.key_id:
                problems.add(
                    f"{name}[{number}].{column}", N_("%(where)s is encrypted with another key than the archive's key_id")
                )


def _decrypt_all(parsed: Parsed) -> dict[tuple[str, str, int], str]:
    """Every encrypted value in clear, by (table, column, source id); refuses when this
    instance lacks the archive's key or a value was altered."""
    ring = crypto.keyring()
    encrypted = [(name, column, row) for name, column in sorted(ENCRYPTED) for row in parsed.rows[name] if row[column] is not None]
    if encrypted and parsed.key_id not in ring.keys:
        raise ArchiveError(
            _(
                "The archive's travel documents are encrypted with the data key “%(key)s”, which this "
                "instance does not have. Add that key (from the source instance's PARLEY_DATA_KEYS) to "
                "PARLEY_DATA_KEYS here, after the current key, restart, and import again."
            )
            % {"key": parsed.key_id}
        )
    plain = {}
    aad = _archive_aad(parsed.archive_id)
    for name, column, row in encrypted:
        try:
            plain[(name, column, row["id"])] = crypto.decrypt(row[column], table=aad, column=column, row_id=row["id"], ring=ring)
        except crypto.DecryptionError as exc:
            raise ArchiveError(
                _(
                    "An encrypted value of the archive (%(table)s %(id)s, %(column)s) cannot be decrypted: "
                    "the archive was altered or damaged."
                )
                % {"table": name, "id": row["id"], "column": column}
            ) from exc
    return plain


def _existing(db: Session, table: Table, column: str, values: set[Any]) -> set[Any]:
    found: set[Any] = set()
    for chunk in _chunks(values):
        found |= set(db.scalars(select(table.c[column]).where(table.c[column].in_(chunk))))
    return found


def _check_collisions(db: Session, parsed: Parsed) -> None:
    """Refuses an archive whose event, or any record the instance must hold once, is here."""
    event = parsed.event
    clash = db.scalar(select(Event.id).where(Event.title == event["title"], Event.starts_on == event["starts_on"]).limit(1))
    if clash is not None:
        raise ArchiveError(
            _(
                "This instance has an event “%(title)s” starting on %(date)s already (event %(id)s): "
                "the archive was imported before, or the event exists here. Delete that event first to import it again."
            )
            % {"title": event["title"], "date": format_day(event["starts_on"]), "id": clash}
        )
    for name in ARCHIVED:
        if name not in OWNED:
            continue
        for column in columns(name):
            if not column.unique or column.kind in ("id", "ref"):
                continue
            values = {row[column.name] for row in parsed.rows[name] if row[column.name] is not None}
            if found := _existing(db, TABLES[name], column.name, values):
                raise ArchiveError(
                    ngettext(
                        "%(n)s record of the archive's table “%(table)s” exists already in this instance (the same "
                        "%(column)s): the event was imported before. Delete that event first to import it again.",
                        "%(n)s records of the archive's table “%(table)s” exist already in this instance (the same "
                        "%(column)s): the event was imported before. Delete that event first to import it again.",
                        len(found),
                    )
                    % {"n": len(found), "table": name, "column": column.name}
                )


# --- import ------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    event: Event
    created: dict[str, int] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=dict)
    skipped_grants: int = 0
    unknown_accounts: int = 0
    documents: int = 0


class _Writer:
    """Writes a parsed archive: shared records matched or created, owned ones created, every
    reference followed to its new id."""

    def __init__(self, db: Session, parsed: Parsed, plain: dict[tuple[str, str, int], str]) -> None:
        self.db = db
        self.parsed = parsed
        self.plain = plain
        self.ids: dict[str, dict[int, int]] = {name: {} for name in ARCHIVED}
        self.created_ids: dict[str, set[int]] = {name: set() for name in ARCHIVED}
        self.objects: dict[str, dict[int, Any]] = {name: {} for name in ARCHIVED}
        self.created: dict[str, int] = {}
        self.reused: dict[str, int] = {}
        self.skipped_grants = 0
        self.users = self._users()
        self.unknown: set[str] = set()
        self.people_with_account = self._people_with_account()

    def _users(self) -> dict[str, int]:
        emails = {
            row[c.name] for name, rows in self.parsed.rows.items() for c in columns(name) if c.kind == "user" for row in rows
        }
        emails.discard(None)
        found: dict[str, int] = {}
        for chunk in _chunks(emails):
            found.update({row[0]: row[1] for row in self.db.execute(select(User.email, User.id).where(User.email.in_(chunk)))})
        return found

    def _people_with_account(self) -> set[int]:
        """The accounts that have a person already (an account is one person's at most)."""
        return _existing(self.db, TABLES["person"], "user_id", set(self.users.values()))

    def run(self) -> None:
        for name in ARCHIVED:
            rows = self.parsed.rows[name]
            if name in NATURAL_KEYS:
                rows = self._match(name, rows)
            elif name in WITH_PARENT:
                parent = WITH_PARENT[name]
                target = next(c.target for c in _refs(name) if c.name == parent)
                rows = [r for r in rows if r[parent] in self.created_ids[target]]  # type: ignore[index]
            self._insert(name, rows)
        self._store_encrypted()
        self.db.flush()

    def _key(self, name: str, row: dict[str, Any]) -> tuple[Any, ...] | None:
        refs = {c.name: c.target for c in _refs(name)}
        key = tuple(self.ids[refs[k]].get(row[k]) if k in refs else row[k] for k in NATURAL_KEYS[name])  # type: ignore[index]
        return None if any(part is None for part in key) else key

    def _match(self, name: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Maps the rows the instance has already; returns the others, to be created."""
        table = TABLES[name]
        key_columns = NATURAL_KEYS[name]
        keys = {row["id"]: self._key(name, row) for row in rows}
        firsts = {key[0] for key in keys.values() if key is not None}
        existing: dict[tuple[Any, ...], int] = {}
        for chunk in _chunks(firsts):
            query = select(table.c.id, *(table.c[k] for k in key_columns)).where(table.c[key_columns[0]].in_(chunk))
            for found_id, *key in self.db.execute(query.order_by(table.c.id.desc())):
                existing[tuple(key)] = found_id  # the lowest id wins
        remaining = []
        for row in rows:
            key = keys[row["id"]]
            if key is not None and key in existing:
                self.ids[name][row["id"]] = existing[key]
                self.reused[name] = self.reused.get(name, 0) + 1
            else:
                remaining.append(row)
        return remaining

    def _value(self, name: str, column: Column, row: dict[str, Any]) -> tuple[Any, bool]:
        """The value for the new row, and whether the row can be written at all."""
        value = row[column.name]
        if value is None:
            return None, True
        if column.kind == "ref":
            value = self.ids[column.target].get(value)  # type: ignore[index]
        elif column.kind == "user":
            account = self.users.get(value)
            if account is None:
                self.unknown.add(value)
            elif (name, column.name) == ("person", "user_id"):
                if account in self.people_with_account:
                    account = None  # that account has a person here already
                else:
                    self.people_with_account.add(account)
            value = account
        elif (name, column.name) in ENCRYPTED:
            value = None  # stored once the row has its id
        return value, value is not None or column.nullable

    def _insert(self, name: str, rows: list[dict[str, Any]]) -> None:
        model = _mapper(name).class_
        pending = []
        for row in rows:
            values, complete = {}, True
            for column in columns(name):
                if column.kind == "id":
                    continue
                values[column.key], ok = self._value(name, column, row)
                complete = complete and ok
            if not complete:
                # Only a required reference to an account can be missing: a staff or coordinator
                # role of an account this instance does not have.
                self.skipped_grants += 1
                continue
            obj = model(**values)
            pending.append((row["id"], obj))
        if not pending:
            return
        self.db.add_all([obj for _, obj in pending])
        self.db.flush()
        for source_id, obj in pending:
            self.ids[name][source_id] = obj.id
            self.created_ids[name].add(source_id)
            self.objects[name][source_id] = obj
        self.created[name] = len(pending)

    def _store_encrypted(self) -> None:
        """Each travel-document number, encrypted bound to its new row, as the registrations
        service stores it (with its keyed hash and last characters); `updated_at` kept."""
        for (name, column, source_id), number in self.plain.items():
            assert (name, column) == ("registration", "doc_number")
            registration = self.objects[name][source_id]
            registration.doc_number = crypto.encrypt(number, table=name, column=column, row_id=registration.id)
            registration.doc_number_hash = registrations_service.document_hash(number)
            registration.doc_number_hint = registrations_service.normalise_document_number(number)[-4:]
            flag_modified(registration, "updated_at")  # written as it was: the update is not a change


def import_archive(db: Session, *, actor: User, data: Any, client: str | None = None) -> ImportResult:
    """Import an archive (the JSON read from a file, see `read`): all of it, or nothing.

    ArchiveError (422) when it is malformed, from another schema revision, encrypted with a key
    this instance does not hold, or would collide with what is here."""
    policy.require(actor, Action.EVENT_TRANSFER)
    parsed = parse(data)
    plain = _decrypt_all(parsed)
    _check_collisions(db, parsed)
    writer = _Writer(db, parsed, plain)
    try:
        with db.begin_nested():
            writer.run()
    except (IntegrityError, DataError) as exc:
        log.info("archive %s refused by the database: %s", parsed.archive_id, type(exc.orig).__name__)
        raise ArchiveError(
            _("The archive conflicts with records of this instance or breaks one of its rules, so nothing was imported.")
        ) from exc
    source_id = parsed.event["id"]
    event = writer.objects["event"][source_id]
    result = ImportResult(
        event=event,
        created={name: writer.created[name] for name in ARCHIVED if name in writer.created},
        reused={name: writer.reused[name] for name in ARCHIVED if name in writer.reused},
        skipped_grants=writer.skipped_grants,
        unknown_accounts=len(writer.unknown),
        documents=len(plain),
    )
    audit.record(
        db,
        actor,
        "event.import",
        event,
        client=client,
        archive_id=parsed.archive_id,
        source_event_id=source_id,
        records=result.created,
        reused=result.reused,
        skipped_grants=result.skipped_grants,
        documents=result.documents,
    )
    db.flush()
    log.info("archive %s imported as event %s by %s", parsed.archive_id, event.id, actor_label(actor))
    return result
