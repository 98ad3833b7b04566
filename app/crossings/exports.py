"""Files for the authorities: a crossing's manifest as CSV and as a printed PDF (with full
travel-document numbers and signature lines for both sides' officers), and the seating list.

One read (`load`) serves every file: the crossing's vehicles in one query, its manifest entries
with their registrations, people and delegations as plain columns in another; the numbers are
decrypted in memory (no query per row). The manifest holds full document numbers, so its export is a
document access: written to the audit log as `document.export`, with whose documents it held.
The seating list holds names only (`crossing.export`). Bytes are built before the response.
"""

import csv
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, crypto, policy
from app.accounts.models import User
from app.config import get_settings
from app.crossings.models import Crossing, CrossingDirection, ManifestEntry, ManifestStatus, Vehicle
from app.delegations.models import Delegation
from app.events.models import Event
from app.i18n import _, country_name, format_day
from app.policy import Action
from app.registrations import exports as registration_exports
from app.registrations.models import DocumentType, Person, Registration
from app.registrations.schemas import doc_type_label

log = logging.getLogger(__name__)

CSV_TYPE = "text/csv; charset=utf-8"
PDF_TYPE = "application/pdf"

# The columns of the manifest CSV (stable: the authorities' scripts read them by name, so they
# stay these keys, with the stored values of document type and status, in every language).
COLUMNS = (
    "no",
    "family_name",
    "given_name",
    "family_name_native",
    "given_name_native",
    "nationality",
    "doc_type",
    "doc_number",
    "doc_issuing_country",
    "doc_expires_on",
    "delegation",
    "vehicle",
    "vehicle_plate",
    "status",
)


class File(StrEnum):
    MANIFEST_CSV = "manifest.csv"
    MANIFEST_PDF = "manifest.pdf"
    SEATING_PDF = "seating.pdf"


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str
    count: int


@dataclass(frozen=True)
class Row:
    """One person on the manifest, numbered, with the document number in clear (read as
    plain columns: a manifest of 1,500 builds no ORM object per person)."""

    number: int
    entry_id: int
    registration_id: int
    family_name: str
    given_name: str
    family_name_native: str
    given_name_native: str
    nationality: str
    doc_type: DocumentType | None
    document_number: str
    issuing_country: str
    expires_on: date | None
    delegation: str
    vehicle: Vehicle | None
    status: ManifestStatus

    @property
    def native_name(self) -> str:
        return f"{self.family_name_native} {self.given_name_native}".strip()


@dataclass(frozen=True)
class Seating:
    vehicle: Vehicle | None  # None: the people not seated in a vehicle yet
    rows: list[Row]


@dataclass(frozen=True)
class Manifest:
    """A crossing with everything its files print, loaded in two queries."""

    event: Event
    crossing: Crossing
    vehicles: list[Vehicle]
    rows: list[Row]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.event.timezone)

    def when(self, moment: datetime | None) -> str:
        """A stored moment on the event's clock: "13 February 2026, 08:00"."""
        if moment is None:
            return ""
        local = moment.astimezone(self.zone)
        return f"{format_day(local.date(), fmt='long')}, {local:%H:%M}"

    @property
    def planned(self) -> str:
        return self.when(self.crossing.planned_at)

    @property
    def sides(self) -> tuple[tuple[str, str], tuple[str, str]]:
        """(country code, place name) on the side left and on the side entered."""
        point = self.crossing.crossing_point
        a, b = (point.country_a, point.name_a), (point.country_b, point.name_b)
        host_is_a = self.event.host_country != point.country_b
        host, other = (a, b) if host_is_a else (b, a)
        return (other, host) if self.crossing.direction == CrossingDirection.ARRIVAL else (host, other)

    @property
    def direction(self) -> str:
        (from_country, from_place), (to_country, to_place) = self.sides
        if self.crossing.direction == CrossingDirection.ARRIVAL:
            text = _("Arrival: from %(from_country)s (%(from_place)s) into %(to_country)s (%(to_place)s)")
        else:
            text = _("Departure: from %(from_country)s (%(from_place)s) into %(to_country)s (%(to_place)s)")
        return text % {
            "from_country": country_name(from_country),
            "from_place": from_place,
            "to_country": country_name(to_country),
            "to_place": to_place,
        }

    @property
    def officers(self) -> list[str]:
        """The border services whose officers sign: those of both sides of the point."""
        point = self.crossing.crossing_point
        return [country_name(point.country_a), country_name(point.country_b)]

    def seating(self) -> list[Seating]:
        """Each vehicle with its passengers (in the manifest's order), then those not seated."""
        by_vehicle: dict[int | None, list[Row]] = {}
        for row in self.rows:
            by_vehicle.setdefault(row.vehicle.id if row.vehicle else None, []).append(row)
        known = {vehicle.id for vehicle in self.vehicles}
        seated = [Seating(vehicle, by_vehicle.get(vehicle.id, [])) for vehicle in self.vehicles]
        unseated = [row for key, rows in by_vehicle.items() if key not in known for row in rows]
        return seated + ([Seating(None, sorted(unseated, key=lambda r: r.number))] if unseated else [])


def _document_number(registration_id: int, stored: str | None) -> str:
    if stored is None:
        return ""
    try:
        return crypto.decrypt(stored, table="registration", column="doc_number", row_id=registration_id)
    except crypto.DecryptionError:
        log.error("manifest: the document number of registration %s cannot be decrypted", registration_id)
        return _("(cannot be read)")


def load(db: Session, *, viewer: User, crossing: Crossing, documents: bool = True) -> Manifest:
    """The crossing's vehicles and manifest (people by family name), with the documents
    decrypted unless `documents` is False, for a viewer who may see the crossing (and its
    travel documents)."""
    policy.require(viewer, Action.CROSSING_VIEW, crossing)
    if documents:
        policy.require(viewer, Action.DOCUMENT_REVEAL, crossing)
    vehicles = list(
        db.scalars(select(Vehicle).where(Vehicle.crossing_id == crossing.id).order_by(Vehicle.position, Vehicle.id))
    )
    found = db.execute(
        select(
            ManifestEntry.id, ManifestEntry.registration_id, ManifestEntry.vehicle_id, ManifestEntry.status,
            Person.family_name, Person.given_name, Person.family_name_native, Person.given_name_native,
            Registration.doc_nationality, Registration.doc_type, Registration.doc_number,
            Registration.doc_issuing_country, Registration.doc_expires_on, Delegation.name,
        )
        .join(Registration, ManifestEntry.registration_id == Registration.id)
        .join(Person, Registration.person_id == Person.id)
        .join(Delegation, Registration.delegation_id == Delegation.id)
        .where(ManifestEntry.crossing_id == crossing.id)
        .order_by(Person.family_name, Person.given_name, ManifestEntry.id)
    )
    by_id = {vehicle.id: vehicle for vehicle in vehicles}
    for vehicle in vehicles:
        set_committed_value(vehicle, "crossing", crossing)
    rows = [
        Row(
            number=n, entry_id=entry_id, registration_id=registration_id,
            family_name=family, given_name=given, family_name_native=family_native,
            given_name_native=given_native, nationality=nationality or "", doc_type=doc_type,
            document_number=_document_number(registration_id, stored) if documents else "",
            issuing_country=issuing or "", expires_on=expires, delegation=delegation,
            vehicle=by_id.get(vehicle_id) if vehicle_id else None, status=status,
        )
        for n, (
            entry_id, registration_id, vehicle_id, status, family, given, family_native, given_native,
            nationality, doc_type, stored, issuing, expires, delegation,
        ) in enumerate(found, start=1)
    ]
    return Manifest(event=crossing.event, crossing=crossing, vehicles=vehicles, rows=rows)


# --- builders ------------------------------------------------------------------------------------


def _cells(row: Row) -> list[str]:
    vehicle = row.vehicle
    return [
        str(row.number),
        row.family_name,
        row.given_name,
        row.family_name_native,
        row.given_name_native,
        row.nationality,
        row.doc_type.value if row.doc_type else "",
        row.document_number,
        row.issuing_country,
        row.expires_on.isoformat() if row.expires_on else "",
        row.delegation,
        vehicle.label if vehicle else "",
        vehicle.plate if vehicle else "",
        row.status.value,
    ]


def manifest_csv(manifest: Manifest) -> bytes:
    """UTF-8 with a byte-order mark (Excel reads Armenian and Azerbaijani letters then); every
    cell that a spreadsheet would take for a formula is made text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in manifest.rows:
        writer.writerow([registration_exports.neutralise(value) for value in _cells(row)])
    return ("\ufeff" + buffer.getvalue()).encode()


def printed_html(template: str, manifest: Manifest) -> str:
    """The HTML that a printed list (templates/crossings/*_print.html) makes its PDF of."""
    from app.web import render_template

    context = {"manifest": manifest, "event": manifest.event, "crossing": manifest.crossing, "doc_type_label": doc_type_label}
    return render_template(template, context)


def _pdf(template: str, manifest: Manifest) -> bytes:
    from app.pdf import render_pdf  # WeasyPrint loads only where a PDF is made

    return render_pdf(printed_html(template, manifest), get_settings().base_url.rstrip("/"))


def manifest_pdf(manifest: Manifest) -> bytes:
    """The printed manifest: the crossing, its vehicles, the people with full document numbers,
    and a signature block for the officers of each side (templates/crossings/manifest_print.html)."""
    return _pdf("crossings/manifest_print.html", manifest)


def seating_pdf(manifest: Manifest) -> bytes:
    """Who sits in which vehicle: plate, driver, passengers (templates/crossings/seating_print.html)."""
    return _pdf("crossings/seating_print.html", manifest)


@dataclass(frozen=True)
class _Kind:
    build: Callable[[Manifest], bytes]
    media_type: str
    holds_documents: bool


KINDS = {
    File.MANIFEST_CSV: _Kind(manifest_csv, CSV_TYPE, holds_documents=True),
    File.MANIFEST_PDF: _Kind(manifest_pdf, PDF_TYPE, holds_documents=True),
    File.SEATING_PDF: _Kind(seating_pdf, PDF_TYPE, holds_documents=False),
}


def export(db: Session, *, viewer: User, crossing: Crossing, file: File, client: str | None = None) -> Export:
    """One of the crossing's files, written to the audit log with who, when and how many.

    A file with document numbers is a document access (`document.export`, with the ids of the
    registrations whose numbers it holds); the seating list is a `crossing.export`."""
    kind = KINDS[file]
    manifest = load(db, viewer=viewer, crossing=crossing, documents=kind.holds_documents)
    content = kind.build(manifest)
    count = len(manifest.rows)
    if kind.holds_documents:
        audit.record(
            db, viewer, "document.export", crossing, client=client, file=file.value, count=count,
            registration_ids=[row.registration_id for row in manifest.rows if row.document_number],
        )
    else:
        audit.record(db, viewer, "crossing.export", crossing, client=client, file=file.value, count=count)
    log.info("crossing %s: %s exported by %s, %s people", crossing.id, file.value, viewer.id, count)
    stem, _dot, suffix = file.value.partition(".")
    return Export(
        content=content,
        media_type=kind.media_type,
        filename=f"event-{crossing.event_id}-crossing-{crossing.id}-{stem}.{suffix}",
        count=count,
    )
