"""Engine, sessions, the declarative base, the request-scoped transaction and the data version."""

import asyncio
import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import Request
from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.errors import UnstorableText

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_from_iso = datetime.fromisoformat


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on both sides, also on SQLite, which keeps no offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None] | None:
        """On SQLite, the stored text ("2026-02-13 08:00:00.000000", UTC without an offset) is read
        in one step, as UTC: a list of 300 rows reads thousands of these, and parsing, then
        `replace(tzinfo=…)` costs several times as much. Anything else takes the general way."""
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or general is None:
            return general

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            try:
                return _from_iso(value + "+00:00")
            except (TypeError, ValueError):  # not text, or text with an offset of its own
                return general(value)

        return process


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    _version_writes(engine)
    return engine


def _refuse_nul(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
    """Any text with a NUL character, from whichever form, query or body, is invalid input.

    PostgreSQL refuses it with a driver error (a 500); SQLite would store it. Checking every
    bound value here answers 422 on both, for every route, present and future.
    """
    # With "insertmanyvalues" (INSERT … RETURNING of many rows) SQLAlchemy sends each row as a
    # flat tuple while `executemany` is true: look at what the parameters are, not at the flag.
    many = bool(parameters) and isinstance(parameters, list | tuple) and isinstance(parameters[0], list | tuple | dict)
    for row in parameters if many else (parameters,):
        values = row.values() if isinstance(row, dict) else row
        if any(isinstance(value, str) and "\x00" in value for value in values or ()):
            raise UnstorableText()


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy documents taking it over.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        # Requests that write take the write lock at once: a transaction that read first and
        # wrote later could otherwise fail when another one committed in between.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# --- the data version: one number that every committed write increments ---------------------------
# A page kept in memory (app.page_cache) is still what it would be rendered as while this number
# is the same as when it was rendered: one read instead of a page's statements and template.


class DataVersion(Base):
    """One row (id 1), whose value each committed transaction that wrote increments."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


# Writes that change nothing a page shows in a way that must be seen at once: a session's
# last-seen time, the audit trail of who read what, failed sign-ins. A kept page is at most a
# second old anyway; counting these would discard every kept page at each delegate's click.
UNVERSIONED_TABLES = frozenset({"user_session", "audit_entry", "login_attempt"})
_WROTE = "parley_wrote"  # the key, in a connection's info, of "this transaction wrote"
_UNVERSIONED = "parley_unversioned"  # an execution option: see unversioned()
_WRITE_SQL = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)
_BUMP_SQL = "UPDATE data_version SET value = value + 1 WHERE id = 1"
_READ_SQL = "SELECT value FROM data_version WHERE id = 1"


@dataclass
class Writes:
    """Whether the request being answered has written anything, to any table."""

    happened: bool = False


_request_writes: ContextVar[Writes | None] = ContextVar("parley_request_writes", default=None)


@contextmanager
def watching_writes() -> Iterator[Writes]:
    """Note any write made meanwhile in this context and the worker threads it hands work to."""
    writes = Writes()
    token = _request_writes.set(writes)
    try:
        yield writes
    finally:
        _request_writes.reset(token)


def _note_write(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
    if context.isinsert or context.isupdate or context.isdelete:
        table = getattr(getattr(context.compiled.statement, "table", None), "name", None)
    elif _WRITE_SQL.match(statement):  # text() and driver SQL: the table is not known
        table = None
    else:
        return
    if (writes := _request_writes.get()) is not None:
        writes.happened = True
    if table not in UNVERSIONED_TABLES and not conn.get_execution_options().get(_UNVERSIONED):
        conn.info[_WROTE] = True


def _forget_writes(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)


def unversioned(conn: Connection) -> Connection:
    """This connection's writes leave the data version alone: the migrations' (a schema change is
    not a change of what kept pages show, servers restart on a new schema), which may also write
    before the version's table exists or after a downgrade dropped it."""
    return conn.execution_options(**{_UNVERSIONED: True})


def _increment_version(conn: Connection) -> None:
    """Just before the commit, in the same transaction: the version changes with the data, and
    concurrent writers take turns on its row only for the instant between this and the commit."""
    if conn.info.pop(_WROTE, False):
        cursor = conn.connection.cursor()
        try:
            cursor.execute(_BUMP_SQL)
        finally:
            cursor.close()


def _version_writes(engine: Engine) -> None:
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "begin", _forget_writes)
    event.listen(engine, "rollback", _forget_writes)
    event.listen(engine, "commit", _increment_version)


def read_data_version() -> int | None:
    """The data version; None where its row is missing (a database not built by the migrations)."""
    with get_engine().connect() as conn:
        value = conn.exec_driver_sql(_READ_SQL).scalar()
    return None if value is None else int(value)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache
def session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, rolled back on error."""
    db = session_factory()()
    if request.method in WRITE_METHODS and db.get_bind().dialect.name == "sqlite":
        db.connection(execution_options={"sqlite_immediate": True})
    try:
        yield db
        db.commit()
    finally:
        # On an error, close() rolls back without expiring what was loaded, so the error page
        # can still read the signed-in user.
        db.close()


# Requests worked on at once per process. Python runs one thread at a time: beyond a few requests
# in flight (enough to overlap one's database waits with another's work), more only interleave
# and contend for the interpreter lock. The benchmark's participant list (300 rows, 8 clients)
# served ~20% more requests a second with 4 in flight than with 20, at the same CPU.
MAX_IN_FLIGHT = 4
# On SQLite there are no network waits to overlap: the database's work is the process's own, and
# it lets go of the interpreter lock for every row it reads, so that with other requests at work
# the lock goes to another thread and back once a row. With 2 in flight rather than 4, the
# participant list (300 rows, 8 clients, 2 cores) took 10-25% less CPU a request and served
# 5-20% more requests a second, and the event overview about as many; 1 did a little better
# still, but would let one long request (an export, a password hash) hold up every other.
MAX_IN_FLIGHT_SQLITE = 2


class RequestGate:
    """Admission to the worker threads: at most MAX_IN_FLIGHT requests (MAX_IN_FLIGHT_SQLITE on
    SQLite), and fewer than half the thread pool's threads, are worked on at once, per process,
    and on SQLite one write request at a time; the others wait their turn in the event loop,
    holding no thread.

    A request runs its sync dependencies, its handler and the validation of its answer in worker
    threads, one after another, and commits only after the last. A request that waits for a lock
    (a row lock on PostgreSQL, the write lock on SQLite) or for a pooled connection holds its
    thread meanwhile. Were every thread so held, the request holding the lock could not get the
    thread it needs to finish and release it: all would wait until the pool or the busy timeout
    failed them with a 500. Admitting fewer requests than there are threads keeps one free. On
    SQLite, write requests queued here also take the write lock (BEGIN IMMEDIATE in `get_db`) at
    once, where SQLite's busy handler would poll for it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[asyncio.Semaphore, asyncio.Lock]] = (
            weakref.WeakKeyDictionary()
        )

    def _gate(self) -> tuple[asyncio.Semaphore, asyncio.Lock]:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            threads = int(anyio.to_thread.current_default_thread_limiter().total_tokens)
            limit = MAX_IN_FLIGHT_SQLITE if get_settings().is_sqlite else MAX_IN_FLIGHT
            admitted = max(1, min(threads // 2, limit))
            gate = self._gates.setdefault(loop, (asyncio.Semaphore(admitted), asyncio.Lock()))
        return gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        admitted, sqlite_write = self._gate()
        held: list[asyncio.Semaphore | asyncio.Lock] = []

        def release() -> None:
            while held:
                held.pop().release()

        if scope["method"] in WRITE_METHODS and get_settings().is_sqlite:
            await sqlite_write.acquire()
            held.append(sqlite_write)
        try:
            await admitted.acquire()
        except BaseException:
            release()
            raise
        held.append(admitted)

        async def send_and_release(message: Message) -> None:
            if message["type"] == "http.response.start":
                release()  # committed already (get_db's scope is the handler): the rest is I/O
            await send(message)

        try:
            await self.app(scope, receive, send_and_release)
        finally:
            release()
