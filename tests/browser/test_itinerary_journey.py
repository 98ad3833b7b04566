"""A delegate reads their itinerary on a phone in a real browser, every page checked (see
conftest.py): they sign in on a phone-sized screen, open "My itinerary", find the meeting point
of their crossing and a session, download the PDF and the calendar file, and make a private
subscription address for their calendar app.

The event, its delegation, the delegate (registered from an invitation and approved), a session,
a crossing point and the arrival crossing with the delegate on its manifest are the journey's own
(made through the command line and the API with an administrator's token), so that other
journeys on the same live server change nothing here.
"""

import json
import re
import urllib.request
from collections.abc import Callable

from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.browser.support import ADMIN_EMAIL, LiveServer, check, checks_of, login, visit

DELEGATE_EMAIL = "leyla.itinerary@example.az"
DELEGATE_PASSWORD = "the road to tsaghkadzor winds up"
EVENT_TITLE = "Tsaghkadzor itinerary journey roundtable"
DELEGATION = "Gazakh civil society"
MEETING_POINT = "Gazakh, car park by the border post"
SESSION_TITLE = "Regional security, borders and connectivity"
PHONE = {"width": 390, "height": 844}


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


def files_downloaded(page: Page) -> None:
    """Downloads are files, not pages: take them off the list of documents to check (they are
    asserted to be attachments), so that only HTML pages go through axe and the Nu checker."""
    pending = checks_of(page).pending
    files = [r for r in pending if r.headers.get("content-disposition", "").startswith("attachment")]
    assert files, "no file was downloaded"
    pending[:] = [r for r in pending if r not in files]


def prepared_event(server: LiveServer) -> int:
    """The journey's event, open for registration, with a visiting delegation; the delegate
    registered from their invitation and confirmed; a published session and the arrival crossing."""
    server.parley("users", "create", "--email", DELEGATE_EMAIL, "--password", DELEGATE_PASSWORD,
                  "--name", "Leyla Itinerary")
    token = server.parley("tokens", "create", "--email", ADMIN_EMAIL, "--name", "itinerary journey").strip()
    own_token = server.parley("tokens", "create", "--email", DELEGATE_EMAIL, "--name", "itinerary journey").strip()
    event = api(server, token, "POST", "/events", {
        "title": EVENT_TITLE, "kind": "roundtable", "host_country": "AM", "city": "Tsaghkadzor",
        "venue": "Tsaghkadzor conference hall", "starts_on": "2027-11-11", "ends_on": "2027-11-12",
        "timezone": "Asia/Yerevan",
    })
    event_id = int(event["id"])  # type: ignore[call-overload]
    api(server, token, "POST", f"/events/{event_id}/status", {"status": "planned"})
    api(server, token, "POST", f"/events/{event_id}/status", {"status": "registration_open"})
    delegation = api(server, token, "POST", f"/events/{event_id}/delegations", {
        "name": DELEGATION, "country": "AZ", "side": "visiting", "capacity_core": 5, "capacity_broader": 10,
    })
    delegation_id = int(delegation["id"])  # type: ignore[call-overload]
    api(server, token, "POST", f"/events/{event_id}/invitations", {"email": DELEGATE_EMAIL, "delegation_id": delegation_id})
    (mail,) = server.outbox(DELEGATE_EMAIL)
    found = re.search(r"/invitations/([\w-]+)", mail)
    assert found, mail
    registration = api(server, own_token, "POST", f"/invitations/{found.group(1)}/registration", {
        "given_name": "Leyla", "family_name": "Itinerary", "consent_data_processing": True,
    })
    api(server, token, "POST", f"/events/{event_id}/registrations/{registration['id']}/approve")
    api(server, token, "POST", f"/events/{event_id}/sessions", {
        "kind": "thematic_session", "title": SESSION_TITLE, "starts_at": "2027-11-11T11:00:00+04:00",
        "ends_at": "2027-11-11T12:30:00+04:00", "is_published": True,
    })
    point = api(server, token, "POST", "/crossing-points", {
        "name_a": "Itinerary Voskepar", "country_a": "AM", "name_b": "Itinerary Ashaghi Askipara", "country_b": "AZ",
    })
    crossing = api(server, token, "POST", f"/events/{event_id}/crossings", {
        "delegation_id": delegation_id, "crossing_point_id": point["id"], "direction": "arrival",
        "planned_at": "2027-11-11T08:00:00+04:00", "meeting_at": "2027-11-11T07:15:00+04:00",
        "meeting_point": MEETING_POINT,
    })
    api(server, token, "POST", f"/events/{event_id}/crossings/{crossing['id']}/manifest", {"all_confirmed": True})
    return event_id


def test_delegate_reads_and_downloads_their_itinerary_on_a_phone(
    open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    prepared_event(live_server)
    page = open_page(live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, DELEGATE_EMAIL, DELEGATE_PASSWORD)

    # From their registrations to their itinerary.
    visit(page, "/me/registrations")
    page.locator("main").get_by_role("link", name="My itinerary").click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("My itinerary")
    main = page.locator("main")
    expect(main).to_contain_text("Times are in the event's time zone, Asia/Yerevan.")
    expect(main.locator(".meeting-point")).to_have_text(MEETING_POINT)
    expect(main).to_contain_text(SESSION_TITLE)
    # Phone-first: nothing is wider than the screen (390 and 375 pixels wide).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # The PDF and the calendar file.
    with page.expect_download() as pdf:
        main.get_by_role("link", name="Download PDF").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    with open(pdf.value.path(), "rb") as file:
        assert file.read(4) == b"%PDF"
    files_downloaded(page)
    with page.expect_download() as ics:
        main.get_by_role("link", name="Add to my calendar (.ics)").click()
    with open(ics.value.path(), "rb") as file:
        calendar = Calendar.from_ical(file.read())
    files_downloaded(page)
    assert SESSION_TITLE in [str(e["summary"]) for e in calendar.walk("VEVENT")]

    # A private subscription address, shown once.
    main.get_by_role("button", name="Make a subscription address").click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your subscription address")
    address = page.locator(".feed-url")
    expect(address).to_have_text(re.compile(r"/feeds/itinerary/[\w-]{43,}\.ics$"))
    feed_path = "/feeds/itinerary/" + address.inner_text().split("/feeds/itinerary/")[1]
    answer = page.request.get(feed_path)
    assert answer.status == 200
    assert SESSION_TITLE in [str(e["summary"]) for e in Calendar.from_ical(answer.body()).walk("VEVENT")]
    page.locator("main").get_by_role("link", name="Back to my itinerary").click()
    check(page)
    expect(page.locator("main")).to_contain_text("You made a subscription address on")
