"""Crossings in the reader's language: the board and a crossing's page, their problems and
validation messages, the printed manifest and seating list (dates with the language's month
names, countries by their names in it); the manifest CSV keeps its fixed keys and stored values
for the authorities' scripts, whatever the language."""

import csv
import io
from datetime import date

import pytest

from app import i18n
from app.crossings import service
from app.crossings.models import CrossingDirection, ManifestStatus
from app.delegations.models import DelegationSide
from app.registrations.models import RegistrationStatus
from tests.factories import (
    CrossingFactory,
    CrossingPointFactory,
    DelegationFactory,
    EventFactory,
    ManifestEntryFactory,
    PersonFactory,
    RegistrationFactory,
    VehicleFactory,
    organiser,
    with_document,
)
from tests.support import message_in, pdf_text, read_in, settle, squeezed

FEB_13 = date(2026, 2, 13)


@pytest.fixture
def crossing(db):  # type: ignore[no-untyped-def]
    """Azerbaijan's arrival at Voskepar / Ashaghi Askipara, 08:00 on 13 February (Yerevan), with
    one person seated in a bus and one without a travel document."""
    event = EventFactory(title="Peace Bridge roundtable", host_country="AM")
    visiting = DelegationFactory(event=event, name="Azerbaijan", country="AZ", side=DelegationSide.VISITING)
    point = CrossingPointFactory(name_a="Voskepar", country_a="AM", name_b="Ashaghi Askipara", country_b="AZ")
    found = CrossingFactory(delegation=visiting, crossing_point=point, direction=CrossingDirection.ARRIVAL)
    bus = VehicleFactory(crossing=found, label="Bus 1", seats=20)
    seated = RegistrationFactory(delegation=visiting, status=RegistrationStatus.CONFIRMED,
                                 person=PersonFactory(family_name="Aliyeva"))
    with_document(seated, number="AZ7654321", doc_issuing_country="AZ", doc_nationality="AZ",
                  doc_expires_on=date(2031, 5, 31))
    ManifestEntryFactory(crossing=found, registration=seated, vehicle=bus)
    ManifestEntryFactory(crossing=found, vehicle=bus, registration=RegistrationFactory(
        delegation=visiting, status=RegistrationStatus.CONFIRMED, person=PersonFactory(family_name="Mammadov")))
    return found


@pytest.mark.parametrize("code", ["hy", "az", "ru"])
def test_the_crossing_page_speaks_the_readers_language(client, login, db, crossing, code):
    login(organiser(crossing.event))
    url = f"/events/{crossing.event_id}/crossings/{crossing.id}"
    settle(db)
    read_in(client, code)

    r = client.get(url)

    arrival = message_in(code, "Arrival")
    no_document = message_in(code, "No travel document.")
    listed = message_in(code, "Listed")
    with i18n.use_language(code):
        day = i18n.format_day(FEB_13)
    assert r.status_code == 200
    assert f'<html lang="{code}">' in r.text
    assert arrival in r.text and no_document in r.text and listed in r.text
    assert day in r.text
    assert "No travel document." not in r.text and "Feb 13, 2026" not in r.text


def test_the_board_in_russian(client, login, db, crossing):
    login(organiser(crossing.event))
    url = f"/events/{crossing.event_id}/crossings"
    settle(db)
    read_in(client, "ru")

    r = client.get(url)

    arrival = message_in("ru", "Arrival")
    assert r.status_code == 200 and f"{arrival}: Azerbaijan" in r.text


def test_the_printed_manifest_and_seating_list_in_armenian(client, login, db, crossing):
    login(organiser(crossing.event))
    base = f"/events/{crossing.event_id}/crossings/{crossing.id}"
    settle(db)
    read_in(client, "hy")

    manifest = squeezed(pdf_text(client.get(f"{base}/manifest.pdf").content))
    seating = squeezed(pdf_text(client.get(f"{base}/seating.pdf").content))

    heading = message_in("hy", "Crossing manifest")
    officer = message_in("hy", "Officer: name and rank")
    with i18n.use_language("hy"):
        armenia = i18n.country_name("AM")
        month_day = i18n.format_day(FEB_13, fmt="long")
        people = i18n.ngettext("%(num)s person on the manifest.", "%(num)s people on the manifest.", 2) % {"num": 2}
    assert heading in manifest and officer in manifest and armenia in manifest
    assert squeezed(month_day) in manifest
    assert "Crossing manifest" not in manifest and "Armenia" not in manifest
    assert squeezed(people) in seating and "people on the manifest" not in seating


def test_the_manifest_csv_keeps_its_keys_and_stored_values_in_every_language(client, login, db, crossing):
    login(organiser(crossing.event))
    url = f"/events/{crossing.event_id}/crossings/{crossing.id}/manifest.csv"
    settle(db)
    read_in(client, "ru")

    r = client.get(url)

    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert list(rows[0])[:3] == ["no", "family_name", "given_name"]
    assert {row["status"] for row in rows} == {ManifestStatus.LISTED.value}
    assert rows[0]["doc_type"] == "passport"


def test_problems_are_worded_in_the_language_of_the_check(db, crossing):
    db.flush()
    found = service.get_for_viewer(db, viewer=organiser(crossing.event), event=crossing.event, crossing_id=crossing.id)

    with i18n.use_language("az"):
        messages = [p.message for p in service.check(db, crossing=found)]

    no_document = message_in("az", "No travel document.")
    assert no_document in messages


def test_a_crossing_point_form_error_in_azerbaijani(client, login, form, db):
    from tests.factories import AdminFactory

    login(AdminFactory())
    settle(db)
    read_in(client, "az")

    r = form("/crossing-points/new", {"name_a": "Voskepar", "country_a": "AM", "name_b": "Ashaghi Askipara",
                                      "country_b": "AZ", "latitude": "95", "longitude": "45"})

    with i18n.use_language("az"):
        expected = i18n.gettext(
            "Enter a latitude from %(min)s to %(max)s, in decimal degrees (such as %(example)s)."
        ) % {"min": -90, "max": 90, "example": "41.0998"}
    assert r.status_code == 422
    assert expected in r.text
