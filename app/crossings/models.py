from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.delegations.models import Delegation
from app.enums import enum_column
from app.events.models import Event
from app.registrations.models import Registration


class ResponsibleSide(StrEnum):
    """Who carries out a procedure: the host side, the visiting side, or both."""

    HOST = "host"
    VISITING = "visiting"
    BOTH = "both"


class CrossingPoint(Base):
    """A border crossing (instance-wide, kept by administrators): its name on each side."""

    __tablename__ = "crossing_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_a: Mapped[str] = mapped_column(String(200))  # e.g. Voskepar
    country_a: Mapped[str] = mapped_column(String(2))  # e.g. AM
    name_b: Mapped[str] = mapped_column(String(200))  # e.g. Ashaghi Askipara
    country_b: Mapped[str] = mapped_column(String(2))  # e.g. AZ
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    status: Mapped[str] = mapped_column(String(200), default="")  # e.g. delimited and demarcated
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    procedures: Mapped[list["ProcedureTemplate"]] = relationship(
        back_populates="crossing_point",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="ProcedureTemplate.position",
    )

    @property
    def label(self) -> str:
        return f"{self.name_a} ({self.country_a}) / {self.name_b} ({self.country_b})"


class ProcedureTemplate(Base):
    """A step a crossing point requires, `lead_days` before the crossing."""

    __tablename__ = "procedure_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    crossing_point_id: Mapped[int] = mapped_column(
        ForeignKey("crossing_point.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    lead_days: Mapped[int] = mapped_column(default=0)
    responsible_side: Mapped[ResponsibleSide] = mapped_column(enum_column(ResponsibleSide))
    position: Mapped[int] = mapped_column(default=0)

    crossing_point: Mapped[CrossingPoint] = relationship(back_populates="procedures", lazy="raise")


class CrossingDirection(StrEnum):
    ARRIVAL = "arrival"
    DEPARTURE = "departure"


class CrossingStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CLEARED = "cleared"
    COMPLETED = "completed"


class Crossing(Base):
    """One movement of a delegation through a crossing point, with its manifest and checklist."""

    __tablename__ = "crossing"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int] = mapped_column(
        ForeignKey("delegation.id", ondelete="CASCADE"), index=True
    )
    crossing_point_id: Mapped[int] = mapped_column(ForeignKey("crossing_point.id"), index=True)
    direction: Mapped[CrossingDirection] = mapped_column(enum_column(CrossingDirection))
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actual_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where and when the delegates gather before the crossing (shown in their itineraries).
    meeting_point: Mapped[str] = mapped_column(String(200), default="")
    meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    host_escort: Mapped[str] = mapped_column(String(200), default="")
    host_contact: Mapped[str] = mapped_column(String(200), default="")
    visiting_escort: Mapped[str] = mapped_column(String(200), default="")
    visiting_contact: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[CrossingStatus] = mapped_column(
        enum_column(CrossingStatus), default=CrossingStatus.DRAFT
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(lazy="raise")
    delegation: Mapped[Delegation] = relationship(lazy="raise")
    crossing_point: Mapped[CrossingPoint] = relationship(lazy="raise")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id], lazy="raise")
    cleared_by: Mapped[User | None] = relationship(foreign_keys=[cleared_by_id], lazy="raise")
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id], lazy="raise")
    vehicles: Mapped[list["Vehicle"]] = relationship(
        back_populates="crossing",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Vehicle.position",
    )
    entries: Mapped[list["ManifestEntry"]] = relationship(
        back_populates="crossing", lazy="raise", cascade="all, delete-orphan"
    )
    steps: Mapped[list["ProcedureStep"]] = relationship(
        back_populates="crossing",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="ProcedureStep.position",
    )


class Vehicle(Base):
    __tablename__ = "vehicle"

    id: Mapped[int] = mapped_column(primary_key=True)
    crossing_id: Mapped[int] = mapped_column(
        ForeignKey("crossing.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(100))  # e.g. Bus 1
    plate: Mapped[str] = mapped_column(String(20))
    driver_name: Mapped[str] = mapped_column(String(200), default="")
    driver_phone: Mapped[str] = mapped_column(String(50), default="")
    seats: Mapped[int]  # for passengers, the driver not counted
    position: Mapped[int] = mapped_column(default=0)

    crossing: Mapped[Crossing] = relationship(back_populates="vehicles", lazy="raise")


class ManifestStatus(StrEnum):
    LISTED = "listed"
    CLEARED = "cleared"
    REFUSED = "refused"
    CROSSED = "crossed"


class ManifestEntry(Base):
    """A registration on a crossing's manifest, with its seat and what became of it.

    On an arrival, `staying_reason` says why someone who crossed in will not cross out with
    the delegation (reconciliation counts them as accounted for)."""

    __tablename__ = "manifest_entry"
    __table_args__ = (UniqueConstraint("crossing_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crossing_id: Mapped[int] = mapped_column(
        ForeignKey("crossing.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    vehicle_id: Mapped[int | None] = mapped_column(
        ForeignKey("vehicle.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ManifestStatus] = mapped_column(
        enum_column(ManifestStatus), default=ManifestStatus.LISTED
    )
    staying_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    crossing: Mapped[Crossing] = relationship(back_populates="entries", lazy="raise")
    registration: Mapped[Registration] = relationship(lazy="raise")
    vehicle: Mapped[Vehicle | None] = relationship(lazy="raise")


class ProcedureStep(Base):
    """A step of a crossing's checklist, copied from its point's template; due `lead_days`
    before the planned time, so that moving the crossing moves the deadlines."""

    __tablename__ = "procedure_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    crossing_id: Mapped[int] = mapped_column(
        ForeignKey("crossing.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    lead_days: Mapped[int] = mapped_column(default=0)
    responsible_side: Mapped[ResponsibleSide] = mapped_column(enum_column(ResponsibleSide))
    position: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    crossing: Mapped[Crossing] = relationship(back_populates="steps", lazy="raise")
    done_by: Mapped[User | None] = relationship(lazy="raise")
