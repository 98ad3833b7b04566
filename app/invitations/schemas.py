"""Invitations: API payloads, page forms and the self-registration form of the link."""

from datetime import date, datetime
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from app import i18n
from app.db import utcnow
from app.forms import Form
from app.i18n import _
from app.invitations.models import InvitationStatus
from app.registrations.models import Category, Circle, DocumentType, Sector
from app.registrations.schemas import (
    NeedsFields,
    PersonFields,
    _country,
    doc_type_choices,
    language_choices,
)

MAX_ID = 2**31 - 1
EMAIL_MAX = 254
# How many addresses one batch may hold (a pasted list, a file or an API list).
BATCH_MAX = 500
# The pasted list or the uploaded file, in characters / bytes.
BATCH_TEXT_MAX = 200_000
TOKEN_MAX = 200


class InvitationState(StrEnum):
    """What the list shows: `expired` is a pending invitation whose link has run out."""

    PENDING = "pending"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


def state_of(status: InvitationStatus, expires_at: datetime, now: datetime | None = None) -> InvitationState:
    if status == InvitationStatus.PENDING and expires_at <= (now or utcnow()):
        return InvitationState.EXPIRED
    return InvitationState(status.value)


def email_address(value: str) -> str:
    """A syntactically valid address, normalised as accounts are (lower case)."""
    value = value.strip()
    if len(value) > EMAIL_MAX:
        message = i18n.ngettext("Use at most %(n)s character.", "Use at most %(n)s characters.", EMAIL_MAX)
        raise ValueError(message % {"n": EMAIL_MAX})
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(_("Enter a valid e-mail address.")) from exc
    return checked.normalized.lower()


def _email_or_none(value: str | None) -> str | None:
    return None if value is None else email_address(value)


# --- API -----------------------------------------------------------------------------------------


class InvitationCreate(BaseModel):
    """Invite one address into a delegation of the event."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(min_length=3, max_length=EMAIL_MAX)
    delegation_id: int = Field(ge=1, le=MAX_ID)
    circle: Circle = Circle.BROADER
    category: Category = Category.CIVIL_SOCIETY

    _email = field_validator("email")(email_address)


class InvitationUpdate(BaseModel):
    """Change a pending invitation; the link stays the same. Changing the address is how an
    organiser consents to a forwarded link: the link then works for the new address only."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str | None = Field(default=None, min_length=3, max_length=EMAIL_MAX)
    circle: Circle | None = None
    category: Category | None = None

    _email = field_validator("email")(_email_or_none)


class InvitationRead(BaseModel):
    """An invitation as staff see it. The link itself is only ever sent by e-mail."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    delegation_id: int
    email: str
    circle: Circle
    category: Category
    status: InvitationStatus
    expires_at: datetime
    sent_at: datetime | None
    send_count: int
    accepted_at: datetime | None
    registration_id: int | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def state(self) -> InvitationState:
        """`status`, with `expired` for a pending invitation whose link has run out."""
        return state_of(self.status, self.expires_at)


class SkippedRead(BaseModel):
    """An address of a batch that was not invited again, and why."""

    index: int
    email: str
    reason: str


class InvitationBatchRead(BaseModel):
    created: list[InvitationRead]
    skipped: list[SkippedRead]


# --- pages ---------------------------------------------------------------------------------------


class InvitationForm(Form):
    email: str = Field(min_length=1, max_length=EMAIL_MAX)
    delegation_id: int = Field(ge=1, le=MAX_ID)
    circle: Circle = Circle.BROADER
    category: Category = Category.CIVIL_SOCIETY

    _email = field_validator("email")(email_address)


class InvitationEditForm(Form):
    email: str = Field(min_length=1, max_length=EMAIL_MAX)
    circle: Circle
    category: Category

    _email = field_validator("email")(email_address)


class BatchForm(Form):
    """Many addresses at once: pasted (one a line) or a file; circle and category are the
    defaults for lines that do not name their own."""

    delegation_id: int = Field(ge=1, le=MAX_ID)
    circle: Circle = Circle.BROADER
    category: Category = Category.CIVIL_SOCIETY
    emails: str | None = Field(default=None, max_length=BATCH_TEXT_MAX)


class InvitationFilter(Form):
    state: InvitationState | None = None
    delegation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    q: str | None = Field(default=None, max_length=200)


# --- the link: an account, then the registration ------------------------------------------------


class AccountForm(Form):
    """A new account for the invited address (the address itself is the invitation's)."""

    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    password_confirm: str = Field(min_length=1, max_length=1000)


DOCUMENT_FIELDS = ("doc_type", "doc_number", "doc_issuing_country", "doc_nationality", "doc_expires_on")


def not_expired(value: date | None) -> date | None:
    """A document the delegate gives now must still be valid (and its date plausible)."""
    if value is not None and value < utcnow().date():
        raise ValueError(_("This document has expired. Give a valid one."))
    if value is not None and value > date(2100, 12, 31):
        raise ValueError(_("Enter the expiry date printed in the document."))
    return value


class DocumentFields(BaseModel):
    """A travel document as a form gives it: all of it or none of it (see `travel_document`)."""

    doc_type: DocumentType | None = None
    doc_number: str | None = Field(default=None, min_length=4, max_length=30, pattern=r"^[A-Za-z0-9 \-]+$")
    doc_issuing_country: str | None = Field(default=None, max_length=2)
    doc_nationality: str | None = Field(default=None, max_length=2)
    doc_expires_on: date | None = None

    _countries = field_validator("doc_issuing_country", "doc_nationality")(_country)
    _expiry = field_validator("doc_expires_on")(not_expired)

    def document_given(self) -> bool:
        return any(getattr(self, name) is not None for name in DOCUMENT_FIELDS)

    def document_missing(self) -> dict[str, list[str]]:
        """When some of the document is given, the fields still missing."""
        if not self.document_given():
            return {}
        return {
            name: [_("Give this too, or leave the whole travel document blank.")]
            for name in DOCUMENT_FIELDS
            if getattr(self, name) is None
        }


class ConsentFields(BaseModel):
    consent_data_processing: bool = Field(default=False, validate_default=True)
    consent_photography: bool = False
    consent_contact_sharing: bool = False

    @field_validator("consent_data_processing")
    @classmethod
    def _required(cls, value: bool) -> bool:
        if not value:
            raise ValueError(_("Agree to the processing of your data: without it we cannot register you."))
        return value


class RegistrationFields(PersonFields, NeedsFields, ConsentFields, DocumentFields):
    """What a delegate gives when registering from the link, on the page or through the API."""


class RegistrationForm(Form, RegistrationFields):
    """What a delegate fills in from the link. Circle, category, delegation and status come from
    the invitation: posted fields of those names are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class RegistrationIn(RegistrationFields):
    """Registering from an invitation through the API: the page's fields as JSON (`languages` a
    list of codes, the consents as booleans, the travel document all or nothing). Circle,
    category, delegation and status come from the invitation: other fields are refused (422)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def registration_choices() -> dict[str, list[tuple[str, str]]]:
    """The options of the registration form's lists (also used by the delegate's own pages)."""
    return {
        "sectors": i18n.choices(Sector),
        "circles": i18n.choices(Circle),
        "categories": i18n.choices(Category),
        "doc_types": doc_type_choices(),
        "countries": i18n.countries(i18n.current_language()),
        "languages": language_choices(i18n.current_language()),
    }
