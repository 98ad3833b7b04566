"""Capacity and uniqueness hold under real concurrent requests (issue 4, point 5).

Parley runs as production runs it, `uvicorn` with one worker on a loopback port, on a database of
its own (a SQLite file, or a PostgreSQL database made for the test). Fifty clients, each on its
own connection with the organiser's API token, wait at a barrier and then approve fifty
registrations of one circle with twenty places at the same moment: exactly twenty are confirmed
and thirty waitlisted. Twenty clients adding the same new person at once make one registration.

The lock is `delegations.service.lock`: an UPDATE of the delegation row (a row lock on
PostgreSQL; SQLite's write requests begin IMMEDIATE and so queue for the database's write lock).
"""

import base64
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.config import ROOT
from tests.conftest import BACKEND, TEST_DATABASE_URL, own_postgres_database

PARLEY = str(Path(sys.executable).parent / "parley")
PASSWORD = "many hands approve at once"
PLACES, CLIENTS, SAME_PERSON = 20, 50, 20


@dataclass
class Server:
    url: str
    env: dict[str, str]
    process: subprocess.Popen  # type: ignore[type-arg]
    log: Path

    def parley(self, *args: str) -> str:
        result = subprocess.run([PARLEY, *args], env=self.env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def client(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    def errors(self) -> str:
        return self.log.read_text()[-5000:]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(folder: Path, database_url: str) -> Iterator[Server]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PARLEY_DATABASE_URL": database_url,
        "PARLEY_SECRET_KEY": "concurrency-test-secret-key",
        "PARLEY_DATA_KEYS": "c1:" + base64.urlsafe_b64encode(b"c" * 32).decode(),
        "PARLEY_OUTBOX_WORKER": "false",
        "PARLEY_BASE_URL": url,
        "PARLEY_LOG_LEVEL": "WARNING",
    }
    assert env["PARLEY_DATABASE_URL"] != TEST_DATABASE_URL
    subprocess.run([PARLEY, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--app-dir", str(ROOT),
             "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log"],
            env=env, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
        )
    server = Server(url=url, env=env, process=process, log=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, server.errors()
            try:
                if httpx.get(f"{url}/livez", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, server.errors()
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[Server]:
    yield from _serve(tmp_path, f"sqlite:///{tmp_path}/concurrency.sqlite3")


@pytest.fixture
def postgres_server(tmp_path: Path) -> Iterator[Server]:
    if BACKEND != "postgres":
        pytest.skip("PostgreSQL variant: run with PARLEY_TEST_BACKEND=postgres and PARLEY_TEST_DATABASE_URL")
    with own_postgres_database("concurrency") as url:
        yield from _serve(tmp_path, url)


# --- the scenario --------------------------------------------------------------------------------


def _arrange(server: Server) -> tuple[str, int, list[int]]:
    """An event whose delegation has PLACES core places, CLIENTS registered core members, and
    the organiser's token; all through the command line and the API, as a script would."""
    server.parley("users", "create", "--email", "admin@example.org", "--password", PASSWORD, "--admin")
    server.parley("users", "create", "--email", "organiser@example.org", "--password", PASSWORD)
    admin = server.client(server.parley("tokens", "create", "--email", "admin@example.org"))
    event = admin.post("/api/v1/events", json={
        "title": "Concurrency roundtable", "host_country": "AM", "city": "Tsaghkadzor",
        "starts_on": "2026-02-13", "ends_on": "2026-02-14", "timezone": "Asia/Yerevan",
    })
    assert event.status_code == 201, event.text
    event_id = event.json()["id"]
    staff = admin.post(f"/api/v1/events/{event_id}/staff", json={"email": "organiser@example.org", "role": "organiser"})
    assert staff.status_code == 201, staff.text
    organiser = server.parley("tokens", "create", "--email", "organiser@example.org")
    with server.client(organiser) as client:
        delegation = client.post(f"/api/v1/events/{event_id}/delegations", json={
            "name": "Armenia", "country": "AM", "side": "host", "capacity_core": PLACES, "capacity_broader": 0,
        })
        assert delegation.status_code == 201, delegation.text
        registrations = []
        for n in range(CLIENTS):
            r = client.post(f"/api/v1/events/{event_id}/registrations", json={
                "email": f"delegate{n:02}@example.org", "given_name": "Delegate", "family_name": f"{n:02}",
                "delegation_id": delegation.json()["id"], "circle": "core",
            })
            assert r.status_code == 201, r.text
            registrations.append(r.json()["id"])
    admin.close()
    return organiser, event_id, registrations


def _at_once(server: Server, token: str, requests: list[tuple[str, dict | None]]) -> list[httpx.Response]:  # type: ignore[type-arg]
    """Send the POSTs from as many threads, each with its own connection, released together."""
    barrier = threading.Barrier(len(requests))
    answers: list[httpx.Response | BaseException | None] = [None] * len(requests)
    clients = [server.client(token) for _ in requests]
    for c in clients:  # connect first, so that the barrier releases requests, not handshakes
        assert c.get("/livez").status_code == 200

    def send(i: int, path: str, body: dict | None) -> None:  # type: ignore[type-arg]
        barrier.wait()
        try:
            answers[i] = clients[i].post(path, json=body)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            answers[i] = exc

    threads = [threading.Thread(target=send, args=(i, p, b)) for i, (p, b) in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for c in clients:
        c.close()
    failures = [a for a in answers if not isinstance(a, httpx.Response)]
    assert failures == [], failures
    return answers  # type: ignore[return-value]


def _approvals_hold_capacity(server: Server) -> None:
    token, event_id, registrations = _arrange(server)

    started = time.monotonic()
    answers = _at_once(server, token, [(f"/api/v1/events/{event_id}/registrations/{r}/approve", None) for r in registrations])
    elapsed = time.monotonic() - started

    codes = Counter(a.status_code for a in answers)
    assert codes == {200: CLIENTS}, (codes, server.errors())
    statuses = Counter(a.json()["status"] for a in answers)
    assert statuses == {"confirmed": PLACES, "waitlisted": CLIENTS - PLACES}
    with server.client(token) as client:
        stored = client.get(f"/api/v1/events/{event_id}/registrations", params={"per_page": 500}).json()
        delegation = client.get(f"/api/v1/events/{event_id}/delegations").json()["items"][0]
    assert Counter(i["status"] for i in stored["items"]) == statuses
    assert delegation["counts"]["core"] == {"capacity": PLACES, "confirmed": PLACES, "waitlisted": CLIENTS - PLACES}
    print(f"\n{CLIENTS} concurrent approvals in {elapsed:.2f} s: {dict(statuses)}")

    # The same new person added from twenty clients at once: one registration, the rest refused.
    body = {"email": "twin@example.org", "given_name": "Twin", "family_name": "Person",
            "delegation_id": delegation["id"], "circle": "core"}
    answers = _at_once(server, token, [(f"/api/v1/events/{event_id}/registrations", body)] * SAME_PERSON)
    codes = Counter(a.status_code for a in answers)
    assert codes == {201: 1, 422: SAME_PERSON - 1}, (codes, server.errors())
    refused = {e["loc"][-1] for a in answers if a.status_code == 422 for e in a.json()["detail"]}
    assert refused == {"email"}
    with server.client(token) as client:
        twins = client.get(f"/api/v1/events/{event_id}/registrations", params={"q": "twin@example.org"}).json()
    assert twins["total"] == 1
    assert "Traceback" not in server.log.read_text()


def test_concurrent_approvals_and_adds_hold_on_sqlite(sqlite_server: Server) -> None:
    _approvals_hold_capacity(sqlite_server)


@pytest.mark.postgres
def test_concurrent_approvals_and_adds_hold_on_postgresql(postgres_server: Server) -> None:
    _approvals_hold_capacity(postgres_server)
