"""Events: API payloads (EventCreate/EventUpdate/EventRead), page forms and filters."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app import i18n
from app.events.models import Event, EventKind, EventStatus, StaffRole
from app.forms import Form
from app.i18n import _

MAX_ID = 2**31 - 1
DESCRIPTION_MAX = 20_000
TITLE_MAX = Event.__table__.c.title.type.length
CITY_MAX = Event.__table__.c.city.type.length
VENUE_MAX = Event.__table__.c.venue.type.length
TIMEZONE_MAX = Event.__table__.c.timezone.type.length
EMAIL_MAX = 254

# --- shared validators ---------------------------------------------------------------------------


def ends_after_start(value: date | None, info: ValidationInfo) -> date | None:
    """On `ends_on`: the window may be one day long, never negative."""
    start = info.data.get("starts_on")
    if value is not None and start is not None and value < start:
        raise ValueError(_("The end date cannot be before the start date."))
    return value


def one_newline_style(value: str | None) -> str | None:
    """On descriptions: browsers post CRLF line breaks; store bare newlines, as the API sends."""
    return value.replace("\r\n", "\n") if value is not None else None


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.upper()
    if not i18n.is_country(value):
        raise ValueError(_("Choose a country from the list."))
    return value


def _timezone(value: str | None) -> str | None:
    if value is not None and not i18n.is_timezone(value):
        raise ValueError(_("Choose a time zone from the list."))
    return value


# --- events --------------------------------------------------------------------------------------


class _EventFields(BaseModel):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    kind: EventKind = EventKind.ROUNDTABLE
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    host_country: str = Field(min_length=2, max_length=2)
    city: str = Field(min_length=1, max_length=CITY_MAX)
    venue: str = Field(default="", max_length=VENUE_MAX)
    starts_on: date
    ends_on: date
    timezone: str = Field(min_length=1, max_length=TIMEZONE_MAX)
    initiative_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    _check_country = field_validator("host_country")(_country)
    _check_timezone = field_validator("timezone")(_timezone)
    _check_window = field_validator("ends_on")(ends_after_start)
    _newlines = field_validator("description")(one_newline_style)


class EventCreate(_EventFields):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EventForm(Form, _EventFields):
    """The new/edit page's form; it saves through EventCreate or EventUpdate."""


class EventUpdate(BaseModel):
    """PATCH: an absent field stays as it is; null is refused where the column needs a value."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(default=None, min_length=1, max_length=TITLE_MAX)  # type: ignore[assignment]
    kind: EventKind = Field(default=None)  # type: ignore[assignment]
    description: str = Field(default=None, max_length=DESCRIPTION_MAX)  # type: ignore[assignment]
    host_country: str = Field(default=None, min_length=2, max_length=2)  # type: ignore[assignment]
    city: str = Field(default=None, min_length=1, max_length=CITY_MAX)  # type: ignore[assignment]
    venue: str = Field(default=None, max_length=VENUE_MAX)  # type: ignore[assignment]
    starts_on: date = Field(default=None)  # type: ignore[assignment]
    ends_on: date = Field(default=None)  # type: ignore[assignment]
    timezone: str = Field(default=None, min_length=1, max_length=TIMEZONE_MAX)  # type: ignore[assignment]
    initiative_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    _check_country = field_validator("host_country")(_country)
    _check_timezone = field_validator("timezone")(_timezone)
    _check_window = field_validator("ends_on")(ends_after_start)
    _newlines = field_validator("description")(one_newline_style)


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    initiative_id: int | None
    title: str
    kind: EventKind
    description: str
    host_country: str
    city: str
    venue: str
    starts_on: date
    ends_on: date
    timezone: str
    status: EventStatus
    created_at: datetime
    updated_at: datetime


class EventFilter(Form):
    """The list's filters, from the page's query string or the API's parameters."""

    status: EventStatus | None = None
    initiative_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    q: str | None = Field(default=None, max_length=200)


# --- status --------------------------------------------------------------------------------------


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: EventStatus


class StatusForm(Form):
    status: EventStatus


# --- staff ---------------------------------------------------------------------------------------


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(min_length=1, max_length=EMAIL_MAX)
    role: StaffRole


class StaffForm(Form):
    email: str = Field(min_length=1, max_length=EMAIL_MAX)
    role: StaffRole


class StaffUserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str


class StaffRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    role: StaffRole
    created_at: datetime
    user: StaffUserRead
