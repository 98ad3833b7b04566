"""Agenda: API payloads for rooms and sessions (XCreate/XUpdate/XRead) and the page forms."""

import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from app import i18n
from app.agenda.models import AgendaSession, Audience, Room, SessionKind, SessionStatus, SpeakerRole
from app.forms import Form
from app.i18n import _

MAX_ID = 2**31 - 1
ROOM_NAME_MAX = Room.__table__.c.name.type.length
TITLE_MAX = AgendaSession.__table__.c.title.type.length
TEXT_MAX = 20_000
NOTES_MAX = 5_000
CAPACITY_MAX = 100_000
TOPIC_MAX = 100
TOPICS_MAX = 20
SPEAKERS_MAX = 50
INVITEES_MAX = 1_000
# How many speaker rows the session form offers: the speakers it has and this many blank ones.
BLANK_SPEAKER_ROWS = 3

_API = ConfigDict(extra="forbid", str_strip_whitespace=True)

Id = Field(ge=1, le=MAX_ID)


def _topics(value: object) -> list[str]:
    """A list, or text with one topic per comma or line; blanks dropped, duplicates once."""
    if value is None:
        return []
    items = value if isinstance(value, list) else re.split(r"[,\n]", str(value))
    topics = [str(item).strip() for item in items if str(item).strip()]
    if any(len(t) > TOPIC_MAX for t in topics):
        raise ValueError(_("Keep each topic to at most %(n)s characters.") % {"n": TOPIC_MAX})
    if len(topics) > TOPICS_MAX:
        raise ValueError(_("Give at most %(n)s topics.") % {"n": TOPICS_MAX})
    return list(dict.fromkeys(topics))


# --- translations of a session's title and description --------------------------------------------


class TranslationIn(BaseModel):
    """A session's title and description in one language; blank ones show the original."""

    model_config = _API

    title: str = Field(default="", max_length=TITLE_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)

    @property
    def blank(self) -> bool:
        return not self.title and not self.description.strip()


def _translations(value: dict[str, TranslationIn]) -> dict[str, TranslationIn]:
    """Keyed by a language of Parley's (`hy`, `az`, `ru`, `en`); blank ones are dropped."""
    unknown = sorted(code for code in value if code not in i18n.LANGUAGES)
    if unknown:
        raise ValueError(
            _("Give translations in these languages only: %(languages)s.") % {"languages": ", ".join(i18n.LANGUAGES)}
        )
    return {code: t for code, t in sorted(value.items()) if not t.blank}


class TranslationRead(BaseModel):
    title: str
    description: str


# --- rooms ---------------------------------------------------------------------------------------


class _RoomFields(BaseModel):
    name: str = Field(min_length=1, max_length=ROOM_NAME_MAX)
    capacity: int | None = Field(default=None, ge=0, le=CAPACITY_MAX)
    notes: str = Field(default="", max_length=NOTES_MAX)
    position: int = Field(default=0, ge=0, le=1000)


class RoomCreate(_RoomFields):
    model_config = _API


class RoomForm(Form, _RoomFields):
    """The new/edit room page's form; it saves through the same service as the API."""


class RoomUpdate(BaseModel):
    """PATCH: an absent field stays as it is; null is refused (but for the capacity)."""

    model_config = _API

    name: str = Field(default=None, min_length=1, max_length=ROOM_NAME_MAX)  # type: ignore[assignment]
    capacity: int | None = Field(default=None, ge=0, le=CAPACITY_MAX)
    notes: str = Field(default=None, max_length=NOTES_MAX)  # type: ignore[assignment]
    position: int = Field(default=None, ge=0, le=1000)  # type: ignore[assignment]


class RoomRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: int
    name: str
    capacity: int | None
    notes: str
    position: int
    created_at: datetime
    updated_at: datetime


# --- sessions: what the service takes -------------------------------------------------------------


class SpeakerIn(BaseModel):
    """A moderator, speaker or guest: a participant (registration) or an official, never both."""

    model_config = _API

    registration_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    official_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    role: SpeakerRole = SpeakerRole.SPEAKER

    @model_validator(mode="after")
    def _one_of(self) -> "SpeakerIn":
        if (self.registration_id is None) == (self.official_id is None):
            raise ValueError(_("Give either a registration_id or an official_id."))
        return self


class SessionIn(BaseModel):
    """A whole session as the service saves it; times are aware (any offset; stored as UTC)."""

    model_config = _API

    kind: SessionKind
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    room_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    topics: list[str] = Field(default_factory=list)
    audience: Audience = Audience.EVERYONE
    audience_delegation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    chatham_house: bool = False
    is_published: bool = False
    notes: str = Field(default="", max_length=NOTES_MAX)
    status: SessionStatus = SessionStatus.SCHEDULED
    speakers: list[SpeakerIn] = Field(default_factory=list, max_length=SPEAKERS_MAX)
    invitee_ids: list[int] = Field(default_factory=list, max_length=INVITEES_MAX)
    # The title and description in other languages, by language code.
    translations: dict[str, TranslationIn] = Field(default_factory=dict)

    _check_topics = field_validator("topics", mode="before")(_topics)
    _check_translations = field_validator("translations")(_translations)

    @field_validator("invitee_ids")
    @classmethod
    def _ids(cls, value: list[int]) -> list[int]:
        if any(not 1 <= i <= MAX_ID for i in value):
            raise ValueError(_("Give the ids of registrations of this event."))
        return list(dict.fromkeys(value))

    @classmethod
    def of(cls, session: AgendaSession) -> "SessionIn":
        """What a saved session holds (its speakers and invitees loaded)."""
        return cls(
            kind=session.kind, title=session.title, description=session.description,
            starts_at=session.starts_at, ends_at=session.ends_at, room_id=session.room_id,
            topics=list(session.topics or []), audience=session.audience,
            audience_delegation_id=session.audience_delegation_id, chatham_house=session.chatham_house,
            is_published=session.is_published, notes=session.notes, status=session.status,
            speakers=[
                SpeakerIn(registration_id=s.registration_id, official_id=s.official_id, role=s.role)
                for s in session.speakers
            ],
            invitee_ids=[i.registration_id for i in session.invitees],
            translations={
                t.language: TranslationIn(title=t.title, description=t.description) for t in session.translations
            },
        )


# --- sessions: the API ---------------------------------------------------------------------------


class SessionCreate(SessionIn):
    """A new session. Times are ISO 8601 with an offset (a time without one is refused).

    A room used at the same time refuses the save (422 on `room_id`). Other conflicts (a speaker
    in two sessions at once) answer 409 `ConflictWarning`, listing them, unless
    `confirm_warnings` is true.
    """

    confirm_warnings: bool = Field(default=False, exclude=True)


class SessionUpdate(BaseModel):
    """PATCH: an absent field stays as it is. Speakers, invitees and translations, when given,
    replace what the session has (a language left out loses its translation)."""

    model_config = _API

    kind: SessionKind = Field(default=None)  # type: ignore[assignment]
    title: str = Field(default=None, min_length=1, max_length=TITLE_MAX)  # type: ignore[assignment]
    description: str = Field(default=None, max_length=TEXT_MAX)  # type: ignore[assignment]
    starts_at: AwareDatetime = Field(default=None)  # type: ignore[assignment]
    ends_at: AwareDatetime = Field(default=None)  # type: ignore[assignment]
    room_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    topics: list[str] = Field(default=None)  # type: ignore[assignment]
    audience: Audience = Field(default=None)  # type: ignore[assignment]
    audience_delegation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    chatham_house: bool = Field(default=None)  # type: ignore[assignment]
    is_published: bool = Field(default=None)  # type: ignore[assignment]
    notes: str = Field(default=None, max_length=NOTES_MAX)  # type: ignore[assignment]
    status: SessionStatus = Field(default=None)  # type: ignore[assignment]
    speakers: list[SpeakerIn] = Field(default=None, max_length=SPEAKERS_MAX)  # type: ignore[assignment]
    invitee_ids: list[int] = Field(default=None, max_length=INVITEES_MAX)  # type: ignore[assignment]
    translations: dict[str, TranslationIn] = Field(default=None)  # type: ignore[assignment]
    confirm_warnings: bool = False

    _check_topics = field_validator("topics", mode="before")(_topics)
    _check_translations = field_validator("translations")(_translations)

    def changes(self) -> dict[str, Any]:
        """The fields given, as SessionIn takes them."""
        return self.model_dump(exclude_unset=True, exclude={"confirm_warnings"})


class SpeakerRead(BaseModel):
    registration_id: int | None
    official_id: int | None
    role: SpeakerRole
    name: str


class WarningRead(BaseModel):
    """A conflict with another session: `room` (blocks a save), `speaker`, `dates`; or with a
    crossing of a delegation the session needs: `crossing`."""

    kind: str
    message: str
    other_session_id: int | None


class SessionRead(BaseModel):
    """A session; times are in the event's time zone (`timezone`), with its offset. `title` and
    `description` are as written; `translations` holds them in other languages, by code."""

    id: int
    event_id: int
    uid: str
    kind: SessionKind
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    room_id: int | None
    room_name: str | None
    topics: list[str]
    audience: Audience
    audience_delegation_id: int | None
    chatham_house: bool
    is_published: bool
    status: SessionStatus
    sequence: int
    notes: str
    speakers: list[SpeakerRead]
    invitee_ids: list[int]
    translations: dict[str, TranslationRead]
    warnings: list[WarningRead]
    created_at: datetime
    updated_at: datetime


# --- sessions: the page forms --------------------------------------------------------------------

SPEAKER_KEY = re.compile(r"^speaker_(\d{1,2})$")


def _checked(value: object) -> bool:
    return value in (True, "on", "true", "1")


class SessionForm(Form):
    """The new/edit session page: a day of the event, start and end times in its zone.

    Speakers come as rows `speaker_N` ("r:<registration id>" or "o:<official id>") with
    `speaker_N_role`; invitees as repeated `invitee_ids`. (Translations have a page of their
    own: TranslationsForm.)
    """

    kind: SessionKind
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    day: date
    start: time
    end: time
    room_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    topics: list[str] = Field(default_factory=list)
    audience: Audience = Audience.EVERYONE
    audience_delegation_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    chatham_house: bool = False
    is_published: bool = False
    notes: str = Field(default="", max_length=NOTES_MAX)
    speakers: list[SpeakerIn] = Field(default_factory=list, max_length=SPEAKERS_MAX)
    invitee_ids: list[int] = Field(default_factory=list, max_length=INVITEES_MAX)
    confirm: bool = False

    _check_topics = field_validator("topics", mode="before")(_topics)

    @model_validator(mode="before")
    @classmethod
    def _rows(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("chatham_house", "is_published", "confirm"):
            data[key] = _checked(data.get(key))
        rows = sorted(int(m.group(1)) for key in data if (m := SPEAKER_KEY.match(key)))
        speakers = []
        for n in rows:
            who = str(data.get(f"speaker_{n}") or "").strip()
            if not who:
                continue
            kind, _sep, number = who.partition(":")
            if kind not in ("r", "o") or not number.isdigit() or not 1 <= int(number) <= MAX_ID:
                raise ValueError("speakers: " + _("Choose each speaker from the list."))
            key = "registration_id" if kind == "r" else "official_id"
            speakers.append({key: int(number), "role": data.get(f"speaker_{n}_role") or SpeakerRole.SPEAKER})
        data["speakers"] = speakers
        invitees = data.get("invitee_ids") or []
        data["invitee_ids"] = [i for i in (invitees if isinstance(invitees, list) else [invitees]) if i != ""]
        return data

    @model_validator(mode="after")
    def _ends_after_start(self) -> "SessionForm":
        if self.end <= self.start:
            raise ValueError("end: " + _("The session must end after it starts."))
        return self

    def to_input(self, timezone: str, *, status: SessionStatus = SessionStatus.SCHEDULED) -> SessionIn:
        """The session the service saves: the day and times read in the event's zone."""
        zone = ZoneInfo(timezone)
        fields = self.model_dump(exclude={"day", "start", "end", "confirm", "speakers"})
        return SessionIn(
            **fields,
            status=status,
            speakers=self.speakers,
            starts_at=datetime.combine(self.day, self.start, zone),
            ends_at=datetime.combine(self.day, self.end, zone),
        )


# The translations page's fields: `title_<code>` and `description_<code>` for each language.
_TranslationFields = create_model(  # type: ignore[call-overload]
    "_TranslationFields",
    **{
        f"{name}_{code}": (str, Field(default="", max_length=limit))
        for code in i18n.LANGUAGES
        for name, limit in (("title", TITLE_MAX), ("description", TEXT_MAX))
    },
)


class TranslationsForm(Form, _TranslationFields):  # type: ignore[misc, valid-type]
    """A session's translations page: a title and a description per language, each optional."""

    def translations(self) -> dict[str, TranslationIn]:
        """The translations given, by language (blank ones left out)."""
        given = {
            code: TranslationIn(title=getattr(self, f"title_{code}"), description=getattr(self, f"description_{code}"))
            for code in i18n.LANGUAGES
        }
        return {code: t for code, t in given.items() if not t.blank}

    @staticmethod
    def values_of(session: AgendaSession) -> dict[str, str]:
        """The page's values for a session's translations (loaded)."""
        values = {}
        for translation in session.translations:
            values[f"title_{translation.language}"] = translation.title
            values[f"description_{translation.language}"] = translation.description
        return values


class MoveForm(Form):
    """Move a session to another day, start or room; it keeps its length."""

    day: date
    start: time
    room_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    confirm: bool = False

    @model_validator(mode="before")
    @classmethod
    def _confirm(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {**data, "confirm": _checked(data.get("confirm"))}
        return data


class AgendaFilterForm(Form):
    """The list view's filters (query string)."""

    kind: SessionKind | None = None
    room_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    status: SessionStatus | None = None
