"""Health, security headers, CSRF, error pages: what every page and endpoint shares."""

from sqlalchemy import select

from app.events.models import Event
from tests.factories import AdminFactory, EventFactory


def test_healthz_reports_the_database(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok"}


def test_pages_carry_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert r.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in r.headers


def test_hsts_behind_https(app) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://parley.test") as secure:
        r = secure.get("/login")
    assert r.headers["strict-transport-security"].startswith("max-age=")
    assert "secure" in r.headers["set-cookie"].lower()


def test_cookies_are_httponly_and_samesite(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies.clear()
    r = client.get("/login")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_docs_page_serves_swagger_offline_with_hashed_script(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/docs")
    assert r.status_code == 200
    assert "/docs-static/swagger-ui-bundle.js" in r.text
    assert "'sha256-" in r.headers["content-security-policy"]
    assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "Parley"


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, login, db) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(title="Before")
    login(AdminFactory())
    r = client.post(f"/events/{event.id}/edit", data={"title": "After"})
    assert r.status_code == 403
    assert db.scalar(select(Event.title).where(Event.id == event.id)) == "Before"


def test_post_with_forged_csrf_token_is_refused(client, login) -> None:  # type: ignore[no-untyped-def]
    login(AdminFactory())
    r = client.post("/admin/security", data={"csrf_token": "forged", "require_totp": "on"})
    assert r.status_code == 403
    assert "did not come from Parley" in r.text


def test_api_with_cookie_needs_the_csrf_header(client, login) -> None:  # type: ignore[no-untyped-def]
    login(AdminFactory())
    body = {"email": "new@example.org", "full_name": "New", "password": "a long unusual passphrase"}
    assert client.post("/api/v1/users", json=body).status_code == 403
    r = client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": client.csrf_token})
    assert r.status_code == 201


def test_unknown_page_is_the_404_page_in_the_layout(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert "Page not found" in r.text and 'class="site-header"' in r.text


def test_unknown_api_path_is_json_404(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"] == "HTTPError"


def test_anonymous_page_needing_sign_in_redirects_to_login(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/admin/users?q=x")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/admin/users%3Fq%3Dx"


def test_anonymous_api_call_gets_401(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.json() == {"error": "NotAuthenticated", "detail": "Please sign in."}
