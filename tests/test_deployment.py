"""The deployment files: Docker does not run on the build machines, so their content is checked."""

import yaml

from app.config import ROOT


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_postgres_16_with_a_health_check() -> None:
    postgres = _compose()["services"]["postgres"]
    assert postgres["image"] == "postgres:16"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])


def test_compose_app_uses_postgres_and_publishes_port_8000() -> None:
    app = _compose()["services"]["app"]
    env = app["environment"]
    assert app["build"] == "."
    assert app["ports"] == ["8000:8000"]
    assert env["PARLEY_DATABASE_URL"].startswith("postgresql+psycopg://parley:")
    assert "@postgres:5432/parley" in env["PARLEY_DATABASE_URL"]
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert {"PARLEY_SECRET_KEY", "PARLEY_DATA_KEYS", "PARLEY_BASE_URL"} <= env.keys()
    assert "/healthz" in " ".join(app["healthcheck"]["test"])


def test_compose_keeps_generated_keys_in_a_volume() -> None:
    compose = _compose()
    assert "parley-var:/srv/parley/var" in compose["services"]["app"]["volumes"]
    assert {"postgres-data", "parley-var"} <= compose["volumes"].keys()


def test_dockerfile_migrates_at_start_and_copies_what_the_app_reads() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "parley db upgrade && parley serve --host 0.0.0.0 --port 8000" in dockerfile
    for folder in ("app", "migrations", "templates", "static"):
        assert f"COPY {folder} {folder}" in dockerfile
    assert "USER parley" in dockerfile


def test_secrets_are_not_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "var/" in ignored
    assert ".env" in ignored
