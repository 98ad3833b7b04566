"""What the security checks found, pinned down on their own so a regression names itself."""

from sqlalchemy import func, select

from app.initiatives.models import Initiative
from tests.factories import AdminFactory, InitiativeFactory


def test_text_with_a_nul_character_is_invalid_input_on_the_api(api, db) -> None:  # type: ignore[no-untyped-def]
    client = api(AdminFactory())
    before = db.scalar(select(func.count()).select_from(Initiative))

    r = client.post("/api/v1/initiatives", json={"name": "Peace\x00Bridge"})

    assert r.status_code == 422
    assert r.json()["error"] == "UnstorableText"
    assert db.scalar(select(func.count()).select_from(Initiative)) == before


def test_text_with_a_nul_character_is_invalid_input_on_pages(client, login) -> None:  # type: ignore[no-untyped-def]
    login(AdminFactory())

    r = client.get("/events", params={"q": "Tsaghkadzor\x00"})

    assert r.status_code == 422
    assert "NUL character" in r.text


def test_a_taken_initiative_name_outside_ascii_is_a_field_error_not_a_crash(api) -> None:  # type: ignore[no-untyped-def]
    InitiativeFactory(name="Ölçü Köprüsü")
    client = api(AdminFactory())

    r = client.post("/api/v1/initiatives", json={"name": "Ölçü Köprüsü"})

    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "name"]


def test_every_api_error_status_is_documented_with_the_error_body(app) -> None:  # type: ignore[no-untyped-def]
    schema = app.openapi()
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "409", "422"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ApiError"}, (method, path, status)


def test_answers_to_signed_in_callers_are_not_stored_but_static_files_are(api) -> None:  # type: ignore[no-untyped-def]
    client = api(AdminFactory())

    assert client.get("/api/v1/me").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/parley.css").headers.get("cache-control", "")
