"""Every catalogue has every message of the code and templates, translated, with its placeholders."""

import re
import typing
from configparser import ConfigParser

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from app import i18n
from app.accounts.schemas import LanguageCode
from app.config import ROOT

TRANSLATED = [code for code in i18n.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%|%[sd]")


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """babel.cfg as Babel's own command line reads it."""
    config = ConfigParser()
    config.read(ROOT / "babel.cfg")
    methods, options = [], {}
    for section in config.sections():
        if section == "extractors":
            continue
        method, pattern = (part.strip() for part in section.split(":", 1))
        methods.append((pattern, method))
        options[pattern] = dict(config.items(section))
    return methods, options


def _searched(path: str) -> bool:
    """As `make messages` (--ignore-dirs): hidden folders are skipped, `_partials` are not."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return not name.startswith(".") and name != "__pycache__"


@pytest.fixture(scope="module")
def source_messages() -> dict[tuple[str, str | None], tuple[str, ...]]:
    """(msgid, context) → all its forms, for every message the code and the templates use."""
    config = ConfigParser()
    config.read(ROOT / "babel.cfg")
    extractors = dict(config.items("extractors")) if config.has_section("extractors") else {}
    methods, options = _method_map()
    methods = [(pattern, extractors.get(method, method)) for pattern, method in methods]
    found: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, methods, options, keywords=DEFAULT_KEYWORDS, directory_filter=_searched
    ):
        forms = message if isinstance(message, tuple) else (message,)
        if forms[0]:
            found[forms[0], context] = forms
    assert len(found) > 500  # extraction itself works
    return found


def _catalogue(code: str):  # type: ignore[no-untyped-def]
    with (i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=code)


def _names(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def test_the_languages_are_the_same_everywhere() -> None:
    assert set(typing.get_args(LanguageCode)) == set(i18n.LANGUAGES)
    assert {p.parent.parent.name for p in i18n.LOCALE_DIR.glob("*/LC_MESSAGES/messages.po")} == set(TRANSLATED)


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_translates_every_message(code: str, source_messages: dict[tuple[str, str | None], tuple[str, ...]]) -> None:
    catalogue = _catalogue(code)
    missing, untranslated, fuzzy = [], [], []
    for msgid, context in source_messages:
        entry = catalogue.get(msgid, context)
        if entry is None:
            missing.append(msgid)
            continue
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(form.strip() for form in forms):
            untranslated.append(msgid)
        if entry.fuzzy:
            fuzzy.append(msgid)
    problems = {"missing (run make messages)": missing, "untranslated": untranslated, "fuzzy": fuzzy}
    assert not any(problems.values()), {k: v[:20] + [f"… {len(v)} in all"] for k, v in problems.items() if v}


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_their_placeholders(code: str) -> None:
    broken = []
    for entry in _catalogue(code):
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = _names(ids[0])
        allowed = set(_names(ids[0])) | set(_names(ids[-1]))
        for form in forms:
            if not form:
                continue
            # A plural form may leave out the number ("one day"); any other message keeps all.
            if (set(_names(form)) - allowed) or (len(ids) == 1 and _names(form) != expected):
                broken.append((entry.id, form))
    assert not broken, broken[:20]


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_has_the_language_plural_rule(code: str) -> None:
    catalogue = _catalogue(code)
    for entry in catalogue:
        if entry.id and isinstance(entry.id, tuple) and entry.string:
            assert len(entry.string) == catalogue.num_plurals, entry.id


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_loads_and_translates(code: str) -> None:
    with i18n.use_language(code):
        assert i18n.gettext("Events") != "Events"
        assert i18n.label("draft") != "Draft"
