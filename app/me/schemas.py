"""The delegate's own pages and API: what they may change of their registration themselves.

Never the circle, category, status or delegation: the forms ignore posted fields of those names
and the API refuses them (422).
"""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.events.models import EventStatus
from app.forms import Form
from app.i18n import _
from app.invitations.schemas import ConsentFields, not_expired
from app.registrations.models import ConsentKind, Sector
from app.registrations.schemas import (
    NeedsFields,
    PersonFields,
    RegistrationDetail,
    TravelDocumentForm,
    TravelDocumentIn,
    _languages,
)

PHONE = r"^[0-9+()\-. ]*$"

# --- pages ---------------------------------------------------------------------------------------


class PersonForm(Form, PersonFields):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class NeedsForm(Form, NeedsFields):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ConsentForm(Form, ConsentFields):
    def kinds(self) -> list[ConsentKind]:
        return [kind for kind in ConsentKind if getattr(self, f"consent_{kind.value}")]


class DocumentForm(TravelDocumentForm):
    """A new or corrected travel document: all of it, valid today."""

    _valid_today = field_validator("doc_expires_on")(not_expired)


class CancelForm(Form):
    reason: str = Field(min_length=1, max_length=500)


# --- API -----------------------------------------------------------------------------------------


class OwnRegistrationUpdate(BaseModel):
    """PATCH: the delegate's own fields and needs; an absent field stays as it is."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    given_name: str = Field(default=None, min_length=1, max_length=100)  # type: ignore[assignment]
    family_name: str = Field(default=None, min_length=1, max_length=100)  # type: ignore[assignment]
    given_name_native: str = Field(default=None, max_length=100)  # type: ignore[assignment]
    family_name_native: str = Field(default=None, max_length=100)  # type: ignore[assignment]
    organisation: str = Field(default=None, max_length=200)  # type: ignore[assignment]
    position: str = Field(default=None, max_length=200)  # type: ignore[assignment]
    sector: Sector = Field(default=None)  # type: ignore[assignment]
    phone: str = Field(default=None, max_length=50, pattern=PHONE)  # type: ignore[assignment]
    dietary_needs: str = Field(default=None, max_length=500)  # type: ignore[assignment]
    accessibility_needs: str = Field(default=None, max_length=500)  # type: ignore[assignment]
    languages: str = Field(default=None, max_length=100)  # type: ignore[assignment]
    emergency_contact_name: str = Field(default=None, max_length=200)  # type: ignore[assignment]
    emergency_contact_phone: str = Field(default=None, max_length=50, pattern=PHONE)  # type: ignore[assignment]

    _languages = field_validator("languages", mode="before")(_languages)

    def person(self, current: PersonFields) -> PersonFields | None:
        given = self.model_dump(exclude_unset=True, include=set(PersonFields.model_fields))
        return PersonFields.model_validate({**current.model_dump(), **given}) if given else None

    def needs(self, current: NeedsFields) -> NeedsFields | None:
        given = self.model_dump(exclude_unset=True, include=set(NeedsFields.model_fields))
        return NeedsFields.model_validate({**current.model_dump(), **given}) if given else None


class OwnConsentsIn(BaseModel):
    """The consents the delegate gives now; those left out are withdrawn."""

    model_config = ConfigDict(extra="forbid")

    kinds: list[ConsentKind] = Field(max_length=len(ConsentKind))

    @field_validator("kinds")
    @classmethod
    def _data_processing(cls, value: list[ConsentKind]) -> list[ConsentKind]:
        if ConsentKind.DATA_PROCESSING not in value:
            raise ValueError(_("The consent to data processing is needed while you are registered."))
        return list(dict.fromkeys(value))


class OwnDocumentIn(TravelDocumentIn):
    _valid_today = field_validator("doc_expires_on")(not_expired)


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500)


class OwnEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    city: str
    host_country: str
    starts_on: date
    ends_on: date
    timezone: str
    status: EventStatus


class OwnDelegationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    country: str


class OwnRegistrationRead(RegistrationDetail):
    """The delegate's registration in full; the document number masked (reveal it explicitly)."""

    event: OwnEventRead
    delegation: OwnDelegationRead
