"""Recommendations: API payloads, read models, the page forms and the list's filters."""

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app import i18n
from app.forms import Form
from app.i18n import _
from app.recommendations.models import Recommendation, RecommendationArea, RecommendationStatus

MAX_ID = 2**31 - 1
TITLE_MAX = Recommendation.__table__.c.title.type.length
DESCRIPTION_MAX = 20_000
UPDATE_TEXT_MAX = 10_000
OWNERS_MAX = 10
SEARCH_MAX = 200

_API = ConfigDict(extra="forbid", str_strip_whitespace=True)

CountryCode = Annotated[str, Field(min_length=2, max_length=2)]
OptionalId = Annotated[int | None, Field(default=None, ge=1, le=MAX_ID)]


def _owners(value: list[str] | None) -> list[str] | None:
    """ISO 3166 alpha-2 codes, upper case, each once, in the order given."""
    if value is None:
        return None
    codes: list[str] = []
    for raw in value:
        code = raw.strip().upper()
        if not i18n.is_country(code):
            raise ValueError(_("“%(code)s” is not a country code (ISO 3166, such as AM or AZ).") % {"code": code})
        if code not in codes:
            codes.append(code)
    return codes


def _newlines(value: str | None) -> str | None:
    """Browsers post CRLF line breaks; store bare newlines, as the API sends."""
    return value.replace("\r\n", "\n") if value is not None else None


# --- the API -------------------------------------------------------------------------------------


class RecommendationCreate(BaseModel):
    """A new recommendation of an initiative: from one of its events (and a session of it), or
    from the initiative as a whole (administrators). A new one is proposed or agreed."""

    model_config = _API

    initiative_id: int = Field(ge=1, le=MAX_ID)
    event_id: OptionalId
    session_id: OptionalId
    phase_id: OptionalId
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    area: RecommendationArea
    owners: list[CountryCode] = Field(default_factory=list, max_length=OWNERS_MAX)
    target_on: date | None = None
    status: RecommendationStatus = RecommendationStatus.PROPOSED

    _check_owners = field_validator("owners")(_owners)
    _check_newlines = field_validator("description")(_newlines)


class RecommendationUpdate(BaseModel):
    """PATCH: an absent field stays as it is. `event_id`, `session_id`, `phase_id` and
    `target_on` may be null (none); the other fields may not."""

    model_config = _API

    event_id: OptionalId
    session_id: OptionalId
    phase_id: OptionalId
    title: str = Field(default=None, min_length=1, max_length=TITLE_MAX)  # type: ignore[assignment]
    description: str = Field(default=None, max_length=DESCRIPTION_MAX)  # type: ignore[assignment]
    area: RecommendationArea = Field(default=None)  # type: ignore[assignment]
    owners: list[CountryCode] = Field(default=None, max_length=OWNERS_MAX)  # type: ignore[assignment]
    target_on: date | None = None
    status: RecommendationStatus = Field(default=None)  # type: ignore[assignment]

    _check_owners = field_validator("owners")(_owners)
    _check_newlines = field_validator("description")(_newlines)


class ProgressUpdateCreate(BaseModel):
    """A dated note on the recommendation's progress (today when no date is given), which may
    move it to a new status."""

    model_config = _API

    reported_on: date | None = None
    text: str = Field(min_length=1, max_length=UPDATE_TEXT_MAX)
    status: RecommendationStatus | None = None

    _check_newlines = field_validator("text")(_newlines)


class ProgressUpdateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    recommendation_id: int
    reported_on: date
    text: str
    status: RecommendationStatus | None
    created_at: datetime


class RecommendationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    initiative_id: int
    event_id: int | None
    session_id: int | None
    phase_id: int | None
    title: str
    description: str
    area: RecommendationArea
    owners: list[str]
    target_on: date | None
    status: RecommendationStatus
    created_at: datetime
    updated_at: datetime


class RecommendationDetail(RecommendationRead):
    """One recommendation with its progress updates, newest first."""

    updates: list[ProgressUpdateRead]


# --- the pages -----------------------------------------------------------------------------------

_CODES = re.compile(r"[\s,;]+")


class RecommendationForm(Form):
    """The new/edit page's form. `owners` are the ticked sides; `owners_other` more codes, typed."""

    event_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    session_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    phase_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    area: RecommendationArea
    owners: list[CountryCode] = Field(default_factory=list, max_length=OWNERS_MAX)
    owners_other: str | None = Field(default=None, max_length=100)
    target_on: date | None = None
    status: RecommendationStatus = RecommendationStatus.PROPOSED

    _check_owners = field_validator("owners")(_owners)
    _check_newlines = field_validator("description")(_newlines)

    @field_validator("owners_other")
    @classmethod
    def _check_other(cls, value: str | None) -> str | None:
        if value:
            _owners([code for code in _CODES.split(value) if code])
        return value

    @model_validator(mode="after")
    def _merge_owners(self) -> "RecommendationForm":
        if self.owners_other:
            typed = [code for code in _CODES.split(self.owners_other) if code]
            self.owners = _owners([*self.owners, *typed]) or []
            if len(self.owners) > OWNERS_MAX:
                raise ValueError("owners_other: " + _("Name at most %(n)s sides.") % {"n": OWNERS_MAX})
        return self

    def fields(self) -> dict[str, Any]:
        """What the service takes (RecommendationCreate's fields but the initiative)."""
        return self.model_dump(exclude={"owners_other"})


class ProgressUpdateForm(Form):
    reported_on: date
    text: str = Field(min_length=1, max_length=UPDATE_TEXT_MAX)
    status: RecommendationStatus | None = None

    _check_newlines = field_validator("text")(_newlines)


class RecommendationFilter(Form):
    """The list's filters, from the page's query string or the API's parameters."""

    area: RecommendationArea | None = None
    status: RecommendationStatus | None = None
    phase_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    event_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    owner: str | None = Field(default=None, min_length=2, max_length=2)
    q: str | None = Field(default=None, max_length=SEARCH_MAX)

    @field_validator("owner")
    @classmethod
    def _check_owner(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.upper()
        if not i18n.is_country(value):
            raise ValueError(_("Choose a country from the list."))
        return value

    @property
    def narrows(self) -> bool:
        return any(getattr(self, name) not in (None, "") for name in type(self).model_fields)

