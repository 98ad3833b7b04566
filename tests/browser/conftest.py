"""Real-browser journeys: Parley served as production serves it, driven by headless Chromium.

Every page a journey loads is checked twice (tests/browser/support.py): axe-core runs inside the
page, and a serious or critical violation fails the test; the HTML exactly as the server sent it
goes to the W3C Nu HTML Checker, and any error fails the test. The server runs on a SQLite
database of its own in a temporary folder, never the developer's `var/`.

Needs Debian's Chromium (`apt-get install -y chromium`) and, for the HTML checks, Java and the
Nu checker that `make test` installs. Without them these tests skip, except in CI (CI=true),
where they fail.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CI,
    HtmlValidator,
    LiveServer,
    checks_of,
    html_checker_missing,
    start_server,
    unavailable,
    unwatch,
    visited,
    watch,
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not visited:
        return
    distinct = sum(new for _, new in visited)
    checkers = "axe-core" + (" and the Nu HTML Checker" if html_checker_missing() is None else "")
    terminalreporter.write_line(
        f"browser journeys: {len(visited)} pages loaded, {distinct} distinct documents checked by {checkers}"
    )
    if terminalreporter.config.get_verbosity() > 0:
        for where, new in visited:
            terminalreporter.write_line(f"  {where}{'' if new else '  (seen before)'}")


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get install -y chromium`")
    return CHROMIUM


@pytest.fixture(scope="session")
def html_validator(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HtmlValidator | None]:
    """The Nu checker's service; None without Java or the checker (test_html_checker_is_available says so)."""
    missing = html_checker_missing()
    if missing is not None:
        if CI:
            unavailable(missing)
        yield None
        return
    validator = HtmlValidator(tmp_path_factory.mktemp("vnu"))  # starts now, ready by the first page
    yield validator
    validator.stop()


@pytest.fixture(scope="session")
def live_server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the session's journeys (each creates what it changes, under its own names)."""
    server = start_server(tmp_path_factory.mktemp("live-server"))
    yield server
    server.stop()


@pytest.fixture
def fresh_server(chromium: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """A server of the test's own, for a journey that leaves state behind (sign-in throttling)."""
    server = start_server(tmp_path, demo=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser, html_validator: HtmlValidator | None) -> Iterator[Callable[..., Page]]:
    """open_page(server, **context_options): a page in a new browser context (cookies of its own),
    in British English unless `locale=` names the browser's language (its Accept-Language)."""
    opened: list[tuple[BrowserContext, Page]] = []

    def open_(server: LiveServer, **options: object) -> Page:
        context = browser.new_context(base_url=server.url, **{"locale": "en-GB", **options})  # type: ignore[arg-type]
        context.set_default_timeout(10_000)
        page = context.new_page()
        watch(page, html_validator)
        opened.append((context, page))
        return page

    yield open_
    try:
        for _, page in opened:
            checks_of(page).finish()  # every page the test loaded was checked
    finally:
        for context, page in opened:
            unwatch(page)
            context.close()


@pytest.fixture
def page(open_page: Callable[..., Page], live_server: LiveServer) -> Page:
    return open_page(live_server)
