from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.agenda.models import AgendaSession
from app.db import Base, UTCDateTime, utcnow
from app.enums import enum_column
from app.events.models import Event
from app.initiatives.models import Initiative, RoadmapPhase


class RecommendationArea(StrEnum):
    ECONOMIC = "economic_cooperation"
    INFRASTRUCTURE = "infrastructure_transport"
    ENERGY = "energy"
    HUMANITARIAN = "humanitarian"
    SECURITY = "security"
    OTHER = "other"


class RecommendationStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Recommendation(Base):
    """A follow-up action of an initiative, from an event (and a session of it) or from the
    initiative as a whole, owned by one side or both, placed on the roadmap."""

    __tablename__ = "recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_session.id", ondelete="SET NULL"), index=True
    )
    phase_id: Mapped[int | None] = mapped_column(ForeignKey("roadmap_phase.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    area: Mapped[RecommendationArea] = mapped_column(enum_column(RecommendationArea))
    # The owning sides, as ISO 3166 alpha-2 country codes ("AM", "AZ").
    owners: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[RecommendationStatus] = mapped_column(
        enum_column(RecommendationStatus), default=RecommendationStatus.PROPOSED, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    initiative: Mapped[Initiative] = relationship(lazy="raise")
    event: Mapped[Event | None] = relationship(lazy="raise")
    session: Mapped[AgendaSession | None] = relationship(lazy="raise")
    phase: Mapped[RoadmapPhase | None] = relationship(lazy="raise")
    updates: Mapped[list["ProgressUpdate"]] = relationship(
        back_populates="recommendation",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="(ProgressUpdate.reported_on.desc(), ProgressUpdate.id.desc())",
    )


class ProgressUpdate(Base):
    """A dated note on a recommendation's progress; `status` is the status it moved it to."""

    __tablename__ = "progress_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id", ondelete="CASCADE"), index=True)
    reported_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[RecommendationStatus | None] = mapped_column(enum_column(RecommendationStatus))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recommendation: Mapped[Recommendation] = relationship(back_populates="updates", lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")
