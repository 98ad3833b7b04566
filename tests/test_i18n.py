"""The reader's language: negotiation, formatting, names in their script, collation, labels."""

import contextvars
from datetime import UTC, date, datetime
from io import BytesIO

import pytest

from app import i18n
from tests.support import read_in


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        ("hy", "ru", "hy"),
        (None, "ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        (None, "fr-FR,az;q=0.5", "az"),
        (None, "en;q=0.2,hy;q=0.9", "hy"),
        (None, "fr, de", "en"),
        (None, None, "en"),
        ("xx", "garbage;q=abc", "en"),
        (None, "*", "en"),
    ],
)
def test_negotiate_prefers_the_cookie_then_the_browser(cookie: str | None, header: str | None, expected: str) -> None:
    assert i18n.negotiate(cookie, header) == expected


def test_a_users_choice_replaces_the_requests_and_use_language_nests() -> None:
    contextvars.copy_context().run(_a_request_in_russian_by_an_armenian_reader)


def _a_request_in_russian_by_an_armenian_reader() -> None:
    i18n.begin_request("ru")
    i18n.prefer(None)
    assert i18n.current_language() == "ru"
    i18n.prefer("xx")
    assert i18n.current_language() == "ru"
    i18n.prefer("hy")
    assert i18n.current_language() == "hy"
    with i18n.use_language("az"):
        assert i18n.current_language() == "az"
        with i18n.use_language(None):  # no choice: the surrounding language
            assert i18n.current_language() == "az"
    assert i18n.current_language() == "hy"


def test_dates_and_numbers_follow_the_language() -> None:
    day = date(2026, 2, 13)
    with i18n.use_language("ru"):
        assert "февраля" in i18n.format_day(day, fmt="long")
        assert i18n.format_number(1234567) == "1\xa0234\xa0567"
    with i18n.use_language("hy"):
        assert "փետրվարի" in i18n.format_day(day, fmt="long")
    with i18n.use_language("az"):
        assert "fevral" in i18n.format_day(day, fmt="long")
        moment = datetime(2026, 2, 13, 8, 30, tzinfo=UTC)
        assert "12:30" in i18n.format_moment(moment, "Asia/Yerevan", fmt="short")
    assert i18n.format_range(day, date(2026, 2, 14), "en") == "February 13, 2026 – February 14, 2026"


def test_names_are_shown_in_the_readers_script() -> None:
    assert i18n.display_name("Anahit Petrosyan", "Անահիտ Պետրոսյան", "hy") == "Անահիտ Պետրոսյան"
    assert i18n.display_name("Anahit Petrosyan", "Անահիտ Պետրոսյան", "ru") == "Anahit Petrosyan"
    assert i18n.display_name("Anahit Petrosyan", "Анаит Петросян", "ru") == "Анаит Петросян"
    assert i18n.display_name("Anahit Petrosyan", None, "hy") == "Anahit Petrosyan"
    assert i18n.display_name("Leyla Aliyeva", "Leyla Əliyeva", "az") == "Leyla Aliyeva"


def test_collation_follows_the_language() -> None:
    names = ["Dadaş", "Çingiz", "Cavid", "Əli", "Elvin", "İlqar", "Işıq", "Hüseyn"]
    assert sorted(names, key=lambda n: i18n.collation_key(n, "az")) == [
        "Cavid", "Çingiz", "Dadaş", "Elvin", "Əli", "Hüseyn", "Işıq", "İlqar",
    ]
    # Elsewhere a letter with a mark files with its base letter; case only breaks ties.
    assert sorted(["émile", "Eva", "ada", "Zoe"], key=lambda n: i18n.collation_key(n, "en")) == ["ada", "émile", "Eva", "Zoe"]
    assert sorted(["Գևորգ", "Արամ", "Բաբկեն"], key=lambda n: i18n.collation_key(n, "hy")) == ["Արամ", "Բաբկեն", "Գևորգ"]
    assert sorted(["Ёлкин", "Жуков", "Егоров"], key=lambda n: i18n.collation_key(n, "ru")) == ["Егоров", "Ёлкин", "Жуков"]


def test_country_lists_are_in_the_language_and_its_order() -> None:
    names = dict(i18n.countries("hy"))
    assert names["AM"] == "Հայաստան"
    assert dict(i18n.countries("az"))["AZ"] == "Azərbaycan"
    assert i18n.country_name("AZ", "ru") == "Азербайджан"


def test_labels_are_translated_stored_values() -> None:
    assert i18n.label_text("no_show") == "No show"
    with i18n.use_language("en"):
        assert i18n.label("registration_open") == "Registration open"
    with i18n.use_language("ru"):
        assert i18n.label("registration_open") == i18n.gettext("Registration open") != "Registration open"


def test_the_extractor_finds_every_strenum_label() -> None:
    source = b'''
from enum import StrEnum
class Colour(StrEnum):
    LIGHT_BLUE = "light_blue"
    RED = "red"
class NotAnEnum:
    X = "ignored"
message = _("Hello")
'''
    found = [m[2] for m in i18n.extract_python_and_labels(BytesIO(source), ["_"], [], {})]
    assert found == ["Hello", "Light blue", "Red"]


def test_a_page_says_its_language(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert response.headers["content-language"] == "ru"
    assert "Accept-Language" in response.headers["vary"]
    assert '<html lang="ru">' in response.text
    read_in(client, "hy")
    response = client.get("/login", headers={"Accept-Language": "ru"})
    assert '<html lang="hy">' in response.text
    assert 'lang="az"' in response.text  # the switcher names each language in itself
