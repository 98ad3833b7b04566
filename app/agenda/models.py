import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import i18n
from app.db import Base, UTCDateTime, utcnow
from app.delegations.models import Delegation
from app.enums import enum_column
from app.events.models import Event
from app.officials.models import Official
from app.registrations.models import Registration


class Room(Base):
    """A room of an event's venue; `position` orders the columns of the agenda grid."""

    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(lazy="raise")


class SessionKind(StrEnum):
    PLENARY = "plenary"
    THEMATIC = "thematic_session"
    WORKING_GROUP = "working_group"
    CULTURAL = "cultural_activity"
    OFFICIAL_MEETING = "official_meeting"
    PRESS_CONFERENCE = "press_conference"
    BREAK = "break"


class Audience(StrEnum):
    EVERYONE = "everyone"
    CORE = "core"
    DELEGATION = "delegation"
    INVITED = "invited"


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class SpeakerRole(StrEnum):
    MODERATOR = "moderator"
    SPEAKER = "speaker"
    PANELLIST = "panellist"
    RAPPORTEUR = "rapporteur"
    GUEST = "guest"


class AgendaSession(Base):
    """An item of the agenda: a session, meeting, activity or break, by day and room.

    `uid` stays the same for the life of the session (calendar apps key on it, and it survives
    an event's export and import); `sequence` grows with every change that a calendar shows.
    """

    __tablename__ = "agenda_session"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"), index=True)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience: Mapped[Audience] = mapped_column(enum_column(Audience), default=Audience.EVERYONE)
    # The delegation of an audience of one delegation.
    audience_delegation_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegation.id", ondelete="SET NULL"), index=True
    )
    chatham_house: Mapped[bool] = mapped_column(default=False)
    is_published: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SessionStatus] = mapped_column(enum_column(SessionStatus), default=SessionStatus.SCHEDULED)
    sequence: Mapped[int] = mapped_column(default=0)
    # Internal notes (of an official meeting, say); never on the public programme.
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(lazy="raise")
    room: Mapped[Room | None] = relationship(lazy="raise")
    audience_delegation: Mapped[Delegation | None] = relationship(lazy="raise")
    speakers: Mapped[list["SessionSpeaker"]] = relationship(
        back_populates="session", lazy="raise", cascade="all, delete-orphan", order_by="SessionSpeaker.position"
    )
    invitees: Mapped[list["SessionInvitee"]] = relationship(
        back_populates="session", lazy="raise", cascade="all, delete-orphan"
    )
    # The title and description in other languages (the database deletes them with the session).
    translations: Mapped[list["SessionTranslation"]] = relationship(
        back_populates="session", lazy="raise", cascade="all, delete-orphan", passive_deletes=True,
        order_by="SessionTranslation.language",
    )

    def translation(self, language: str | None = None) -> "SessionTranslation | None":
        """The session's translation into the language (the reader's by default), if it has one
        (`translations` loaded)."""
        code = language or i18n.current_language()
        return next((t for t in self.translations if t.language == code), None)

    @property
    def reader_title(self) -> str:
        """The title in the reader's language, else as it was written."""
        found = self.translation()
        return found.title if found is not None and found.title else self.title

    @property
    def reader_description(self) -> str:
        """The description in the reader's language when the translation has one, else as it
        was written (Markdown)."""
        found = self.translation()
        return found.description if found is not None and found.description else self.description


class SessionTranslation(Base):
    """A session's title and description in one of Parley's languages, shown to readers of that
    language instead of the original (which is shown when there is none)."""

    __tablename__ = "session_translation"
    __table_args__ = (UniqueConstraint("session_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))  # a code of app.i18n.LANGUAGES
    title: Mapped[str] = mapped_column(String(200), default="")  # blank: the original title
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown

    session: Mapped[AgendaSession] = relationship(back_populates="translations", lazy="raise")


class SessionSpeaker(Base):
    """A moderator, speaker or guest of a session: a participant or an official, never both."""

    __tablename__ = "session_speaker"
    __table_args__ = (
        CheckConstraint(
            "(registration_id IS NULL) <> (official_id IS NULL)", name="participant_or_official"
        ),
        # Named: the naming convention would give both the name of their first column.
        UniqueConstraint("session_id", "registration_id", name="session_speaker_registration_key"),
        UniqueConstraint("session_id", "official_id", name="session_speaker_official_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id", ondelete="CASCADE"), index=True)
    role: Mapped[SpeakerRole] = mapped_column(enum_column(SpeakerRole), default=SpeakerRole.SPEAKER)
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[AgendaSession] = relationship(back_populates="speakers", lazy="raise")
    registration: Mapped[Registration | None] = relationship(lazy="raise")
    official: Mapped[Official | None] = relationship(lazy="raise")


class SessionInvitee(Base):
    """A participant on a session's invited list (for an official meeting: who attends)."""

    __tablename__ = "session_invitee"
    __table_args__ = (UniqueConstraint("session_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)

    session: Mapped[AgendaSession] = relationship(back_populates="invitees", lazy="raise")
    registration: Mapped[Registration] = relationship(lazy="raise")
