"""The event archive's envelope (what every archive file starts with) and the import's answer."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

FORMAT = "parley-event-archive"


class EventArchive(BaseModel):
    """One event with everything that belongs to it, as one JSON document.

    `records` maps each table to its rows: every column by name, with the source's ids (the
    import gives every record a new id and follows the references). Dates and times are ISO
    8601 strings (times in UTC with their offset), choices are their values, references to
    accounts are e-mail addresses, travel-document numbers are encrypted for this archive.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    format: Literal["parley-event-archive"] = Field(description="Always `parley-event-archive`.")
    version: int = Field(description="The version of this format (1).")
    schema_revision: str = Field(
        alias="schema", description="The database schema (Alembic revision) of the instance that wrote it."
    )
    archive_id: UUID = Field(description="Names this archive; its encrypted values are bound to it.")
    exported_at: datetime
    key_id: str | None = Field(
        description="The data key its travel-document numbers are encrypted with; the importing "
        "instance must hold it in PARLEY_DATA_KEYS."
    )
    records: dict[str, list[dict[str, Any]]]


class ImportRead(BaseModel):
    """What an import created: the new event, and how many records of each kind."""

    event_id: int
    title: str
    created: dict[str, int] = Field(description="New records by table.")
    reused: dict[str, int] = Field(
        description="Records this instance had already, matched rather than created: people "
        "(by e-mail), initiatives and roadmap phases (by name), crossing points (by their names)."
    )
    skipped_grants: int = Field(
        description="Staff and coordinator roles left out: their accounts' e-mail addresses "
        "match no account here."
    )
    unknown_accounts: int = Field(
        description="Accounts the archive names (authors, approvers, …) that this instance does "
        "not have; the references were left empty."
    )
    documents: int = Field(description="Travel documents re-encrypted under this instance's key.")


ArchiveJson = dict[str, Any]
