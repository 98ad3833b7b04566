from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.enums import enum_column


class InitiativeStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class RoadmapStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DELAYED = "delayed"


class Initiative(Base):
    __tablename__ = "initiative"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[InitiativeStatus] = mapped_column(
        enum_column(InitiativeStatus), default=InitiativeStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    phases: Mapped[list["RoadmapPhase"]] = relationship(
        back_populates="initiative",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="(RoadmapPhase.starts_on, RoadmapPhase.id)",
    )


class RoadmapPhase(Base):
    __tablename__ = "roadmap_phase"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiative.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[RoadmapStatus] = mapped_column(
        enum_column(RoadmapStatus), default=RoadmapStatus.PLANNED
    )

    initiative: Mapped[Initiative] = relationship(back_populates="phases", lazy="raise")
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="phase",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="(Milestone.starts_on, Milestone.id)",
    )


class Milestone(Base):
    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("roadmap_phase.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[RoadmapStatus] = mapped_column(
        enum_column(RoadmapStatus), default=RoadmapStatus.PLANNED
    )

    phase: Mapped[RoadmapPhase] = relationship(back_populates="milestones", lazy="raise")
