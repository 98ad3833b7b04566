"""20 simultaneous submissions of one invitation link register one person.

Real concurrency: a uvicorn server of the test's own, on a database of its own (SQLite in a
temporary folder; with PARLEY_TEST_BACKEND=postgres, a PostgreSQL database created next to the
tests' one), and 20 threads posting the registration form at the same moment. The request that
first changes the invitation from pending wins; the others wait for it and find the link used.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.config import ROOT
from app.db import make_engine
from app.invitations.models import Invitation, InvitationStatus
from app.registrations.models import Registration
from app.security import keyed_hash
from app.web import CSRF_COOKIE, SESSION_COOKIE
from tests import factories
from tests.conftest import BACKEND, alembic_config, own_postgres_database
from tests.invitations.support import REGISTRATION_FORM, open_invitation
from tests.support import committing

SIMULTANEOUS = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a freshly migrated database that only this test uses."""
    with ExitStack() as stack:
        if BACKEND == "postgres":
            own = stack.enter_context(own_postgres_database("invitations"))
        else:
            own = f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
        engine = make_engine(own)
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        engine.dispose()
        yield own


@pytest.fixture
def server(own_database: str, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PARLEY_DATABASE_URL": own_database, "PARLEY_OUTBOX_WORKER": "false"}
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--app-dir", str(ROOT),
             "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log"],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/livez", timeout=1):  # noqa: S310 (our own server)
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert "Traceback" not in log.read_text(), log.read_text()


def test_twenty_simultaneous_uses_of_one_link_register_one_person(own_database: str, server: str) -> None:
    engine = make_engine(own_database)
    with committing(engine) as db:
        user = factories.UserFactory(email="anahit@example.am")
        invitation = open_invitation(token="one-link", email="anahit@example.am")
        session_token = accounts.start_session(db, user=user, second_factor_done=True, client="test")
    invitation_id = invitation.id

    seed = "concurrency-csrf-seed"
    cookies = {SESSION_COOKIE: session_token, CSRF_COOKIE: seed}
    data = {**REGISTRATION_FORM, "csrf_token": keyed_hash("csrf", seed)}
    start = threading.Barrier(SIMULTANEOUS)
    statuses: list[int] = []

    def submit() -> None:
        with httpx.Client(base_url=server, cookies=cookies, timeout=60) as client:
            start.wait()
            statuses.append(client.post("/invitations/one-link", data=data).status_code)

    threads = [threading.Thread(target=submit) for _ in range(SIMULTANEOUS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert Counter(statuses) == {303: 1, 410: SIMULTANEOUS - 1}
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(Registration)) == 1
        registration_id = db.scalar(select(Registration.id))
        invitation = db.get(Invitation, invitation_id)
        assert invitation is not None
        assert (invitation.status, invitation.registration_id) == (InvitationStatus.ACCEPTED, registration_id)
    engine.dispose()
