"""A column type for StrEnums: stored as their values, as plain strings on every database."""

from enum import StrEnum

from sqlalchemy import Enum


def enum_column(enum: type[StrEnum]) -> Enum:
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=max(len(m.value) for m in enum) + 8,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
