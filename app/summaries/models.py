from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.events.models import Event


class EventSummary(Base):
    """The organisers' words around an event's post-event summary; the rest of the summary is
    assembled from the record. The public variant is public once `published_at` is set."""

    __tablename__ = "event_summary"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    introduction: Mapped[str] = mapped_column(Text, default="")  # Markdown
    conclusion: Mapped[str] = mapped_column(Text, default="")  # Markdown
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship(lazy="raise")
    updated_by: Mapped[User | None] = relationship(lazy="raise")
