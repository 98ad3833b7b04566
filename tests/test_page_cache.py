"""Pages kept in memory (app.page_cache) and the data version they are kept under (app.db).

The suite's sessions never commit, so these tests work on a database of their own: a SQLite file
in tmp_path, copied from one the migrations built for the module, whose commits are real, and
which `app.db.get_engine()` is for the test's duration. The middleware is tested around a small site whose handlers count their
renders, and end to end through the Parley app, signed in through the login form.
"""

import shutil
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.to_thread
import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from app.accounts.models import LoginAttempt, User, UserSession
from app.audit.models import AuditEntry
from app.config import get_settings
from app.db import (
    DataVersion,
    get_engine,
    make_engine,
    read_data_version,
    session_factory,
    unversioned,
    watching_writes,
)
from app.initiatives.models import Initiative
from app.main import create_app
from app.page_cache import MAX_PAGE_BYTES, PageCache
from app.web import CSRF_FIELD, SESSION_COOKIE
from bench.measure import csrf_from, recording_queries, sign_in
from bench.scenario import Account
from tests import factories
from tests.conftest import BACKEND, alembic_config, own_postgres_database
from tests.events.test_pages import EVENT_FORM as EVENT_PAGE_FORM
from tests.support import committing

READ_VERSION = "SELECT value FROM data_version WHERE id = 1"


def _forget_database() -> None:
    """The cached settings, engine and sessions: the next use reads PARLEY_DATABASE_URL again."""
    for cached in (get_settings, get_engine, session_factory):
        cached.cache_clear()


def migrate(engine: Engine) -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")


@contextmanager
def app_database(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """`app.db.get_engine()`, meanwhile: the database of `url`, whose commits are real (as
    bench/run.py's `_app_on` points the app at another database)."""
    monkeypatch.setenv("PARLEY_DATABASE_URL", url)
    _forget_database()
    engine = get_engine()
    try:
        yield engine
    finally:
        engine.dispose()
        _forget_database()  # the next get_engine() is the suite's database again


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the migrations built, once for the module: each test works on a copy."""
    template = tmp_path_factory.mktemp("page_cache") / "migrated.sqlite3"
    engine = make_engine(f"sqlite:///{template}")
    try:
        migrate(engine)
    finally:
        engine.dispose()
    return template


@pytest.fixture
def real_engine(migrated_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A SQLite file of this test's own (whichever backend the suite runs on), migrated."""
    copy = tmp_path / "committed.sqlite3"
    shutil.copyfile(migrated_sqlite, copy)
    with app_database(f"sqlite:///{copy}", monkeypatch) as engine:
        yield engine


@pytest.fixture
def postgres_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A PostgreSQL database of this test's own, migrated, where the version is read in a worker thread."""
    if BACKEND != "postgres":
        pytest.skip("PostgreSQL variant: run with PARLEY_TEST_BACKEND=postgres and PARLEY_TEST_DATABASE_URL")
    with own_postgres_database("page_cache") as url, app_database(url, monkeypatch) as engine:
        migrate(engine)
        yield engine


def add_initiative(engine: Engine, name: str = "Peace Bridge") -> None:
    with committing(engine) as db:
        db.add(Initiative(name=name))


def add_audit_entry(engine: Engine) -> None:
    with committing(engine) as db:
        db.add(AuditEntry(action="registration.document_viewed", object_type="registration"))


# --- the data version ------------------------------------------------------------------------------


def test_data_version_of_a_migrated_database_is_zero(real_engine: Engine) -> None:
    assert read_data_version() == 0  # the migrations' own writes do not count


def test_data_version_committed_write_increments_it_once_per_transaction(real_engine: Engine) -> None:
    before = read_data_version()

    with committing(real_engine) as db:
        db.add_all([Initiative(name="First"), Initiative(name="Second")])
        db.flush()
        db.execute(update(Initiative).values(description="Changed"))
    once = read_data_version()
    add_initiative(real_engine, "Third")
    twice = read_data_version()

    assert (before, once, twice) == (0, 1, 2)


def test_data_version_rolled_back_write_leaves_it(real_engine: Engine) -> None:
    with Session(real_engine) as db:
        db.add(Initiative(name="Abandoned"))
        db.flush()
        db.rollback()
        # The next transaction only reads: nothing of the rolled-back one is left to count.
        db.scalars(select(Initiative)).all()
        db.commit()

    with real_engine.connect() as conn:
        conn.execute(text("UPDATE initiative SET name = 'x'"))
    # closed without a commit: rolled back

    assert read_data_version() == 0


def test_data_version_read_only_transaction_leaves_it(real_engine: Engine) -> None:
    add_initiative(real_engine)

    with committing(real_engine) as db:
        names = db.scalars(select(Initiative.name)).all()

    assert names == ["Peace Bridge"]
    assert read_data_version() == 1


def _write_user_session(db: Session, user: User) -> None:
    db.add(UserSession(token_hash="a" * 64, user_id=user.id))
    db.flush()
    db.execute(update(UserSession).values(second_factor_done=True).execution_options(synchronize_session=False))


def _write_audit_entry(db: Session, user: User) -> None:
    db.add(AuditEntry(actor_id=user.id, action="event.view", object_type="event"))


def _write_login_attempt(db: Session, user: User) -> None:
    db.add(LoginAttempt(email=user.email, client="203.0.113.7"))


UNVERSIONED_WRITES = {
    "user_session": _write_user_session,
    "audit_entry": _write_audit_entry,
    "login_attempt": _write_login_attempt,
}


@pytest.mark.parametrize("table", sorted(UNVERSIONED_WRITES))
def test_data_version_write_only_to_an_unversioned_table_leaves_it(real_engine: Engine, table: str) -> None:
    with committing(real_engine):
        user = factories.UserFactory()
    before = read_data_version()

    with committing(real_engine) as db:
        UNVERSIONED_WRITES[table](db, user)
    with real_engine.connect() as conn:
        rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()

    assert rows == 1
    assert read_data_version() == before == 1


def test_data_version_unversioned_write_with_a_versioned_one_increments_it(real_engine: Engine) -> None:
    with committing(real_engine) as db:
        db.add(AuditEntry(action="initiative.create", object_type="initiative"))
        db.add(Initiative(name="Peace Bridge"))

    assert read_data_version() == 1


@pytest.mark.parametrize(
    "write",
    [
        lambda conn: conn.execute(text("UPDATE initiative SET description = 'Changed'")),
        lambda conn: conn.exec_driver_sql("DELETE FROM initiative"),
    ],
    ids=["text", "driver_sql"],
)
def test_data_version_write_in_plain_sql_increments_it(
    real_engine: Engine, write: Callable[[Connection], object]
) -> None:
    add_initiative(real_engine)

    with real_engine.begin() as conn:
        write(conn)

    assert read_data_version() == 2


def test_data_version_write_on_an_unversioned_connection_leaves_it(real_engine: Engine) -> None:
    add_initiative(real_engine)

    with real_engine.connect() as conn:
        unversioned(conn)
        conn.execute(text("UPDATE initiative SET description = 'Changed'"))
        conn.commit()

    assert read_data_version() == 1


def test_read_data_version_without_its_row_is_none(real_engine: Engine) -> None:
    with committing(real_engine) as db:
        db.delete(db.get_one(DataVersion, 1))

    assert read_data_version() is None


# --- watching_writes -----------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["initiative", "audit_entry", "login_attempt"])
def test_watching_writes_sees_a_write_to_any_table_even_rolled_back(real_engine: Engine, table: str) -> None:
    rows = {
        "initiative": Initiative(name="Peace Bridge"),
        "audit_entry": AuditEntry(action="event.view", object_type="event"),
        "login_attempt": LoginAttempt(email="someone@example.org", client="203.0.113.7"),
    }

    with watching_writes() as writes, Session(real_engine) as db:
        db.scalars(select(Initiative)).all()
        read_only = writes.happened
        db.add(rows[table])
        db.flush()
        db.rollback()

    assert (read_only, writes.happened) == (False, True)


def test_watching_writes_sees_a_write_in_a_worker_thread(real_engine: Engine) -> None:
    async def request() -> bool:
        with watching_writes() as writes:
            await anyio.to_thread.run_sync(add_audit_entry, real_engine)
        return writes.happened

    # In a thread of its own: after the browser journeys, Playwright's event loop holds this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        assert thread.submit(anyio.run, request).result() is True


def test_watching_writes_sees_nothing_outside_its_block(real_engine: Engine) -> None:
    add_initiative(real_engine, "Before")

    with watching_writes() as writes, Session(real_engine) as db:
        db.scalars(select(Initiative)).all()
    add_initiative(real_engine, "After")

    assert writes.happened is False


# --- the middleware, around a small site that counts its renders ----------------------------------


class Clock:
    def __init__(self, now: float = 1_000.2) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Site:
    """Pages that say how many times each was rendered, and answers the cache must not keep."""

    def __init__(self) -> None:
        self.renders: Counter[str] = Counter()

    def _count(self, request: Request) -> int:
        self.renders[request.url.path] += 1
        return self.renders[request.url.path]

    async def page(self, request: Request) -> Response:
        n = self._count(request)
        query = f"?{request.url.query}" if request.url.query else ""
        return HTMLResponse(f"<p>{request.url.path}{query} rendered #{n}</p>")

    async def sized(self, request: Request) -> Response:
        """A page of exactly `size` bytes."""
        n = self._count(request)
        size = int(request.path_params["size"])
        return HTMLResponse(f"<p>#{n}</p>".ljust(size))

    async def json(self, request: Request) -> Response:
        return JSONResponse({"rendered": self._count(request)})

    async def missing(self, request: Request) -> Response:
        return HTMLResponse(f"<p>not found #{self._count(request)}</p>", status_code=404)

    async def cookie(self, request: Request) -> Response:
        response = HTMLResponse(f"<p>cookie #{self._count(request)}</p>")
        response.set_cookie("parley_flash", "seen")
        return response

    async def headers(self, request: Request) -> Response:
        return HTMLResponse(
            f"<p>headers #{self._count(request)}</p>",
            headers={"x-frame-options": "DENY", "cache-control": "no-store", "x-rendered": "yes"},
        )

    def writes(self, request: Request) -> Response:
        """A sync handler (in a worker thread, as Parley's) that records an audit entry or a failed
        sign-in: tables whose writes leave the data version alone."""
        n = self._count(request)
        table = request.path_params["table"]
        with session_factory()() as db:
            if table == "audit_entry":
                db.add(AuditEntry(action="registration.document_viewed", object_type="registration"))
            else:
                db.add(LoginAttempt(email="someone@example.org", client="203.0.113.7"))
            db.commit()
        return HTMLResponse(f"<p>wrote #{n}</p>")

    async def streamed(self, request: Request) -> Response:
        n = self._count(request)

        async def chunks() -> AsyncIterator[bytes]:
            for part in (b"<p>streamed", b" in parts", f" #{n}</p>".encode()):
                yield part

        return StreamingResponse(chunks(), media_type="text/html")

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/sized/{name}/{size:int}", self.sized),
            Route("/json", self.json),
            Route("/missing", self.missing),
            Route("/cookie", self.cookie),
            Route("/headers", self.headers),
            Route("/writes/{table}", self.writes),
            Route("/streamed", self.streamed),
            Route("/incomplete", IncompleteBody(self)),
            Route("/{path:path}", self.page, methods=["GET", "POST"]),
        ])


@dataclass
class IncompleteBody:
    """An ASGI answer whose body's last part never comes (the client went away)."""

    site: Site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.site.renders[scope["path"]] += 1
        n = self.site.renders[scope["path"]]
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": f"<p>half #{n}".encode(), "more_body": True})


@dataclass
class Cached:
    site: Site
    clock: Clock
    client: TestClient


@contextmanager
def cached_site(
    max_bytes: int = 1024 * 1024, wrap: Callable[[ASGIApp], ASGIApp] | None = None
) -> Iterator[Cached]:
    """The small site behind a PageCache of `max_bytes` on a fake clock (and behind `wrap`)."""
    site, clock = Site(), Clock()
    app: ASGIApp = PageCache(site.app(), max_bytes=max_bytes, clock=clock)
    with TestClient(wrap(app) if wrap else app) as client:
        yield Cached(site, clock, client)


@pytest.fixture
def cached(real_engine: Engine) -> Iterator[Cached]:
    """The small site behind a PageCache of 1 MB on a fake clock."""
    with cached_site() as site:
        yield site


def test_page_cache_second_identical_get_is_answered_from_memory(cached: Cached, real_engine: Engine) -> None:
    first = cached.client.get("/events")
    with recording_queries(real_engine) as sent:
        second = cached.client.get("/events")

    assert first.text == second.text == "<p>/events rendered #1</p>"
    assert cached.site.renders["/events"] == 1
    assert sent == [READ_VERSION]


def test_page_cache_renders_again_after_a_committed_write(cached: Cached, real_engine: Engine) -> None:
    cached.client.get("/events")

    add_initiative(real_engine)
    after_write = cached.client.get("/events")
    again = cached.client.get("/events")

    assert after_write.text == again.text == "<p>/events rendered #2</p>"


def test_page_cache_answers_from_memory_after_a_write_only_to_the_audit_trail(cached: Cached, real_engine: Engine) -> None:
    cached.client.get("/events")

    add_audit_entry(real_engine)
    again = cached.client.get("/events")

    assert again.text == "<p>/events rendered #1</p>"


def test_page_cache_renders_again_in_a_new_second(cached: Cached) -> None:
    cached.client.get("/events")
    cached.clock.now = 1_000.9
    same_second = cached.client.get("/events")

    cached.clock.now = 1_001.0
    next_second = cached.client.get("/events")

    assert same_second.text == "<p>/events rendered #1</p>"
    assert next_second.text == "<p>/events rendered #2</p>"


BASE_HEADERS = {"cookie": "parley_session=a; parley_csrf=s", "accept-language": "en"}


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/events", {**BASE_HEADERS, "cookie": "parley_session=b; parley_csrf=s"}),
        ("/events", {**BASE_HEADERS, "cookie": "parley_csrf=s"}),
        ("/events", {**BASE_HEADERS, "accept-language": "fr"}),
        ("/events?page=2", BASE_HEADERS),
    ],
    ids=["other_session", "no_session", "other_language", "other_query"],
)
def test_page_cache_renders_separately_per_cookie_language_and_query(
    cached: Cached, path: str, headers: dict[str, str]
) -> None:
    cached.client.get("/events", headers=BASE_HEADERS)

    other = cached.client.get(path, headers=headers)
    base_again = cached.client.get("/events", headers=BASE_HEADERS)

    assert other.text.endswith("rendered #2</p>")
    assert base_again.text == "<p>/events rendered #1</p>"


@pytest.mark.parametrize(
    "navigation",
    [
        {"referer": "http://testserver/initiatives"},
        {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"},
        {"sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate", "sec-ch-ua-mobile": "?0"},
        {"upgrade-insecure-requests": "1", "priority": "u=0, i", "dnt": "1"},
        {"cache-control": "max-age=0"},  # a browser's plain reload
    ],
    ids=["referer", "user_agent", "sec_fetch", "others", "reload"],
)
def test_page_cache_answers_from_memory_whatever_the_navigation_headers(
    cached: Cached, navigation: dict[str, str]
) -> None:
    cached.client.get("/events", headers=BASE_HEADERS)

    again = cached.client.get("/events", headers={**BASE_HEADERS, **navigation})

    assert again.text == "<p>/events rendered #1</p>"


@pytest.mark.parametrize(
    "bypass",
    [{"cache-control": "no-cache"}, {"cache-control": "max-age=0, no-store"}, {"pragma": "no-cache"}],
    ids=["no_cache", "no_store", "pragma"],
)
def test_page_cache_request_asking_no_cache_renders_afresh(cached: Cached, bypass: dict[str, str]) -> None:
    cached.client.get("/events")

    fresh = [cached.client.get("/events", headers=bypass).text for _ in range(2)]
    kept = cached.client.get("/events")

    assert fresh == ["<p>/events rendered #2</p>", "<p>/events rendered #3</p>"]
    assert kept.text == "<p>/events rendered #1</p>"  # what a hard reload renders is not kept


@pytest.mark.parametrize(
    ("path", "shown"),
    [("/missing", "not found #2"), ("/json", '{"rendered":2}'), ("/cookie", "cookie #2")],
    ids=["status_404", "json", "set_cookie"],
)
def test_page_cache_does_not_keep_error_non_html_or_cookie_setting_answers(
    cached: Cached, path: str, shown: str
) -> None:
    cached.client.get(path)
    cached.client.cookies.clear()  # the same request again, without the cookie it was given

    again = cached.client.get(path)

    assert shown in again.text
    assert cached.site.renders[path] == 2


@pytest.mark.parametrize("table", ["audit_entry", "login_attempt"])
def test_page_cache_does_not_keep_a_page_whose_request_wrote(cached: Cached, table: str) -> None:
    cached.client.get(f"/writes/{table}")
    version = read_data_version()

    again = cached.client.get(f"/writes/{table}")

    assert version == read_data_version() == 0  # the version alone would have let it be answered
    assert again.text == "<p>wrote #2</p>"


def test_page_cache_does_not_keep_answers_to_post(cached: Cached) -> None:
    cached.client.post("/events")

    again = cached.client.post("/events")
    then_get = cached.client.get("/events")

    assert again.text == "<p>/events rendered #2</p>"
    assert then_get.text == "<p>/events rendered #3</p>"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/events", "/static/app.css", "/docs-static/swagger-ui.css", "/livez", "/healthz",
     "/events/1/participants.csv", "/events/1/summary.pdf"],
)
def test_page_cache_renders_every_time_what_is_not_a_page(cached: Cached, real_engine: Engine, path: str) -> None:
    cached.client.get(path)

    with recording_queries(real_engine) as sent:
        cached.client.get(path)

    assert sum(cached.site.renders.values()) == 2
    assert sent == []  # not even the data version is read


@pytest.mark.parametrize(("size", "renders"), [(MAX_PAGE_BYTES, 1), (MAX_PAGE_BYTES + 1, 2)], ids=["at_most", "over"])
def test_page_cache_keeps_bodies_up_to_max_page_bytes(real_engine: Engine, size: int, renders: int) -> None:
    with cached_site(max_bytes=4 * MAX_PAGE_BYTES) as cached:
        client = cached.client
        client.get(f"/sized/page/{size}")

        again = client.get(f"/sized/page/{size}")

    assert len(again.content) == size
    assert again.text.startswith(f"<p>#{renders}</p>")


def test_page_cache_keeps_a_streamed_page_once_complete(cached: Cached) -> None:
    cached.client.get("/streamed")

    again = cached.client.get("/streamed")

    assert again.text == "<p>streamed in parts #1</p>"


def test_page_cache_does_not_keep_a_streamed_body_left_incomplete(cached: Cached) -> None:
    first = cached.client.get("/incomplete")

    again = cached.client.get("/incomplete")

    assert (first.text, again.text) == ("<p>half #1", "<p>half #2")


def test_page_cache_evicts_the_least_recently_used_pages_by_bytes(real_engine: Engine) -> None:
    with cached_site(max_bytes=250) as cached:
        client = cached.client
        client.get("/sized/a/100")
        client.get("/sized/b/100")
        client.get("/sized/a/100")  # answered from memory: now the most recently used
        client.get("/sized/c/100")  # 300 bytes > 250: b, the least recently used, goes

        a, b = client.get("/sized/a/100"), client.get("/sized/b/100")  # b is kept again: c goes
        c = client.get("/sized/c/100")

    assert [r.text.rstrip() for r in (a, b, c)] == ["<p>#1</p>", "<p>#2</p>", "<p>#2</p>"]


def test_page_cache_does_not_keep_a_page_larger_than_max_bytes(real_engine: Engine) -> None:
    with cached_site(max_bytes=250) as cached:
        client = cached.client
        client.get("/sized/a/100")
        client.get("/sized/big/251")

        big = client.get("/sized/big/251")
        a = client.get("/sized/a/100")

    assert (big.text.rstrip(), a.text.rstrip()) == ("<p>#2</p>", "<p>#1</p>")


def test_page_cache_with_max_bytes_zero_is_off(real_engine: Engine) -> None:
    with cached_site(max_bytes=0) as cached:
        client = cached.client
        client.get("/events")

        with recording_queries(real_engine) as sent:
            again = client.get("/events")

    assert again.text == "<p>/events rendered #2</p>"
    assert sent == []


def test_page_cache_without_the_data_version_row_renders_every_time(cached: Cached, real_engine: Engine) -> None:
    with committing(real_engine) as db:
        db.delete(db.get_one(DataVersion, 1))
    cached.client.get("/events")

    again = cached.client.get("/events")

    assert again.text == "<p>/events rendered #2</p>"


def test_page_cache_replays_the_kept_status_and_headers(cached: Cached) -> None:
    first = cached.client.get("/headers")

    again = cached.client.get("/headers")

    assert cached.site.renders["/headers"] == 1
    assert (again.status_code, again.text) == (200, "<p>headers #1</p>")
    assert again.headers.multi_items() == first.headers.multi_items()
    assert again.headers["content-type"] == "text/html; charset=utf-8"
    assert (again.headers["x-frame-options"], again.headers["x-rendered"]) == ("DENY", "yes")


def test_page_cache_kept_page_is_the_same_behind_a_middleware_that_edits_headers(real_engine: Engine) -> None:
    with cached_site(wrap=GZipMiddleware) as cached:
        client = cached.client
        answers = [client.get("/sized/page/1000") for _ in range(3)]

    assert [r.headers["content-encoding"] for r in answers] == ["gzip"] * 3
    assert [r.text.rstrip() for r in answers] == ["<p>#1</p>"] * 3


# --- end to end: the Parley app on a committed database ----------------------------------------------

ORGANISER_EMAIL = "olga@example.org"
ORGANISER_NAME = "Olga Organiser"
EVENT_FORM = {**EVENT_PAGE_FORM, "title": "Renamed roundtable"}
ORGANISER = Account(ORGANISER_EMAIL, factories.PASSWORD, ORGANISER_NAME)


@dataclass
class Parley:
    app: FastAPI
    engine: Engine
    event_id: int

    def client(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)


def parley_on(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Parley:
    """The Parley app with its page cache on (64 MB, as in production) and a clock that stays in
    one second: a page is rendered again only for what it shows or who asks, never for the time.
    One public event, organised by Olga."""
    monkeypatch.setenv("PARLEY_PAGE_CACHE_MEGABYTES", "64")
    get_settings.cache_clear()
    with committing(engine):
        event = factories.EventFactory(title="Peace Bridge roundtable")
        factories.organiser(event, email=ORGANISER_EMAIL, full_name=ORGANISER_NAME)
    app = create_app()
    (page_cache,) = [m for m in app.user_middleware if m.cls is PageCache]
    page_cache.kwargs["clock"] = Clock()
    return Parley(app, engine, event.id)


@pytest.fixture
def parley(real_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Parley:
    return parley_on(real_engine, monkeypatch)


def test_parley_events_list_asked_again_issues_only_the_data_version_read(parley: Parley) -> None:
    with parley.client() as client:
        sign_in(client, ORGANISER)
        with recording_queries(parley.engine) as rendering:
            first = client.get("/events")
        with recording_queries(parley.engine) as answering:
            second = client.get("/events")

    assert "Peace Bridge roundtable" in first.text and ORGANISER_NAME in first.text
    assert second.text == first.text
    assert len(rendering) > 1
    assert answering == [READ_VERSION]


def test_parley_kept_page_carries_the_headers_it_was_rendered_with(parley: Parley) -> None:
    with parley.client() as client:
        sign_in(client, ORGANISER)
        first = client.get("/events")
        second = client.get("/events")

    assert second.headers.multi_items() == first.headers.multi_items()
    assert second.headers["content-type"] == "text/html; charset=utf-8"
    assert second.headers["cache-control"] == "no-store"
    assert second.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in second.headers["content-security-policy"]
    # Kept with the page (the cache is the outermost middleware): once, not twice.
    assert second.headers.get_list("content-language") == ["en"]


def test_parley_edit_through_the_form_is_shown_on_the_next_get_at_once(parley: Parley) -> None:
    edit_and_look_again(parley)


def test_parley_on_postgresql_keeps_pages_and_shows_an_edit_at_once(
    postgres_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_and_look_again(parley_on(postgres_engine, monkeypatch))


def edit_and_look_again(parley: Parley) -> None:
    with parley.client() as client:
        sign_in(client, ORGANISER)
        client.get("/events")
        with recording_queries(parley.engine) as answering:
            kept = client.get("/events")
        cookies = dict(client.cookies)

        form = client.get(f"/events/{parley.event_id}/edit")
        saved = client.post(f"/events/{parley.event_id}/edit", data={**EVENT_FORM, CSRF_FIELD: csrf_from(form.text)})
        shown = client.get(saved.headers["location"])  # reads (and deletes) the flash message
        after = client.get("/events")

    assert "Peace Bridge roundtable" in kept.text
    assert answering == [READ_VERSION]
    assert "The event has been saved." in shown.text
    assert dict(client.cookies) == cookies  # the same request as the kept page's, in the same second
    assert "Renamed roundtable" in after.text
    assert "Peace Bridge roundtable" not in after.text


def test_parley_signed_out_visitor_does_not_get_a_signed_in_users_kept_page(parley: Parley) -> None:
    with parley.client() as member, parley.client() as visitor:
        sign_in(member, ORGANISER)
        member.get("/events")
        kept = member.get("/events")

        seen = visitor.get("/events")
        seen_again = visitor.get("/events")

    assert ORGANISER_NAME in kept.text
    for page in (seen, seen_again):
        assert "Peace Bridge roundtable" in page.text
        assert ORGANISER_NAME not in page.text
        assert 'href="/login">Sign in<' in page.text


def test_parley_after_logout_the_signed_in_page_is_not_served_to_the_new_cookies(parley: Parley) -> None:
    with parley.client() as client:
        sign_in(client, ORGANISER)
        client.get("/events")
        kept = client.get("/events")
        version = read_data_version()

        out = client.post("/logout", data={CSRF_FIELD: csrf_from(kept.text)})
        client.get(out.headers["location"])  # the login page reads the flash message
        after = client.get("/events")

    assert ORGANISER_NAME in kept.text
    assert client.cookies.get(SESSION_COOKIE) is None
    # Ending a session writes only user_session: the kept page is left out by its key alone.
    assert read_data_version() == version
    assert "Peace Bridge roundtable" in after.text
    assert ORGANISER_NAME not in after.text
    assert 'href="/login">Sign in<' in after.text


def test_parley_kept_page_says_the_language_of_the_users_own_choice(parley: Parley) -> None:
    with committing(parley.engine) as db:
        db.execute(update(User).where(User.email == ORGANISER_EMAIL).values(language="ru"))

    with parley.client() as client:
        sign_in(client, ORGANISER)
        first = client.get("/events")
        second = client.get("/events")

    assert second.text == first.text and '<html lang="ru"' in first.text
    assert first.headers["content-language"] == "ru"
    assert second.headers["content-language"] == "ru"
