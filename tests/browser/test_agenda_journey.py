"""An organiser builds a day of the agenda in a real browser, every page checked (see conftest.py).

The journey makes its own event, organiser and rooms, so that whatever the demo data holds does
not change what it sees.
"""

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.support import ADMIN_EMAIL, ADMIN_PASSWORD, LiveServer, check, login, visit

ORGANISER_EMAIL = "ani.agenda@example.org"
ORGANISER_PASSWORD = "sessions fill the ararat hall"
EVENT_TITLE = "Dilijan agenda roundtable"
FIRST_DAY = "Thursday, June 10, 2027"


def main_form(page: Page):  # type: ignore[no-untyped-def]
    """The page's own form (not the navigation's sign-out form)."""
    return page.locator("main form[method=post]")


def flash(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("main .alert[role=status]")


def make_event_with_organiser(page: Page, live_server: LiveServer) -> None:
    """The administrator creates the event and makes the organiser its staff."""
    live_server.parley("users", "create", "--email", ORGANISER_EMAIL, "--password", ORGANISER_PASSWORD,
                       "--name", "Ani Agenda")
    login(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    visit(page, "/events/new")
    form = main_form(page)
    form.get_by_label("Title").fill(EVENT_TITLE)
    form.get_by_label("First day").fill("2027-06-10")
    form.get_by_label("Last day").fill("2027-06-11")
    form.get_by_label("Host country").select_option(label="Armenia")
    form.get_by_label("City").fill("Dilijan")
    form.get_by_label("Time zone").select_option("Asia/Yerevan")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(EVENT_TITLE)
    page.locator("main").get_by_role("link", name="Staff", exact=True).click()
    check(page)
    form = main_form(page)
    form.get_by_label("E-mail address of their account").fill(ORGANISER_EMAIL)
    form.get_by_label("Role").select_option(label="Organiser")
    form.get_by_role("button", name="Add").click()
    check(page)
    expect(page.locator("tr.staff-member", has_text="Ani Agenda")).to_contain_text("Organiser")


def add_room(page: Page, name: str, capacity: str) -> None:
    page.locator(".page-heading").get_by_role("link", name="New room").click()
    check(page)
    form = main_form(page)
    form.get_by_label("Name").fill(name)
    form.get_by_label("Capacity").fill(capacity)
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text(f"The room “{name}” has been added.")


def fill_session(page: Page, title: str, start: str, end: str, room: str | None = None) -> None:
    form = main_form(page)
    form.get_by_label("Title").fill(title)
    form.get_by_label("Starts at").fill(start)
    form.get_by_label("Ends at").fill(end)
    if room is not None:
        form.get_by_label("Room").select_option(label=room)


def test_organiser_builds_a_day_and_a_room_clash_is_refused(
    open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    admin = open_page(live_server)
    make_event_with_organiser(admin, live_server)

    page = open_page(live_server)
    login(page, ORGANISER_EMAIL, ORGANISER_PASSWORD)
    page.get_by_role("link", name=EVENT_TITLE).click()
    check(page)
    page.locator(".page-heading").get_by_role("link", name="Agenda", exact=True).click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda")
    expect(page.locator("main")).to_contain_text("This event has no rooms yet")
    agenda_url = page.url

    # Two rooms.
    page.locator(".page-heading").get_by_role("link", name="Rooms", exact=True).click()
    check(page)
    expect(page.locator("main .empty-state")).to_contain_text("This event has no rooms yet.")
    add_room(page, "Ararat hall", "80")
    add_room(page, "Sevan room", "24")
    expect(page.locator("tr.room")).to_have_count(2)

    # The first session, from a free half hour of the grid: day, time and room come filled in.
    page.locator(".page-heading").get_by_role("link", name="Agenda", exact=True).click()
    check(page)
    expect(page.get_by_role("navigation", name="Days of the event").get_by_role("link")).to_have_count(2)
    page.get_by_role("link", name="Add a session at 10:00 in Ararat hall").click()
    check(page)
    form = main_form(page)
    expect(form.get_by_label("Day")).to_have_value("2027-06-10")
    expect(form.get_by_label("Starts at")).to_have_value("10:00")
    expect(form.get_by_label("Room")).to_have_value(re.compile(r"\d+"))
    form.get_by_label("Kind").select_option(label="Plenary")
    fill_session(page, "Current stage of relations", "10:00", "11:30")
    form.get_by_label("Description").fill("Where relations stand, and **where they may go**.")
    form.get_by_label("Topics").fill("relations, peace agenda")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text("The session has been added to the agenda.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Current stage of relations")
    expect(page.locator("main .prose strong")).to_have_text("where they may go")

    # The second, in the other room at the same time, from the "New session" button.
    visit(page, agenda_url)
    page.locator(".page-heading").get_by_role("link", name="New session").click()
    check(page)
    fill_session(page, "Joint projects and public communication", "10:30", "12:00", room="Sevan room")
    main_form(page).get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text("The session has been added to the agenda.")

    # The third, in the first room while it is taken: refused, the error beside the room.
    visit(page, agenda_url)
    page.locator(".page-heading").get_by_role("link", name="New session").click()
    check(page)
    fill_session(page, "Regional security, borders and connectivity", "11:00", "12:30", room="Ararat hall")
    main_form(page).get_by_role("button", name="Save").click()
    check(page)
    room_error = page.locator("#e-room_id")
    expect(room_error).to_contain_text("The room “Ararat hall” is taken by “Current stage of relations”")
    expect(main_form(page).get_by_label("Room")).to_have_attribute("aria-invalid", "true")
    expect(main_form(page).get_by_label("Title")).to_have_value("Regional security, borders and connectivity")
    expect(page.get_by_label("Save despite these warnings")).to_have_count(0)

    # Fixed: it starts when the first one ends.
    fill_session(page, "Regional security, borders and connectivity", "11:30", "13:00")
    main_form(page).get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text("The session has been added to the agenda.")

    # The day grid: three sessions, two rooms, no warnings; the list view holds them too.
    page.locator(".breadcrumbs").get_by_role("link", name="Agenda", exact=True).click()
    check(page)
    grid = page.locator("table.agenda-grid")
    expect(grid.get_by_role("columnheader")).to_have_text(["Time", "Ararat hall", "Sevan room"])
    expect(grid.locator(".agenda-session")).to_have_count(3)
    expect(grid.locator(".agenda-warning")).to_have_count(0)
    expect(grid.get_by_role("row", name=re.compile("^10:00")).get_by_role("link", name="Current stage of relations")).to_be_visible()
    expect(page.locator("main h2").first).to_have_text(FIRST_DAY)
    page.get_by_role("navigation", name="Views of the agenda").get_by_role("link", name="List").click()
    check(page)
    expect(page.locator("table.agenda-list .agenda-session")).to_have_count(3)
    filters = page.get_by_role("search")
    filters.get_by_label("Kind").select_option(label="Plenary")
    filters.get_by_role("button", name="Filter").click()
    check(page)
    expect(page.locator("table.agenda-list .agenda-session")).to_have_count(1)

    # Move the third session to the other room, duplicate it, and delete the copy.
    visit(page, agenda_url)
    page.get_by_role("link", name="Regional security, borders and connectivity").click()
    check(page)
    page.locator(".page-heading").get_by_role("link", name="Move").click()
    check(page)
    form = main_form(page)
    expect(form.get_by_label("Starts at")).to_have_value("11:30")
    form.get_by_label("Starts at").fill("12:00")
    form.get_by_label("Room").select_option(label="Sevan room")
    form.get_by_role("button", name="Move").click()
    check(page)
    expect(flash(page)).to_have_text("The session has been moved.")
    sevan = page.locator("table.agenda-grid")
    expect(sevan.get_by_role("row", name=re.compile("^12:00"))).to_contain_text("12:00–13:30")

    page.get_by_role("link", name="Regional security, borders and connectivity").click()
    check(page)
    page.locator(".page-heading").get_by_role("button", name="Duplicate").click()
    check(page)
    expect(flash(page)).to_contain_text("A copy has been made")
    expect(page.get_by_role("heading", level=1)).to_have_text("Move “Regional security, borders and connectivity (copy)”")
    page.locator(".breadcrumbs").get_by_role("link", name="Regional security, borders and connectivity (copy)").click()
    check(page)
    page.locator(".page-heading").get_by_role("link", name="Delete…").click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this session?")
    main_form(page).get_by_role("button", name="Delete the session").click()
    check(page)
    expect(flash(page)).to_have_text("The session “Regional security, borders and connectivity (copy)” has been deleted.")
    expect(page.locator("table.agenda-grid .agenda-session")).to_have_count(3)
