"""Every route declares its permission, and the framework-level guarantees hold for all of them."""

import re

from fastapi.routing import APIRoute

from app.deps import csrf_checked
from app.routes import api_routes

# Infrastructure that is public by nature, outside the routers.
INFRASTRUCTURE = {"/healthz", "/livez", "/docs", "/openapi.json"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _dependency_calls(route: APIRoute) -> list:  # type: ignore[type-arg]
    return [d.call for d in route.dependant.dependencies]


def _app_routes(app) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    return [r for r in api_routes() if r.path not in INFRASTRUCTURE]


def test_every_route_declares_exactly_one_permission(app) -> None:  # type: ignore[no-untyped-def]
    undeclared, doubled = [], []
    for route in _app_routes(app):
        declared = [c for c in _dependency_calls(route) if hasattr(c, "parley_permission")]
        if not declared:
            undeclared.append(f"{sorted(route.methods)} {route.path}")
        elif len(declared) > 1:
            doubled.append(route.path)
    assert undeclared == [], "routes without a permission declaration"
    assert doubled == []
    assert len(_app_routes(app)) > 20


def test_every_unsafe_route_checks_csrf(app) -> None:  # type: ignore[no-untyped-def]
    unchecked = [
        f"{sorted(route.methods)} {route.path}"
        for route in _app_routes(app)
        if route.methods & UNSAFE and csrf_checked not in _dependency_calls(route)
    ]
    assert unchecked == []


def test_ids_in_paths_are_bounded_integers(app) -> None:  # type: ignore[no-untyped-def]
    unbounded = []
    for route in _app_routes(app):
        for param in route.dependant.path_params:
            if not param.name.endswith("id"):
                continue
            metadata = repr(param.field_info.metadata)
            if param.field_info.annotation is not int or "Ge(ge=1)" not in metadata or "Le(le=2147483647)" not in metadata:
                unbounded.append(f"{route.path} {param.name}")
    assert unbounded == []


def test_absurd_ids_answer_404_on_pages_and_422_on_the_api(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/events/99999999999999999999").status_code == 404
    assert client.get("/events/-1").status_code == 404
    r = client.get("/api/v1/events/abc")
    assert r.status_code == 422
    assert r.json()["error"] == "ValidationError"


def test_every_template_is_autoescaped(app) -> None:  # type: ignore[no-untyped-def]
    from app.web import templates

    for suffix in ("html", "txt", "ics", "md", "csv"):
        rendered = templates.env.from_string("{{ value }}").render(value="<script>alert(1)</script>")
        assert rendered == "&lt;script&gt;alert(1)&lt;/script&gt;", suffix
    assert templates.env.autoescape is True


def test_template_names_only_use_known_suffixes() -> None:
    from app.config import ROOT

    names = [p.name for p in (ROOT / "templates").rglob("*") if p.is_file()]
    assert all(re.search(r"\.(html|txt|xml|ics|md)$", n) for n in names)
