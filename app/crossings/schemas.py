"""Crossings: API payloads (XIn/XCreate/XUpdate/XRead) and the page forms.

Times: the API takes ISO 8601 moments with an offset and answers in the event's time zone; the
pages take a day and a clock time on the event's clock.
"""

from datetime import date, datetime
from datetime import time as Clock
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from app.crossings.models import (
    Crossing,
    CrossingDirection,
    CrossingStatus,
    ManifestEntry,
    ManifestStatus,
    ResponsibleSide,
    Vehicle,
)
from app.forms import Form
from app.i18n import _
from app.registrations.models import RegistrationStatus

MAX_ID = 2**31 - 1
SHORT_MAX = Crossing.__table__.c.meeting_point.type.length  # escorts, contacts, meeting point
NOTES_MAX = 5_000
LABEL_MAX = Vehicle.__table__.c.label.type.length
PLATE_MAX = Vehicle.__table__.c.plate.type.length
DRIVER_MAX = Vehicle.__table__.c.driver_name.type.length
PHONE_MAX = Vehicle.__table__.c.driver_phone.type.length
REASON_MAX = ManifestEntry.__table__.c.staying_reason.type.length
SEATS_MAX = 200
PHONE = r"^[0-9+()\-. ]*$"

_API = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- crossings: what the service takes ------------------------------------------------------------


class _DetailFields(BaseModel):
    meeting_point: str = Field(default="", max_length=SHORT_MAX)
    host_escort: str = Field(default="", max_length=SHORT_MAX)
    host_contact: str = Field(default="", max_length=SHORT_MAX)
    visiting_escort: str = Field(default="", max_length=SHORT_MAX)
    visiting_contact: str = Field(default="", max_length=SHORT_MAX)
    notes: str = Field(default="", max_length=NOTES_MAX)


class CrossingIn(_DetailFields):
    """A new crossing as the service saves it; times are aware (any offset; stored as UTC)."""

    model_config = _API

    delegation_id: int = Field(ge=1, le=MAX_ID)
    crossing_point_id: int = Field(ge=1, le=MAX_ID)
    direction: CrossingDirection
    planned_at: AwareDatetime
    meeting_at: AwareDatetime | None = None


class CrossingCreate(CrossingIn):
    """A delegation's arrival or departure through an active crossing point. The checklist is
    generated from the point's procedures, each due `lead_days` before `planned_at`."""


class CrossingUpdate(BaseModel):
    """PATCH: an absent field stays as it is. A completed crossing takes `notes` only (409
    otherwise); the point and the direction change only in draft (the checklist follows the
    point)."""

    model_config = _API

    crossing_point_id: int = Field(default=None, ge=1, le=MAX_ID)  # type: ignore[assignment]
    direction: CrossingDirection = Field(default=None)  # type: ignore[assignment]
    planned_at: AwareDatetime = Field(default=None)  # type: ignore[assignment]
    actual_at: AwareDatetime | None = None
    meeting_at: AwareDatetime | None = None
    meeting_point: str = Field(default=None, max_length=SHORT_MAX)  # type: ignore[assignment]
    host_escort: str = Field(default=None, max_length=SHORT_MAX)  # type: ignore[assignment]
    host_contact: str = Field(default=None, max_length=SHORT_MAX)  # type: ignore[assignment]
    visiting_escort: str = Field(default=None, max_length=SHORT_MAX)  # type: ignore[assignment]
    visiting_contact: str = Field(default=None, max_length=SHORT_MAX)  # type: ignore[assignment]
    notes: str = Field(default=None, max_length=NOTES_MAX)  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class CompleteIn(BaseModel):
    """When the crossing happened; now when not given."""

    model_config = _API

    actual_at: AwareDatetime | None = None


# --- vehicles -------------------------------------------------------------------------------------


class _VehicleFields(BaseModel):
    label: str = Field(min_length=1, max_length=LABEL_MAX)
    plate: str = Field(min_length=1, max_length=PLATE_MAX)
    driver_name: str = Field(default="", max_length=DRIVER_MAX)
    driver_phone: str = Field(default="", max_length=PHONE_MAX, pattern=PHONE)
    seats: int = Field(ge=1, le=SEATS_MAX)


class VehicleIn(_VehicleFields):
    """A vehicle; `seats` counts the passengers' seats, the driver's not included."""

    model_config = _API


class VehicleForm(Form, _VehicleFields):
    """The add/edit vehicle forms; saved through VehicleIn."""


class VehicleUpdate(BaseModel):
    model_config = _API

    label: str = Field(default=None, min_length=1, max_length=LABEL_MAX)  # type: ignore[assignment]
    plate: str = Field(default=None, min_length=1, max_length=PLATE_MAX)  # type: ignore[assignment]
    driver_name: str = Field(default=None, max_length=DRIVER_MAX)  # type: ignore[assignment]
    driver_phone: str = Field(default=None, max_length=PHONE_MAX, pattern=PHONE)  # type: ignore[assignment]
    seats: int = Field(default=None, ge=1, le=SEATS_MAX)  # type: ignore[assignment]


class VehicleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    plate: str
    driver_name: str
    driver_phone: str
    seats: int
    position: int


# --- the manifest ---------------------------------------------------------------------------------


class ManifestAdd(BaseModel):
    """One registration of the crossing's delegation, or `all_confirmed: true` for every
    confirmed (or attended) registration of the delegation that is not on the manifest yet."""

    model_config = _API

    registration_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    all_confirmed: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> "ManifestAdd":
        if (self.registration_id is None) == (not self.all_confirmed):
            raise ValueError(_("Give either a registration_id or all_confirmed: true."))
        return self


class EntryUpdate(BaseModel):
    """A person's status on the manifest, their vehicle (null: none) and, on an arrival, why
    they are staying when the delegation leaves."""

    model_config = _API

    status: ManifestStatus = Field(default=None)  # type: ignore[assignment]
    vehicle_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    staying_reason: str = Field(default=None, max_length=REASON_MAX)  # type: ignore[assignment]

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class StepUpdate(BaseModel):
    model_config = _API

    done: bool


class ProblemRead(BaseModel):
    """A check the manifest fails: `blocking` ones refuse the submission."""

    kind: str
    message: str
    blocking: bool
    entry_id: int | None


class EntryRead(BaseModel):
    """A person on the manifest; the travel-document number is masked, never in full."""

    id: int
    registration_id: int
    name: str
    registration_status: RegistrationStatus
    masked_document: str
    doc_expires_on: date | None
    status: ManifestStatus
    vehicle_id: int | None
    staying_reason: str
    problems: list[ProblemRead]


class StepRead(BaseModel):
    """A step of the checklist; `due_at` is `lead_days` before the planned time, in the event's
    time zone, and moves with it."""

    id: int
    title: str
    description: str
    lead_days: int
    responsible_side: ResponsibleSide
    position: int
    due_at: datetime
    overdue: bool
    done_at: datetime | None
    done_by_id: int | None


class CrossingRead(BaseModel):
    """A crossing with its counts; times in the event's time zone (`timezone`)."""

    id: int
    event_id: int
    delegation_id: int
    delegation_name: str
    crossing_point_id: int
    crossing_point: str
    direction: CrossingDirection
    status: CrossingStatus
    planned_at: datetime
    actual_at: datetime | None
    meeting_point: str
    meeting_at: datetime | None
    timezone: str
    host_escort: str
    host_contact: str
    visiting_escort: str
    visiting_contact: str
    notes: str
    submitted_at: datetime | None
    submitted_by_id: int | None
    cleared_at: datetime | None
    cleared_by_id: int | None
    completed_at: datetime | None
    completed_by_id: int | None
    people: int
    seats: int
    counts: dict[ManifestStatus, int]
    blocking_problems: int
    overdue_steps: int


class CrossingDetail(CrossingRead):
    vehicles: list[VehicleRead]
    entries: list[EntryRead]
    steps: list[StepRead]
    problems: list[ProblemRead]


class ReconciliationPerson(BaseModel):
    registration_id: int
    name: str
    staying_reason: str


class ReconciliationRead(BaseModel):
    """Of a delegation: who crossed in on its arrivals, and whether each is on a departure or
    staying; `unaccounted` lists the others."""

    delegation_id: int
    delegation_name: str
    crossed_in: int
    departing: int
    staying: list[ReconciliationPerson]
    unaccounted: list[ReconciliationPerson]
    balanced: bool


# --- the page forms -------------------------------------------------------------------------------


def _moment(day: date | None, clock: Clock | None, zone: ZoneInfo) -> datetime | None:
    return datetime.combine(day, clock, zone) if day is not None and clock is not None else None


class CrossingForm(Form, _DetailFields):
    """The new/edit crossing page: a day and clock times on the event's clock. The delegation is
    chosen on creation only."""

    delegation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    crossing_point_id: int = Field(ge=1, le=MAX_ID)
    direction: CrossingDirection
    day: date
    time: Clock
    meeting_day: date | None = None
    meeting_time: Clock | None = None

    @model_validator(mode="after")
    def _meeting(self) -> "CrossingForm":
        if self.meeting_day is not None and self.meeting_time is None:
            raise ValueError("meeting_time: " + _("Give the time to meet, or leave the day blank."))
        return self

    def planned_at(self, timezone: str) -> datetime:
        return datetime.combine(self.day, self.time, ZoneInfo(timezone))

    def meeting_at(self, timezone: str) -> datetime | None:
        """The meeting time on its day (the crossing's day when none is given)."""
        return _moment(self.meeting_day or self.day, self.meeting_time, ZoneInfo(timezone))

    def to_input(self, timezone: str) -> CrossingIn:
        return CrossingIn(
            delegation_id=self.delegation_id or 0,
            crossing_point_id=self.crossing_point_id,
            direction=self.direction,
            planned_at=self.planned_at(timezone),
            meeting_at=self.meeting_at(timezone),
            **self.model_dump(include=set(_DetailFields.model_fields)),
        )

    def to_changes(self, timezone: str) -> dict[str, Any]:
        return {
            "crossing_point_id": self.crossing_point_id,
            "direction": self.direction,
            "planned_at": self.planned_at(timezone),
            "meeting_at": self.meeting_at(timezone),
            **self.model_dump(include=set(_DetailFields.model_fields)),
        }


class NotesForm(Form):
    """A completed crossing's edit page: its notes only."""

    notes: str = Field(default="", max_length=NOTES_MAX)


class CompleteForm(Form):
    """When the crossing happened (the event's clock); now when left blank."""

    actual_day: date | None = None
    actual_time: Clock | None = None

    @model_validator(mode="after")
    def _both(self) -> "CompleteForm":
        if (self.actual_day is None) != (self.actual_time is None):
            raise ValueError("actual_time: " + _("Give both the day and the time, or neither."))
        return self

    def actual_at(self, timezone: str) -> datetime | None:
        return _moment(self.actual_day, self.actual_time, ZoneInfo(timezone))


class AddPersonForm(Form):
    registration_id: int = Field(ge=1, le=MAX_ID)


class EntryStatusForm(Form):
    status: ManifestStatus


class EntryVehicleForm(Form):
    vehicle_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class StayingForm(Form):
    staying_reason: str = Field(default="", max_length=REASON_MAX)
