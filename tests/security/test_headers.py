"""Security headers and cookies on every page, export and API answer, signed in and out.

Every HTML page: a Content-Security-Policy that runs no inline script and lets no one frame
it, nosniff, a strict referrer policy; every answer to a signed-in request (pages, exports, the
API) is `Cache-Control: no-store`; HSTS only behind https; every cookie HttpOnly and SameSite.
"""

from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import ApiToken
from app.security import keyed_hash, token_hash
from app.web import CSRF_COOKIE, SESSION_COOKIE
from tests.factories import PASSWORD, AdminFactory, UserFactory
from tests.security.conftest import NOT_IDS, TALLY, build_world, endpoints, fill_path, sign_in

REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
UNSAFE_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "blob:"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name.lower()] = sources
    return parsed


def header_problems(response, *, signed_in: bool) -> list[str]:  # type: ignore[no-untyped-def]
    """What is missing or too lax in one answer's headers."""
    h = response.headers
    problems = []
    if h.get("x-content-type-options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if h.get("referrer-policy") not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {h.get('referrer-policy')!r}")
    if h.get("x-frame-options", "").upper() != "DENY":
        problems.append("no X-Frame-Options: DENY")
    if "strict-transport-security" in h:
        problems.append("HSTS over plain http")
    csp = directives(h.get("content-security-policy", ""))
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors {csp.get('frame-ancestors')}")
    if h.get("content-type", "").startswith("text/html"):
        scripts = csp.get("script-src", csp.get("default-src"))
        if scripts is None or UNSAFE_SOURCES & {s.lower() for s in scripts}:
            problems.append(f"script-src {scripts}")
        if csp.get("object-src") != ["'none'"]:
            problems.append(f"object-src {csp.get('object-src')}")
        if csp.get("base-uri") not in (["'self'"], ["'none'"]):
            problems.append(f"base-uri {csp.get('base-uri')}")
    if signed_in and response.status_code == 200 and "no-store" not in h.get("cache-control", ""):
        problems.append(f"Cache-Control {h.get('cache-control')!r} on personal data")
    return problems


@pytest.mark.parametrize("who", ["administrator", "signed-in user", "visitor"])
def test_every_page_export_and_api_answer_carries_the_security_headers(who: str, browser, db: Session) -> None:  # type: ignore[no-untyped-def]
    world = build_world(db)
    user = {"administrator": AdminFactory, "signed-in user": UserFactory, "visitor": lambda: None}[who]()
    sign_in(browser, db, user)
    headers = {}
    if user is not None:
        db.add(ApiToken(user=user, name="headers", token_hash=token_hash("pt_headers")))
        db.flush()
        headers = {"Authorization": "Bearer pt_headers"}
    ids = world.ids() | NOT_IDS
    problems, checked = [], 0
    urls = [(fill_path(e, ids), e.is_api) for e in endpoints() if e.method == "GET"]
    urls += [("/no/such/page", False), ("/api/v1/no-such-thing", True), ("/static/parley.css", False)]
    for url, is_api in urls:
        response = browser.get(url, headers=headers if is_api else {})
        checked += 1
        personal = user is not None and not url.startswith("/static/")
        problems += [f"{url}: {p}" for p in header_problems(response, signed_in=personal)]
    TALLY["security headers: answers checked"] += checked
    assert not problems, "\n".join(problems)


def test_pages_with_personal_data_are_never_stored(client, login) -> None:  # type: ignore[no-untyped-def]
    login(AdminFactory())
    for url in ("/account", "/admin/users", "/admin/audit", "/admin/security", "/events"):
        assert client.get(url).headers["cache-control"] == "no-store", url


def test_hsts_only_behind_https(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert "strict-transport-security" not in client.get("/login").headers
    with TestClient(app, base_url="https://parley.test") as secure:
        hsts = secure.get("/login").headers["strict-transport-security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 31_536_000 and "includesubdomains" in hsts.lower()
    # Behind a proxy that ends TLS, the public address says so.
    monkeypatch.setenv("PARLEY_BASE_URL", "https://parley.example")
    from app.config import get_settings

    get_settings.cache_clear()
    assert "strict-transport-security" in client.get("/login").headers


def _cookies(response) -> list[tuple[str, str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    found = []
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            attributes = {k.lower(): str(v) for k, v in morsel.items() if v}
            found.append((name, morsel.value, attributes | {"raw": header.lower()}))
    return found


@pytest.mark.parametrize("base_url", ["http://testserver", "https://parley.test"])
def test_every_cookie_is_httponly_and_samesite(app, db: Session, base_url: str, client) -> None:  # type: ignore[no-untyped-def]
    """Through a whole visit: the sign-in form, signing in, a flash message, signing out
    (`client` is there for its database override; the visit has its own cookie jar)."""
    user = UserFactory()
    seen: list[tuple[str, str, dict[str, str]]] = []
    with TestClient(app, base_url=base_url, follow_redirects=False) as browser:

        def csrf() -> str:
            return keyed_hash("csrf", browser.cookies.get(CSRF_COOKIE) or "")

        seen += _cookies(browser.get("/login"))
        seen += _cookies(browser.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf()}))
        seen += _cookies(browser.post("/account/tokens", data={"name": "script", "csrf_token": csrf()}))
        seen += _cookies(browser.post("/logout", data={"csrf_token": csrf()}))
        seen += _cookies(browser.get("/login"))
    names = {name for name, _, _ in seen}
    assert {SESSION_COOKIE, CSRF_COOKIE} <= names
    problems = []
    for name, value, attributes in seen:
        if "samesite=lax" not in attributes["raw"] and "samesite=strict" not in attributes["raw"]:
            problems.append(f"{name}: no SameSite")
        if attributes.get("path") != "/":
            problems.append(f"{name}: path {attributes.get('path')!r}")
        if not value:
            continue  # a deletion: it carries nothing to protect
        if "httponly" not in attributes["raw"]:
            problems.append(f"{name}: not HttpOnly")
        if base_url.startswith("https") and "secure" not in attributes["raw"]:
            problems.append(f"{name}: not Secure behind https")
    assert not problems, "\n".join(problems)
