from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import i18n
from app.accounts.models import User
from app.db import Base, UTCDateTime, utcnow
from app.delegations.models import Delegation
from app.enums import enum_column
from app.events.models import Event
from app.i18n import N_


class Sector(StrEnum):
    CIVIL_SOCIETY = "civil_society"
    ACADEMIA = "academia"
    MEDIA = "media"
    GOVERNMENT = "government"
    BUSINESS = "business"
    INTERNATIONAL = "international"
    OTHER = "other"


class Circle(StrEnum):
    CORE = "core"
    BROADER = "broader"


class Category(StrEnum):
    CIVIL_SOCIETY = "civil_society"
    EXPERT = "expert"
    MEDIA = "media"
    OFFICIAL = "official"
    STAFF = "staff"


class RegistrationStatus(StrEnum):
    INVITED = "invited"
    REGISTERED = "registered"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


# The reasons Parley itself gives for a change of status: stored in English as they are written
# here, shown in the reader's language (`Registration.status_reason_text`).
REASON_FULL = N_("The circle is full.")
REASON_PLACE_FREED = N_("A place became free.")
SYSTEM_REASONS = frozenset({REASON_FULL, REASON_PLACE_FREED})

# The statuses that hold a place in the delegation's circle.
HOLDS_PLACE = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW})


class DocumentType(StrEnum):
    PASSPORT = "passport"
    ID_CARD = "id_card"
    OTHER = "other"


class Person(Base):
    """One human across events. Names in Latin script and, where they have one, their own."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    given_name_native: Mapped[str] = mapped_column(String(100), default="")
    family_name_native: Mapped[str] = mapped_column(String(100), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[Sector] = mapped_column(enum_column(Sector), default=Sector.CIVIL_SOCIETY)
    phone: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User | None] = relationship(back_populates="person", lazy="raise")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def full_name_native(self) -> str:
        return f"{self.given_name_native} {self.family_name_native}".strip()

    @property
    def display_name(self) -> str:
        """The name in the reader's script: the native spelling for a reader of that script
        (Armenian for hy, Cyrillic for ru), else the Latin one (`i18n.display_name`)."""
        return i18n.display_name(self.full_name, self.full_name_native)

    @property
    def other_name(self) -> str:
        """The spelling `display_name` does not show, for a muted second line ("" if none)."""
        shown = self.display_name
        return next((name for name in (self.full_name_native, self.full_name) if name and name != shown), "")


class Registration(Base):
    """A person at an event, in one delegation. The travel-document number is encrypted."""

    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("event_id", "person_id"),
        Index("ix_registration_delegation_circle_status", "delegation_id", "circle", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int] = mapped_column(ForeignKey("delegation.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    circle: Mapped[Circle] = mapped_column(enum_column(Circle), default=Circle.BROADER)
    category: Mapped[Category] = mapped_column(enum_column(Category), default=Category.CIVIL_SOCIETY)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus), default=RegistrationStatus.REGISTERED
    )
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    dietary_needs: Mapped[str] = mapped_column(String(500), default="")
    accessibility_needs: Mapped[str] = mapped_column(String(500), default="")
    # ISO 639-1 codes, comma-separated ("hy,ru,en").
    languages: Mapped[str] = mapped_column(String(100), default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(200), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(50), default="")

    doc_type: Mapped[DocumentType | None] = mapped_column(enum_column(DocumentType))
    # AES-GCM ciphertext bound to this row (app.crypto); never shown in lists.
    doc_number: Mapped[str | None] = mapped_column(Text)
    # Keyed hash of the normalised number: finds duplicates without decrypting.
    doc_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The last characters, for the masked display ("•••••4567").
    doc_number_hint: Mapped[str | None] = mapped_column(String(4))
    doc_issuing_country: Mapped[str | None] = mapped_column(String(2))
    doc_nationality: Mapped[str | None] = mapped_column(String(2))
    doc_expires_on: Mapped[date | None] = mapped_column(Date)

    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(lazy="raise")
    delegation: Mapped[Delegation] = relationship(lazy="raise")
    person: Mapped[Person] = relationship(lazy="raise")
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="registration", lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def status_reason_text(self) -> str:
        """The reason for the status as the reader reads it: Parley's own reasons translated,
        a person's words as they wrote them."""
        reason = self.status_reason
        return i18n.gettext(reason) if reason in SYSTEM_REASONS else reason

    @property
    def has_document(self) -> bool:
        return self.doc_number is not None

    @property
    def masked_document(self) -> str:
        return f"•••••{self.doc_number_hint}" if self.doc_number_hint else ""


class ConsentKind(StrEnum):
    DATA_PROCESSING = "data_processing"
    PHOTOGRAPHY = "photography"
    CONTACT_SHARING = "contact_sharing"


class Consent(Base):
    """What a delegate agreed to, when, and which version of the text they saw."""

    __tablename__ = "consent"
    __table_args__ = (UniqueConstraint("registration_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(enum_column(ConsentKind))
    text_version: Mapped[str] = mapped_column(String(20))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="consents", lazy="raise")
