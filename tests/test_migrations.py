"""The migrations build exactly the models' schema, and undo it, on SQLite and PostgreSQL."""

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.db import Base, make_engine
from tests.conftest import BACKEND, alembic_config, own_postgres_database


@pytest.fixture
def empty_engine(tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    if BACKEND != "postgres":
        engine = make_engine(f"sqlite:///{tmp_path}/migrations.sqlite3")
        yield engine
        engine.dispose()
        return
    with own_postgres_database("migrations") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_upgrade_to_head_matches_the_models(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_downgrade_to_base_removes_every_table(empty_engine: Engine) -> None:
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}


def test_migrations_run_again_after_a_downgrade(empty_engine: Engine) -> None:
    for target in ("head", "base", "head"):
        with empty_engine.begin() as conn:
            (command.upgrade if target == "head" else command.downgrade)(alembic_config(conn), target)
    assert "event" in inspect(empty_engine).get_table_names()


def test_constraint_and_index_names_are_unique_across_the_schema() -> None:
    """PostgreSQL keeps index and constraint names in one namespace per schema; SQLite does not
    notice two the same, so this catches them before PostgreSQL does."""
    import app.models  # noqa: F401

    names = [
        str(item.name)
        for table in Base.metadata.sorted_tables
        for item in [*table.constraints, *table.indexes]
        if item.name is not None
    ]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
