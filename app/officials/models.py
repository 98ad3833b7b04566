from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import i18n
from app.db import Base, UTCDateTime, utcnow
from app.events.models import Event


class Official(Base):
    """A public office holder whom the participants of an event meet."""

    __tablename__ = "official"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_native: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(lazy="raise")

    @property
    def display_name(self) -> str:
        """The name in the reader's script (the native spelling for a reader of that script)."""
        return i18n.display_name(self.name, self.name_native)

    @property
    def other_name(self) -> str:
        """The spelling `display_name` does not show, for a muted second line ("" if none)."""
        shown = self.display_name
        return next((name for name in (self.name_native, self.name) if name and name != shown), "")
