"""Test harness: a migrated database per run, a rolled-back transaction per test.

SQLite by default; PostgreSQL when PARLEY_TEST_BACKEND=postgres and PARLEY_TEST_DATABASE_URL
name a database (`make test` runs the suite on both when the URL is set).
"""

import base64
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

_tmp = tempfile.mkdtemp(prefix="parley-test-")
BACKEND = os.environ.get("PARLEY_TEST_BACKEND", "sqlite")
if BACKEND == "postgres":
    TEST_DATABASE_URL = os.environ["PARLEY_TEST_DATABASE_URL"]
else:
    TEST_DATABASE_URL = f"sqlite:///{_tmp}/test.sqlite3"
os.environ.update(
    PARLEY_DATABASE_URL=TEST_DATABASE_URL,
    PARLEY_SECRET_KEY="test-secret-key-not-for-production",
    PARLEY_DATA_KEYS="t2:" + base64.urlsafe_b64encode(b"2" * 32).decode() + ",t1:" + base64.urlsafe_b64encode(b"1" * 32).decode(),
    PARLEY_OUTBOX_WORKER="false",
    PARLEY_BASE_URL="http://parley.test",
    PARLEY_LOG_LEVEL="WARNING",
    # Tests write through sessions that never commit (each is rolled back), so the data version
    # cannot see their writes: pages are rendered for each request, but in tests/test_page_cache.py,
    # tests/test_bench.py and the browser journeys, whose databases commit.
    PARLEY_PAGE_CACHE_MEGABYTES="0",
)

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.config import ROOT, get_settings  # noqa: E402
from app.db import Base, get_db, get_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.security import keyed_hash  # noqa: E402
from app.web import CSRF_COOKIE, SESSION_COOKIE  # noqa: E402
from tests import factories  # noqa: E402


def alembic_config(connection=None) -> Config:  # type: ignore[no-untyped-def]
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logging"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def own_postgres_database(suffix: str) -> Iterator[str]:
    """The URL of an empty PostgreSQL database beside the suite's, for a test whose commits must be
    real; dropped afterwards, even while a server under test still holds connections to it."""
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_{suffix}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    with admin.connect() as conn:
        conn.execute(drop)
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()


def reset_database(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    engine = get_engine()
    reset_database(engine)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    yield engine


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    conn = engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    factories.use_session(session)
    yield session
    session.close()
    outer.rollback()
    conn.close()


@pytest.fixture(scope="session")
def app():  # type: ignore[no-untyped-def]
    return create_app()


@pytest.fixture
def client(app, db: Session) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    def override() -> Iterator[Session]:
        db.commit()  # what the test arranged is committed (a released savepoint) before the request
        try:
            yield db
            db.commit()
        except Exception:
            db.rollback()
            raise

    app.dependency_overrides[get_db] = override
    with TestClient(app, follow_redirects=False) as c:
        seed = "test-csrf-seed"
        c.cookies.set(CSRF_COOKIE, seed, domain="testserver.local")
        c.csrf_token = keyed_hash("csrf", seed)  # type: ignore[attr-defined]
        yield c
    app.dependency_overrides.clear()


@pytest.fixture
def login(client: TestClient, db: Session) -> Callable:  # type: ignore[type-arg]
    """Sign a user in on the test client (a real session row, as the login page makes)."""
    from app.accounts import service as accounts

    def sign_in(user):  # type: ignore[no-untyped-def]
        token = accounts.start_session(db, user=user, second_factor_done=True, client="testclient")
        db.flush()
        client.cookies.set(SESSION_COOKIE, token, domain="testserver.local")
        return user

    return sign_in


@pytest.fixture
def form(client: TestClient) -> Callable:  # type: ignore[type-arg]
    """POST a form with the CSRF token, as a browser would."""

    def post(url: str, data: dict | None = None, **kwargs):  # type: ignore[no-untyped-def,type-arg]
        # The seed changes at sign-in and sign-out, as in a browser: read the current one.
        token = keyed_hash("csrf", client.cookies.get(CSRF_COOKIE) or "")
        return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)

    return post


@pytest.fixture
def api(client: TestClient, db: Session):  # type: ignore[no-untyped-def]
    """A client for /api/v1 with a bearer token for the given user."""
    from app.accounts import service as accounts

    def for_user(user):  # type: ignore[no-untyped-def]
        raw = accounts.create_api_token(db, actor=accounts.system_actor(), user=user, name="test")
        db.flush()
        client.headers["Authorization"] = f"Bearer {raw}"
        return client

    return for_user


@pytest.fixture
def count_queries(engine: Engine):  # type: ignore[no-untyped-def]
    @contextmanager
    def counter():  # type: ignore[no-untyped-def]
        statements: list[str] = []

        def before(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield lambda: len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter


@pytest.fixture(autouse=True)
def _settings_cache() -> Iterator[None]:
    yield
    get_settings.cache_clear()
