"""The journeys once in each of Parley's languages, in a real browser, every page checked (see
conftest.py): axe-core and the Nu HTML Checker as everywhere, and on top, for the language,
`<html lang>` and that no English message of the user interface is left on the page.

- A visitor chooses the language with the footer's switcher; the choice stays (a cookie) on the
  public pages that follow and after they sign in as an administrator, who walks the main pages
  of the demo event and saves a form.
- A browser whose Accept-Language is the language gets the pages in it without choosing.
- A delegate opens their invitation's link, chooses the language there, makes their account and
  registers; on their account page they keep the language as their own, so their pages are in it
  on another browser too; they save their needs and open their itinerary.

Elements are found by address, id, name and role, never by English words, so that the same
journey runs in every language. English left on a page is any text node or aria-label, title,
placeholder or alt attribute that equals, whole, an English message of the catalogue (users' own
content is not flagged); the journeys collect them page by page and fail at the end with the list.
"""

import ast
import functools
import json
import re
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Locator, Page, expect

from app import i18n
from app.config import ROOT
from tests.browser.support import LiveServer, check, visit

LANGUAGES = list(i18n.LANGUAGES)
# The browser's own language, as a person's browser in that country would send it.
BROWSER_LOCALES = {"en": "en-US", "hy": "hy-AM", "az": "az-AZ", "ru": "ru-RU"}
DEMO_EVENT = "Peace Bridge bilateral roundtable"  # the demo's event (its title is data, not a message)

PASSWORD = "every language has its own bridge"
LANGUAGES_ADMIN = "lena.languages@example.org"
EVENT_TITLE = "Languages journey roundtable"
MEETING_POINT = "Gazakh, car park by the border post"


def delegate_email(code: str) -> str:
    return f"delegate.{code}@languages.example.org"


# --- the English that must not be left --------------------------------------------------------


def _normalised(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def demo_content() -> frozenset[str]:
    """The demo's own words (the strings of app/demo.py, paragraph by paragraph, without Markdown's
    emphasis): people's content, even where it says what a message says ("Held under the Chatham
    House Rule." in a session's description)."""
    texts = set()
    for node in ast.walk(ast.parse((ROOT / "app" / "demo.py").read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.update(_normalised(paragraph.strip("*_ \n")) for paragraph in node.value.split("\n\n"))
    return frozenset(texts)


@functools.cache
def english_messages(code: str) -> frozenset[str]:
    """The English messages a reader of `code` should never see: those of at least two words that
    the language's catalogue translates to other words, or not yet at all. A message the catalogue
    keeps as it is (a name, an abbreviation) is left out, and so is one with a placeholder (it never
    shows as it is written) or one that the demo's content says too."""
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as source:
        template = read_po(source)
    with (i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=code)
    english: set[str] = set()
    for message in [*template, *catalog]:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        strings = translated.string if translated is not None else ""
        kept = {_normalised(s) for s in ([strings] if isinstance(strings, str) else strings) if s}
        for text in [message.id] if isinstance(message.id, str) else message.id:
            if "%(" in text:
                continue
            text = _normalised(text.replace("%%", "%"))
            if len(text.split()) >= 2 and text not in kept and text not in demo_content():
                english.add(text)
    return frozenset(english)


def translated(code: str, message: str) -> str:
    """`message` as the pages show it in `code` (English until the catalogue has it)."""
    with i18n.use_language(code):
        return i18n.gettext(message)


# Every text node of the page (its <title> too, without " · Parley") and the attributes that a
# person reads or hears.
PAGE_TEXTS = """() => {
  const texts = [document.title.replace(/ · Parley$/, '')];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement && !node.parentElement.closest('script, style, template')) texts.push(node.nodeValue);
  }
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (element.hasAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  for (const input of document.querySelectorAll('input[type=submit][value], input[type=button][value]')) {
    texts.push(input.value);
  }
  return texts;
}"""


@dataclass
class Reader:
    """A person reading Parley in `code`: each page they arrive at is checked as every journey's
    pages are, then for its language. English left over is collected, and `finish` fails on it."""

    code: str
    leftovers: dict[str, list[str]] = field(default_factory=dict)

    def arrived(self, page: Page) -> None:
        check(page)
        where = re.sub(r"^https?://[^/]+", "", page.url)
        assert page.evaluate("document.documentElement.lang") == self.code, f"<html lang> of {where}"
        if self.code == "en":
            return
        english = english_messages(self.code)
        found = sorted({t for t in map(_normalised, page.evaluate(PAGE_TEXTS)) if t in english})
        if found:
            self.leftovers.setdefault(where, found)

    def said(self, page: Page, locator: Locator, message: str) -> None:
        """`locator` shows the message in the reader's language; still in English, it is left over
        (a message missing from the catalogue too)."""
        expect(locator).to_have_text(translated(self.code, message))
        if self.code != "en" and _normalised(locator.inner_text()) == _normalised(message):
            self.leftovers.setdefault(re.sub(r"^https?://[^/]+", "", page.url), []).append(message)

    def visit(self, page: Page, path: str) -> None:
        page.goto(path)
        self.arrived(page)

    def follow(self, page: Page, selector: str) -> str:
        """Click the first link that `selector` finds; the address it led to (without the server)."""
        page.locator(selector).first.click()
        self.arrived(page)
        return re.sub(r"^https?://[^/]+", "", page.url)

    def finish(self) -> None:
        def listed(texts: list[str]) -> Iterable[str]:
            yield from (f"    {t!r}" for t in texts[:15])
            if len(texts) > 15:
                yield f"    … and {len(texts) - 15} more"

        lines = [line for where, texts in self.leftovers.items() for line in [f"  {where}:", *listed(texts)]]
        assert not self.leftovers, f"English left on {len(self.leftovers)} page(s) in {self.code}:\n" + "\n".join(lines)


# --- a person's moves, found without words ------------------------------------------------------


def choose_language(page: Page, code: str) -> None:
    """The footer's switcher, on the page the person is on (it sends them back to it)."""
    switcher = page.locator('footer form[action="/language"]')
    switcher.locator("select#language-choice").select_option(code)
    switcher.locator("button[type=submit]").click()


def sign_in(page: Page, email: str, password: str) -> None:
    """Through the sign-in page, in whatever language it is; the caller checks the next page."""
    visit(page, "/login")
    form = page.locator('main form[action="/login"]')
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


def sign_out(page: Page) -> None:
    page.locator('nav form[action="/logout"] button[type=submit]').click()


def flash(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("main .alert[role=status]")


def cookies(page: Page) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies()}


# --- the journeys' people: an administrator, and a delegate per language --------------------------


def api(server: LiveServer, token: str, method: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
    request = urllib.request.Request(  # our own loopback server
        f"{server.url}/api/v1{path}",
        data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


@dataclass(frozen=True)
class Stage:
    token: str  # the administrator's API token
    event_id: int
    crossing_id: int
    links: dict[str, str]  # the invitation link's token for each language's delegate


@pytest.fixture(scope="module")
def stage(live_server: LiveServer) -> Stage:
    """An administrator of this file's own; an event open for registration with a published session
    and an arrival crossing, and an invitation to it for one delegate per language (who has no
    account yet). All of it is this administrator's work: the other journeys' administrator has
    done nothing here."""
    live_server.parley("users", "create", "--email", LANGUAGES_ADMIN, "--password", PASSWORD,
                       "--name", "Lena Languages", "--admin")
    token = live_server.parley("tokens", "create", "--email", LANGUAGES_ADMIN, "--name", "languages").strip()
    event = api(live_server, token, "POST", "/events", {
        "title": EVENT_TITLE, "kind": "roundtable", "host_country": "AM", "city": "Dilijan",
        "venue": "Dilijan conference hall", "starts_on": "2027-12-09", "ends_on": "2027-12-10",
        "timezone": "Asia/Yerevan",
    })
    event_id = int(event["id"])  # type: ignore[call-overload]
    for status in ("planned", "registration_open"):
        api(live_server, token, "POST", f"/events/{event_id}/status", {"status": status})
    delegation = api(live_server, token, "POST", f"/events/{event_id}/delegations", {
        "name": "Languages civil society", "country": "AZ", "side": "visiting", "capacity_core": 5, "capacity_broader": 10,
    })
    api(live_server, token, "POST", f"/events/{event_id}/sessions", {
        "kind": "thematic_session", "title": "Regional connectivity", "starts_at": "2027-12-09T11:00:00+04:00",
        "ends_at": "2027-12-09T12:30:00+04:00", "is_published": True,
    })
    point = api(live_server, token, "POST", "/crossing-points", {
        "name_a": "Languages Voskepar", "country_a": "AM", "name_b": "Languages Ashaghi Askipara", "country_b": "AZ",
    })
    crossing = api(live_server, token, "POST", f"/events/{event_id}/crossings", {
        "delegation_id": delegation["id"], "crossing_point_id": point["id"], "direction": "arrival",
        "planned_at": "2027-12-09T08:00:00+04:00", "meeting_at": "2027-12-09T07:15:00+04:00",
        "meeting_point": MEETING_POINT,
    })
    links = {}
    for code in LANGUAGES:
        email = delegate_email(code)
        api(live_server, token, "POST", f"/events/{event_id}/invitations", {"email": email, "delegation_id": delegation["id"]})
        (mail,) = live_server.outbox(email)
        found = re.search(r"/invitations/([\w-]+)", mail)
        assert found, mail
        links[code] = found.group(1)
    return Stage(token=token, event_id=event_id, crossing_id=int(crossing["id"]), links=links)  # type: ignore[call-overload]


# --- the journeys ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_visitor_chooses_the_language_and_an_administrator_works_in_it(
    code: str, open_page: Callable[..., Page], live_server: LiveServer, stage: Stage
) -> None:
    page = open_page(live_server)
    reader = Reader(code)

    # The visitor arrives in English (their browser's), and chooses in the footer.
    visit(page, "/events")
    choose_language(page, code)
    reader.arrived(page)
    expect(page).to_have_url(re.compile(r"/events$"))  # back on the page they were on
    assert cookies(page)["parley_lang"] == code
    expect(page.locator("select#language-choice")).to_have_value(code)

    # The public pages follow the choice: the event, its programme, its press and summary.
    event = reader.follow(page, f'main a[href^="/events/"]:text-is("{DEMO_EVENT}")')
    reader.follow(page, f'main a[href="{event}/programme"]')
    expect(page.locator("main article.session").first).to_be_visible()
    reader.visit(page, event)
    reader.follow(page, f'main a[href="{event}/press"]')
    reader.follow(page, f'main a[href^="{event}/press/"]')
    reader.visit(page, f"{event}/summary")
    reader.follow(page, 'nav a[href="/initiatives"]')

    # The administrator signs in on this browser: the choice is still there.
    reader.follow(page, 'nav a[href="/login"]')
    form = page.locator('main form[action="/login"]')
    form.locator("input[name=email]").fill(LANGUAGES_ADMIN)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    reader.arrived(page)
    expect(page).to_have_url(re.compile(r"/events$"))
    expect(page.locator('nav a[href="/admin/users"]')).to_be_visible()

    # The event and its main pages: programme builder, a session, delegations, participants, a
    # registration, crossings, press, summary.
    reader.follow(page, f'main a[href="{event}"]')
    reader.follow(page, f'main a[href="{event}/agenda"]')
    reader.follow(page, f'main a[href^="{event}/agenda/sessions/"]:not([href*="/new"])')
    reader.visit(page, event)
    reader.follow(page, f'main a[href="{event}/delegations"]')
    reader.follow(page, f'main a[href^="{event}/delegations/"]:not([href$="/new"])')
    reader.visit(page, event)
    reader.follow(page, f'main a[href="{event}/participants"]')
    expect(page.locator("main table tbody tr").first).to_be_visible()
    reader.follow(page, f'main a[href^="{event}/participants/"]:not([href$="/new"])')
    reader.visit(page, event)
    reader.follow(page, f'main a[href="{event}/crossings"]')
    reader.follow(page, f'main a[href^="{event}/crossings/"]:not([href$="/new"])')
    reader.visit(page, event)
    reader.follow(page, f'main a[href="{event}/press"]')
    reader.follow(page, f'main a[href^="{event}/press/"]:not([href*="/new"])')
    reader.visit(page, event)
    reader.follow(page, f'main a[href="{event}/summary"]')

    # Their account: a new API token, and the page's answer in the language.
    reader.follow(page, 'nav a[href="/account"]')
    tokens = page.locator('main form[action="/account/tokens"]')
    tokens.locator("input[name=name]").fill(f"language journey {code}")
    tokens.locator("button[type=submit]").click()
    reader.arrived(page)
    answer = page.locator("main .alert[role=status]", has=page.locator(".secret"))
    reader.said(page, answer.locator("strong"), "Copy your new token now: it will not be shown again.")
    expect(answer.locator(".secret")).to_have_text(re.compile(r"^pt_\S{30,}$"))

    reader.finish()


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_browser_in_the_language_gets_the_pages_in_it_without_choosing(
    code: str, open_page: Callable[..., Page], live_server: LiveServer
) -> None:
    page = open_page(live_server, locale=BROWSER_LOCALES.get(code, code))
    reader = Reader(code)

    answer = page.goto("/events")
    assert answer is not None and answer.headers.get("content-language") == code
    reader.arrived(page)
    expect(page.locator("select#language-choice")).to_have_value(code)
    event = reader.follow(page, f'main a[href^="/events/"]:text-is("{DEMO_EVENT}")')
    reader.follow(page, f'main a[href="{event}/programme"]')
    reader.visit(page, "/login")
    reader.visit(page, "/password/forgot")
    reader.visit(page, "/events/999999")  # the not-found page too
    assert "parley_lang" not in cookies(page)  # nothing chosen: the browser's language it is

    reader.finish()


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_delegate_chooses_their_language_once_and_has_it_on_every_browser(
    code: str, open_page: Callable[..., Page], live_server: LiveServer, stage: Stage
) -> None:
    email = delegate_email(code)
    link = f"/invitations/{stage.links[code]}"
    page = open_page(live_server)
    reader = Reader(code)

    # The invitation's link opens in English (the browser's); they choose their language there.
    visit(page, link)
    choose_language(page, code)
    reader.arrived(page)
    expect(page).to_have_url(re.compile(f"{link}$"))

    # Their account, then their registration, from the link.
    account = page.locator(f'main form[action="{link}/account"]')
    account.locator("input[name=full_name]").fill(f"Delegate {code.upper()}")
    account.locator("input[name=password]").fill(PASSWORD)
    account.locator("input[name=password_confirm]").fill(PASSWORD)
    account.locator("button[type=submit]").click()
    reader.arrived(page)
    reader.said(page, flash(page), "Your account has been created. Now tell us about yourself to register.")
    form = page.locator(f'main form[action="{link}"]')
    expect(form.locator("input[name=given_name]")).to_have_value("Delegate")
    form.locator("input[name=consent_data_processing]").check()
    form.locator("button[type=submit]").click()
    reader.arrived(page)
    reader.said(page, flash(page), "You are registered. The organisers will confirm your place.")
    registration = re.sub(r"^https?://[^/]+", "", page.url)
    assert re.fullmatch(r"/me/registrations/\d+", registration), registration

    # The organisers confirm them and put them on the arrival crossing.
    registration_id = int(registration.rsplit("/", 1)[1])
    api(live_server, stage.token, "POST", f"/events/{stage.event_id}/registrations/{registration_id}/approve")
    api(live_server, stage.token, "POST", f"/events/{stage.event_id}/crossings/{stage.crossing_id}/manifest",
        {"registration_id": registration_id})

    # On their account page they keep the language as their own.
    reader.follow(page, 'nav a[href="/account"]')
    own = page.locator('main form[action="/language"]')
    own.locator("select[name=language]").select_option(code)
    own.locator("button[type=submit]").click()
    reader.arrived(page)
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator('main form[action="/language"] select[name=language]')).to_have_value(code)
    reader.follow(page, 'nav a[href="/me/registrations"]')

    # Their registration: they save their needs, and the answer is in their language.
    reader.follow(page, f'main a[href="{registration}"]')
    needs = page.locator(f'main form[action="{registration}/needs"]')
    needs.locator("textarea[name=dietary_needs]").fill("No nuts, please.")
    needs.locator("button[type=submit]").click()
    reader.arrived(page)
    reader.said(page, flash(page), "Your needs and languages have been saved.")
    expect(page.locator(f'main form[action="{registration}/needs"] textarea[name=dietary_needs]')).to_have_value(
        "No nuts, please."
    )

    # Their itinerary, with the arrival crossing's meeting point.
    reader.follow(page, 'main a[href^="/me/itinerary"]')
    expect(page.locator("main .meeting-point")).to_have_text(MEETING_POINT)

    # Signed out, this browser keeps the language (its cookie) ...
    sign_out(page)
    reader.arrived(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    reader.said(page, flash(page), "You have signed out.")

    # ... and on another browser, in English and with no cookie, their own language follows them.
    other = open_page(live_server)
    sign_in(other, email, PASSWORD)
    reader.arrived(other)
    assert "parley_lang" not in cookies(other)
    reader.visit(other, "/me/registrations")

    reader.finish()
