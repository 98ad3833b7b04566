"""An organiser sums up a concluded event in a real browser, every page checked (see conftest.py):
they open the post-event summary from the event's page, write its introduction, download it as
PDF (the test renders the PDF's first page with pdfium and reads its text), publish the public
variant through its confirmation page, and an anonymous visitor reads the public summary.

The event, its organiser, a delegation and a session are the journey's own (made through the
command line and the API with an administrator's token).
"""

import json
import urllib.request
from collections.abc import Callable

import pypdfium2 as pdfium
from playwright.sync_api import Page, expect

from tests.browser.support import ADMIN_EMAIL, LiveServer, check, checks_of, login, visit

ORGANISER_EMAIL = "tigran.summary@example.am"
PASSWORD = "the record of two days in dilijan"
EVENT_TITLE = "Dilijan summary journey roundtable"
SESSION_TITLE = "Benefits of sustainable peace"
INTRODUCTION = "Two days of frank talks in Dilijan, with civil society of both sides."


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
    """A concluded event with its organiser, a delegation and a published session."""
    server.parley("users", "create", "--email", ORGANISER_EMAIL, "--password", PASSWORD, "--name", "Tigran Summary")
    token = server.parley("tokens", "create", "--email", ADMIN_EMAIL, "--name", "summary journey").strip()
    event = api(server, token, "POST", "/events", {
        "title": EVENT_TITLE, "kind": "roundtable", "host_country": "AM", "city": "Dilijan",
        "venue": "Dilijan community centre", "starts_on": "2027-09-16", "ends_on": "2027-09-17",
        "timezone": "Asia/Yerevan",
    })
    event_id = int(event["id"])  # type: ignore[call-overload]
    api(server, token, "POST", f"/events/{event_id}/staff", {"email": ORGANISER_EMAIL, "role": "organiser"})
    api(server, token, "POST", f"/events/{event_id}/delegations", {
        "name": "Dilijan civil society", "country": "AM", "side": "host", "capacity_core": 5, "capacity_broader": 10,
    })
    api(server, token, "POST", f"/events/{event_id}/sessions", {
        "kind": "plenary", "title": SESSION_TITLE, "starts_at": "2027-09-17T10:00:00+04:00",
        "ends_at": "2027-09-17T11:30:00+04:00", "is_published": True,
    })
    for status in ("planned", "registration_open", "ongoing", "concluded"):
        api(server, token, "POST", f"/events/{event_id}/status", {"status": status})
    return event_id


def file_downloaded(page: Page) -> None:
    """A download is a file, not a page: it leaves the list of documents to check."""
    pending = checks_of(page).pending
    files = [r for r in pending if r.headers.get("content-disposition", "").startswith("attachment")]
    assert files, "no file was downloaded"
    pending[:] = [r for r in pending if r not in files]


def first_page(pdf_path: str) -> tuple[str, int]:
    """The PDF's first page rendered to an image (its count of dark pixels) and its text."""
    document = pdfium.PdfDocument(pdf_path)
    try:
        page = document[0]
        image = page.render(scale=1.5).to_pil().convert("L")
        dark = sum(n for n, shade in image.getcolors(maxcolors=256) if shade < 128)
        return " ".join(page.get_textpage().get_text_range().split()), dark
    finally:
        document.close()


def test_organiser_writes_the_introduction_exports_the_pdf_and_publishes(
    open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    event_id = prepared_event(live_server)
    page = open_page(live_server)
    login(page, ORGANISER_EMAIL, PASSWORD)

    # From the event's page to its summary: the internal variant, with its charts.
    visit(page, f"/events/{event_id}")
    page.locator(".page-heading").get_by_role("link", name="Summary", exact=True).click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Post-event summary")
    main = page.locator("main")
    expect(main.get_by_role("navigation", name="Variant of the summary").get_by_role("link", name="Internal")).to_have_attribute("aria-current", "page")
    expect(main.get_by_role("img", name="Registered and attended, by delegation")).to_be_visible()
    expect(main.locator(".summary-session")).to_contain_text(SESSION_TITLE)

    # The introduction.
    page.locator(".page-heading").get_by_role("link", name="Edit the introduction and conclusion").click()
    check(page)
    form = page.locator('main form[method=post][action$="/summary/edit"]')
    form.get_by_label("Introduction").fill(INTRODUCTION)
    form.get_by_role("button", name="Save").click()
    check(page)
    expect(page.locator("main .alert[role=status]")).to_have_text("The introduction and the conclusion have been saved.")
    expect(page.locator("main .summary-introduction")).to_have_text(INTRODUCTION)

    # The PDF: its first page, rendered, holds the event's title and the introduction.
    with page.expect_download() as download:
        page.locator(".summary-exports").get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"event-{event_id}-summary.pdf"
    path = download.value.path()
    with open(path, "rb") as file:
        assert file.read(5) == b"%PDF-"
    file_downloaded(page)
    text, dark = first_page(str(path))
    assert EVENT_TITLE in text and INTRODUCTION in text and "Post-event summary" in text
    assert dark > 1000  # drawn, not blank

    # Publishing the public variant goes through a confirmation.
    page.locator(".page-heading").get_by_role("link", name="Publish the public summary…").click()
    check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the public summary?")
    page.locator("main").get_by_role("button", name="Publish the public summary").click()
    check(page)
    expect(page.locator("main .alert[role=status]")).to_have_text("The public summary has been published.")
    expect(page.locator("main .summary-state")).to_contain_text("it is published")

    # A visitor reads it, without the staff's switches.
    visitor = open_page(live_server)
    visit(visitor, f"/events/{event_id}/summary")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Post-event summary")
    expect(visitor.locator("main .summary-introduction")).to_have_text(INTRODUCTION)
    expect(visitor.locator("main .tabs")).to_have_count(0)
    expect(visitor.locator(".page-heading").get_by_role("link", name="Edit the introduction and conclusion")).to_have_count(0)
