"""What the browser journeys stand on: a live server, the Nu HTML Checker service, page checks.

The fixtures that put these together are in conftest.py; journeys import the helpers
(`visit`, `check`, `login`) and the accounts every server has from here.
"""

import base64
import functools
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page, Response

from app.config import ROOT

CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
# Debian's Chromium; PARLEY_CHROMIUM names another build of it.
CHROMIUM = Path(os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VNU_JAR = ROOT / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"
PARLEY = Path(sys.executable).parent / "parley"

# The accounts every live server has: an administrator and a plain user.
ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "tall ferns behind the mountain hut"
USER_PASSWORD = "quiet rivers carry old stories"
RESET_EMAIL = "reset@example.org"

SETTINGS = {
    "PARLEY_SECRET_KEY": "browser-tests-secret-key-not-for-production",
    "PARLEY_DATA_KEYS": "b1:" + base64.urlsafe_b64encode(b"b" * 32).decode(),
    # E-mail stays in the outbox table, where the password-reset journey reads it.
    "PARLEY_OUTBOX_WORKER": "false",
    "PARLEY_SMTP_HOST": "",
    "PARLEY_LOG_LEVEL": "INFO",
    "PARLEY_DEFAULT_LANGUAGE": "en",
    "PARLEY_DEFAULT_TIMEZONE": "UTC",
    "PARLEY_LOGIN_MAX_FAILURES": "5",
    "PARLEY_LOGIN_WINDOW_MINUTES": "15",
    "PARLEY_PAGE_CACHE_MEGABYTES": "64",  # as in production: the journeys see kept pages
    "_TYPER_STANDARD_TRACEBACK": "1",  # plain tracebacks when a command fails
}

SERIOUS = ("serious", "critical")


def unavailable(message: str) -> None:
    """A missing tool skips these checks on a developer's machine and fails them in CI."""
    if CI:
        pytest.fail(f"{message} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(message)


@functools.cache
def html_checker_missing() -> str | None:
    """Why the HTML validity checks cannot run here, or None."""
    if not VNU_JAR.exists():
        return (
            f"{VNU_JAR.relative_to(ROOT)} is missing, so the HTML validity checks did not run: "
            "`make test` installs it (or `npm install --prefix .tools --ignore-scripts vnu-jar`)"
        )
    java = shutil.which("java")
    if java is None or subprocess.run([java, "-version"], capture_output=True).returncode != 0:
        return "Java is missing, so the HTML validity checks did not run: `apt-get install -y default-jre-headless`"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} did not start:\n{log.read_text()[-4000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2):  # our own loopback server
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    stop(process)
    pytest.fail(f"{url} did not answer within {timeout} s:\n{log.read_text()[-4000:]}", pytrace=False)


def stop(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the live server -----------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    folder: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None  # type: ignore[type-arg]

    def parley(self, *args: str) -> str:
        """Run the `parley` command on this server's database; its output."""
        result = subprocess.run(
            [str(PARLEY), *args], env=self.env, cwd=self.folder, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, f"parley {' '.join(args)}:\n{result.stdout}\n{result.stderr[-3000:]}"
        return result.stdout

    def outbox(self, to: str) -> list[str]:
        """The plain-text bodies of the e-mails queued for `to`, oldest first."""
        db = sqlite3.connect(self.folder / "parley.sqlite3")
        try:
            rows = db.execute("SELECT body_text FROM outbox_message WHERE to_address = ? ORDER BY id", (to,))
            return [body for (body,) in rows]
        finally:
            db.close()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


def start_server(folder: Path, *, demo: bool = True) -> LiveServer:
    """A fresh database (migrated, demo loaded, accounts created) served by uvicorn as in production."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        **SETTINGS,
        # tests/conftest.py points PARLEY_DATABASE_URL at the in-process tests' database: not ours.
        "PARLEY_DATABASE_URL": f"sqlite:///{folder / 'parley.sqlite3'}",
        "PARLEY_BASE_URL": url,
    }
    server = LiveServer(url=url, folder=folder, env=env)
    server.parley("db", "upgrade")
    log = folder / "server.log"
    with log.open("wb") as out:
        server.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--app-dir", str(ROOT),
             "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log"],
            env=env, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        # The data goes in while the server starts (it reads nothing and writes nothing at start).
        if demo:
            server.parley("demo", "load")
        server.parley("users", "create", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD,
                      "--name", "Ada Admin", "--admin")
        server.parley("users", "create", "--email", RESET_EMAIL, "--password", USER_PASSWORD,
                      "--name", "Reset Journey")
        wait_for(f"{url}/livez", server.process, log)
    except BaseException:
        server.stop()
        raise
    return server


# --- the Nu HTML Checker as a local service: its JVM starts once, in the background --------------


class HtmlValidator:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.log = folder / "vnu.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [shutil.which("java") or "java", "-Xss16m", "-Dnu.validator.servlet.bind-address=127.0.0.1",
                 "-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT,
            )
        self.ready = False

    def errors(self, html: bytes) -> list[str]:
        """The checker's errors for this document, as 'line L:C: message [extract]'."""
        if not self.ready:
            wait_for(f"http://127.0.0.1:{self.port}/", self.process, self.log, timeout=120)
            self.ready = True
        request = urllib.request.Request(  # our own loopback service
            f"http://127.0.0.1:{self.port}/?out=json&level=error",
            data=html, headers={"Content-Type": "text/html; charset=utf-8"}, method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            messages = json.load(answer)["messages"]
        return [
            f"line {m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}: "
            f"{m['message']}  [{' '.join(m.get('extract', '').split())}]"
            for m in messages
            if m["type"] in ("error", "non-document-error")
        ]

    def stop(self) -> None:
        stop(self.process)


# --- pages, and the checks every page load goes through ------------------------------------------


@dataclass
class PageChecks:
    """Watches the documents a page loads; `check()` examines the newest one."""

    page: Page
    validator: HtmlValidator | None
    pending: list[Response] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("response", self._on_response)

    def _on_response(self, response: Response) -> None:
        if (
            response.request.resource_type == "document"
            and response.frame == self.page.main_frame
            and not 300 <= response.status < 400
        ):
            self.pending.append(response)

    def check(self) -> None:
        deadline = time.monotonic() + 10
        while not self.pending and time.monotonic() < deadline:
            self.page.wait_for_timeout(50)  # a navigation that has not answered yet
        self.page.wait_for_load_state("load")
        assert self.pending, f"no page was loaded since the last check ({self.page.url})"
        self.finish(but_last=True)
        response = self.pending.pop()
        where = f"{response.request.method} {response.url} ({response.status})"
        html = response.body()  # the bytes the server sent, not the DOM after parsing
        # A document seen before (but for its CSRF token) was checked then.
        fingerprint = hashlib.sha256(CSRF_VALUE.sub(b"", html)).hexdigest()
        visited.append((where, fingerprint not in _checked_documents))
        if fingerprint in _checked_documents:
            return
        _checked_documents.add(fingerprint)
        problems: list[str] = []
        if self.validator is not None:
            problems += [f"HTML {e}" for e in self.validator.errors(html)]
        self.page.evaluate(AXE_SCRIPT)  # evaluated, not a <script>: the CSP allows no injected script
        results = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        for violation in results["violations"]:
            if violation["impact"] in SERIOUS:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
                problems.append(f"axe {violation['id']} ({violation['impact']}): {violation['help']}: {targets}")
        assert not problems, f"{where}:\n  " + "\n  ".join(problems)

    def finish(self, *, but_last: bool = False) -> None:
        """A page loaded and never checked fails the test."""
        unchecked = [f"{r.request.method} {r.url}" for r in self.pending[: -1 if but_last else None]]
        assert not unchecked, f"pages loaded and not checked: {unchecked}"


_checks: dict[Page, PageChecks] = {}
_checked_documents: set[str] = set()
# Every document the journeys loaded: ("METHOD URL (status)", whether it was new and so checked).
visited: list[tuple[str, bool]] = []
CSRF_VALUE = re.compile(rb'name="csrf_token" value="[^"]*"')


def watch(page: Page, validator: HtmlValidator | None) -> PageChecks:
    checks = _checks[page] = PageChecks(page, validator)
    return checks


def checks_of(page: Page) -> PageChecks:
    return _checks[page]


def unwatch(page: Page) -> None:
    _checks.pop(page, None)


def check(page: Page) -> None:
    """Check the page just loaded: axe-core in the page, the Nu checker on the server's bytes."""
    _checks[page].check()


def visit(page: Page, path: str) -> Page:
    page.goto(path)
    check(page)
    return page


def login(page: Page, email: str, password: str) -> None:
    """Sign in through the sign-in page, as a person does (the next page is checked too)."""
    visit(page, "/login")
    form = page.locator("main form")
    form.get_by_label("E-mail address").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    check(page)
