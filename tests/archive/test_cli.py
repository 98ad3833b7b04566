"""`parley event export ID FILE` and `parley event import FILE`: in-process on the test's
database (typer's runner), and once as a user runs them, from one database into another."""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

import app.db as app_db
from app.archive import service
from app.audit.models import AuditEntry
from app.cli import app as cli
from app.events.models import Event
from tests.archive.conftest import DOCUMENT, canonical, rich_event
from tests.conftest import TEST_DATABASE_URL
from tests.factories import EventFactory

PARLEY = str(Path(sys.executable).parent / "parley")


@pytest.fixture
def parley(db, monkeypatch):  # type: ignore[no-untyped-def]
    """Runs a command in this process; its session works inside the test's transaction."""
    factory = sessionmaker(bind=db.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False)
    monkeypatch.setattr(app_db, "session_factory", lambda: factory)
    runner = CliRunner()

    def run(*args: str):  # type: ignore[no-untyped-def]
        result = runner.invoke(cli, list(args))
        db.expire_all()
        return result

    return run


def _events(db) -> int:
    return db.scalar(select(func.count()).select_from(Event))


def test_export_delete_import_gives_the_same_event(parley, db, tmp_path):
    event = rich_event(db)
    before = canonical(db, event.id)
    file = tmp_path / "event.json.gz"

    exported = parley("event", "export", str(event.id), str(file))
    db.execute(delete(Event).where(Event.id == event.id))
    imported = parley("event", "import", str(file))

    assert exported.exit_code == 0, exported.output
    assert f"Event {event.id} “{event.title}” exported to {file}" in exported.output
    assert "1 travel document(s) encrypted under data key t2" in exported.output
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert DOCUMENT not in json.dumps(service.read(file.read_bytes()))
    assert imported.exit_code == 0, imported.output
    new = db.scalar(select(Event).where(Event.title == event.title))
    assert f"Imported as event {new.id} “{event.title}”" in imported.output
    assert "1 travel document(s) re-encrypted" in imported.output
    assert canonical(db, new.id) == before
    actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("event.%port"))))
    assert actions == ["event.export", "event.import"]


def test_import_of_an_event_that_is_here_fails_and_imports_nothing(parley, db, tmp_path):
    event = EventFactory()
    file = tmp_path / "event.json"
    parley("event", "export", str(event.id), str(file))
    before = _events(db)

    result = parley("event", "import", str(file))

    assert result.exit_code == 1
    assert "already" in result.output
    assert _events(db) == before


def test_import_of_a_malformed_archive_fails_with_the_reason(parley, db, tmp_path):
    file = tmp_path / "event.json"
    file.write_text(json.dumps({"format": "parley-event-archive", "version": 1, "schema": "abc"}))

    result = parley("event", "import", str(file))

    assert result.exit_code == 1
    assert "newer Parley" in result.output


def test_export_of_a_missing_event_and_unreadable_files_fail_clearly(parley, db, tmp_path):
    missing = parley("event", "export", "999999", str(tmp_path / "x.json"))
    unreadable = parley("event", "import", str(tmp_path / "none.json"))
    unwritable = parley("event", "export", str(EventFactory().id), str(tmp_path / "no" / "such" / "x.json"))

    assert (missing.exit_code, unreadable.exit_code, unwritable.exit_code) == (1, 1, 1)
    assert "No event has the id 999999." in missing.output
    assert "cannot be read" in unreadable.output
    assert "cannot be written" in unwritable.output
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "event.export")) == 0


def test_the_demo_event_moves_to_a_new_database_as_a_user_does_it(tmp_path):
    """`parley` itself: the demonstration loaded into one SQLite file, its roundtable exported
    and imported into another (a copy of the first, freshly migrated, made before the demo)."""
    source, target = tmp_path / "source.sqlite3", tmp_path / "target.sqlite3"
    file = tmp_path / "roundtable.json.gz"

    def parley_in(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PARLEY_DATABASE_URL": f"sqlite:///{database}"}
        assert env["PARLEY_DATABASE_URL"] != TEST_DATABASE_URL
        return subprocess.run([PARLEY, *args], env=env, capture_output=True, text=True, timeout=300)

    assert parley_in(source, "db", "upgrade").returncode == 0
    shutil.copyfile(source, target)
    assert parley_in(source, "demo", "load").returncode == 0
    exported = parley_in(source, "event", "export", "1", str(file))
    imported = parley_in(target, "event", "import", str(file))

    assert exported.returncode == 0, exported.stderr
    documents = re.search(r"(\d+) travel document\(s\) encrypted", exported.stdout).group(1)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "Imported as event 1 “Peace Bridge bilateral roundtable”" in imported.stdout
    assert "role(s) left out" in imported.stdout  # the demo's staff have no accounts there
    assert f"{documents} travel document(s) re-encrypted" in imported.stdout
