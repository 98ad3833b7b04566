"""Pages answered again from memory while nothing they show can have changed.

A page is rendered afresh for each request: the sign-in, a handful of statements and a template
of hundreds of values, 3-20 ms. Most requests ask again for what was just rendered: delegates
reloading the programme and their itinerary, an organiser going back to the participant list.
Each rendered page is kept, per process, with what it depends on:

- the request: its scheme, path, query and headers, but for those that only describe the
  navigation (so its cookies, thus the signed-in session and the CSRF seed, and its language);
- the data: `app.db.DataVersion`, which every committed write increments, read once a request;
- the clock: the second it was rendered in, so that what changes with the time alone (a
  session's idle expiry, a deadline) is at most a second late.

Only complete `200 text/html` answers to GET requests that wrote nothing and set no cookie are
kept: a page that audits an access, shows a flash message or starts a CSRF seed is rendered each
time. `Cache-Control: no-cache` in the request (a browser's hard reload) renders afresh.
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.db import read_data_version, watching_writes

# Headers that say how a page was reached, never what it shows (no page reads them): left out
# of the key, so that the same page reached from another link or by a reload is the same page.
# (A request whose Cache-Control or Pragma says no-cache is not looked up at all.)
NAVIGATION_HEADERS = frozenset(
    {
        b"referer", b"user-agent", b"connection", b"priority", b"dnt", b"upgrade-insecure-requests",
        b"cache-control", b"pragma",
    }
)
NAVIGATION_PREFIXES = (b"sec-fetch-", b"sec-ch-", b"sec-purpose", b"purpose")
NOT_PAGES = ("/static/", "/docs-static/", "/api/", "/livez", "/healthz")
MAX_PAGE_BYTES = 2 * 1024 * 1024

Key = tuple[str, str, bytes, tuple[tuple[bytes, bytes], ...]]


@dataclass
class Kept:
    version: int
    second: int
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def _is_page_request(scope: Scope) -> bool:
    """A GET of a page (not of a file: an export, a static asset) that does not ask to bypass."""
    path: str = scope["path"]
    if scope["method"] != "GET" or path.startswith(NOT_PAGES) or "." in path.rsplit("/", 1)[-1]:
        return False
    for name, value in scope["headers"]:
        if name in (b"cache-control", b"pragma") and (b"no-cache" in value or b"no-store" in value):
            return False
    return True


def _key(scope: Scope) -> Key:
    headers = tuple(
        sorted(
            (name, value)
            for name, value in scope["headers"]
            if name not in NAVIGATION_HEADERS and not name.startswith(NAVIGATION_PREFIXES)
        )
    )
    return scope["scheme"], scope["path"], scope["query_string"], headers


def _keepable(message: Message) -> bool:
    if message["status"] != 200:
        return False
    content_type = b""
    for name, value in message.get("headers", []):
        if name.lower() == b"set-cookie":
            return False
        if name.lower() == b"content-type":
            content_type = value
    return content_type.startswith(b"text/html")


class PageCache:
    """The ASGI middleware; pages are kept, least recently used first out, up to `max_bytes`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes if max_bytes is not None else get_settings().page_cache_megabytes * 1024 * 1024
        self.clock = clock
        self.pages: OrderedDict[Key, Kept] = OrderedDict()
        self.size = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0 or not _is_page_request(scope):
            await self.app(scope, receive, send)
            return
        # Read before the page's own statements: a page rendered meanwhile from newer data may be
        # kept under an older version (and thrown away sooner), never the other way round.
        version = await self._data_version()
        if version is None:
            await self.app(scope, receive, send)
            return
        second = int(self.clock())
        key = _key(scope)
        kept = self.pages.get(key)
        if kept is not None and kept.version == version and kept.second == second:
            self.pages.move_to_end(key)
            await send({"type": "http.response.start", "status": kept.status, "headers": list(kept.headers)})
            await send({"type": "http.response.body", "body": kept.body})
            return
        await self._render_and_keep(scope, receive, send, key, Kept(version, second, 0, [], b""))

    async def _data_version(self) -> int | None:
        if get_settings().is_sqlite:
            return read_data_version()  # a local read of one row: cheaper than a thread's hand-over
        return await anyio.to_thread.run_sync(read_data_version)

    async def _render_and_keep(self, scope: Scope, receive: Receive, send: Send, key: Key, page: Kept) -> None:
        body: list[bytes] = []
        state = {"keep": False, "complete": False, "size": 0}

        async def send_and_copy(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["keep"] = _keepable(message)
                page.status = message["status"]
                page.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body" and state["keep"]:
                chunk = message.get("body", b"")
                state["size"] += len(chunk)
                if state["size"] > MAX_PAGE_BYTES:
                    state["keep"] = False
                    body.clear()
                else:
                    body.append(chunk)
                    state["complete"] = not message.get("more_body", False)
            await send(message)

        with watching_writes() as writes:
            await self.app(scope, receive, send_and_copy)
        if state["keep"] and state["complete"] and not writes.happened:
            page.body = b"".join(body)
            self._keep(key, page)

    def _keep(self, key: Key, page: Kept) -> None:
        old = self.pages.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        if len(page.body) > self.max_bytes:
            return
        self.pages[key] = page
        self.size += len(page.body)
        while self.size > self.max_bytes:
            _, evicted = self.pages.popitem(last=False)
            self.size -= len(evicted.body)
