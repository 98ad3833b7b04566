from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.enums import enum_column
from app.initiatives.models import Initiative


class EventKind(StrEnum):
    ROUNDTABLE = "roundtable"
    FORUM = "forum"
    WORKING_GROUP = "working_group"
    TALKS = "talks"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PLANNED = "planned"
    REGISTRATION_OPEN = "registration_open"
    ONGOING = "ongoing"
    CONCLUDED = "concluded"
    ARCHIVED = "archived"


# Public visitors see an event once it is announced and until it is archived.
PUBLIC_STATUSES = frozenset(
    {EventStatus.PLANNED, EventStatus.REGISTRATION_OPEN, EventStatus.ONGOING, EventStatus.CONCLUDED}
)


class StaffRole(StrEnum):
    ORGANISER = "organiser"
    PRESS_OFFICER = "press_officer"


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiative.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind), default=EventKind.ROUNDTABLE)
    description: Mapped[str] = mapped_column(Text, default="")
    host_country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(100))
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[EventStatus] = mapped_column(
        enum_column(EventStatus), default=EventStatus.DRAFT, index=True
    )
    # When `parley data purge` erased the travel documents and other sensitive fields.
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    initiative: Mapped[Initiative | None] = relationship(lazy="raise")
    staff: Mapped[list["EventStaff"]] = relationship(
        back_populates="event", lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


class EventStaff(Base):
    """A user's role at one event: organiser or press officer."""

    __tablename__ = "event_staff"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="staff", lazy="raise")
    user: Mapped[User] = relationship(back_populates="event_roles", lazy="raise")
