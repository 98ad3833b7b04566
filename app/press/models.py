from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.agenda.models import AgendaSession
from app.db import Base, UTCDateTime, utcnow
from app.delegations.models import Delegation
from app.enums import enum_column
from app.events.models import Event


class PressKind(StrEnum):
    RELEASE = "press_release"
    JOINT_STATEMENT = "joint_statement"


class PressStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class PressItem(Base):
    """A press release or a joint statement of an event, with its text in versions.

    `revision` grows with every edit, in any language; coordinators approve one revision, and an
    edit withdraws every approval. A joint statement is published only when each delegation of
    the event has approved the current revision.
    """

    __tablename__ = "press_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PressKind] = mapped_column(enum_column(PressKind))
    status: Mapped[PressStatus] = mapped_column(enum_column(PressStatus), default=PressStatus.DRAFT)
    revision: Mapped[int] = mapped_column(default=1)
    # The session it belongs to: the press conference, say.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_session.id", ondelete="SET NULL"), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(lazy="raise")
    session: Mapped[AgendaSession | None] = relationship(lazy="raise")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id], lazy="raise")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="raise")
    versions: Mapped[list["PressVersion"]] = relationship(
        back_populates="item",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="(PressVersion.language, PressVersion.number)",
    )
    approvals: Mapped[list["PressApproval"]] = relationship(
        back_populates="item", lazy="raise", cascade="all, delete-orphan", order_by="PressApproval.id"
    )


class PressVersion(Base):
    """One text of a press item in one language; `number` counts the versions of that language
    (1, 2, …) and `revision` is the item's revision it was written at."""

    __tablename__ = "press_version"
    __table_args__ = (UniqueConstraint("item_id", "language", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("press_item.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    number: Mapped[int]
    revision: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # Markdown
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[PressItem] = relationship(back_populates="versions", lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")


class PressApproval(Base):
    """A delegation's approval of one revision of a joint statement; kept, with `withdrawn_at`
    set, when a later edit withdraws it."""

    __tablename__ = "press_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("press_item.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[PressItem] = relationship(back_populates="approvals", lazy="raise")
    delegation: Mapped[Delegation] = relationship(lazy="raise")
    approved_by: Mapped[User | None] = relationship(lazy="raise")


class MediaCoverage(Base):
    """An article, broadcast or post about an event, logged by its press officers."""

    __tablename__ = "media_coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    outlet: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(300))
    published_on: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(8))
    country: Mapped[str] = mapped_column(String(2))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(lazy="raise")
