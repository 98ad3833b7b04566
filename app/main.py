"""The application: routers, error handlers, static files, security headers, health."""

import base64
import gc
import hashlib
import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.orm import configure_mappers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import errors, i18n
from app.config import ROOT, get_settings
from app.db import RequestGate, get_engine
from app.logging import configure_logging
from app.page_cache import PageCache
from app.web import SESSION_COOKIE

log = logging.getLogger(__name__)

BASE_CSP = (
    "default-src 'self'; script-src 'self'{extra}; style-src 'self'{extra_style}; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


STATIC_PATHS = ("/static/", "/docs-static/")


def _signed_in(scope: Scope) -> bool:
    """The request carries credentials: an API token or the session cookie."""
    for name, value in scope.get("headers", []):
        if name == b"authorization" or (name == b"cookie" and SESSION_COOKIE.encode() + b"=" in value):
            return True
    return False


class SecurityHeaders:
    """Headers every response carries; a route may set its own Content-Security-Policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.csp = BASE_CSP.format(extra="", extra_style="").encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https" or get_settings().https
        personal = _signed_in(scope) and not scope["path"].startswith(STATIC_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", self.csp))
                if https:
                    extra.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
                if personal and b"cache-control" not in names:
                    # What a signed-in caller gets may be personal: API answers, exports, pages.
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LanguageMiddleware:
    """Chooses the request's language (cookie, else Accept-Language) before anything reads it;
    the signed-in user's own language replaces it once they are known (app.deps)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(STATIC_PATHS):
            await self.app(scope, receive, send)
            return
        cookie = accept = None
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie = cookie_parser(value.decode("latin-1")).get(i18n.LANGUAGE_COOKIE) or cookie
            elif name == b"accept-language":
                accept = value.decode("latin-1")
        i18n.begin_request(i18n.negotiate(cookie, accept))

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"content-language", i18n.current_language().encode()))
                headers.append((b"vary", b"Accept-Language, Cookie"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_language)


# Python's cyclic garbage collector runs after every 700 new container objects by default, and
# now and then walks every object of the process. A page of 300 rows creates ~100,000 objects
# (ORM rows, template values) that plain reference counting frees: with the default, a third of
# such a request went to collections that found nothing. A larger first threshold makes them
# rare, and freezing what start-up created (modules, mappers, the app) keeps them out of the
# walks. Memory stays bounded: cycles are still collected, only less often.
GC_THRESHOLDS = (10_000, 20, 20)
_gc_tuned = False


def tune_gc() -> None:
    """Once per process, at start-up (the lifespan), after the app and its mappers are built."""
    global _gc_tuned
    if _gc_tuned:
        return
    _gc_tuned = True
    configure_mappers()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    tune_gc()
    stop = threading.Event()
    if get_settings().outbox_worker:
        from app.mail.service import start_worker

        start_worker(stop)
    yield
    stop.set()


def _docs_page() -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Parley API",
        swagger_js_url="/docs-static/swagger-ui-bundle.js",
        swagger_css_url="/docs-static/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
    body = bytes(page.body).decode()
    # The page's one inline script is allowed by its hash; no 'unsafe-inline'.
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in re.findall(r"<script>(.*?)</script>", body, flags=re.S)
    )
    csp = BASE_CSP.format(extra=f" {hashes}", extra_style=" 'unsafe-inline'")
    return HTMLResponse(body, headers={"content-security-policy": csp})


def create_app() -> FastAPI:
    configure_logging(get_settings().log_level)
    app = FastAPI(
        title="Parley",
        version="0.1.0",
        summary="Bilateral civil-society dialogue events: delegations, agenda, crossings, outcomes.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    errors.install_handlers(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestGate)
    app.add_middleware(LanguageMiddleware)
    # Outermost: a kept page needs no worker thread (the gate) and keeps its Content-Language.
    app.add_middleware(PageCache)
    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    app.mount(
        "/docs-static",
        StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"),
        name="docs-static",
    )

    # The health checks come first: /livez is the cheapest request the server answers (the
    # benchmark's floor: no database, no worker thread), and routes are matched in order.
    @app.get("/livez", tags=["health"])
    async def livez() -> JSONResponse:
        """The process answers (no database): for liveness probes and the benchmark's floor."""
        return JSONResponse({"status": "ok"})

    @app.get("/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            log.exception("health check: database unreachable")
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    from app.routes import include_routers

    include_routers(app)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return _docs_page()

    return app
