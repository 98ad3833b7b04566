"""Initiatives and their roadmaps: API payloads, page forms and read models."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.events.schemas import DESCRIPTION_MAX, ends_after_start, one_newline_style
from app.forms import Form
from app.initiatives.models import (
    Initiative,
    InitiativeStatus,
    Milestone,
    RoadmapPhase,
    RoadmapStatus,
)

NAME_MAX = Initiative.__table__.c.name.type.length
PHASE_NAME_MAX = RoadmapPhase.__table__.c.name.type.length
MILESTONE_NAME_MAX = Milestone.__table__.c.name.type.length

_API = ConfigDict(extra="forbid", str_strip_whitespace=True)

# --- initiatives ---------------------------------------------------------------------------------


class _InitiativeFields(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)

    _newlines = field_validator("description")(one_newline_style)


class InitiativeCreate(_InitiativeFields):
    model_config = _API


class InitiativeForm(Form, _InitiativeFields):
    pass


class InitiativeUpdate(BaseModel):
    """PATCH: an absent field stays as it is; null is refused."""

    model_config = _API

    name: str = Field(default=None, min_length=1, max_length=NAME_MAX)  # type: ignore[assignment]
    description: str = Field(default=None, max_length=DESCRIPTION_MAX)  # type: ignore[assignment]

    _newlines = field_validator("description")(one_newline_style)


class InitiativeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    status: InitiativeStatus
    created_at: datetime
    updated_at: datetime


# --- roadmap phases ------------------------------------------------------------------------------


class _PhaseFields(BaseModel):
    name: str = Field(min_length=1, max_length=PHASE_NAME_MAX)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    starts_on: date
    ends_on: date
    status: RoadmapStatus = RoadmapStatus.PLANNED

    _check_window = field_validator("ends_on")(ends_after_start)
    _newlines = field_validator("description")(one_newline_style)


class PhaseCreate(_PhaseFields):
    model_config = _API


class PhaseForm(Form, _PhaseFields):
    pass


class PhaseUpdate(BaseModel):
    model_config = _API

    name: str = Field(default=None, min_length=1, max_length=PHASE_NAME_MAX)  # type: ignore[assignment]
    description: str = Field(default=None, max_length=DESCRIPTION_MAX)  # type: ignore[assignment]
    starts_on: date = Field(default=None)  # type: ignore[assignment]
    ends_on: date = Field(default=None)  # type: ignore[assignment]
    status: RoadmapStatus = Field(default=None)  # type: ignore[assignment]

    _check_window = field_validator("ends_on")(ends_after_start)
    _newlines = field_validator("description")(one_newline_style)


# --- milestones ----------------------------------------------------------------------------------


class _MilestoneFields(BaseModel):
    name: str = Field(min_length=1, max_length=MILESTONE_NAME_MAX)
    starts_on: date
    ends_on: date
    status: RoadmapStatus = RoadmapStatus.PLANNED

    _check_window = field_validator("ends_on")(ends_after_start)


class MilestoneCreate(_MilestoneFields):
    model_config = _API


class MilestoneForm(Form, _MilestoneFields):
    pass


class MilestoneUpdate(BaseModel):
    model_config = _API

    name: str = Field(default=None, min_length=1, max_length=MILESTONE_NAME_MAX)  # type: ignore[assignment]
    starts_on: date = Field(default=None)  # type: ignore[assignment]
    ends_on: date = Field(default=None)  # type: ignore[assignment]
    status: RoadmapStatus = Field(default=None)  # type: ignore[assignment]

    _check_window = field_validator("ends_on")(ends_after_start)


class MilestoneRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    phase_id: int
    name: str
    starts_on: date
    ends_on: date
    status: RoadmapStatus


class PhaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    initiative_id: int
    name: str
    description: str
    starts_on: date
    ends_on: date
    status: RoadmapStatus
    milestones: list[MilestoneRead]
