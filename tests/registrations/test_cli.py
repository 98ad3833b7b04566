"""`parley data purge` and `parley keys rotate`, run as an operator runs them, on a database of
their own (the demo's Tsaghkadzor roundtable ended in February 2026: its retention is over)."""

import base64
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import TEST_DATABASE_URL

PARLEY = str(Path(sys.executable).parent / "parley")
OLD_KEY = "old1:" + base64.urlsafe_b64encode(b"o" * 32).decode()
NEW_KEY = "new2:" + base64.urlsafe_b64encode(b"n" * 32).decode()


@pytest.fixture
def run(tmp_path):  # type: ignore[no-untyped-def]
    env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3", "PARLEY_DATA_KEYS": OLD_KEY}
    assert env["PARLEY_DATABASE_URL"] != TEST_DATABASE_URL

    def parley(*args: str, keys: str | None = None) -> str:
        result = subprocess.run(
            [PARLEY, *args], env={**env, **({"PARLEY_DATA_KEYS": keys} if keys else {})},
            capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    parley("db", "upgrade")
    return parley


@pytest.mark.skipif(date.today() < date(2026, 3, 17), reason="the demo event's retention period is not over yet")
def test_keys_rotate_then_data_purge_twice(run) -> None:  # type: ignore[no-untyped-def]
    run("demo", "load")

    rotated = run("keys", "rotate", keys=f"{NEW_KEY},{OLD_KEY}")
    rotated_again = run("keys", "rotate", keys=f"{NEW_KEY},{OLD_KEY}")
    purged = run("data", "purge", keys=NEW_KEY)
    purged_again = run("data", "purge", keys=NEW_KEY)

    documents = int(re.search(r"(\d+) travel document\(s\) re-encrypted under key new2", rotated).group(1))
    assert documents > 0
    assert "0 travel document(s) re-encrypted" in rotated_again
    erased = re.search(r"Event \d+ “Peace Bridge bilateral roundtable”: erased the personal data of (\d+) registration", purged)
    assert erased is not None and int(erased.group(1)) >= documents
    assert purged_again.strip() == "No event is due for purging."


def test_data_purge_with_nothing_due_says_so(run) -> None:  # type: ignore[no-untyped-def]
    assert run("data", "purge").strip() == "No event is due for purging."
