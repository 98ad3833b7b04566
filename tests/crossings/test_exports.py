"""A crossing's files for the authorities: the manifest as CSV and PDF, the seating list."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.crossings import exports, service
from app.crossings.models import CrossingDirection, ManifestStatus
from app.delegations.models import DelegationSide
from app.events.models import Event
from app.registrations.models import DocumentType, RegistrationStatus
from tests.factories import (
    AdminFactory,
    CrossingFactory,
    CrossingPointFactory,
    DelegationFactory,
    EventFactory,
    ManifestEntryFactory,
    PersonFactory,
    RegistrationFactory,
    VehicleFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
    with_document,
)
from tests.support import settle


def on_manifest(crossing, number: str | None = "AZ1234567", vehicle=None, status=ManifestStatus.LISTED, **person):  # type: ignore[no-untyped-def]
    registration = RegistrationFactory(
        delegation=crossing.delegation, status=RegistrationStatus.CONFIRMED, person=PersonFactory(**person)
    )
    if number is not None:
        with_document(registration, number=number, doc_issuing_country="AZ", doc_nationality="AZ",
                      doc_expires_on=date(2031, 5, 31))
    return ManifestEntryFactory(crossing=crossing, registration=registration, vehicle=vehicle, status=status)


@pytest.fixture
def crossing(db):  # type: ignore[no-untyped-def]
    """Azerbaijan's arrival at Voskepar / Ashaghi Askipara, 08:00 on 13 February (Yerevan)."""
    event = EventFactory(title="Peace Bridge roundtable", host_country="AM")
    visiting = DelegationFactory(event=event, name="Azerbaijan", country="AZ", side=DelegationSide.VISITING)
    DelegationFactory(event=event, name="Armenia", country="AM", side=DelegationSide.HOST)
    point = CrossingPointFactory(name_a="Voskepar", country_a="AM", name_b="Ashaghi Askipara", country_b="AZ")
    return CrossingFactory(delegation=visiting, crossing_point=point, direction=CrossingDirection.ARRIVAL)


def load(db, crossing):  # type: ignore[no-untyped-def]
    """The manifest as an organiser's export reads it: the crossing through its path loader."""
    event = db.get(Event, crossing.event_id)
    viewer = organiser(event)
    found = service.get_for_viewer(db, viewer=viewer, event=event, crossing_id=crossing.id)
    return exports.load(db, viewer=viewer, crossing=found)


def url(crossing, file: str) -> str:  # type: ignore[no-untyped-def]
    return f"/events/{crossing.event_id}/crossings/{crossing.id}/{file}"


def rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the manifest as CSV ---------------------------------------------------------------------------


def test_manifest_csv_has_one_row_per_person_with_the_full_document_number(client, login, db, crossing):
    bus = VehicleFactory(crossing=crossing, label="Bus 1", plate="10 AZ 101")
    on_manifest(crossing, "AZ7654321", vehicle=bus, given_name="Leyla", family_name="Aliyeva",
                given_name_native="Leyla", family_name_native="Əliyeva")
    on_manifest(crossing, "AZ1112223", given_name="Rashad", family_name="Mammadov",
                given_name_native="Rəşad", family_name_native="Məmmədov", status=ManifestStatus.CLEARED)
    login(organiser(crossing.event))
    settle(db)

    r = client.get(url(crossing, "manifest.csv"))

    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="event-{crossing.event_id}-crossing-{crossing.id}-manifest.csv"'
    )
    assert rows(r) == [
        {"no": "1", "family_name": "Aliyeva", "given_name": "Leyla", "family_name_native": "Əliyeva",
         "given_name_native": "Leyla", "nationality": "AZ", "doc_type": "passport", "doc_number": "AZ7654321",
         "doc_issuing_country": "AZ", "doc_expires_on": "2031-05-31", "delegation": "Azerbaijan",
         "vehicle": "Bus 1", "vehicle_plate": "10 AZ 101", "status": "listed"},
        {"no": "2", "family_name": "Mammadov", "given_name": "Rashad", "family_name_native": "Məmmədov",
         "given_name_native": "Rəşad", "nationality": "AZ", "doc_type": "passport", "doc_number": "AZ1112223",
         "doc_issuing_country": "AZ", "doc_expires_on": "2031-05-31", "delegation": "Azerbaijan",
         "vehicle": "", "vehicle_plate": "", "status": "cleared"},
    ]


def test_manifest_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(client, login, db, crossing):
    on_manifest(crossing, given_name="=HYPERLINK(\"http://evil.example\")", family_name="+Cmd|' /C calc'!A0",
                family_name_native="@SUM(1+1)", given_name_native="-2+3")
    login(organiser(crossing.event))
    settle(db)

    [row] = rows(client.get(url(crossing, "manifest.csv")))

    assert row["given_name"] == "'=HYPERLINK(\"http://evil.example\")"
    assert row["family_name"] == "'+Cmd|' /C calc'!A0"
    assert row["family_name_native"] == "'@SUM(1+1)"
    assert row["given_name_native"] == "'-2+3"


def test_manifest_csv_of_a_person_without_document_leaves_the_number_empty(client, login, db, crossing):
    on_manifest(crossing, number=None, family_name="Undocumented")
    login(organiser(crossing.event))
    settle(db)

    [row] = rows(client.get(url(crossing, "manifest.csv")))

    assert (row["family_name"], row["doc_number"], row["doc_type"], row["doc_expires_on"]) == ("Undocumented", "", "", "")


def test_manifest_export_is_audited_as_a_document_access(client, login, db, crossing):
    with_number = on_manifest(crossing, "AZ7654321")
    on_manifest(crossing, number=None)
    user = login(coordinator(crossing.delegation))
    settle(db)

    client.get(url(crossing, "manifest.csv"))
    client.get(url(crossing, "manifest.pdf"))

    entries = list(db.scalars(select(AuditEntry).where(AuditEntry.object_type == "crossing").order_by(AuditEntry.id)))
    assert [(e.action, e.actor_id, e.object_id, e.event_id, e.client) for e in entries] == [
        ("document.export", user.id, crossing.id, crossing.event_id, "testclient"),
        ("document.export", user.id, crossing.id, crossing.event_id, "testclient"),
    ]
    assert [e.details for e in entries] == [
        {"file": "manifest.csv", "count": 2, "registration_ids": [with_number.registration_id]},
        {"file": "manifest.pdf", "count": 2, "registration_ids": [with_number.registration_id]},
    ]
    assert all(e.at is not None for e in entries)
    assert "AZ7654321" not in str([e.details for e in entries])


def test_seating_export_is_audited_without_documents(client, login, db, crossing):
    on_manifest(crossing)
    user = login(organiser(crossing.event))
    settle(db)

    client.get(url(crossing, "seating.pdf"))

    entry = db.scalar(select(AuditEntry).where(AuditEntry.object_type == "crossing"))
    assert (entry.action, entry.actor_id, entry.details) == ("crossing.export", user.id, {"file": "seating.pdf", "count": 1})


# --- the printed manifest and seating list -------------------------------------------------------------


def test_manifest_and_seating_pdfs_are_pdfs(client, login, db, crossing):
    on_manifest(crossing, vehicle=VehicleFactory(crossing=crossing), family_name_native="Əliyeva")
    login(AdminFactory())
    settle(db)

    manifest = client.get(url(crossing, "manifest.pdf"))
    seating = client.get(url(crossing, "seating.pdf"))

    for r, name in ((manifest, "manifest"), (seating, "seating")):
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/pdf"
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["content-disposition"] == (
            f'attachment; filename="event-{crossing.event_id}-crossing-{crossing.id}-{name}.pdf"'
        )
        assert r.content.startswith(b"%PDF-")


def test_printed_manifest_names_both_sides_the_time_and_every_full_number(db, crossing):
    crossing.host_escort, crossing.host_contact = "Police escort", "+374 10 000000"
    bus = VehicleFactory(crossing=crossing, label="Bus 1", plate="10 AZ 101", driver_name="Elvin Guliyev", seats=2)
    on_manifest(crossing, "AZ7654321", vehicle=bus, family_name="Aliyeva", family_name_native="Əliyeva")
    on_manifest(crossing, "AZ1112223", family_name="Mammadov")
    settle(db)

    manifest = load(db, crossing)
    html = exports.printed_html("crossings/manifest_print.html", manifest)

    assert "Voskepar (Armenia) / Ashaghi Askipara (Azerbaijan)" in html
    assert "Arrival: from Azerbaijan (Ashaghi Askipara) into Armenia (Voskepar)" in html
    assert "February 13, 2026, 08:00 (Asia/Yerevan)" in html
    assert "Police escort" in html and "Elvin Guliyev" in html and "10 AZ 101" in html
    assert html.count('class="manifest-row"') == 2
    assert "AZ7654321" in html and "AZ1112223" in html and "Əliyeva" in html
    assert "Border service of Armenia" in html and "Border service of Azerbaijan" in html
    assert html.count('class="signature"') == 2


def test_printed_manifest_names_the_kind_of_document_as_the_registration_pages_do(db, crossing):
    entry = on_manifest(crossing, "AZ7654321")
    entry.registration.doc_type = DocumentType.ID_CARD
    settle(db)

    html = exports.printed_html("crossings/manifest_print.html", load(db, crossing))

    assert "<td>Identity card</td>" in html


def test_printed_departure_leaves_the_host_country(db, crossing):
    crossing.direction = CrossingDirection.DEPARTURE
    settle(db)

    manifest = load(db, crossing)

    assert manifest.direction == "Departure: from Armenia (Voskepar) into Azerbaijan (Ashaghi Askipara)"


def test_seating_list_puts_each_passenger_in_their_vehicle_and_lists_the_unseated(db, crossing):
    first = VehicleFactory(crossing=crossing, label="Bus 1", plate="10 AZ 101", driver_name="Elvin", position=0)
    second = VehicleFactory(crossing=crossing, label="Van", plate="20 AZ 202", position=1)
    on_manifest(crossing, "AZ0000001", vehicle=first, family_name="Aliyeva")
    on_manifest(crossing, "AZ0000002", vehicle=second, family_name="Babayeva")
    on_manifest(crossing, "AZ0000003", vehicle=first, family_name="Huseynova")
    on_manifest(crossing, "AZ0000004", family_name="Karimov")
    settle(db)

    manifest = load(db, crossing)
    seating = [(s.vehicle.label if s.vehicle else None, [r.family_name for r in s.rows]) for s in manifest.seating()]
    html = exports.printed_html("crossings/seating_print.html", manifest)

    assert seating == [("Bus 1", ["Aliyeva", "Huseynova"]), ("Van", ["Babayeva"]), (None, ["Karimov"])]
    assert "Bus 1 · 10 AZ 101" in html and "Driver: Elvin" in html and "2 of 20 seats taken" in html
    assert "Not seated in a vehicle" in html
    assert html.count('class="passenger"') == 4


# --- who may export -------------------------------------------------------------------------------------


@pytest.mark.parametrize("file", ["manifest.csv", "manifest.pdf", "seating.pdf"])
def test_the_other_sides_coordinator_gets_404_and_nothing_is_audited(client, login, db, crossing, file):
    on_manifest(crossing, "AZ7654321", family_name="Aliyeva")
    host = DelegationFactory(event=crossing.event, name="Host side")
    login(coordinator(host))
    settle(db)

    r = client.get(url(crossing, file))

    assert r.status_code == 404
    assert "AZ7654321" not in r.text and "Aliyeva" not in r.text
    assert db.scalar(select(AuditEntry).where(AuditEntry.object_type == "crossing")) is None


@pytest.mark.parametrize("who", ["press officer", "delegate on the manifest", "organiser of another event"])
def test_others_are_refused_the_manifest(client, login, db, crossing, who):
    entry = on_manifest(crossing, "AZ7654321", family_name="Aliyeva")
    users = {
        "press officer": lambda: press_officer(crossing.event),
        "delegate on the manifest": lambda: delegate(entry.registration),
        "organiser of another event": lambda: organiser(EventFactory()),
    }
    login(users[who]())
    settle(db)

    r = client.get(url(crossing, "manifest.csv"))

    assert r.status_code in (403, 404)
    assert "AZ7654321" not in r.text and "Aliyeva" not in r.text
    assert db.scalar(select(AuditEntry).where(AuditEntry.object_type == "crossing")) is None


def test_anonymous_is_sent_to_sign_in(client, db, crossing):
    settle(db)

    r = client.get(url(crossing, "manifest.csv"))

    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


def test_a_crossing_of_another_event_is_not_found(client, login, db, crossing):
    other = EventFactory()
    login(organiser(other))
    settle(db)

    r = client.get(f"/events/{other.id}/crossings/{crossing.id}/manifest.csv")

    assert r.status_code == 404


# --- queries --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 3])
def test_manifest_csv_query_count_is_constant(client, login, db, count_queries, crossing, n):
    vehicles = [VehicleFactory(crossing=crossing, position=i) for i in range(2)]
    for i in range(n):
        on_manifest(crossing, f"AZ{i:07d}", vehicle=vehicles[i % 2])
    login(organiser(crossing.event))
    address = url(crossing, "manifest.csv")
    settle(db)

    with count_queries() as count:
        r = client.get(address)

    assert len(rows(r)) == n
    # sign-in (session, user, grants, site policy); event; crossing with its delegation and point;
    # vehicles; entries with registrations, people and delegations; the audit entry
    assert count() == 6
