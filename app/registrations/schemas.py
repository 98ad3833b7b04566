"""People and registrations: what may be written, by whom, and what is read back."""

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from app import i18n
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


def _country(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    value = value.strip().upper()
    if not i18n.is_country(value):
        raise ValueError("Choose a country from the list.")
    return value


def _languages(value: object) -> str:
    if value is None:
        return ""
    items = value if isinstance(value, list) else re.split(r"[,\s;]+", str(value))
    codes = [str(item).strip().lower() for item in items if str(item).strip()]
    unknown = [c for c in codes if c not in LANGUAGE_CODES]
    if unknown:
        raise ValueError(f"Unknown language code: {', '.join(unknown)}.")
    return ",".join(dict.fromkeys(codes))


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


class TravelDocumentIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    doc_type: DocumentType
    doc_number: str = Field(min_length=4, max_length=30, pattern=r"^[A-Za-z0-9 \-]+$")
    doc_issuing_country: str
    doc_nationality: str
    doc_expires_on: date

    _countries = field_validator("doc_issuing_country", "doc_nationality")(_country)


class RegistrationCreate(PersonFields, NeedsFields):
    """An organiser or coordinator adds a person to a delegation directly."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    email: EmailStr | None = None
    delegation_id: int = Field(ge=1, le=2**31 - 1)
    circle: Circle = Circle.BROADER
    category: Category = Category.CIVIL_SOCIETY


class RegistrationStaffUpdate(BaseModel):
    """What staff may change besides the person's own fields."""

    model_config = ConfigDict(extra="forbid")

    circle: Circle | None = None
    category: Category | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    reason: str = Field(default="", max_length=500)


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
