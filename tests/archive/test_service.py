"""The event archive's service: round trips into another database and the same one, what the
archive holds (and never holds), the audit, keys, matching, and every refusal importing nothing."""

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app import crypto
from app.accounts.service import system_actor
from app.archive import service
from app.archive.service import ArchiveError
from app.audit.models import AuditEntry
from app.crossings.models import CrossingPoint, ProcedureTemplate
from app.db import Base
from app.errors import Forbidden
from app.events.models import Event, EventStaff
from app.initiatives.models import Initiative, RoadmapPhase
from app.press.models import PressItem
from app.registrations.models import Person, Registration
from app.registrations.service import document_hash
from tests.archive.conftest import DOCUMENT, TEST_KEYS, canonical, copy_accounts, key, rich_event
from tests.factories import AdminFactory, EventFactory, organiser


def export(db: Session, event: Event) -> dict[str, Any]:
    return service.export_archive(db, actor=AdminFactory(), event=event)


def import_(db: Session, archive: dict[str, Any] | bytes) -> service.ImportResult:
    data = service.read(archive) if isinstance(archive, bytes) else archive
    return service.import_archive(db, actor=system_actor(), data=data)


def delete_event(db: Session, event: Event) -> None:
    db.execute(delete(Event).where(Event.id == event.id))
    db.expire_all()


def row_counts(db: Session) -> dict[str, int]:
    return {t.name: db.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


def _document_of(db: Session, event_id: int) -> Registration:
    return db.scalar(select(Registration).where(Registration.event_id == event_id, Registration.doc_number.is_not(None)))


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_round_trip_into_another_database_preserves_everything(db, other_database, backend):
    event = rich_event(db)
    before = canonical(db, event.id)
    raw = service.encode(export(db, event), compress=True)
    target = other_database(backend)
    copy_accounts(db, target, event.id)

    result = import_(target, raw)
    target.commit()
    after = canonical(target, result.event.id)

    assert [name for name, rows in before.items() if not rows] == []  # every kind of record was tried
    assert after == before
    assert result.reused == {}
    assert result.created["crossing_point"] == 1 and result.created["procedure_template"] == 1
    assert result.created["initiative"] == 1 and result.created["roadmap_phase"] == 1
    assert (result.skipped_grants, result.unknown_accounts, result.documents) == (0, 0, 1)
    registration = _document_of(target, result.event.id)
    number = crypto.decrypt(registration.doc_number, table="registration", column="doc_number", row_id=registration.id)
    assert number == DOCUMENT
    assert (registration.doc_number_hash, registration.doc_number_hint) == (document_hash(DOCUMENT), "4567")


def test_export_delete_then_import_into_the_same_database_gives_the_same_event(db):
    event = rich_event(db)
    before = canonical(db, event.id)
    archive = export(db, event)
    delete_event(db, event)

    result = import_(db, json.loads(service.encode(archive)))

    assert canonical(db, result.event.id) == before
    assert result.created["event"] == 1
    assert result.reused == {"crossing_point": 1, "initiative": 1, "person": 2, "roadmap_phase": 1}
    assert "person" in result.created  # the one without an e-mail address is created again


def test_a_compressed_archive_reads_as_the_plain_one(db):
    archive = export(db, rich_event(db))

    assert service.read(service.encode(archive, compress=True)) == json.loads(service.encode(archive))


# --- what the archive holds ------------------------------------------------------------------


def test_the_archive_holds_document_numbers_only_encrypted_for_itself(db):
    event = rich_event(db)
    stored = _document_of(db, event.id)

    archive = export(db, event)
    raw = service.encode(archive).decode()

    assert DOCUMENT not in raw
    assert stored.doc_number not in raw  # not the database's ciphertext either
    row = next(r for r in archive["records"]["registration"] if r["doc_number"] is not None)
    assert "doc_number_hash" not in row and "doc_number_hint" not in row
    assert crypto.key_id(row["doc_number"]) == archive["key_id"] == crypto.keyring().current
    aad = f"archive:{archive['archive_id']}"
    assert crypto.decrypt(row["doc_number"], table=aad, column="doc_number", row_id=row["id"]) == DOCUMENT
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(row["doc_number"], table="registration", column="doc_number", row_id=row["id"])


def test_the_archive_names_accounts_by_email_and_keeps_source_ids(db):
    event = rich_event(db)
    staff = db.scalars(select(EventStaff).where(EventStaff.event_id == event.id).order_by(EventStaff.id)).all()

    archive = export(db, event)

    assert archive["format"] == "parley-event-archive" and archive["version"] == 1
    assert archive["schema"] == service.schema_revision()
    assert archive["records"]["event"][0]["id"] == event.id
    assert [r["user_id"] for r in archive["records"]["event_staff"]] == [s.user.email for s in staff]
    assert archive["records"]["event"][0]["starts_on"] == "2026-02-13"
    assert archive["records"]["crossing_point"][0]["latitude"] == "41.123456"


def test_the_archive_holds_only_this_events_records(db):
    event = rich_event(db)
    other = rich_event(db, title="Another roundtable")

    archive = export(db, event)

    assert [r["id"] for r in archive["records"]["event"]] == [event.id]
    assert {r["event_id"] for r in archive["records"]["registration"]} == {event.id}
    others = set(db.scalars(select(Registration.id).where(Registration.event_id == other.id)))
    assert not others & {r["registration_id"] for r in archive["records"]["manifest_entry"]}


def test_export_and_import_are_each_audited_once(db):
    event = rich_event(db)
    admin = AdminFactory()

    archive = service.export_archive(db, actor=admin, event=event, client="10.0.0.1")
    delete_event(db, event)
    result = service.import_archive(db, actor=admin, data=archive)

    entries = db.scalars(select(AuditEntry).where(AuditEntry.action.in_(["event.export", "event.import"])).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.event_id) for e in entries] == [
        ("event.export", admin.id, event.id),
        ("event.import", admin.id, result.event.id),
    ]
    assert entries[0].client == "10.0.0.1"
    assert entries[0].details["documents"] == 1 and entries[0].details["records"]["registration"] == 3
    assert entries[1].details["documents"] == 1 and entries[1].details["source_event_id"] == event.id
    assert entries[0].details["archive_id"] == entries[1].details["archive_id"] == archive["archive_id"]


def test_only_administrators_may_export_or_import(db):
    event = rich_event(db)
    archive = export(db, event)

    with pytest.raises(Forbidden):
        service.export_archive(db, actor=organiser(event), event=event)
    with pytest.raises(Forbidden):
        service.import_archive(db, actor=organiser(event), data=archive)


# --- keys ---------------------------------------------------------------------------------------


def test_import_encrypts_again_under_the_targets_current_key(db, data_keys):
    event = rich_event(db)
    archive = export(db, event)  # under t2
    delete_event(db, event)
    data_keys(key("t3", b"3") + "," + TEST_KEYS)

    result = import_(db, archive)

    registration = _document_of(db, result.event.id)
    assert crypto.key_id(registration.doc_number) == "t3"
    assert crypto.decrypt(registration.doc_number, table="registration", column="doc_number", row_id=registration.id) == DOCUMENT


def test_import_without_the_archives_key_is_refused_naming_it(db, data_keys):
    event = rich_event(db)
    archive = export(db, event)
    delete_event(db, event)
    data_keys(key("t3", b"3"))
    before = row_counts(db)

    with pytest.raises(ArchiveError) as refused:
        import_(db, archive)

    assert "“t2”" in refused.value.message and "PARLEY_DATA_KEYS" in refused.value.message
    assert row_counts(db) == before


# --- matching what the instance has --------------------------------------------------------------


def test_unknown_accounts_leave_roles_out_and_references_empty(db, other_database):
    event = rich_event(db)
    archive = export(db, event)
    target = other_database("sqlite")

    result = import_(target, archive)

    assert result.skipped_grants == 4  # an organiser, a press officer, two coordinators
    assert result.unknown_accounts == 5  # those and the account of a participant
    assert target.scalar(select(func.count()).select_from(EventStaff)) == 0
    assert set(target.scalars(select(PressItem.created_by_id))) == {None}
    assert set(target.scalars(select(Person.user_id))) == {None}


def test_an_existing_person_with_the_same_email_is_reused_unchanged(db, other_database):
    event = rich_event(db)
    archive = export(db, event)
    email = next(r["email"] for r in archive["records"]["person"] if r["email"])
    target = other_database("sqlite")
    target.add(Person(email=email, given_name="Kept", family_name="AsItWas"))
    target.flush()

    result = import_(target, archive)

    person = target.scalar(select(Person).where(Person.email == email))
    assert (person.given_name, person.family_name) == ("Kept", "AsItWas")
    assert result.reused == {"person": 1}
    assert target.scalar(select(func.count()).select_from(Registration).where(Registration.person_id == person.id)) == 1


def test_initiative_phase_and_crossing_point_are_matched_by_name(db, other_database):
    event = rich_event(db)
    archive = export(db, event)
    point = archive["records"]["crossing_point"][0]
    target = other_database("sqlite")
    initiative = Initiative(name=archive["records"]["initiative"][0]["name"], description="Here already")
    target.add_all([initiative, CrossingPoint(name_a=point["name_a"], country_a="AM", name_b=point["name_b"], country_b="AZ")])
    target.flush()

    result = import_(target, archive)

    assert result.reused == {"crossing_point": 1, "initiative": 1}
    assert result.created["roadmap_phase"] == 1  # the phase, missing, is created in the initiative found
    assert "procedure_template" not in result.created  # the point found keeps its own procedures
    assert target.scalar(select(func.count()).select_from(ProcedureTemplate)) == 0
    assert target.scalar(select(RoadmapPhase.initiative_id)) == initiative.id
    assert target.get(Initiative, initiative.id).description == "Here already"


# --- refusals ------------------------------------------------------------------------------------


def _first(archive: dict[str, Any], table: str) -> dict[str, Any]:
    return archive["records"][table][0]


def _drop(values: dict[str, Any], name: str) -> None:
    del values[name]


def _older_revision() -> str:
    head, known = service._revisions()
    return sorted(known - {head})[0]


def _tamper(archive: dict[str, Any]) -> None:
    row = next(r for r in archive["records"]["registration"] if r["doc_number"])
    version, kid, nonce, data = row["doc_number"].split(":")
    row["doc_number"] = ":".join([version, kid, nonce, ("A" if data[0] != "A" else "B") + data[1:]])


def _renamed(archive: dict[str, Any]) -> None:
    """The same event under another title, with new session uids and invitation links: it no
    longer collides with the one it came from."""
    _first(archive, "event")["title"] = "Renamed roundtable"
    for row in archive["records"]["agenda_session"]:
        row["uid"] = str(uuid.uuid4())
    for row in archive["records"]["invitation"]:
        row["token_hash"] = uuid.uuid4().hex


def _breaks_a_database_rule(archive: dict[str, Any]) -> None:
    _renamed(archive)
    session = archive["records"]["agenda_session"][-1]
    session["ends_at"] = session["starts_at"]  # the database checks that a session ends after it starts


REFUSALS: dict[str, tuple[Callable[[dict[str, Any]], Any], str]] = {
    "a JSON array": (lambda a: [a], "must be a JSON object"),
    "another format": (lambda a: a.update(format="something-else"), "not a Parley event archive"),
    "a newer format": (lambda a: a.update(version=2), "newer Parley"),
    "a newer schema": (lambda a: a.update(schema="ffffffffffff"), "upgrade this instance first"),
    "an older schema": (lambda a: a.update(schema=_older_revision()), "export the event again"),
    "a missing field": (lambda a: _drop(a, "key_id"), "key_id"),
    "a malformed archive id": (lambda a: a.update(archive_id="nope"), "archive_id"),
    "an unknown table": (lambda a: a["records"].update(hotel=[]), "tables this instance does not know"),
    "a missing table": (lambda a: _drop(a["records"], "consent"), "lacks the tables consent"),
    "a missing column": (lambda a: _drop(_first(a, "room"), "capacity"), "room[0] has the wrong columns"),
    "an unknown column": (lambda a: _first(a, "room").update(colour="red"), "unknown: colour"),
    "a choice that does not exist": (lambda a: _first(a, "event").update(status="lost"), "event[0].status must be one of"),
    "a number as text": (lambda a: _first(a, "vehicle").update(seats="ten"), "vehicle[0].seats must be a whole number"),
    "a number out of range": (lambda a: _first(a, "vehicle").update(seats=2**40), "out of range"),
    "a date that is no date": (lambda a: _first(a, "event").update(starts_on="13/02/2026"), "must be a date"),
    "a time without offset": (lambda a: _first(a, "crossing").update(planned_at="2026-02-13T08:00:00"), "time-zone offset"),
    "a text too long": (lambda a: _first(a, "event").update(host_country="ARM"), "longer than 2"),
    "a NUL character": (lambda a: _first(a, "room").update(notes="a\x00b"), "NUL"),
    "a list that is not of texts": (lambda a: _first(a, "agenda_session").update(topics=[1]), "must be a list of texts"),
    "a missing required value": (lambda a: _first(a, "delegation").update(name=None), "delegation[0].name is required"),
    "a dangling reference": (lambda a: _first(a, "registration").update(delegation_id=999999), "refers to delegation 999999"),
    "an id twice": (lambda a: a["records"]["room"].append(dict(_first(a, "room"), name="Twin")), "appears twice"),
    "two events": (lambda a: a["records"]["event"].append(dict(_first(a, "event"), id=999999)), "exactly one event"),
    "no event_id": (lambda a: _first(a, "recommendation").update(event_id=None), "event_id is required"),
    "an altered document number": (_tamper, "altered or damaged"),
    "the event exists here": (lambda a: None, "already"),
    "sessions exist here": (lambda a: _first(a, "event").update(title="Renamed roundtable"), "table “agenda_session” exist"),
    "a database rule broken": (_breaks_a_database_rule, "nothing was imported"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_archive_imports_nothing(db, case):
    event = rich_event(db)
    archive = export(db, event)
    change, message = REFUSALS[case]
    data = copy.deepcopy(archive)
    replaced = change(data)
    data = replaced if isinstance(replaced, list) else data
    before = row_counts(db)

    with pytest.raises(ArchiveError) as refused:
        import_(db, json.loads(json.dumps(data)))

    assert message in refused.value.message
    assert refused.value.status_code == 422
    assert row_counts(db) == before


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b'{"format": NaN}', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"\x1f\x8bnot really gzip", "cannot be unpacked"),
    ],
)
def test_a_file_that_is_no_archive_is_refused(raw, message):
    with pytest.raises(ArchiveError) as refused:
        service.read(raw)

    assert message in refused.value.message


def test_an_archive_that_unpacks_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(service, "MAX_BYTES", 1000)

    with pytest.raises(ArchiveError) as refused:
        service.read(service.encode({"records": "x" * 5000}, compress=True))

    assert "larger than" in refused.value.message


def test_a_renamed_archive_of_an_existing_event_imports_as_a_new_event(db):
    """The collision checks refuse only what is really there."""
    event = rich_event(db)
    archive = export(db, event)
    _renamed(archive)

    result = import_(db, archive)

    assert result.event.title == "Renamed roundtable" and result.event.id != event.id
    assert result.reused["person"] == 2


def test_an_event_of_another_first_day_does_not_collide(db):
    event = EventFactory()
    archive = export(db, event)
    archive["records"]["event"][0]["starts_on"] = "2026-03-01"

    assert import_(db, archive).event.starts_on.isoformat() == "2026-03-01"


@pytest.mark.parametrize("code", ["hy", "az", "ru"])
def test_refusals_are_in_the_readers_language(db, code):
    from app import i18n

    event = rich_event(db)
    archive = copy.deepcopy(export(db, event))
    _first(archive, "vehicle").update(seats="ten")

    with i18n.use_language(code):
        with pytest.raises(ArchiveError) as empty:
            service.read(b"")
        with pytest.raises(ArchiveError) as invalid:
            import_(db, json.loads(json.dumps(archive)))
        expected_empty = i18n.gettext("The file is empty.")
        seats = i18n.gettext("%(where)s must be a whole number") % {"where": "vehicle[0].seats"}
        expected_invalid = i18n.gettext("The archive is not valid: %(problems)s.") % {"problems": seats}

    assert empty.value.message == expected_empty
    assert invalid.value.message == expected_invalid
