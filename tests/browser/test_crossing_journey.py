"""A delegation's coordinator prepares and submits a crossing manifest in a real browser, every page
checked (see conftest.py): they plan the arrival, add everyone confirmed, see that the manifest
cannot be submitted without a vehicle, add one, seat the people and submit.

The event, its delegation, the coordinator, the crossing point and the confirmed participants
with their travel documents are the journey's own (made through the command line and the API
with an administrator's token), so that other journeys on the same live server change nothing
here.
"""

import json
import re
import urllib.request
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.support import ADMIN_EMAIL, LiveServer, check, login, visit

COORDINATOR_EMAIL = "gunel.crossings@example.az"
COORDINATOR_PASSWORD = "the bus leaves qazax at dawn"
EVENT_TITLE = "Ijevan crossing journey roundtable"
DELEGATION = "Qazax civil society"
POINT_A, POINT_B = "Journey Voskepar", "Journey Ashaghi Askipara"
PEOPLE = [("Aysel", "Journeyova", "C11000001"), ("Rauf", "Journeyov", "C11000002")]


def main_form(page: Page, action: str):  # type: ignore[no-untyped-def]
    """The page's form that posts to `action` (not the navigation's sign-out form)."""
    return page.locator(f'main form[method=post][action$="{action}"]')


def flash(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("main .alert[role=status]")


def api(server: LiveServer, token: str, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
    """One call of the live server's JSON API, as a script makes it."""
    request = urllib.request.Request(  # our own loopback server
        f"{server.url}/api/v1{path}",
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def prepared_event(server: LiveServer) -> int:
    """An event of the journey's own, with a visiting delegation, its coordinator, two confirmed
    participants with valid passports and a crossing point with one procedure."""
    server.parley("users", "create", "--email", COORDINATOR_EMAIL, "--password", COORDINATOR_PASSWORD,
                  "--name", "Gunel Coordinator")
    token = server.parley("tokens", "create", "--email", ADMIN_EMAIL, "--name", "crossing journey").strip()
    event = api(server, token, "POST", "/events", {
        "title": EVENT_TITLE, "kind": "roundtable", "host_country": "AM", "city": "Ijevan",
        "venue": "Ijevan cultural centre", "starts_on": "2027-09-16", "ends_on": "2027-09-17",
        "timezone": "Asia/Yerevan",
    })
    event_id = int(event["id"])  # type: ignore[call-overload]
    api(server, token, "POST", f"/events/{event_id}/status", {"status": "planned"})
    delegation = api(server, token, "POST", f"/events/{event_id}/delegations", {
        "name": DELEGATION, "country": "AZ", "side": "visiting", "capacity_core": 5, "capacity_broader": 10,
    })
    delegation_id = int(delegation["id"])  # type: ignore[call-overload]
    api(server, token, "POST", f"/events/{event_id}/delegations/{delegation_id}/coordinators", {"email": COORDINATOR_EMAIL})
    for given, family, number in PEOPLE:
        registration = api(server, token, "POST", f"/events/{event_id}/registrations", {
            "given_name": given, "family_name": family, "email": f"{given.lower()}.journey@example.az",
            "delegation_id": delegation_id, "circle": "core",
        })
        registration_id = registration["id"]
        api(server, token, "POST", f"/events/{event_id}/registrations/{registration_id}/approve")
        api(server, token, "PUT", f"/events/{event_id}/registrations/{registration_id}/document", {
            "doc_type": "passport", "doc_number": number, "doc_issuing_country": "AZ", "doc_nationality": "AZ",
            "doc_expires_on": "2032-05-31",
        })
    point = api(server, token, "POST", "/crossing-points", {
        "name_a": POINT_A, "country_a": "AM", "name_b": POINT_B, "country_b": "AZ",
        "status": "delimited and demarcated",
    })
    api(server, token, "POST", f"/crossing-points/{point['id']}/procedures", {
        "title": "Submit the passenger list to the border services", "lead_days": 7, "responsible_side": "visiting",
    })
    return event_id


def test_coordinator_prepares_and_submits_a_manifest(open_page: Callable[..., Page], live_server: LiveServer) -> None:
    event_id = prepared_event(live_server)
    page = open_page(live_server)
    login(page, COORDINATOR_EMAIL, COORDINATOR_PASSWORD)

    # From the event's page to its crossings: none yet.
    visit(page, f"/events/{event_id}")
    page.locator(".page-heading").get_by_role("link", name="Crossings").click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Crossings")
    expect(page.locator("main")).to_contain_text("No crossings yet.")

    # Plan the arrival.
    page.locator(".page-heading").get_by_role("link", name="New crossing").click()
    check(page)
    form = main_form(page, "/crossings/new")
    form.get_by_label("Delegation").select_option(label=DELEGATION)
    form.get_by_label("Crossing point").select_option(label=f"{POINT_A} (AM) / {POINT_B} (AZ)")
    form.get_by_label("Direction").select_option(label="Arrival")
    form.get_by_label("Day", exact=True).fill("2027-09-16")
    form.get_by_label("Time", exact=True).fill("08:00")
    form.get_by_label("Meeting point (optional)", exact=True).fill("Qazax, car park before the border post")
    form.get_by_label("Meeting time (optional)", exact=True).fill("07:15")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_contain_text("The crossing has been created, with its checklist.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Arrival: {DELEGATION}")
    expect(page.locator("#checklist")).to_contain_text("Submit the passenger list to the border services")
    expect(page.locator("#checklist")).to_contain_text("Sep 9, 2027, 08:00")

    # Everyone confirmed goes on the manifest; their passports are masked.
    main_form(page, "/manifest/add-all").get_by_role("button", name="Add all confirmed participants").click()
    check(page)
    expect(flash(page)).to_have_text("2 confirmed participants have been added to the manifest.")
    rows = page.locator("tr.manifest-entry")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Aysel Journeyova")).to_contain_text("•••••0001")
    expect(page.locator("main")).not_to_contain_text("C11000001")

    # Without a vehicle the manifest cannot be submitted: the problem says why.
    manifest = page.locator("#manifest")
    expect(manifest).to_contain_text("No vehicle yet: add the vehicles with their plates and drivers.")
    main_form(page, "/submit").get_by_role("button", name="Submit the manifest").click()
    check(page)
    refused = page.locator("#submit-refused")
    expect(refused).to_contain_text("The manifest cannot be submitted yet.")
    expect(refused).to_contain_text("No vehicle yet")

    # The coordinator adds a minibus (forgetting its seats at first) and seats both people.
    form = main_form(page, "/vehicles/new")
    form.get_by_label("Vehicle", exact=True).fill("Minibus 1")
    form.get_by_role("button", name="Add the vehicle").click()
    check(page)
    form = main_form(page, "/vehicles/new")
    expect(form.get_by_label("Plate")).to_have_accessible_description("This field is required.")
    expect(form.get_by_label("Passenger seats")).to_have_accessible_description("Enter a whole number.")
    expect(form.get_by_label("Vehicle", exact=True)).to_have_value("Minibus 1")
    form = main_form(page, "/vehicles/new")
    form.get_by_label("Vehicle", exact=True).fill("Minibus 1")
    form.get_by_label("Plate").fill("10 AZ 123")
    form.get_by_label("Passenger seats").fill("12")
    form.get_by_label("Driver (optional)", exact=True).fill("Elchin Driver")
    form.get_by_role("button", name="Add the vehicle").click()
    check(page)
    expect(flash(page)).to_have_text("The vehicle “Minibus 1” has been added.")
    expect(page.locator("#manifest")).not_to_contain_text("No vehicle yet")
    for given, family, _ in PEOPLE:
        name = f"{given} {family}"
        row = page.locator("tr.manifest-entry", has_text=name)
        expect(row).to_contain_text("Not given a seat in a vehicle.")
        row.get_by_label(f"Vehicle of {name}").select_option(label="Minibus 1")
        row.get_by_role("button", name=re.compile(f"^Seat {name}")).click()
        check(page)
        expect(flash(page)).to_have_text(f"{name}: saved.")
    expect(page.locator("tr.manifest-entry", has_text="No problems")).to_have_count(2)

    # The vehicle's page, and back.
    page.locator("#vehicles").get_by_role("link", name="Edit Minibus 1").click()
    check(page)
    expect(main_form(page, "/edit").get_by_label("Plate")).to_have_value("10 AZ 123")
    page.locator("main").get_by_role("link", name="Cancel").click()
    check(page)

    # Submitted: the manifest is closed, the board says so.
    main_form(page, "/submit").get_by_role("button", name="Submit the manifest").click()
    check(page)
    expect(flash(page)).to_have_text("The manifest has been submitted.")
    expect(page.locator("main")).to_contain_text("by Gunel Coordinator")
    expect(main_form(page, "/manifest/add-all")).to_have_count(0)
    page.locator(".breadcrumbs").get_by_role("link", name="Crossings").click()
    check(page)
    crossing = page.locator("tr.crossing", has_text=DELEGATION)
    expect(crossing).to_contain_text("Submitted")
    expect(crossing).to_contain_text("2 people, 12 seats")
    expect(crossing).to_contain_text("0 of 1 done")
    expect(page.locator("#reconciliation-heading")).to_have_text("Reconciliation")

    # Its details can still change (not its point or direction).
    crossing.get_by_role("link").click()
    check(page)
    page.locator(".page-heading").get_by_role("link", name="Edit").click()
    check(page)
    form = main_form(page, "/edit")
    expect(form.get_by_label("Crossing point")).to_have_count(0)
    form.get_by_label("Host side's escort (optional)", exact=True).fill("Border guard escort")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text("The crossing has been saved.")
    expect(page.locator("main")).to_contain_text("Border guard escort")
