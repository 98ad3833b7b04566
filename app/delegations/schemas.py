"""Delegations: API payloads (DelegationCreate/Update/Read), page forms, coordinators, counts."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from app import i18n
from app.delegations.models import Delegation, DelegationSide
from app.forms import Form
from app.i18n import _

NAME_MAX = Delegation.__table__.c.name.type.length
HEAD_MAX = Delegation.__table__.c.head_name.type.length
CAPACITY_MAX = 10_000
EMAIL_MAX = 254

_API = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    if not i18n.is_country(value):
        raise ValueError(_("Choose a country from the list."))
    return value


class _DelegationFields(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    country: str = Field(min_length=2, max_length=2)
    side: DelegationSide
    head_name: str = Field(default="", max_length=HEAD_MAX)
    capacity_core: int = Field(default=0, ge=0, le=CAPACITY_MAX)
    capacity_broader: int = Field(default=0, ge=0, le=CAPACITY_MAX)

    _check_country = field_validator("country")(_country)


class DelegationCreate(_DelegationFields):
    model_config = _API


class DelegationForm(Form, _DelegationFields):
    """The new/edit page's form; it saves through the same service as the API."""


class DelegationUpdate(BaseModel):
    """PATCH: an absent field stays as it is; null is refused."""

    model_config = _API

    name: str = Field(default=None, min_length=1, max_length=NAME_MAX)  # type: ignore[assignment]
    country: str = Field(default=None, min_length=2, max_length=2)  # type: ignore[assignment]
    side: DelegationSide = Field(default=None)  # type: ignore[assignment]
    head_name: str = Field(default=None, max_length=HEAD_MAX)  # type: ignore[assignment]
    capacity_core: int = Field(default=None, ge=0, le=CAPACITY_MAX)  # type: ignore[assignment]
    capacity_broader: int = Field(default=None, ge=0, le=CAPACITY_MAX)  # type: ignore[assignment]

    _check_country = field_validator("country")(_country)


# --- coordinators --------------------------------------------------------------------------------


class CoordinatorCreate(BaseModel):
    model_config = _API

    email: EmailStr = Field(max_length=EMAIL_MAX)


class CoordinatorForm(Form):
    email: EmailStr = Field(max_length=EMAIL_MAX)


class CoordinatorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    full_name: str
    email: str
    created_at: datetime


# --- reading -------------------------------------------------------------------------------------


class CircleCounts(BaseModel):
    capacity: int
    confirmed: int  # places held: confirmed, attended or no-show
    waitlisted: int


class DelegationCounts(BaseModel):
    core: CircleCounts
    broader: CircleCounts
    by_status: dict[str, int]


class DelegationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    name: str
    country: str
    side: DelegationSide
    head_name: str
    capacity_core: int
    capacity_broader: int
    coordinators: list[CoordinatorRead]
    counts: DelegationCounts
    created_at: datetime
    updated_at: datetime
