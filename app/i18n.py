"""Languages: the reader's language, its messages, dates, numbers, names and place names.

Messages go through gettext. The catalogues are `app/locale/<code>/LC_MESSAGES/messages.po`,
read as they are (no compiled .mo to keep in step); `make messages` extracts new messages into
them. The language of a request is chosen once (`LanguageMiddleware`: the cookie, else the
browser's Accept-Language) and may be replaced by the signed-in user's own (`prefer`).
"""

import ast
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from io import BytesIO
from typing import IO, Any

import pycountry
from babel import Locale, negotiate_locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.extract import extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from app.config import ROOT, get_settings

# The languages Parley speaks, each named in itself (as a switcher shows them).
LANGUAGES = {"en": "English", "hy": "Հայերեն", "az": "Azərbaycanca", "ru": "Русский"}
LANGUAGE_COOKIE = "parley_lang"
LOCALE_DIR = ROOT / "app" / "locale"


class _Choice:
    """The language of one request. A mutable box in a context variable: the signed-in user,
    known only in a (threaded) dependency, can still set it for the rest of the request."""

    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code


_choice: ContextVar[_Choice | None] = ContextVar("parley_language", default=None)


def default_language() -> str:
    code = get_settings().default_language
    return code if code in LANGUAGES else "en"


def current_language() -> str:
    choice = _choice.get()
    return choice.code if choice is not None else default_language()


def begin_request(code: str) -> None:
    """Called by the middleware: this request's language, until `prefer` replaces it."""
    _choice.set(_Choice(code))


def prefer(code: str | None) -> None:
    """A signed-in user's own language, when they have chosen one, wins over cookie and browser."""
    choice = _choice.get()
    if code in LANGUAGES and choice is not None:
        choice.code = code  # type: ignore[assignment]


@contextmanager
def use_language(code: str | None) -> Iterator[None]:
    """Render something in another language (an e-mail in its recipient's, a CLI export)."""
    token = _choice.set(_Choice(code if code in LANGUAGES else current_language()))  # type: ignore[operator]
    try:
        yield
    finally:
        _choice.reset(token)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's language, else the best of the browser's Accept-Language, else the default."""
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    preferred = []
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            preferred.append((quality, tag.strip()))
    ordered = [tag for _, tag in sorted(preferred, key=lambda item: -item[0])]
    return negotiate_locale(ordered, list(LANGUAGES), sep="-") or default_language()


# --- messages --------------------------------------------------------------------------------


@lru_cache
def translations(code: str) -> NullTranslations:
    """The language's catalogue, read from its .po file once per process."""
    path = LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    if code == "en" or not path.exists():
        return NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=code)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose words depend on what it names: pgettext("room", "Name") is a name of a
    thing (ru «Название»), where plain "Name" is a person's (ru «Имя»)."""
    return translations(current_language()).pgettext(context, message)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark, translate later")
    """Marks a message for the catalogue where it is defined; `_()` translates it where shown."""
    return message


def label_text(value: Enum | str) -> str:
    """The English words for a stored value: `no_show` → "No show"."""
    raw = value.value if isinstance(value, Enum) else str(value)
    return raw.replace("_", " ").capitalize()


def label(value: Enum | str) -> str:
    """A stored value in the reader's language (the catalogue has every enum's labels)."""
    return gettext(label_text(value))


def labels(*enums: type[Enum]) -> dict[Any, str]:
    """Each member of `enums` → its label, in the reader's language: for a page that labels many
    rows. Built once per language and set of enums (the catalogues do not change); read it only."""
    return _labels(current_language(), enums)


@lru_cache
def _labels(language: str, enums: tuple[type[Enum], ...]) -> dict[Any, str]:
    words = translations(language)
    return {member: words.gettext(label_text(member)) for enum in enums for member in enum}


def choices(members: Iterable[Enum]) -> list[tuple[str, str]]:
    """(value, label) of each member, for a select: `choices(EventStatus)`."""
    return [(member.value, label(member)) for member in members]


def extract_python_and_labels(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Babel extractor for models.py: its gettext calls and the labels of its StrEnums' values,
    so that `label()` always finds its message in the catalogue."""
    source = fileobj.read()
    yield from extract_python(BytesIO(source), keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "") == "StrEnum" for b in node.bases):
            for item in node.body:
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant):
                    yield item.lineno, "", label_text(str(item.value.value)), [f"A value of {node.name}"]


# --- dates, numbers, names, places --------------------------------------------------------------


def _language(language: str | None) -> str:
    return language or current_language()


def locale(code: str | None = None) -> Locale:
    return _parsed_locale(_language(code))


@lru_cache
def _parsed_locale(code: str) -> Locale:
    return Locale.parse(code)


def format_day(value: date, language: str | None = None, fmt: str = "medium") -> str:
    return babel_format_date(value, format=fmt, locale=locale(language))


def format_moment(value: datetime, tz: str, language: str | None = None, fmt: str = "medium") -> str:
    """A UTC moment shown in the event's zone."""
    return babel_format_datetime(value, format=fmt, tzinfo=zoneinfo.ZoneInfo(tz), locale=locale(language))


def format_range(start: date, end: date, language: str | None = None) -> str:
    if start == end:
        return format_day(start, language, "long")
    return f"{format_day(start, language, 'long')} – {format_day(end, language, 'long')}"


def format_number(value: int | float, language: str | None = None) -> str:
    return format_decimal(value, locale=locale(language))


_ARMENIAN = re.compile("[\u0530-\u058f\ufb13-\ufb17]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")


def _script_language(text: str) -> str | None:
    if _ARMENIAN.search(text):
        return "hy"
    if _CYRILLIC.search(text):
        return "ru"
    return None


def display_name(latin: str, native: str | None, language: str | None = None) -> str:
    """A person's name in the reader's script: the native spelling when it is written in the
    reader's script (Armenian for hy, Cyrillic for ru), else the Latin one."""
    if native and native.strip() and _script_language(native) == _language(language):
        return native.strip()
    return latin


# Letters a language sorts apart from their base letter, after it (Azerbaijani ç after c,
# ə after e …); a Unicode decomposition would otherwise file them with the base letter.
_TAILORED = {
    "az": "cç eə gğ iı oö sş uü",
}


@lru_cache
def _tailoring(language: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for group in _TAILORED.get(language, "").split():
        base = group[0]
        for rank, letter in enumerate(group[1:], start=1):
            table[letter] = base + "\uffff" * rank
    if language == "az":  # dotless ı comes before i
        table["ı"] = "h\uffff"
    return table


def collation_key(text: str, language: str | None = None) -> tuple[str, str]:
    """A sort key for names in the reader's language: case and accents weigh only on ties,
    letters the language counts as its own (Azerbaijani ə, ş …) sort after their base letter."""
    language = _language(language)
    tailoring = _tailoring(language)
    if language == "az":  # dotted and dotless i are two letters: I is the capital of ı
        text = text.replace("I", "ı").replace("İ", "i")
    folded = text.casefold()
    base = "".join(tailoring.get(ch) or _strip_marks(ch) for ch in folded)
    return base, folded


@lru_cache(maxsize=4096)
def _strip_marks(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


def countries(language: str | None = None) -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 codes with their names in the language, sorted by name."""
    return _countries(_language(language))


@lru_cache
def _countries(language: str) -> list[tuple[str, str]]:
    names = locale(language).territories
    codes = [c.alpha_2 for c in pycountry.countries]
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda item: collation_key(item[1], language))


def country_name(code: str, language: str | None = None) -> str:
    return locale(language).territories.get(code, code)


def language_name(code: str, language: str | None = None) -> str:
    return locale(language).languages.get(code, code)


def is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


@lru_cache
def timezones() -> list[str]:
    return sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/"))) + ["UTC"]


def is_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
