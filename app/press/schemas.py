"""Press: API payloads (PressCreate/Update/Read, approvals, coverage) and the page forms.

Languages are a fixed list: English and each side's language (Armenian, Azerbaijani), and
Russian, which both sides read. Media coverage may be in any of a wider list.
"""

from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app import i18n
from app.forms import Form
from app.i18n import N_, _
from app.press.models import MediaCoverage, PressKind, PressStatus, PressVersion
from app.registrations.schemas import LANGUAGE_CODES

MAX_ID = 2**31 - 1
TITLE_MAX = PressVersion.__table__.c.title.type.length
BODY_MAX = 50_000
OUTLET_MAX = MediaCoverage.__table__.c.outlet.type.length
URL_MAX = MediaCoverage.__table__.c.url.type.length
COVERAGE_TITLE_MAX = MediaCoverage.__table__.c.title.type.length
# Coverage is logged once it has appeared; a date further ahead than this is a typing error.
DAYS_AHEAD_MAX = 31
EARLIEST = date(1990, 1, 1)

_API = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Language(StrEnum):
    """The languages of a press item's versions, English first."""

    EN = "en"
    HY = "hy"
    AZ = "az"
    RU = "ru"


# Each with its name in the reader's language and in itself (translated where shown: `_()`).
LANGUAGES: dict[str, str] = {
    Language.EN.value: N_("English"),
    Language.HY.value: N_("Armenian (Հայերեն)"),
    Language.AZ.value: N_("Azerbaijani (Azərbaycan dili)"),
    Language.RU.value: N_("Russian (Русский)"),
}
LANGUAGE_ORDER = {code: n for n, code in enumerate(LANGUAGES)}


def coverage_languages() -> dict[str, str]:
    """The languages media coverage may be in, named in the reader's language: the press
    languages first, then the others that participants speak, by name."""
    return _coverage_languages(i18n.current_language())


@lru_cache
def _coverage_languages(language: str) -> dict[str, str]:
    with i18n.use_language(language):
        press = {code: _(name) for code, name in LANGUAGES.items()}
    others = [(code, i18n.language_name(code, language)) for code in LANGUAGE_CODES if code not in LANGUAGES]
    others.sort(key=lambda item: i18n.collation_key(item[1], language))
    return {**press, **dict(others)}


def language_name(code: str) -> str:
    return coverage_languages().get(code, code)


def _coverage_language(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if value not in LANGUAGES and value not in LANGUAGE_CODES:
        raise ValueError(_("Choose a language from the list."))
    return value


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    if not i18n.is_country(value):
        raise ValueError(_("Choose a country from the list."))
    return value


def _url(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError(_("Enter a web address starting with http:// or https://.")) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError(_("Enter a web address starting with http:// or https://."))
    return value


def _published_on(value: date | None) -> date | None:
    if value is None:
        return None
    if value < EARLIEST:
        raise ValueError(_("Enter a date from %(year)s on.") % {"year": EARLIEST.year})
    if value > date.today() + timedelta(days=DAYS_AHEAD_MAX):
        raise ValueError(_("This date is too far in the future: enter the day it appeared."))
    return value


# --- press items ----------------------------------------------------------------------------------


class _TextFields(BaseModel):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    body: str = Field(min_length=1, max_length=BODY_MAX, description="Markdown.")


class PressCreate(_TextFields):
    """A press release or a joint statement, with its first version in one language."""

    model_config = _API

    kind: PressKind
    language: Language = Language.EN
    session_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="A session of the event, e.g. the press conference.")


class PressUpdate(BaseModel):
    """A new version in `language`: a title or a body that differs from that language's latest
    version makes one (the item's revision grows and every approval is withdrawn); the one not
    given stays as it is. `session_id` (null: none) changes the session only. A published item
    is refused (409): withdraw it first."""

    model_config = _API

    language: Language = Language.EN
    title: str = Field(default=None, min_length=1, max_length=TITLE_MAX)  # type: ignore[assignment]
    body: str = Field(default=None, min_length=1, max_length=BODY_MAX)  # type: ignore[assignment]
    session_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ApprovalCreate(BaseModel):
    """A coordinator's approval of `revision`, the one they read, for their own delegation
    (`delegation_id` is needed only by one who may approve for several)."""

    model_config = _API

    revision: int = Field(ge=1, le=MAX_ID)
    delegation_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class PressForm(Form, _TextFields):
    """The new-item page's form."""

    kind: PressKind
    language: Language
    session_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class PressEditForm(Form, _TextFields):
    """The edit page's form: one language's text, and the session."""

    language: Language
    session_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class ApprovalForm(Form):
    revision: int = Field(ge=1, le=MAX_ID)
    delegation_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class PressFilterForm(Form):
    """The board's filters."""

    status: PressStatus | None = None
    kind: PressKind | None = None


class TextRead(BaseModel):
    """The latest version of one language."""

    model_config = ConfigDict(from_attributes=True)

    language: str
    number: int
    revision: int
    title: str
    body: str
    created_at: datetime


class PressVersionRead(TextRead):
    id: int
    author_id: int | None


class PressApprovalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    delegation_id: int
    revision: int
    approved_at: datetime
    withdrawn_at: datetime | None


class PressItemRead(BaseModel):
    """An item with the latest version of each language and the approvals of its current
    revision (a joint statement is published once every delegation of the event approved it)."""

    id: int
    event_id: int
    kind: PressKind
    status: PressStatus
    revision: int
    session_id: int | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    texts: list[TextRead]
    approvals: list[PressApprovalRead]


# --- media coverage -------------------------------------------------------------------------------


class _CoverageFields(BaseModel):
    outlet: str = Field(min_length=1, max_length=OUTLET_MAX)
    url: str = Field(min_length=1, max_length=URL_MAX, description="An http(s) address.")
    title: str = Field(min_length=1, max_length=COVERAGE_TITLE_MAX)
    published_on: date
    language: str = Field(min_length=2, max_length=3)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2.")

    _check_url = field_validator("url")(_url)
    _check_date = field_validator("published_on")(_published_on)
    _check_language = field_validator("language")(_coverage_language)
    _check_country = field_validator("country")(_country)


class CoverageCreate(_CoverageFields):
    model_config = _API


class CoverageForm(Form, _CoverageFields):
    """The add/edit coverage page's form."""


class CoverageUpdate(BaseModel):
    """PATCH: an absent field stays as it is; null is refused."""

    model_config = _API

    outlet: str = Field(default=None, min_length=1, max_length=OUTLET_MAX)  # type: ignore[assignment]
    url: str = Field(default=None, min_length=1, max_length=URL_MAX)  # type: ignore[assignment]
    title: str = Field(default=None, min_length=1, max_length=COVERAGE_TITLE_MAX)  # type: ignore[assignment]
    published_on: date = Field(default=None)  # type: ignore[assignment]
    language: str = Field(default=None, min_length=2, max_length=3)  # type: ignore[assignment]
    country: str = Field(default=None, min_length=2, max_length=2)  # type: ignore[assignment]

    _check_url = field_validator("url")(_url)
    _check_date = field_validator("published_on")(_published_on)
    _check_language = field_validator("language")(_coverage_language)
    _check_country = field_validator("country")(_country)


class CoverageFilterForm(Form):
    """The coverage log's filters."""

    language: str | None = Field(default=None, max_length=3)
    country: str | None = Field(default=None, max_length=2)
    q: str | None = Field(default=None, max_length=200)

    _check_language = field_validator("language")(_coverage_language)
    _check_country = field_validator("country")(_country)


class CoverageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    outlet: str
    url: str
    title: str
    published_on: date
    language: str
    country: str
    created_at: datetime
