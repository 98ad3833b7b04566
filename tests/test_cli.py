"""The `parley` command, run as a user runs it, on a database of its own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL

PARLEY = str(Path(sys.executable).parent / "parley")


@pytest.fixture(scope="module")
def run(tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{folder}/cli.sqlite3"}
    assert env["PARLEY_DATABASE_URL"] != TEST_DATABASE_URL

    def parley(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([PARLEY, *args], env=env, capture_output=True, text=True, timeout=120)
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    parley("db", "upgrade")
    return parley


def test_users_create_then_refuse_a_duplicate_and_a_weak_password(run) -> None:  # type: ignore[no-untyped-def]
    out = run("users", "create", "--email", "Org@Example.org", "--password", "a long unusual passphrase", "--admin")
    assert "created for org@example.org" in out.stdout
    again = run("users", "create", "--email", "org@example.org", "--password", "a long unusual passphrase", ok=False)
    assert again.returncode == 1 and "exists already" in again.stdout
    weak = run("users", "create", "--email", "weak@example.org", "--password", "password", ok=False)
    assert weak.returncode == 1 and "too common" in weak.stdout


def test_tokens_create_prints_a_token(run) -> None:  # type: ignore[no-untyped-def]
    run("users", "create", "--email", "script@example.org", "--password", "a long unusual passphrase")
    out = run("tokens", "create", "--email", "script@example.org")
    assert out.stdout.strip().startswith("pt_") and len(out.stdout.strip()) > 40
    missing = run("tokens", "create", "--email", "nobody@example.org", ok=False)
    assert missing.returncode == 1


def test_ensure_admin_prints_credentials_only_when_it_creates_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite3"}
    subprocess.run([PARLEY, "db", "upgrade"], env=env, check=True, capture_output=True)
    first = subprocess.run([PARLEY, "users", "ensure-admin"], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([PARLEY, "users", "ensure-admin"], env=env, capture_output=True, text=True, check=True)
    assert "Sign in as admin@example.org with the password" in first.stdout
    assert second.stdout == ""


def test_demo_load_is_idempotent(run) -> None:  # type: ignore[no-untyped-def]
    assert "Demo data loaded." in run("demo", "load").stdout
    assert "already there" in run("demo", "load").stdout


def test_keys_generate_and_rotate(run) -> None:  # type: ignore[no-untyped-def]
    key = run("keys", "generate", "2027a").stdout.strip()
    assert key.startswith("2027a:") and len(key) > 40
    assert "re-encrypted" in run("keys", "rotate").stdout


def test_mail_send_delivers_the_outbox(run) -> None:  # type: ignore[no-untyped-def]
    assert "message(s) sent" in run("mail", "send").stdout
