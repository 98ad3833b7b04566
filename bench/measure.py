"""How pages are measured: the server as in production, sign-in through the login form, latency,
throughput under 8 concurrent clients, and SQL statements per request (counted in-process).

A page is asked for as a browser asks (answered from memory while the page is kept, see
app.page_cache) or with RENDER (rendered afresh, as a browser's hard reload asks).
"""

import math
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, event

from app.config import ROOT
from app.web import CSRF_FIELD, SESSION_COOKIE
from bench.scenario import Account

LOOPBACK = "127.0.0.1"
# Transaction control is not a query (the test suite's count_queries leaves it out too).
NOT_QUERIES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
# The request asks the server to render the page rather than answer it from memory.
RENDER = {"Cache-Control": "no-cache"}


class PageError(RuntimeError):
    """A page that exists answered something other than what it should."""


class SignInFailed(RuntimeError):
    pass


# --- signing in, as a browser does -----------------------------------------------------------------

_INPUT = re.compile(r"<input\b[^>]*>", re.I)


def csrf_from(html: str) -> str:
    for tag in _INPUT.findall(html):
        if f'name="{CSRF_FIELD}"' in tag:
            value = re.search(r'value="([^"]*)"', tag)
            if value:
                return value.group(1)
    raise SignInFailed("the sign-in page has no CSRF token")


def sign_in(client: httpx.Client, account: Account) -> None:
    """GET /login for the form's CSRF token, POST it with the credentials: the session cookie."""
    form = client.get("/login")
    if form.status_code != 200:
        raise SignInFailed(f"GET /login answered {form.status_code}")
    answer = client.post(
        "/login",
        data={
            "email": account.email,
            "password": account.password,
            CSRF_FIELD: csrf_from(form.text),
            "next": "/events",
        },
    )
    if answer.status_code != 303 or not client.cookies.get(SESSION_COOKIE):
        raise SignInFailed(f"signing in as {account.email} answered {answer.status_code}")


# --- SQL statements per request ----------------------------------------------------------------------


@contextmanager
def recording_queries(engine: Engine) -> Iterator[list[str]]:
    """Every statement the engine sends while the block runs, transaction control left out."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


# --- responses ---------------------------------------------------------------------------------------


def check(response: httpx.Response, content_type: str) -> None:
    got = response.headers.get("content-type", "")
    if response.status_code != 200 or not got.startswith(content_type):
        raise PageError(
            f"GET {response.request.url.path} answered {response.status_code} {got or 'no content type'}"
            f" (expected 200 {content_type})"
        )


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def sequential(
    client: httpx.Client,
    path: str,
    *,
    content_type: str,
    warmup: int,
    requests: int,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Latency of one keep-alive client asking again and again; `first_ms` is the first warm-up
    request's (a cold start: what a page keeps for the next requests is not made yet)."""
    first = None
    for _ in range(warmup):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        first = time.perf_counter() - start if first is None else first
        check(response, content_type)
    times = []
    size = 0
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append(time.perf_counter() - start)
        check(response, content_type)
        size = len(response.content)
    return {
        "warmup": warmup,
        "requests": requests,
        "median_ms": round(statistics.median(times) * 1000, 3),
        "p95_ms": round(percentile(times, 0.95) * 1000, 3),
        "min_ms": round(min(times) * 1000, 3),
        "max_ms": round(max(times) * 1000, 3),
        "first_ms": round(first * 1000, 3) if first is not None else None,
        "bytes": size,
    }


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux), to tell a busy server from a busy client."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class KeepAliveClient:
    """One HTTP/1.1 keep-alive connection asking for one address, as lean as a client can be.

    The throughput phase uses it rather than httpx: eight httpx clients in threads keep a whole
    core busy, and on a small machine the load generator would then compete with the server it
    measures; this one needs a few percent of a core.
    """

    def __init__(
        self, host: str, port: int, path: str, cookies: httpx.Cookies, headers: dict[str, str] | None = None
    ) -> None:
        self.address = (host, port)
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "")
            + "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
            + "\r\n"
        ).encode()
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        return sock

    def _read(self, sock: socket.socket) -> None:
        chunk = sock.recv(262144)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def _take(self, sock: socket.socket, size: int) -> bytes:
        while len(self.buffer) < size:
            self._read(sock)
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _line(self, sock: socket.socket) -> bytes:
        while b"\r\n" not in self.buffer:
            self._read(sock)
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    def get(self) -> tuple[int, str]:
        """One request: the status and the content type (the body is read and dropped)."""
        if self.sock is None:
            self.sock = self._connect()
        sock = self.sock
        sock.sendall(self.request)
        while b"\r\n\r\n" not in self.buffer:
            self._read(sock)
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while size := int(self._line(sock).split(b";")[0], 16):
                self._take(sock, size + 2)
            while self._line(sock):  # trailers, up to the empty line
                pass
        else:
            self._take(sock, int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers.get("content-type", "")

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def throughput(
    base_url: str,
    cookies: httpx.Cookies,
    path: str,
    *,
    content_type: str,
    clients: int,
    seconds: float,
    max_requests: int,
    server_pid: int | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Requests per second with `clients` keep-alive clients in threads, for `seconds` at most."""
    url = httpx.URL(base_url)
    host, port = url.host, url.port or 80
    done = [0] * clients
    failed = [0] * clients
    problems: list[str] = []
    cap = max(1, max_requests // clients)
    start_line = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker(i: int) -> None:
        client = KeepAliveClient(host, port, path, cookies, headers)
        try:
            client.get()  # the connection is open before the clock starts
            start_line.wait()
            while done[i] + failed[i] < cap and time.perf_counter() < deadline[0]:
                status, got = client.get()
                if status == 200 and got.startswith(content_type):
                    done[i] += 1
                else:
                    failed[i] += 1
                    if not problems:
                        problems.append(f"GET {path} answered {status} {got} under load")
        except (OSError, threading.BrokenBarrierError) as exc:
            failed[i] += 1
            problems.append(f"GET {path} under load: {exc!r}")
            start_line.abort()
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    server_cpu = _cpu_seconds(server_pid) if server_pid else None
    client_cpu = time.process_time()
    deadline[0] = time.perf_counter() + seconds
    with suppress(threading.BrokenBarrierError):
        start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - began
    client_cpu = time.process_time() - client_cpu
    if server_cpu is not None and server_pid:
        after = _cpu_seconds(server_pid)
        server_cpu = None if after is None else after - server_cpu
    total = sum(done)
    return {
        "clients": clients,
        "seconds": round(elapsed, 3),
        "requests": total,
        "errors": sum(failed),
        "error": problems[0] if problems else None,
        "rps": round(total / elapsed, 1) if elapsed else 0.0,
        # Cores kept busy: the server has one worker process (~1.0 at most, less when it waits
        # on its thread pool); the client's should stay small, or it is measuring itself.
        "server_cpu": round(server_cpu / elapsed, 2) if server_cpu is not None else None,
        "client_cpu": round(client_cpu / elapsed, 2),
    }


# --- the server, as in production -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """`uvicorn app.main:create_app --factory --workers 1 --no-access-log` on a free loopback port."""

    env: dict[str, str]
    log_path: Path
    start_timeout: float = 60.0
    process: subprocess.Popen[bytes] | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def __enter__(self) -> "Server":
        self.port = free_port()
        command = [
            sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
            "--workers", "1", "--no-access-log", "--host", LOOPBACK, "--port", str(self.port),
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at start:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/livez", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {self.start_timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.process = None
