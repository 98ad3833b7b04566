"""Officials: API payloads (OfficialCreate/Update/Read) and the page form."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app import i18n
from app.forms import Form
from app.i18n import _
from app.officials.models import Official

NAME_MAX = Official.__table__.c.name.type.length
TITLE_MAX = Official.__table__.c.title.type.length
INSTITUTION_MAX = Official.__table__.c.institution.type.length
NOTES_MAX = 5_000

_API = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    if not i18n.is_country(value):
        raise ValueError(_("Choose a country from the list."))
    return value


class _OfficialFields(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    name_native: str = Field(default="", max_length=NAME_MAX)
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    institution: str = Field(min_length=1, max_length=INSTITUTION_MAX)
    country: str = Field(min_length=2, max_length=2)
    notes: str = Field(default="", max_length=NOTES_MAX)

    _check_country = field_validator("country")(_country)


class OfficialCreate(_OfficialFields):
    model_config = _API


class OfficialForm(Form, _OfficialFields):
    """The new/edit page's form; it saves through the same service as the API."""


class OfficialUpdate(BaseModel):
    """PATCH: an absent field stays as it is; null is refused."""

    model_config = _API

    name: str = Field(default=None, min_length=1, max_length=NAME_MAX)  # type: ignore[assignment]
    name_native: str = Field(default=None, max_length=NAME_MAX)  # type: ignore[assignment]
    title: str = Field(default=None, min_length=1, max_length=TITLE_MAX)  # type: ignore[assignment]
    institution: str = Field(default=None, min_length=1, max_length=INSTITUTION_MAX)  # type: ignore[assignment]
    country: str = Field(default=None, min_length=2, max_length=2)  # type: ignore[assignment]
    notes: str = Field(default=None, max_length=NOTES_MAX)  # type: ignore[assignment]

    _check_country = field_validator("country")(_country)


class OfficialRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    name: str
    name_native: str
    title: str
    institution: str
    country: str
    notes: str
    created_at: datetime
    updated_at: datetime
