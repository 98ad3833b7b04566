"""The import's reading and checking of a file, and its queries, below the pages."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.errors import Forbidden
from app.registrations import imports
from app.registrations import service as registrations
from app.registrations.models import Registration
from tests.factories import (
    DelegationFactory,
    PersonFactory,
    RegistrationFactory,
    coordinator,
    organiser,
)


def test_read_sheet_sniffs_the_separator_from_the_header():
    comma = imports.read_sheet('given_name,family_name,organisation\nAni,Petrosyan,"Bridge; Kamurj"\n')
    semicolon = imports.read_sheet('given_name;family_name;organisation\nAni;Petrosyan;"Bridge, Kamurj"\n')
    tab = imports.read_sheet("given_name\tfamily_name\nAni\tPetrosyan\n")

    assert (comma.delimiter, comma.rows[0].cells["organisation"]) == (",", "Bridge; Kamurj")
    assert (semicolon.delimiter, semicolon.rows[0].cells["organisation"]) == (";", "Bridge, Kamurj")
    assert (tab.delimiter, tab.rows[0].cells["family_name"]) == ("\t", "Petrosyan")


def test_read_sheet_reads_headers_in_any_case_and_spacing_and_reports_unknown_ones():
    sheet = imports.read_sheet("E-Mail; Given Name ;FAMILY_NAME;Shoe size;\r\nani@example.am;Ani;Petrosyan;38;\r\n")

    assert sheet.columns == ["email", "given_name", "family_name"]
    assert sheet.unknown == ["Shoe size"]
    assert sheet.rows == [imports.SheetRow(2, {"email": "ani@example.am", "given_name": "Ani", "family_name": "Petrosyan"})]


def test_read_sheet_numbers_rows_as_a_spreadsheet_and_skips_blank_ones():
    sheet = imports.read_sheet('given_name,family_name,organisation\n\n,,\nAni,Petrosyan,"Two\nlines"\nAram,Sargsyan,\n')

    assert [row.number for row in sheet.rows] == [4, 5]
    assert sheet.rows[0].cells["organisation"] == "Two\nlines"


def test_read_sheet_flags_cells_beyond_the_header():
    sheet = imports.read_sheet("given_name,family_name\nAni,Petrosyan,surprise\n")
    row, errors = imports.check_row(sheet.rows[0], sheet.columns, DelegationFactory.build(id=1))

    assert row is None
    assert errors == [imports.RowError(2, "", "This row has cells in columns without a heading.")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("given_name,family_name\n", "The file has a header but no rows under it."),
        ("given_name,given_name,family_name\nA,A,B\n", "The column “given_name” appears twice in the header."),
        ("family_name\nB\n", "The first row must name the columns, and it has no “given_name” column."),
    ],
)
def test_read_sheet_refuses_files_it_cannot_use(text, message):
    with pytest.raises(imports.FileProblem) as caught:
        imports.read_sheet(text)

    assert caught.value.message.startswith(message)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xef\xbb\xbfgiven_name\nA\n", None),
        ("given_name\nA\n".encode("utf-16"), "The file is UTF-16 text."),
        (b"given_name\n\xe7\n", "The file is not UTF-8 text (see byte 12)."),
        (b"given_name\x00\n", "The file contains NUL characters"),
        (b"  \n", "The file is empty."),
    ],
)
def test_decode_accepts_utf8_with_or_without_bom_only(raw, message):
    if message is None:
        assert imports.decode(raw) == "given_name\nA\n"
        return
    with pytest.raises(imports.FileProblem) as caught:
        imports.decode(raw)
    assert caught.value.message.startswith(message)


def test_check_row_accepts_labels_for_choices_and_normalises_email():
    cells = {"email": "Ani@Example.AM", "given_name": "Ani", "family_name": "Petrosyan", "sector": "Civil society", "category": "CIVIL-SOCIETY", "circle": ""}

    row, errors = imports.check_row(imports.SheetRow(2, cells), list(cells), DelegationFactory.build(id=1))

    assert errors == []
    assert (row.data.email, row.data.sector, row.data.category, row.data.circle) == ("ani@example.am", "civil_society", "civil_society", "broader")
    assert "circle" not in row.given  # a blank choice sets nothing


def test_check_row_asks_for_the_whole_document_when_part_is_given():
    columns = ["given_name", "family_name", *imports.DOCUMENT_COLUMNS]
    cells = {"given_name": "Ani", "family_name": "Petrosyan", "doc_type": "passport", "doc_number": "AM1234567"}

    _, errors = imports.check_row(imports.SheetRow(2, cells), columns, DelegationFactory.build(id=1))

    assert [(e.column, e.message) for e in errors] == [
        ("doc_issuing_country", "Required when a travel document is given."),
        ("doc_nationality", "Required when a travel document is given."),
        ("doc_expires_on", "Required when a travel document is given."),
    ]


def test_check_row_refuses_oversized_fields():
    cells = {"given_name": "A" * 101, "family_name": "B", "dietary_needs": "x" * 501}

    _, errors = imports.check_row(imports.SheetRow(2, cells), list(cells), DelegationFactory.build(id=1))

    assert sorted((e.column, e.message) for e in errors) == [
        ("dietary_needs", "Use at most 500 characters."),
        ("given_name", "Use at most 100 characters."),
    ]


def test_imported_document_is_encrypted_for_its_row_and_revealed_by_the_service(db, roundtable):
    event, host, _ = roundtable
    user = organiser(event)
    db.flush()
    text = (
        "given_name,family_name,doc_type,doc_number,doc_issuing_country,doc_nationality,doc_expires_on\n"
        "Ani,Petrosyan,passport,am-123 4567,AM,AM,2030-01-01\n"
    )
    preview = imports.preview(db, actor=user, delegation=host, text=text)

    imports.apply(db, actor=user, delegation=host, preview=preview)

    registration_id = db.scalar(select(Registration.id).where(Registration.delegation_id == host.id))
    registration = registrations.get_for_viewer(db, viewer=user, event=event, registration_id=registration_id)
    assert registrations.reveal_document(db, actor=user, registration=registration) == "AM1234567"
    assert registration.masked_document == "•••••4567"
    entries = db.scalars(select(AuditEntry).where(AuditEntry.object_type == "registration", AuditEntry.object_id == registration.id)).all()
    assert [(e.action, e.details) for e in entries] == [
        ("registration.create", {"delegation_id": host.id, "via": "import", "document": True}),
        ("document.reveal", {}),
    ]


def test_preview_of_a_delegation_the_user_does_not_manage_is_refused(db, roundtable):
    _, host, visiting = roundtable
    other_side = coordinator(visiting)
    db.flush()

    with pytest.raises(Forbidden):
        imports.preview(db, actor=other_side, delegation=host, text="given_name,family_name\nA,B\n")


@pytest.mark.parametrize("n", [1, 3])
def test_preview_query_count_is_constant(db, count_queries, roundtable, n):
    event, host, visiting = roundtable
    user = organiser(event)
    for i in range(n):
        RegistrationFactory(delegation=host, person=PersonFactory(email=f"p{i}@example.am"))
        RegistrationFactory(delegation=visiting)
    db.flush()
    text = "email,given_name,family_name\n" + "".join(f"p{i}@example.am,A{i},B{i}\nnew{i}@example.am,C{i},D{i}\n" for i in range(n))

    with count_queries() as count:
        preview = imports.preview(db, actor=user, delegation=host, text=text)

    assert preview.counts == {"create": n, "update": n, "unchanged": 0}
    assert count() == 2  # the event's registrations with their people; people by e-mail
