"""Recommendations and the roadmap in a real browser, every page checked (see conftest.py): an
anonymous visitor reads the demo initiative's agreed recommendations and its roadmap picture; an
administrator records a new recommendation of the roundtable, is told what is wrong with it first,
then moves it on with a progress update, and finds it on the roadmap.
"""

import re

from playwright.sync_api import Page, expect

from tests.browser.support import ADMIN_EMAIL, ADMIN_PASSWORD, check, login, visit

INITIATIVE = "Peace Bridge"
DEMO_EVENT = "Peace Bridge bilateral roundtable"
TITLE = "Youth exchange between Gyumri and Gazakh"


def main_form(page: Page, action: str):  # type: ignore[no-untyped-def]
    """The page's form that posts to `action` (not the navigation's sign-out form)."""
    return page.locator(f'main form[method=post][action$="{action}"]')


def flash(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("main .alert[role=status]")


def open_initiative(page: Page) -> None:
    visit(page, "/initiatives")
    page.get_by_role("link", name=INITIATIVE, exact=True).click()
    check(page)


def test_the_public_reads_the_agreed_recommendations_and_the_roadmap(page: Page) -> None:
    open_initiative(page)
    page.locator("main").get_by_role("link", name="Recommendations", exact=True).click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendations")
    rows = page.locator("tr.recommendation")
    expect(rows.filter(has_text="Civil-society monitoring of the peace agenda")).to_have_count(1)
    expect(rows.filter(has_text="Cross-border fair for small businesses")).to_have_count(0)  # only proposed

    filters = page.get_by_role("search", name="Filter the recommendations")
    filters.get_by_label("Area").select_option(label="Humanitarian")
    filters.get_by_role("button", name="Filter").click()
    check(page)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("missing persons")

    page.locator("main").get_by_role("link", name="Roadmap", exact=True).click()
    check(page)
    chart = page.get_by_role("img", name=f"Roadmap of {INITIATIVE}")
    expect(chart).to_be_visible()
    expect(page.locator("tr.roadmap-recommendation")).to_have_count(4)
    expect(page.locator("li.phase").first).to_contain_text("Initial confidence-building")


def test_an_administrator_records_a_recommendation_and_moves_it_on(page: Page) -> None:
    login(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_initiative(page)
    page.locator("main").get_by_role("link", name="Recommendations", exact=True).click()
    check(page)
    page.get_by_role("link", name="New recommendation").click()
    check(page)

    form = main_form(page, "/recommendations/new")
    form.get_by_label("Title", exact=True).fill(TITLE)
    form.get_by_label("Description").fill("Students of both towns spend a **week** in the other.")
    form.get_by_label("Area").select_option(label="Humanitarian")
    form.get_by_label(re.compile(r"^Event")).select_option(label=DEMO_EVENT)
    form.get_by_label("Armenia (AM)").check()
    form.get_by_label("Other sides").fill("GE")  # not a side of the roundtable: refused
    form.get_by_label("Roadmap phase").select_option(index=2)
    form.get_by_label("Target date").fill("2027-04-30")
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(page.locator("main .alert-error")).to_contain_text("“GE” is not.")

    form = main_form(page, "/recommendations/new")
    form.get_by_label("Other sides").fill("")
    form.get_by_label("Azerbaijan (AZ)").check()
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(flash(page)).to_have_text("The recommendation has been added.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("main dl.facts")).to_contain_text("Armenia, Azerbaijan")

    form = main_form(page, "/updates")
    form.get_by_label("New status").select_option(label="Agreed")
    form.get_by_label("What happened").fill("Both municipalities agreed to host the first exchange.")
    form.get_by_role("button", name="Add the update").click()
    check(page)
    expect(flash(page)).to_have_text("The progress update has been added.")
    expect(page.locator("li.progress-update")).to_contain_text("Both municipalities agreed")
    expect(page.locator("main dl.facts")).to_contain_text("Agreed")

    page.locator("main dl.facts").get_by_role("link").first.click()  # its phase, on the roadmap
    check(page)
    expect(page).to_have_url(re.compile(r"/roadmap#phase-\d+$"))
    expect(page.locator("tr.roadmap-recommendation", has_text=TITLE)).to_have_count(1)
