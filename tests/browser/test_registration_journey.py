"""The registration journey in a real browser, every page checked (see conftest.py): an organiser
invites a new address (and withdraws another invitation) before registration opens; the delegate's
link says so until it opens; then the delegate registers from the e-mailed link in a browser of
their own, the organiser approves the registration and checks the delegate in at the door.

The event, its delegation and its organiser are the journey's own (made through the API with an
administrator's token), so that other journeys on the same live server change nothing here.
"""

import json
import re
import urllib.request
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.support import ADMIN_EMAIL, LiveServer, check, login, visit

ORGANISER_EMAIL = "oskar.registrations@example.org"
ORGANISER_PASSWORD = "oskar counts every chair twice"
DELEGATE_EMAIL = "siranush.journey@example.am"
DELEGATE_PASSWORD = "apricots ripen slowly in ararat valley"
WITHDRAWN_EMAIL = "withdrawn.journey@example.am"
EVENT_TITLE = "Dilijan registration journey roundtable"
DELEGATION = "Dilijan civil society"


def main_form(page: Page):  # type: ignore[no-untyped-def]
    """The page's own form (not the navigation's sign-out form)."""
    return page.locator("main form[method=post]")


def flash(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("main .alert[role=status]")


def api(server: LiveServer, token: str, method: str, path: str, body: dict[str, object]) -> dict[str, object]:
    """One call of the live server's JSON API, as a script makes it."""
    request = urllib.request.Request(  # our own loopback server
        f"{server.url}/api/v1{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def planned_event(server: LiveServer) -> tuple[int, str]:
    """An event of the journey's own, planned (registration not open yet), with one delegation and
    an organiser; and the administrator's API token that moves it on."""
    server.parley("users", "create", "--email", ORGANISER_EMAIL, "--password", ORGANISER_PASSWORD,
                  "--name", "Oskar Organiser")
    token = server.parley("tokens", "create", "--email", ADMIN_EMAIL, "--name", "registration journey").strip()
    event = api(server, token, "POST", "/events", {
        "title": EVENT_TITLE, "kind": "roundtable", "host_country": "AM", "city": "Dilijan",
        "venue": "Dilijan community centre", "starts_on": "2027-10-04", "ends_on": "2027-10-05",
        "timezone": "Asia/Yerevan",
    })
    event_id = int(event["id"])  # type: ignore[call-overload]
    api(server, token, "POST", f"/events/{event_id}/status", {"status": "planned"})
    api(server, token, "POST", f"/events/{event_id}/staff", {"email": ORGANISER_EMAIL, "role": "organiser"})
    api(server, token, "POST", f"/events/{event_id}/delegations", {
        "name": DELEGATION, "country": "AM", "side": "host", "capacity_core": 5, "capacity_broader": 10,
    })
    return event_id, token


def invite(page: Page, email: str) -> None:
    """Invite one address into the journey's delegation, from the invitations page."""
    page.locator("main").get_by_role("link", name="Invite someone").first.click()
    check(page)
    expect(page.locator("main .alert-info")).to_contain_text("Registration for this event is not open.")
    form = main_form(page)
    form.get_by_label("E-mail address").fill(email)
    form.get_by_label("Delegation").select_option(label=DELEGATION)
    form.get_by_label("Circle").select_option("core")
    form.get_by_label("Category").select_option("civil_society")
    form.get_by_role("button", name="Send the invitation").click()
    check(page)
    expect(flash(page)).to_have_text(f"The invitation has been sent to {email}.")
    expect(page.locator("tr.invitation", has_text=email)).to_contain_text("Not answered")


def link_in_mail(server: LiveServer, email: str) -> str:
    """The invitation link's path, from the e-mail in the live server's outbox."""
    (mail,) = server.outbox(email)
    found = re.search(r"http://127\.0\.0\.1:\d+(/invitations/[\w-]+)", mail)
    assert found, mail
    return found.group(1)


def test_invite_register_from_the_link_approve_and_check_in(
    open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    event_id, admin_token = planned_event(live_server)

    # The organiser invites two addresses while the event is planned, and withdraws one invitation.
    organiser = open_page(live_server)
    login(organiser, ORGANISER_EMAIL, ORGANISER_PASSWORD)
    organiser.get_by_role("link", name=EVENT_TITLE).click()
    check(organiser)
    visit(organiser, f"/events/{event_id}/invitations")
    expect(organiser.locator("main")).to_contain_text("Nobody has been invited yet.")
    invite(organiser, DELEGATE_EMAIL)
    invite(organiser, WITHDRAWN_EMAIL)
    organiser.get_by_role("link", name=WITHDRAWN_EMAIL).click()
    check(organiser)
    organiser.locator("main").get_by_role("link", name="Withdraw…").click()
    check(organiser)
    main_form(organiser).get_by_role("button", name="Withdraw the invitation").click()
    check(organiser)
    expect(flash(organiser)).to_have_text("The invitation has been withdrawn: its link no longer works.")

    # The links, from the e-mails in the live server's outbox.
    link = link_in_mail(live_server, DELEGATE_EMAIL)
    withdrawn = link_in_mail(live_server, WITHDRAWN_EMAIL)

    # The delegate, in a browser of their own: registration is not open yet, and nothing changes.
    delegate = open_page(live_server)
    visit(delegate, link)
    expect(delegate.get_by_role("heading", level=1)).to_have_text("Registration for this event is not open")
    expect(delegate.locator("main")).to_contain_text("Registration has not opened yet.")
    expect(delegate.locator("main form[method=post]")).to_have_count(0)
    visit(delegate, withdrawn)
    expect(delegate.get_by_role("heading", level=1)).to_have_text("This invitation has been withdrawn")

    # Registration opens: the delegate makes an account from the link and registers.
    api(live_server, admin_token, "POST", f"/events/{event_id}/status", {"status": "registration_open"})
    visit(delegate, link)
    expect(delegate.get_by_role("heading", level=1)).to_have_text(f"You are invited to {EVENT_TITLE}")
    form = main_form(delegate)
    expect(form.get_by_label("E-mail address")).to_have_value(DELEGATE_EMAIL)
    form.get_by_label("Your full name").fill("Siranush Journeyan")
    form.get_by_label("Password", exact=True).fill(DELEGATE_PASSWORD)
    form.get_by_label("Password, again").fill(DELEGATE_PASSWORD)
    form.get_by_role("button", name="Create the account").click()
    check(delegate)
    expect(flash(delegate)).to_have_text("Your account has been created. Now tell us about yourself to register.")
    expect(delegate.get_by_role("heading", level=1)).to_have_text(f"Register for {EVENT_TITLE}")

    form = main_form(delegate)
    expect(form.get_by_label("Given name (Latin letters)")).to_have_value("Siranush")
    expect(form.get_by_label("Family name (Latin letters)")).to_have_value("Journeyan")
    form.get_by_label("Given name in your own script (optional)", exact=True).fill("Սիրանուշ")
    form.get_by_label("Family name in your own script (optional)", exact=True).fill("Ջուրնեյան")
    form.get_by_label("Organisation (optional)", exact=True).fill("Dilijan Civic Forum")
    form.get_by_label("Position (optional)", exact=True).fill("Coordinator")
    form.get_by_label("Sector").select_option("civil_society")
    form.get_by_label("Phone (optional)", exact=True).fill("+374 268 12345")
    form.get_by_label("Dietary needs (optional)", exact=True).fill("No nuts")
    form.get_by_label("Accessibility needs (optional)", exact=True).fill("Step-free access")
    languages = form.get_by_role("group", name=re.compile("Languages you work in"))
    languages.get_by_label("Armenian").check()
    languages.get_by_label("English").check()
    form.get_by_label("Emergency contact: name (optional)", exact=True).fill("Aram Journeyan")
    form.get_by_label("Emergency contact: phone (optional)", exact=True).fill("+374 91 765432")
    form.get_by_label("Document type (optional)", exact=True).select_option("passport")
    form.get_by_label("Document number (optional)", exact=True).fill("AM 7654321")
    form.get_by_label("Issuing country (optional)", exact=True).select_option("AM")
    form.get_by_label("Nationality (optional)", exact=True).select_option("AM")
    form.get_by_label("Valid until (optional)", exact=True).fill("2032-03-01")
    form.get_by_label(re.compile("process my personal data")).check()
    form.get_by_label(re.compile("photographed")).check()
    form.get_by_role("button", name="Register").click()
    check(delegate)
    expect(flash(delegate)).to_have_text("You are registered. The organisers will confirm your place.")
    expect(delegate).to_have_url(re.compile(r"/me/registrations/\d+$"))
    own_page = delegate.url
    expect(delegate.locator("main")).to_contain_text(EVENT_TITLE)
    expect(delegate.locator("main")).to_contain_text("•••••4321")
    expect(delegate.locator("main")).not_to_contain_text("AM7654321")
    visit(delegate, link)  # the link worked once
    expect(delegate.get_by_role("heading", level=1)).to_have_text("This invitation has been used")

    # The organiser finds the new registration and approves it: there is a place, so confirmed.
    visit(organiser, f"/events/{event_id}/invitations")
    expect(organiser.locator("tr.invitation", has_text=DELEGATE_EMAIL)).to_contain_text("Registered")
    visit(organiser, f"/events/{event_id}/participants")
    participant = organiser.locator("tr.participant", has_text="Journeyan, Siranush")
    expect(participant).to_contain_text("Registered")
    participant.get_by_role("link", name="Journeyan, Siranush").click()
    check(organiser)
    expect(organiser.get_by_role("heading", level=1)).to_contain_text("Siranush Journeyan")
    organiser.locator("main").get_by_role("button", name="Approve").click()
    check(organiser)
    expect(organiser.locator("main")).to_contain_text("Confirmed")

    # Her e-mail address is her account's: the organiser sees it, and cannot change it.
    organiser.locator("main").get_by_role("link", name="Edit", exact=True).click()
    check(organiser)
    address = main_form(organiser).get_by_label("E-mail address")
    expect(address).to_have_value(DELEGATE_EMAIL)
    expect(address).not_to_be_editable()
    expect(address).to_have_accessible_description(re.compile("signs in to Parley with this address"))

    # At the door: find the delegate by name and mark them attended; the counts move.
    visit(organiser, f"/events/{event_id}")
    organiser.locator("main").get_by_role("link", name="Check-in").click()
    check(organiser)
    count = organiser.locator(".check-in-count")
    expect(count).to_have_text("0 of 1")
    search = organiser.get_by_role("search")
    search.get_by_label("Name").fill("Սիրանուշ")  # the name in her own script finds her too
    search.get_by_role("button", name="Find").click()
    check(organiser)
    found_item = organiser.locator(".check-in-item", has_text="Siranush Journeyan")
    expect(found_item).to_have_count(1)
    found_item.get_by_role("button", name="Attended Siranush Journeyan").click()
    check(organiser)
    expect(organiser.locator(".check-in-count")).to_have_text("1 of 1")
    item = organiser.locator(".check-in-item", has_text="Siranush Journeyan")
    expect(item).to_contain_text("Attended")
    expect(item.get_by_role("button", name=re.compile("^Attended"))).to_have_count(0)

    # The delegate sees the outcome on their own page.
    visit(delegate, own_page)
    expect(delegate.locator("main")).to_contain_text("Attended")
