"""The page layer's toolkit: templates, render(), flash messages, redirects and the CSRF token."""

import base64
import json
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app import i18n, policy
from app.config import ROOT, get_settings
from app.markdown import render_markdown
from app.security import keyed_hash, new_token, same

SESSION_COOKIE = "parley_session"
CSRF_COOKIE = "parley_csrf"
FLASH_COOKIE = "parley_flash"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(ROOT / "templates"),
        # Every template is escaped, whatever its name ends in (Starlette escapes only .html).
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process: no file-system check per include and request.
        auto_reload=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    env.globals.update(
        can=policy.can,
        Action=policy.Action,
        country_name=i18n.country_name,
        format_range=i18n.format_range,
        format_day=i18n.format_day,
        format_moment=i18n.format_moment,
        format_number=i18n.format_number,
        current_language=i18n.current_language,
        interface_languages=i18n.LANGUAGES,
    )
    env.filters["label"] = i18n.label
    env.filters["markdown"] = render_markdown
    return env


templates = Jinja2Templates(env=_environment())


def render_template(name: str, context: dict[str, Any]) -> str:
    """A template to a string, outside a request (e-mails, PDFs)."""
    return templates.env.get_template(name).render(**{"lang": i18n.current_language(), **context})


# --- CSRF: a random cookie, and a form token that is its keyed hash -----------------------------


def _csrf_seed(request: Request) -> str:
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE)
    if not seed or len(seed) > 100:
        seed = new_token()
    request.state.csrf_seed = seed
    return seed


def csrf_token(request: Request) -> str:
    return keyed_hash("csrf", _csrf_seed(request))


def csrf_valid(request: Request, submitted: str | None) -> bool:
    seed = request.cookies.get(CSRF_COOKIE)
    return bool(seed and submitted) and same(keyed_hash("csrf", seed), submitted or "")


def new_csrf_seed(request: Request) -> None:
    """A fresh seed at sign-in and sign-out, so a token seen before does not outlive them."""
    request.state.csrf_seed = new_token()


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or get_settings().https


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=_secure(request), path="/"
    )


def _finish(request: Request, response: Response) -> Response:
    """Cookies a response carries: the CSRF seed when new, pending flash messages."""
    seed = getattr(request.state, "csrf_seed", None)
    if seed and seed != request.cookies.get(CSRF_COOKIE):
        set_cookie(request, response, CSRF_COOKIE, seed)
    pending = getattr(request.state, "flash_out", None)
    if pending:
        payload = base64.urlsafe_b64encode(json.dumps(pending).encode()).decode()
        set_cookie(request, response, FLASH_COOKIE, f"{payload}.{keyed_hash('flash', payload)}")
    elif getattr(request.state, "flash_read", False):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


# --- flash messages: carried across one redirect in a signed cookie ------------------------------


def flash(request: Request, message: str, category: str = "success") -> None:
    pending = getattr(request.state, "flash_out", None) or []
    pending.append({"message": message, "category": category})
    request.state.flash_out = pending


def _read_flashes(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return []
    request.state.flash_read = True
    payload, signature = raw.rsplit(".", 1)
    if not same(keyed_hash("flash", payload), signature):
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return []
    return [i for i in items if isinstance(i, dict) and {"message", "category"} <= i.keys()]


# --- responses ---------------------------------------------------------------------------------


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    private: bool = True,
) -> Response:
    user = getattr(request.state, "user", None)
    full = {
        "request": request,
        "user": user,
        "csrf_token": csrf_token(request),
        "flashes": _read_flashes(request),
        "values": {},
        "errors": {},
        "lang": i18n.current_language(),
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, full, status_code=status_code)
    if private or user is not None:
        response.headers["Cache-Control"] = "no-store"
    return _finish(request, response)


def redirect_303(request: Request, url: str) -> Response:
    return _finish(request, RedirectResponse(str(url), status_code=303))


def render_error(request: Request, status: int, message: str) -> Response:
    template = f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    return render(request, template, {"status": status, "message": message}, status_code=status)


def safe_next(target: str | None) -> str:
    """Only local paths are followed after sign-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/events"
    return target
