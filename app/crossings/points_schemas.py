"""Crossing points and their procedure templates: API payloads, page forms and read models."""

from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from app import i18n
from app.crossings.models import CrossingPoint, ProcedureTemplate, ResponsibleSide
from app.events.schemas import one_newline_style
from app.forms import Form
from app.i18n import _

NAME_MAX = CrossingPoint.__table__.c.name_a.type.length
STATUS_MAX = CrossingPoint.__table__.c.status.type.length
HOURS_MAX = CrossingPoint.__table__.c.opening_hours.type.length
TITLE_MAX = ProcedureTemplate.__table__.c.title.type.length
NOTES_MAX = 5_000
DESCRIPTION_MAX = 5_000
LEAD_DAYS_MAX = 365
SEARCH_MAX = 100

_API = ConfigDict(extra="forbid", str_strip_whitespace=True)
_SIX_PLACES = Decimal("0.000001")  # the column's scale: about 11 cm


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    if not i18n.is_country(value):
        raise ValueError(_("Choose a country from the list."))
    return value


def _coordinate(name: str, limit: int) -> Any:
    """A degree value within ±limit, rounded to the column's six decimal places; blank is None."""

    def message() -> str:  # in the language of the request that is validated
        if name == "latitude":
            text = _("Enter a latitude from %(min)s to %(max)s, in decimal degrees (such as %(example)s).")
        else:
            text = _("Enter a longitude from %(min)s to %(max)s, in decimal degrees (such as %(example)s).")
        return text % {"min": -limit, "max": limit, "example": "41.0998"}

    def check(value: object) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValueError(message())
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(message()) from None
        if not number.is_finite() or not -limit <= number <= limit:
            raise ValueError(message())
        return number.quantize(_SIX_PLACES, rounding=ROUND_HALF_EVEN)

    return BeforeValidator(check)


def _lead_days(value: object) -> object:
    message = _("Enter a number of days from 0 to %(max)s.") % {"max": LEAD_DAYS_MAX}
    if isinstance(value, bool):
        raise ValueError(message)
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            raise ValueError(message)
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= LEAD_DAYS_MAX:
        raise ValueError(message)
    return value


Latitude = Annotated[
    Decimal | None, _coordinate("latitude", 90), Field(json_schema_extra={"minimum": -90, "maximum": 90})
]
Longitude = Annotated[
    Decimal | None, _coordinate("longitude", 180), Field(json_schema_extra={"minimum": -180, "maximum": 180})
]
LeadDays = Annotated[int, BeforeValidator(_lead_days), Field(json_schema_extra={"minimum": 0, "maximum": LEAD_DAYS_MAX})]


# --- crossing points -----------------------------------------------------------------------------


class _PointFields(BaseModel):
    name_a: str = Field(min_length=1, max_length=NAME_MAX)
    country_a: str = Field(min_length=2, max_length=2)
    name_b: str = Field(min_length=1, max_length=NAME_MAX)
    country_b: str = Field(min_length=2, max_length=2)
    latitude: Latitude = None
    longitude: Longitude = None
    status: str = Field(default="", max_length=STATUS_MAX)
    opening_hours: str = Field(default="", max_length=HOURS_MAX)
    notes: str = Field(default="", max_length=NOTES_MAX)

    _check_countries = field_validator("country_a", "country_b")(_country)
    _newlines = field_validator("notes")(one_newline_style)


class CrossingPointCreate(_PointFields):
    """A new crossing point (active). The two countries must differ; coordinates come both or
    neither (the service says so per field, also for PATCH)."""

    model_config = _API


class CrossingPointForm(Form, _PointFields):
    """The new/edit page's form; it saves through the same service as the API."""


class CrossingPointUpdate(BaseModel):
    """PATCH: an absent field stays as it is; null is refused, except for the coordinates
    (null clears them). `is_active` deactivates or reactivates the point."""

    model_config = _API

    name_a: str = Field(default=None, min_length=1, max_length=NAME_MAX)  # type: ignore[assignment]
    country_a: str = Field(default=None, min_length=2, max_length=2)  # type: ignore[assignment]
    name_b: str = Field(default=None, min_length=1, max_length=NAME_MAX)  # type: ignore[assignment]
    country_b: str = Field(default=None, min_length=2, max_length=2)  # type: ignore[assignment]
    latitude: Latitude = None
    longitude: Longitude = None
    status: str = Field(default=None, max_length=STATUS_MAX)  # type: ignore[assignment]
    opening_hours: str = Field(default=None, max_length=HOURS_MAX)  # type: ignore[assignment]
    notes: str = Field(default=None, max_length=NOTES_MAX)  # type: ignore[assignment]
    is_active: bool = Field(default=None)  # type: ignore[assignment]

    _check_countries = field_validator("country_a", "country_b")(_country)
    _newlines = field_validator("notes")(one_newline_style)


# --- procedure templates -------------------------------------------------------------------------


class _ProcedureFields(BaseModel):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    lead_days: LeadDays
    responsible_side: ResponsibleSide

    _newlines = field_validator("description")(one_newline_style)


class ProcedureCreate(_ProcedureFields):
    """A new step, added at the end of the point's list."""

    model_config = _API


class ProcedureForm(Form, _ProcedureFields):
    pass


class ProcedureUpdate(BaseModel):
    """PATCH: an absent field stays as it is; null is refused. `position` (1 = first) moves the
    step to that place in the list; a place past the end moves it last."""

    model_config = _API

    title: str = Field(default=None, min_length=1, max_length=TITLE_MAX)  # type: ignore[assignment]
    description: str = Field(default=None, max_length=DESCRIPTION_MAX)  # type: ignore[assignment]
    lead_days: LeadDays = Field(default=None)  # type: ignore[assignment]
    responsible_side: ResponsibleSide = Field(default=None)  # type: ignore[assignment]
    position: int = Field(default=None, ge=1, le=10_000)  # type: ignore[assignment]

    _newlines = field_validator("description")(one_newline_style)


class MoveForm(Form):
    direction: Literal["up", "down"]


class ProcedureRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    crossing_point_id: int
    title: str
    description: str
    lead_days: int
    responsible_side: ResponsibleSide
    position: int


class CrossingPointRead(BaseModel):
    """A crossing point with its procedures in order; coordinates in decimal degrees."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    name_a: str
    country_a: str
    name_b: str
    country_b: str
    latitude: float | None
    longitude: float | None
    status: str
    opening_hours: str
    notes: str
    is_active: bool
    procedures: list[ProcedureRead]
    created_at: datetime
    updated_at: datetime
