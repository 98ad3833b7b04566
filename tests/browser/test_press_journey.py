"""A joint statement from draft to the public press page in a real browser, every page checked (see
conftest.py): the press officer drafts it in English and Armenian and corrects the English text,
sees what changed and that it cannot be published yet; each delegation's coordinator approves the
current revision for their own side; the press officer publishes it; an anonymous visitor reads it
on the event's public press page.

The event, its delegations, the coordinators and the press officer are the journey's own (made
through the command line and the API with an administrator's token).
"""

import json
import urllib.request
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.support import ADMIN_EMAIL, LiveServer, check, login, visit

PASSWORD = "statements travel across the bridge"
OFFICER = "narine.press@example.am"
COORDINATORS = {"Armenian civil society": "arman.coordinator@example.am",
                "Azerbaijani civil society": "leyla.coordinator@example.az"}
EVENT_TITLE = "Gyumri press journey roundtable"
TITLE = "Joint statement of the Gyumri roundtable"
TITLE_HY = "Գյումրիի կլոր սեղանի համատեղ հայտարարություն"


def main_form(page: Page, action: str):  # type: ignore[no-untyped-def]
    """The page's form that posts to `action` (not the navigation's sign-out form)."""
    return page.locator(f'main form[method=post][action$="{action}"]')


def flash(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("main .alert[role=status]")


def api(server: LiveServer, token: str, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
    request = urllib.request.Request(  # our own loopback server
        f"{server.url}/api/v1{path}",
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def prepared_event(server: LiveServer) -> int:
    """A planned event with two delegations, a coordinator each and a press officer."""
    for email, name in [(OFFICER, "Narine Press"), *((e, f"Coordinator {e[:4]}") for e in COORDINATORS.values())]:
        server.parley("users", "create", "--email", email, "--password", PASSWORD, "--name", name)
    token = server.parley("tokens", "create", "--email", ADMIN_EMAIL, "--name", "press journey").strip()
    event = api(server, token, "POST", "/events", {
        "title": EVENT_TITLE, "kind": "roundtable", "host_country": "AM", "city": "Gyumri",
        "venue": "Gyumri city hall", "starts_on": "2027-10-14", "ends_on": "2027-10-15", "timezone": "Asia/Yerevan",
    })
    event_id = int(event["id"])  # type: ignore[call-overload]
    api(server, token, "POST", f"/events/{event_id}/status", {"status": "planned"})
    api(server, token, "POST", f"/events/{event_id}/staff", {"email": OFFICER, "role": "press_officer"})
    for (name, email), (country, side) in zip(COORDINATORS.items(), [("AM", "host"), ("AZ", "visiting")], strict=True):
        delegation = api(server, token, "POST", f"/events/{event_id}/delegations", {
            "name": name, "country": country, "side": side, "capacity_core": 5, "capacity_broader": 10,
        })
        api(server, token, "POST", f"/events/{event_id}/delegations/{delegation['id']}/coordinators", {"email": email})
    return event_id


def test_a_joint_statement_is_approved_by_both_sides_and_published(
    open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    event_id = prepared_event(live_server)
    officer = open_page(live_server)
    login(officer, OFFICER, PASSWORD)

    # From the event's page to its press board: nothing yet.
    visit(officer, f"/events/{event_id}")
    officer.locator(".page-heading").get_by_role("link", name="Press", exact=True).click()
    check(officer)
    expect(officer.get_by_role("heading", level=1)).to_have_text("Press")
    expect(officer.locator("main")).to_contain_text("No press releases or joint statements yet.")

    # The press officer drafts the joint statement in English.
    officer.locator(".page-heading").get_by_role("link", name="New joint statement").click()
    check(officer)
    form = main_form(officer, "/press/new")
    expect(form.get_by_label("Kind")).to_have_value("joint_statement")
    form.get_by_label("Title").fill(TITLE)
    form.get_by_label("Text", exact=True).fill("The participants agreed to meet **twice a year**.")
    form.get_by_role("button", name="Save").click()
    check(officer)
    expect(flash(officer)).to_have_text("The draft has been saved.")
    expect(officer.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(officer.locator("#approvals")).to_contain_text("Armenian civil society: not approved yet")
    item_url = officer.url

    # … adds the Armenian text, and corrects the English one.
    officer.get_by_role("link", name="Add the text in Armenian (Հայերեն)").click()
    check(officer)
    form = main_form(officer, "/edit")
    form.get_by_label("Title").fill(TITLE_HY)
    form.get_by_label("Text", exact=True).fill("Մասնակիցները պայմանավորվեցին հանդիպել տարին երկու անգամ։")
    form.get_by_role("button", name="Save").click()
    check(officer)
    expect(flash(officer)).to_contain_text("the item is at revision 2")
    officer.locator("article[lang=en]").get_by_role("link", name="Edit this text").click()
    check(officer)
    form = main_form(officer, "/edit")
    form.get_by_label("Text", exact=True).fill("The participants agreed to meet **twice a year**, in turn on each side.")
    form.get_by_role("button", name="Save").click()
    check(officer)
    expect(officer.locator("#press-revision")).to_have_text("3")

    # What changed, word by word.
    officer.get_by_role("link", name="Compare with version 1").click()
    check(officer)
    expect(officer.locator(".diff-body ins")).to_contain_text("in turn on each side.")

    # Not yet approved: it cannot be published.
    officer.get_by_role("link", name="Back to the item").click()
    check(officer)
    officer.locator(".page-heading").get_by_role("button", name="Publish").click()
    check(officer)
    expect(officer.locator("#press-refused")).to_contain_text(
        "Revision 3 has not been approved yet by: Armenian civil society, Azerbaijani civil society."
    )

    # Each side's coordinator reads it and approves the current revision for their own side.
    for name, email in COORDINATORS.items():
        page = open_page(live_server)
        login(page, email, PASSWORD)
        visit(page, item_url)
        expect(page.locator("article[lang=hy]")).to_contain_text(TITLE_HY)
        other = next(n for n in COORDINATORS if n != name)
        expect(page.get_by_role("button", name=f"Approve revision 3 for {other}")).to_have_count(0)
        page.get_by_role("button", name=f"Approve revision 3 for {name}").click()
        check(page)
        expect(flash(page)).to_have_text(f"Revision 3 has been approved for {name}.")
        expect(page.locator(".press-approval", has_text=name)).to_contain_text("approved revision 3")

    # Both approved: the press officer publishes.
    visit(officer, item_url)
    officer.locator(".page-heading").get_by_role("button", name="Publish").click()
    check(officer)
    expect(flash(officer)).to_have_text("Published: it is on the event's public press page and in its feed.")
    expect(officer.locator(".page-heading")).not_to_contain_text("Edit")

    # An anonymous visitor finds it on the public press page, in both languages.
    visitor = open_page(live_server)
    visit(visitor, f"/events/{event_id}")
    visitor.locator(".page-heading").get_by_role("link", name="Press", exact=True).click()
    check(visitor)
    statement = visitor.locator(".press-published", has_text=TITLE)
    expect(statement).to_contain_text("Joint statement")
    statement.get_by_role("link", name=TITLE).click()
    check(visitor)
    expect(visitor.locator("article[lang=en]")).to_contain_text("twice a year, in turn on each side.")
    expect(visitor.locator("article[lang=hy] h2")).to_have_text(TITLE_HY)
    expect(visitor.locator("main")).not_to_contain_text("Versions")


def test_the_press_officer_logs_media_coverage(open_page: Callable[..., Page], live_server: LiveServer) -> None:
    token = live_server.parley("tokens", "create", "--email", ADMIN_EMAIL, "--name", "coverage journey").strip()
    email = "davit.coverage@example.am"
    live_server.parley("users", "create", "--email", email, "--password", PASSWORD, "--name", "Davit Coverage")
    event = api(live_server, token, "POST", "/events", {
        "title": "Vanadzor coverage roundtable", "kind": "roundtable", "host_country": "AM", "city": "Vanadzor",
        "starts_on": "2027-11-04", "ends_on": "2027-11-05", "timezone": "Asia/Yerevan",
    })
    event_id = int(event["id"])  # type: ignore[call-overload]
    api(live_server, token, "POST", f"/events/{event_id}/staff", {"email": email, "role": "press_officer"})
    page = open_page(live_server)
    login(page, email, PASSWORD)

    visit(page, f"/events/{event_id}")
    page.locator(".page-heading").get_by_role("link", name="Media coverage").click()
    check(page)
    expect(page.locator("main")).to_contain_text("No media coverage logged yet.")

    # A first try with an address that is no web page, then the right one.
    page.locator(".page-heading").get_by_role("link", name="Add coverage").click()
    check(page)
    form = main_form(page, "/coverage/new")
    form.get_by_label("Outlet").fill("Armenpress")
    form.get_by_label("Date").fill("2026-02-14")
    form.get_by_label("Title").fill("Roundtable opens in Vanadzor")
    form.get_by_label("Web address").fill("javascript:alert(1)")
    form.get_by_label("Language").select_option(label="Armenian (Հայերեն)")
    form.get_by_label("Country").select_option(label="Armenia")
    form.get_by_role("button", name="Save").click()
    check(page)
    form = main_form(page, "/coverage/new")
    expect(form.get_by_label("Web address")).to_have_accessible_description(
        "Starting with https:// or http://. Enter a web address starting with http:// or https://."
    )
    form.get_by_label("Web address").fill("https://armenpress.am/eng/news/1")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text("The coverage has been added to the log.")
    expect(page.locator("#coverage-total")).to_have_text("1")
    expect(page.locator("#by-outlet")).to_contain_text("Armenpress: 1")

    # Filtered by language: none in Russian.
    filters = page.get_by_role("search", name="Filter the coverage")
    filters.get_by_label("Language").select_option(label="Russian (Русский)")
    filters.get_by_role("button", name="Filter").click()
    check(page)
    expect(page.locator("main")).to_contain_text("No coverage matches these filters.")
    page.get_by_role("link", name="Clear the filters").click()
    check(page)

    # Removed again, after a confirmation.
    page.get_by_role("link", name="Delete “Roundtable opens in Vanadzor”").click()
    check(page)
    page.get_by_role("button", name="Delete the coverage").click()
    check(page)
    expect(flash(page)).to_have_text("The coverage has been removed from the log.")
    expect(page.locator("#coverage-total")).to_have_text("0")
