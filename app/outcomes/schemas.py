"""Outcomes: the API payloads (OutcomeIn for PUT, OutcomeRead) and the page form.

Key points are a list of short lines: the API takes a JSON list, the page a textarea with one
key point per line (a leading "-", "*" or "•" is dropped). Blank ones are left out, repeated
ones kept once.
"""

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.agenda.models import SessionKind, SessionStatus
from app.forms import Form
from app.i18n import _

NOTES_MAX = 20_000
KEY_POINT_MAX = 500
KEY_POINTS_MAX = 30

_API = ConfigDict(extra="forbid", str_strip_whitespace=True)
_BULLET = re.compile(r"^\s*(?:[-*•]\s+)")


def _clean_points(value: list[str]) -> list[str]:
    points = [point.strip() for point in value if point.strip()]
    if any("\x00" in point for point in points):
        raise ValueError(_("A key point contains a NUL character: remove it."))
    if any(len(point) > KEY_POINT_MAX for point in points):
        raise ValueError(_("Keep each key point to at most %(n)s characters.") % {"n": KEY_POINT_MAX})
    if len(points) > KEY_POINTS_MAX:
        raise ValueError(_("Give at most %(n)s key points.") % {"n": KEY_POINTS_MAX})
    return list(dict.fromkeys(points))


class _OutcomeFields(BaseModel):
    notes: str = Field(default="", max_length=NOTES_MAX, description="Rapporteur notes (Markdown).")
    key_points: list[str] = Field(default_factory=list, description="Key points, one short line each.")
    is_public: bool = Field(default=True, description="Shown in the public summary (when the session is public).")

    _check_points = field_validator("key_points")(_clean_points)


class OutcomeIn(_OutcomeFields):
    """PUT: the whole outcome; an absent field takes its default."""

    model_config = _API


def _lines(value: object) -> object:
    if isinstance(value, str):
        return [_BULLET.sub("", line) for line in value.splitlines()]
    return value


def _checked(value: object) -> bool:
    return value in (True, "on", "true", "1")


class OutcomeForm(Form, _OutcomeFields):
    """The edit page's form: key points as one per line, "is public" as a checkbox."""

    @model_validator(mode="before")
    @classmethod
    def _from_page(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return {**data, "key_points": _lines(data.get("key_points") or ""), "is_public": _checked(data.get("is_public"))}


class OutcomeRead(BaseModel):
    """An outcome with its session; times are in the event's time zone (`timezone`)."""

    id: int
    session_id: int
    session_title: str
    kind: SessionKind
    status: SessionStatus
    starts_at: datetime
    ends_at: datetime
    timezone: str
    chatham_house: bool
    notes: str
    key_points: list[str]
    is_public: bool
    created_at: datetime
    updated_at: datetime
