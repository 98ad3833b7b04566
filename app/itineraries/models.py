from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.enums import enum_column
from app.registrations.models import Registration


class ItineraryFeed(Base):
    """A private calendar-subscription address of one registration's itinerary. Only the hash
    of its token is kept; a revoked or renewed feed answers 404 at once."""

    __tablename__ = "itinerary_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship(lazy="raise")


class ChangeKind(StrEnum):
    SESSION_MOVED = "session_moved"  # another time
    SESSION_ROOM = "session_room"  # another room
    SESSION_CANCELLED = "session_cancelled"
    CROSSING_MOVED = "crossing_moved"  # another planned or meeting time


class ItineraryChange(Base):
    """Something in a registration's itinerary that changed: told to the delegate in one e-mail
    with the other changes of a short window (`notified_at`), and marked on their itinerary page
    until they have looked (`seen_at`)."""

    __tablename__ = "itinerary_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind))
    # What changed, by kind: the session's or the crossing's id (no foreign key: a change
    # outlives a deleted session), and the words for it, written when it happened.
    subject_id: Mapped[int]
    summary: Mapped[str] = mapped_column(String(500))
    # What changed as JSON (times, room, the session's titles in each language), so that the
    # words are written in each reader's language when shown; `summary` is the writer's wording.
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship(lazy="raise")
