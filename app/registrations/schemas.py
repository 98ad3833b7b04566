"""People and registrations: what may be written, by whom, and what is read back."""

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from app import i18n
from app.forms import Form
from app.i18n import N_, _
from app.registrations.models import (
    Category,
    Circle,
    ConsentKind,
    DocumentType,
    RegistrationStatus,
    Sector,
)

# The consent texts a delegate agrees to; the version is stored with each consent.
CONSENT_TEXT_VERSION = "2026-02"
LANGUAGE_CODES = frozenset({"hy", "az", "ru", "en", "tr", "ka", "fr", "de", "fa", "ar", "uk", "es"})
MAX_ID = 2**31 - 1
EMAIL_MAX = 254
SORT_KEYS = ("name", "organisation", "status", "registered")
Sort = Literal["name", "organisation", "status", "registered"]


def _country(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    value = value.strip().upper()
    if not i18n.is_country(value):
        raise ValueError(_("Choose a country from the list."))
    return value


def _languages(value: object) -> str:
    if value is None:
        return ""
    items = value if isinstance(value, list) else re.split(r"[,\s;]+", str(value))
    codes = [str(item).strip().lower() for item in items if str(item).strip()]
    unknown = [c for c in codes if c not in LANGUAGE_CODES]
    if unknown:
        raise ValueError(_("Unknown language code: %(codes)s.") % {"codes": ", ".join(unknown)})
    return ",".join(dict.fromkeys(codes))


def _form_languages(value: object) -> str:
    """As `_languages`, with a message that a page shows whole (no "label: value")."""
    try:
        return _languages(value)
    except ValueError:
        items = value if isinstance(value, list) else re.split(r"[,\s;]+", str(value))
        unknown = [str(i).strip().lower() for i in items if str(i).strip() and str(i).strip().lower() not in LANGUAGE_CODES]
        raise ValueError(_("Unknown language code “%(codes)s”.") % {"codes": ", ".join(unknown)}) from None


def _chosen(value: object) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("Choose a delegation."))
    return value


class PersonFields(BaseModel):
    """What a person says about themselves (names in Latin script, and in their own)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    given_name_native: str = Field(default="", max_length=100)
    family_name_native: str = Field(default="", max_length=100)
    organisation: str = Field(default="", max_length=200)
    position: str = Field(default="", max_length=200)
    sector: Sector = Sector.CIVIL_SOCIETY
    phone: str = Field(default="", max_length=50, pattern=r"^[0-9+()\-. ]*$")


class NeedsFields(BaseModel):
    """What the delegate may change of their registration (never circle, status or delegation)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    dietary_needs: str = Field(default="", max_length=500)
    accessibility_needs: str = Field(default="", max_length=500)
    languages: str = Field(default="", max_length=100)
    emergency_contact_name: str = Field(default="", max_length=200)
    emergency_contact_phone: str = Field(default="", max_length=50, pattern=r"^[0-9+()\-. ]*$")

    _languages = field_validator("languages", mode="before")(_languages)


def _required_country(value: str) -> str:
    country = _country(value)
    if country is None:
        raise ValueError(_("Choose a country from the list."))
    return country


def _plausible_expiry(value: date) -> date:
    if not date(1990, 1, 1) <= value <= date(2100, 12, 31):
        raise ValueError(_("Enter the expiry date printed in the document."))
    return value


class _DocumentFields(BaseModel):
    doc_type: DocumentType
    doc_number: str = Field(min_length=4, max_length=30, pattern=r"^[A-Za-z0-9 \-]+$")
    doc_issuing_country: str = Field(max_length=2)
    doc_nationality: str = Field(max_length=2)
    doc_expires_on: date

    _countries = field_validator("doc_issuing_country", "doc_nationality")(_required_country)
    _expiry = field_validator("doc_expires_on")(_plausible_expiry)


class TravelDocumentIn(_DocumentFields):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class TravelDocumentForm(Form, _DocumentFields):
    """The travel-document page's form; saved through TravelDocumentIn."""


def _email(value: object) -> object:
    """Before and after EmailStr: what is typed, and what it normalises to, fit the column."""
    if isinstance(value, str) and len(value) > EMAIL_MAX:
        message = i18n.ngettext("Use at most %(n)s character.", "Use at most %(n)s characters.", EMAIL_MAX)
        raise ValueError(message % {"n": EMAIL_MAX})
    return value


class RegistrationCreate(PersonFields, NeedsFields):
    """An organiser or coordinator adds a person to a delegation directly."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    email: EmailStr | None = None
    delegation_id: int = Field(ge=1, le=MAX_ID)
    circle: Circle = Circle.BROADER
    category: Category = Category.CIVIL_SOCIETY

    _email_length = field_validator("email", mode="before")(_email)
    _email_normalised = field_validator("email")(_email)


class ParticipantForm(Form, PersonFields, NeedsFields):
    """The staff's "add a participant" page; saved through RegistrationCreate."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    email: EmailStr | None = None
    delegation_id: int = Field(ge=1, le=MAX_ID)
    circle: Circle = Circle.BROADER
    category: Category = Category.CIVIL_SOCIETY

    _email_length = field_validator("email", mode="before")(_email)
    _email_normalised = field_validator("email")(_email)
    _delegation = field_validator("delegation_id", mode="before")(_chosen)
    _languages = field_validator("languages", mode="before")(_form_languages)


class ProfileForm(Form, PersonFields, NeedsFields):
    """The staff's edit page: the person's fields, their e-mail address and the registration's
    needs, nothing else (posted circle, status or delegation are ignored)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    email: EmailStr | None = None

    _email_length = field_validator("email", mode="before")(_email)
    _email_normalised = field_validator("email")(_email)

    _languages = field_validator("languages", mode="before")(_form_languages)


class PlacementForm(Form):
    circle: Circle
    category: Category


class DecisionForm(Form):
    reason: str = Field(default="", max_length=500)


class CheckInForm(Form):
    attended: Literal["yes", "no"]
    q: str = Field(default="", max_length=200)


class ParticipantFilterForm(Form):
    """The participant list's filters and order, from the page's query string."""

    delegation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    circle: Circle | None = None
    category: Category | None = None
    status: RegistrationStatus | None = None
    q: str | None = Field(default=None, max_length=200)
    sort: Sort = "name"


class RegistrationUpdate(BaseModel):
    """PATCH: the person's fields, the needs and the placement; an absent field stays as it is.

    Each group is checked on its own: a delegate may change their own fields and needs, never
    the circle, category or e-mail address (403); status and delegation are not fields of this
    payload (422). The e-mail address of a person with an account is the one they sign in with:
    a change is refused (422 on `email`)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    given_name: str = Field(default=None, min_length=1, max_length=100)  # type: ignore[assignment]
    family_name: str = Field(default=None, min_length=1, max_length=100)  # type: ignore[assignment]
    given_name_native: str = Field(default=None, max_length=100)  # type: ignore[assignment]
    family_name_native: str = Field(default=None, max_length=100)  # type: ignore[assignment]
    organisation: str = Field(default=None, max_length=200)  # type: ignore[assignment]
    position: str = Field(default=None, max_length=200)  # type: ignore[assignment]
    sector: Sector = Field(default=None)  # type: ignore[assignment]
    phone: str = Field(default=None, max_length=50, pattern=r"^[0-9+()\-. ]*$")  # type: ignore[assignment]
    dietary_needs: str = Field(default=None, max_length=500)  # type: ignore[assignment]
    accessibility_needs: str = Field(default=None, max_length=500)  # type: ignore[assignment]
    languages: str = Field(default=None, max_length=100)  # type: ignore[assignment]
    emergency_contact_name: str = Field(default=None, max_length=200)  # type: ignore[assignment]
    emergency_contact_phone: str = Field(default=None, max_length=50, pattern=r"^[0-9+()\-. ]*$")  # type: ignore[assignment]
    circle: Circle = Field(default=None)  # type: ignore[assignment]
    category: Category = Field(default=None)  # type: ignore[assignment]
    # Staff only; null removes the address. A person with an account keeps the one they sign in with.
    email: EmailStr | None = None

    _languages = field_validator("languages", mode="before")(_languages)
    _email_length = field_validator("email", mode="before")(_email)
    _email_normalised = field_validator("email")(_email)


class RegistrationStaffUpdate(BaseModel):
    """What staff may change besides the person's own fields."""

    model_config = ConfigDict(extra="forbid")

    circle: Circle | None = None
    category: Category | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    reason: str = Field(default="", max_length=500)


class CheckInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attended: bool = True


class DocumentRevealed(BaseModel):
    """The full travel-document number: answered once, and written to the audit log."""

    registration_id: int
    doc_type: DocumentType | None
    doc_number: str


class PurgeResult(BaseModel):
    event_id: int
    registrations: int


class ConsentIn(BaseModel):
    kinds: list[ConsentKind] = Field(default_factory=list)


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: ConsentKind
    text_version: str
    agreed_at: datetime


class PersonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str | None
    given_name: str
    family_name: str
    given_name_native: str
    family_name_native: str
    organisation: str
    position: str
    sector: Sector


class RegistrationRead(BaseModel):
    """A registration as its viewers see it: the document number masked, never in full."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    delegation_id: int
    person: PersonRead
    circle: Circle
    category: Category
    status: RegistrationStatus
    status_reason: str
    dietary_needs: str
    accessibility_needs: str
    languages: str
    doc_type: DocumentType | None
    masked_document: str
    doc_issuing_country: str | None
    doc_nationality: str | None
    doc_expires_on: date | None
    confirmed_at: datetime | None
    checked_in_at: datetime | None
    created_at: datetime


class PersonDetail(PersonRead):
    phone: str


class RegistrationDetail(RegistrationRead):
    """One registration in full, for those who may see it: still the masked number only."""

    person: PersonDetail
    emergency_contact_name: str
    emergency_contact_phone: str
    consents: list[ConsentRead]
    purged_at: datetime | None


class PersonHistoryItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    registration_id: int
    event_id: int
    event_title: str
    starts_on: date
    delegation_name: str
    circle: Circle
    category: Category
    status: RegistrationStatus


class PersonHistory(BaseModel):
    person: PersonRead
    registrations: list[PersonHistoryItem]


# How pages, exports and imports name the kinds of travel document.
DOC_TYPE_LABELS = {"passport": N_("Passport"), "id_card": N_("Identity card"), "other": N_("Other")}


def doc_type_label(value: DocumentType | str) -> str:
    """A kind of travel document in the reader's language (its own words, not its enum label)."""
    return _(DOC_TYPE_LABELS[value])


def doc_type_choices() -> list[tuple[str, str]]:
    """(value, words in the reader's language) of each kind of travel document, for a select."""
    return [(value, _(label)) for value, label in DOC_TYPE_LABELS.items()]


def language_choices(language: str = "en") -> list[tuple[str, str]]:
    """The languages a participant may speak, named in `language` and sorted in its collation."""
    return sorted(
        ((c, i18n.language_name(c, language)) for c in LANGUAGE_CODES),
        key=lambda item: i18n.collation_key(item[1], language),
    )
