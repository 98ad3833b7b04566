"""People's journeys through Parley in a real browser, every page checked (see conftest.py).

Buttons are found by their role and name inside the form they belong to: the navigation has a
"Sign out" button of its own on every page.
"""

import re
import time
from collections.abc import Callable

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.support import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    RESET_EMAIL,
    USER_PASSWORD,
    LiveServer,
    check,
    html_checker_missing,
    login,
    unavailable,
    visit,
)

DEMO_EVENT = "Peace Bridge bilateral roundtable"
OLGA_EMAIL = "olga@example.org"
OLGA_PASSWORD = "olga keeps the agenda tidy"


def main_form(page: Page):  # type: ignore[no-untyped-def]
    """The page's own form (not the navigation's sign-out form)."""
    return page.locator("main form[method=post]")


def flash(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("main .alert[role=status]")


def test_html_checker_is_available() -> None:
    """Says so, as a skip (a failure in CI), when the journeys' HTML checks cannot run."""
    missing = html_checker_missing()
    if missing:
        unavailable(missing)


def test_administrator_creates_edits_moves_on_and_archives_an_event(page: Page) -> None:
    login(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page).to_have_url(re.compile(r"/events$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")

    page.get_by_role("link", name=DEMO_EVENT).click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_EVENT)
    expect(page.locator(".facts")).to_contain_text("Tsaghkadzor")

    visit(page, "/events")
    page.get_by_role("link", name="New event").click()
    check(page)
    form = main_form(page)
    form.get_by_label("Title").fill("Tbilisi media dialogue")
    form.get_by_label("Kind").select_option(label="Forum")
    form.get_by_label("Initiative").select_option(label="Peace Bridge")
    form.get_by_label("First day").fill("2027-05-10")
    form.get_by_label("Last day").fill("2027-05-11")
    form.get_by_label("Host country").select_option(label="Georgia")
    form.get_by_label("City").fill("Tbilisi")
    form.get_by_label("Venue").fill("Press centre")
    form.get_by_label("Time zone").select_option("Asia/Tbilisi")
    form.get_by_label("Description").fill("Journalists of both societies compare notes.")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text("The event has been created as a draft.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tbilisi media dialogue")
    facts = page.locator(".facts")
    for text in ("Forum", "Press centre", "Tbilisi", "Georgia", "Asia/Tbilisi", "Peace Bridge", "Draft"):
        expect(facts).to_contain_text(text)
    event_url = page.url

    page.locator("main").get_by_role("link", name="Edit", exact=True).click()
    check(page)
    form = main_form(page)
    expect(form.get_by_label("Title")).to_have_value("Tbilisi media dialogue")
    expect(form.get_by_label("Host country")).to_have_value("GE")
    form.get_by_label("Venue").fill("Rustaveli press centre")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text("The event has been saved.")
    expect(page.locator(".facts")).to_contain_text("Rustaveli press centre")

    page.get_by_role("button", name="Move on to “Planned”").click()
    check(page)
    expect(flash(page)).to_have_text(re.compile("The event is now “planned”.", re.I))
    expect(page.locator(".facts")).to_contain_text("Planned")

    page.get_by_role("link", name="Archive…").click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive this event?")
    main_form(page).get_by_role("button", name="Archive the event").click()
    check(page)
    expect(page).to_have_url(event_url)
    expect(page.locator(".facts")).to_contain_text("Archived")
    expect(page.locator("main").get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    check(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(flash(page)).to_have_text("You have signed out.")
    visit(page, "/events/new")  # signed out: sent to sign in first
    expect(page).to_have_url(re.compile(r"/login\?next=/events/new$"))


def test_refused_event_form_shows_each_error_beside_its_field_and_keeps_the_values(page: Page) -> None:
    login(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    visit(page, "/events/new")
    form = main_form(page)
    form.get_by_label("Title").fill("Gyumri youth roundtable")
    form.get_by_label("First day").fill("2027-09-20")
    form.get_by_label("Last day").fill("2027-09-18")
    form.get_by_label("Host country").select_option(label="Armenia")
    form.get_by_label("Venue").fill("Library hall")
    form.get_by_role("button", name="Save").click()
    check(page)

    summary = page.locator("#form-errors")
    expect(summary).to_contain_text("Please correct the highlighted fields.")
    last_day = main_form(page).get_by_label("Last day")
    expect(last_day).to_have_attribute("aria-invalid", "true")
    expect(last_day).to_have_accessible_description(re.compile("The end date cannot be before the start date."))
    expect(page.locator("#e-ends_on")).to_have_text("The end date cannot be before the start date.")
    expect(main_form(page).get_by_label("City")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-city")).to_be_visible()
    form = main_form(page)
    expect(form.get_by_label("Title")).to_have_value("Gyumri youth roundtable")
    expect(form.get_by_label("Venue")).to_have_value("Library hall")
    expect(form.get_by_label("First day")).to_have_value("2027-09-20")
    expect(form.get_by_label("Host country")).to_have_value("AM")
    expect(form.get_by_label("Title")).not_to_have_attribute("aria-invalid", "true")

    summary.get_by_role("link", name="The end date cannot be before the start date.").click()
    expect(last_day).to_be_focused()
    last_day.fill("2027-09-21")
    form.get_by_label("City").fill("Gyumri")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text("The event has been created as a draft.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gyumri youth roundtable")


def test_sign_in_is_throttled_per_account_and_per_address(
    open_page: Callable[..., Page], fresh_server: LiveServer
) -> None:
    here = open_page(fresh_server)
    visit(here, "/login")
    for _ in range(5):
        form = main_form(here)
        form.get_by_label("E-mail address").fill(RESET_EMAIL)
        form.get_by_label("Password").fill("not the password at all")
        form.get_by_role("button", name="Sign in").click()
        check(here)
        expect(here.locator("#e-password")).to_have_text("The e-mail address or the password is not correct.")
        expect(main_form(here).get_by_label("E-mail address")).to_have_value(RESET_EMAIL)

    # The sixth attempt is refused before the password is even looked at, the right one too.
    form = main_form(here)
    form.get_by_label("E-mail address").fill(RESET_EMAIL)
    form.get_by_label("Password").fill(USER_PASSWORD)
    form.get_by_role("button", name="Sign in").click()
    check(here)
    expect(here.locator("main")).to_contain_text("Too many failed sign-in attempts")
    expect(here.get_by_role("button", name="Sign out")).to_have_count(0)

    # From this address, every account is refused for now ...
    login(here, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(here.locator("main")).to_contain_text("Too many failed sign-in attempts")

    # ... while a person elsewhere (behind the reverse proxy) signs in, but not as that account.
    elsewhere = open_page(fresh_server, extra_http_headers={"X-Forwarded-For": "203.0.113.7"})
    login(elsewhere, RESET_EMAIL, USER_PASSWORD)
    expect(elsewhere.locator("main")).to_contain_text("Too many failed sign-in attempts")
    login(elsewhere, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(elsewhere).to_have_url(re.compile(r"/events$"))
    expect(elsewhere.get_by_role("button", name="Sign out")).to_be_visible()


def test_password_reset_by_e_mailed_link(page: Page, live_server: LiveServer) -> None:
    visit(page, "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    check(page)
    form = main_form(page)
    form.get_by_label("E-mail address").fill(RESET_EMAIL)
    form.get_by_role("button", name="Send the link").click()
    check(page)
    expect(flash(page)).to_contain_text("we have sent it a link to reset the password")

    assert "message(s) sent." in live_server.parley("mail", "send")
    (mail,) = live_server.outbox(RESET_EMAIL)
    link = re.search(r"http://127\.0\.0\.1:\d+(/password/reset/[\w-]+)", mail)
    assert link, mail

    visit(page, link.group(1))
    form = main_form(page)
    form.get_by_label("New password", exact=True).fill("a brand new journey passphrase")
    form.get_by_label("New password, again").fill("a brand new journey passphrase")
    form.get_by_role("button", name="Save the password").click()
    check(page)
    expect(flash(page)).to_have_text("Your password has been changed. Sign in with the new one.")

    login(page, RESET_EMAIL, "a brand new journey passphrase")
    expect(page).to_have_url(re.compile(r"/events$"))
    visit(page, link.group(1))  # the link worked once
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")


def test_account_page_shows_a_new_api_token_once(page: Page) -> None:
    login(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ada Admin").click()
    check(page)
    tokens = page.locator("form[action='/account/tokens']")
    tokens.get_by_label("Name of a new token").fill("journey import script")
    tokens.get_by_role("button", name="Create a token").click()
    check(page)
    expect(page.locator(".secret")).to_have_text(re.compile(r"^pt_\S{30,}$"))
    expect(page.get_by_role("row", name=re.compile("journey import script"))).to_be_visible()

    visit(page, "/account")
    expect(page.locator(".secret")).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile("journey import script"))).to_be_visible()


def test_administrator_makes_an_organiser_who_turns_on_two_factor_sign_in(
    open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    page = open_page(live_server)
    login(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("link", name="Administration").click()
    check(page)
    expect(page.locator("tr.user-row", has_text=ADMIN_EMAIL)).to_have_count(1)
    expect(page.locator("tr.user-row", has_text=RESET_EMAIL)).to_have_count(1)
    search = page.get_by_role("search")
    search.get_by_label("Name or e-mail").fill("reset@")
    search.get_by_role("button", name="Filter").click()
    check(page)
    expect(page.locator("tr.user-row")).to_have_count(1)
    expect(page.locator("tr.user-row")).to_contain_text(RESET_EMAIL)

    page.get_by_role("link", name="New account").click()
    check(page)
    form = main_form(page)
    form.get_by_label("Full name").fill("Olga Organiser")
    form.get_by_label("E-mail address").fill(OLGA_EMAIL)
    form.get_by_label("Initial password").fill(OLGA_PASSWORD)
    form.get_by_role("button", name="Create the account").click()
    check(page)
    expect(flash(page)).to_have_text(f"The account {OLGA_EMAIL} has been created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Olga Organiser")

    visit(page, "/events")
    page.get_by_role("link", name=DEMO_EVENT).click()
    check(page)
    page.locator("main").get_by_role("link", name="Staff", exact=True).click()
    check(page)
    form = main_form(page)
    form.get_by_label("E-mail address of their account").fill(OLGA_EMAIL)
    form.get_by_label("Role").select_option(label="Organiser")
    form.get_by_role("button", name="Add").click()
    check(page)
    expect(page.locator("tr.staff-member", has_text="Olga Organiser")).to_contain_text("Organiser")

    page.get_by_role("link", name="Administration").click()
    check(page)
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Audit log").click()
    check(page)
    filters = page.get_by_role("search")
    filters.get_by_label("Action").select_option("user.create")
    filters.get_by_label("By (e-mail)").fill(ADMIN_EMAIL)
    filters.get_by_role("button", name="Filter").click()  # the blank fields go too, as ""
    check(page)
    entries = page.locator("tr.audit-entry")
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text("user.create")
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Security").click()
    check(page)

    # The organiser signs in: her event to edit, no administration; she turns on a second factor.
    olga = open_page(live_server)
    login(olga, OLGA_EMAIL, OLGA_PASSWORD)
    expect(olga.get_by_role("link", name="Administration")).to_have_count(0)
    olga.get_by_role("link", name=DEMO_EVENT).click()
    check(olga)
    expect(olga.locator("main").get_by_role("link", name="Edit", exact=True)).to_be_visible()
    visit(olga, "/admin/users")
    expect(olga.get_by_role("heading", level=1)).to_have_text("You are not allowed to do this")

    visit(olga, "/account")
    olga.get_by_role("link", name="Set up two-factor sign-in").click()
    check(olga)
    authenticator = pyotp.TOTP(olga.locator("main .secret").inner_text().strip())
    form = main_form(olga)
    form.get_by_label("Code from the app").fill(authenticator.now())
    form.get_by_role("button", name="Switch on").click()
    check(olga)
    expect(flash(olga)).to_contain_text("Two-factor sign-in is on.")

    olga.get_by_role("button", name="Sign out").click()
    check(olga)
    login(olga, OLGA_EMAIL, OLGA_PASSWORD)
    expect(olga).to_have_url(re.compile(r"/login/two-factor"))
    form = main_form(olga)
    form.get_by_label("Code").fill(authenticator.at(time.time() + authenticator.interval))  # a fresh one
    form.get_by_role("button", name="Continue").click()
    check(olga)
    expect(olga).to_have_url(re.compile(r"/events$"))
    expect(olga.get_by_role("button", name="Sign out")).to_be_visible()


def test_initiative_roadmap_gets_a_phase_and_a_milestone(page: Page) -> None:
    login(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Initiatives").click()
    check(page)
    page.get_by_role("link", name="New initiative").click()
    check(page)
    form = main_form(page)
    form.get_by_label("Name").fill("Caucasus media network")
    form.get_by_label("Description").fill("Editors and reporters of the region.")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text("The initiative has been created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caucasus media network")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Initiatives").click()
    check(page)
    page.get_by_role("link", name="Peace Bridge", exact=True).click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Peace Bridge")
    expect(page.locator("main")).to_contain_text(DEMO_EVENT)

    page.get_by_role("link", name="The full roadmap").click()
    check(page)
    expect(page.locator("li.phase").first).to_contain_text("Initial confidence-building")
    page.get_by_role("link", name="Add a phase").click()
    check(page)
    form = main_form(page)
    form.get_by_label("Name").fill("Consolidation")
    form.get_by_label("Starts on").fill("2029-02-01")
    form.get_by_label("Ends on").fill("2029-12-31")
    form.get_by_label("Status").select_option(label="Planned")
    form.get_by_label("Description").fill("Results handed over to standing institutions.")
    form.get_by_role("button", name="Save").click()
    check(page)
    phase = page.locator("li.phase", has=page.get_by_role("heading", name=re.compile("^Consolidation")))
    expect(phase).to_contain_text("Results handed over to standing institutions.")

    phase.get_by_role("link", name="Add a milestone to Consolidation").click()
    check(page)
    form = main_form(page)
    form.get_by_label("Name").fill("Hand-over conference")
    form.get_by_label("Starts on").fill("2030-01-10")  # outside the phase: refused
    form.get_by_label("Ends on").fill("2030-01-11")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(page.locator("#form-errors")).to_be_visible()
    form = main_form(page)
    expect(form.get_by_label("Name")).to_have_value("Hand-over conference")
    form.get_by_label("Starts on").fill("2029-11-10")
    form.get_by_label("Ends on").fill("2029-11-11")
    form.get_by_role("button", name="Save").click()
    check(page)
    phase = page.locator("li.phase", has=page.get_by_role("heading", name=re.compile("^Consolidation")))
    expect(phase.locator("li.milestone")).to_contain_text(["Hand-over conference"])


def test_signed_out_visitor_sees_public_pages_and_a_not_found_page(page: Page) -> None:
    visit(page, "/events")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.keyboard.press("Tab")  # the first stop on every page skips the navigation
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/events#main$"))
    visit(page, "/initiatives")
    visit(page, "/events/999999")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
