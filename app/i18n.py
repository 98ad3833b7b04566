"""Language, dates and place names. Messages go through gettext; catalogues live in app/locale."""

import zoneinfo
from datetime import date, datetime
from functools import lru_cache

import pycountry
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.support import NullTranslations

from app.config import get_settings

LANGUAGES = {"en": "English"}


def gettext(message: str) -> str:
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


_ = gettext


@lru_cache
def _translations() -> NullTranslations:
    return NullTranslations()


def current_language() -> str:
    return get_settings().default_language if get_settings().default_language in LANGUAGES else "en"


@lru_cache
def countries(language: str = "en") -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 codes with their names in the language, sorted by name."""
    names = Locale.parse(language).territories
    codes = [c.alpha_2 for c in pycountry.countries]
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda item: item[1])


def country_name(code: str, language: str = "en") -> str:
    return Locale.parse(language).territories.get(code, code)


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


def format_day(value: date, language: str = "en", fmt: str = "medium") -> str:
    return babel_format_date(value, format=fmt, locale=language)


def format_moment(value: datetime, tz: str, language: str = "en", fmt: str = "medium") -> str:
    """A UTC moment shown in the event's zone, with the zone named."""
    return babel_format_datetime(value, format=fmt, tzinfo=zoneinfo.ZoneInfo(tz), locale=language)


def format_range(start: date, end: date, language: str = "en") -> str:
    if start == end:
        return format_day(start, language, "long")
    return f"{format_day(start, language, 'long')} – {format_day(end, language, 'long')}"
