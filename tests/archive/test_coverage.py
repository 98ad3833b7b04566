"""No table is forgotten: whatever belongs to an event is in its archive, or left out on purpose."""

from app.archive import service
from app.db import Base


def _tables_of_events() -> set[str]:
    """The tables whose rows belong to an event: with an `event_id` (a foreign key or not), or
    with a reference to such a table (a consent, through its registration)."""
    tables = Base.metadata.tables
    found = {"event"} | {name for name, table in tables.items() if "event_id" in table.c}
    while True:
        more = {
            name
            for name, table in tables.items()
            if name not in found and any(fk.column.table.name in found for fk in table.foreign_keys)
        }
        if not more:
            return found
        found |= more


def test_every_table_that_belongs_to_an_event_is_archived_or_excluded_with_a_reason():
    covered = set(service.OWNED) | set(service.SHARED) | set(service.EXCLUDED)

    forgotten = sorted(_tables_of_events() - covered)

    assert forgotten == [], (
        "tables of an event that the archive neither holds nor excludes: add them to OWNED in "
        "app/archive/service.py (or to EXCLUDED, with the reason)"
    )
    assert all(reason.strip() for reason in service.EXCLUDED.values())


def test_the_lists_name_real_tables_once():
    tables = set(Base.metadata.tables)
    lists = [set(service.OWNED), set(service.SHARED), set(service.EXCLUDED)]

    assert [sorted(names - tables) for names in lists] == [[], [], []]
    assert sum(len(names) for names in lists) == len(set().union(*lists))


def test_every_reference_of_an_archived_table_is_archived_or_an_account():
    """The archive can write every column: a reference to a table it does not hold would fail."""
    for name in service.ARCHIVED:
        kinds = {column.kind for column in service.columns(name)}
        assert kinds <= {"id", "ref", "user", "int", "bool", "str", "enum", "date", "datetime", "decimal", "json"}


def test_every_owned_table_is_found_through_the_event():
    for name in service.ARCHIVED:
        if name in service.OWNED:
            assert service._belongs(Base.metadata.tables[name], 1) is not None
