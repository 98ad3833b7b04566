from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.agenda.models import AgendaSession
from app.db import Base, UTCDateTime, utcnow


class Outcome(Base):
    """What a session produced, as its rapporteur wrote it down: notes and key points (Markdown).

    Under the Chatham House Rule nothing here is attributed: no speaker's name or organisation
    may appear in it, and no page or export puts one next to it.
    """

    __tablename__ = "outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"), unique=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    key_points: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Shown in the public summary (when the session itself is public).
    is_public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    session: Mapped[AgendaSession] = relationship(lazy="raise")
    updated_by: Mapped[User | None] = relationship(lazy="raise")
