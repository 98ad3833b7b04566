from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.enums import enum_column
from app.events.models import Event


class DelegationSide(StrEnum):
    HOST = "host"
    VISITING = "visiting"
    OBSERVER = "observer"
    MEDIATOR = "mediator"


class Delegation(Base):
    """One side of an event, with places for its core members and its broader circle."""

    __tablename__ = "delegation"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    side: Mapped[DelegationSide] = mapped_column(enum_column(DelegationSide))
    head_name: Mapped[str] = mapped_column(String(200), default="")
    capacity_core: Mapped[int] = mapped_column(default=0)
    capacity_broader: Mapped[int] = mapped_column(default=0)
    # Bumped by every decision that uses a place, so that concurrent decisions queue up
    # behind one row lock (PostgreSQL) or the write lock (SQLite) instead of over-booking.
    lock_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(lazy="raise")
    coordinators: Mapped[list["DelegationCoordinator"]] = relationship(
        back_populates="delegation", lazy="raise", cascade="all, delete-orphan"
    )


class DelegationCoordinator(Base):
    """A user who coordinates one delegation. The event id is kept for the policy's lookups."""

    __tablename__ = "delegation_coordinator"
    __table_args__ = (UniqueConstraint("delegation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    delegation: Mapped[Delegation] = relationship(back_populates="coordinators", lazy="raise")
    user: Mapped[User] = relationship(back_populates="coordinator_roles", lazy="raise")
