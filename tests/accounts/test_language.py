"""The reader's language: the switcher on every page, the account's own language (page and API),
the browser's Accept-Language, e-mails in the recipient's language, dates in the reader's."""

import re
from datetime import date

import pytest
from babel.dates import format_date
from markupsafe import escape
from sqlalchemy import select

from app import i18n
from app.accounts import service
from app.accounts.models import User
from app.mail.models import OutboxMessage
from tests.factories import EventFactory, UserFactory
from tests.support import message_in, read_in


def html_lang(text: str) -> str:
    match = re.search(r'<html lang="([^"]+)">', text)
    assert match is not None
    return match.group(1)


def language_cookie(response) -> str | None:  # type: ignore[no-untyped-def]
    """The value the response sets for the language cookie ("" when it deletes it), or None."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name == i18n.LANGUAGE_COOKIE:
            return rest.split(";")[0].strip('"')
    return None


def reload(db, user: User) -> User:  # type: ignore[no-untyped-def]
    db.expire_all()
    found = db.get(User, user.id)
    assert found is not None
    return found


# --- the switcher ---------------------------------------------------------------------------------


def test_switcher_sets_the_cookie_and_the_next_page_is_in_that_language(client, form) -> None:
    r = form("/language", {"language": "hy", "next": "/login"})

    assert r.status_code == 303
    assert r.headers["location"] == "/login"
    assert language_cookie(r) == "hy"
    page = client.get("/login")
    assert html_lang(page.text) == "hy"
    assert page.headers["content-language"] == "hy"
    assert message_in("hy", "Sign in to Parley") in page.text


def test_switcher_without_the_csrf_token_is_refused(client) -> None:
    r = client.post("/language", data={"language": "hy", "next": "/login"})

    assert r.status_code == 403
    assert language_cookie(r) is None
    assert html_lang(client.get("/login").text) == "en"


@pytest.mark.parametrize("code", ["fr", "EN", "hy-AM", ""])
def test_switcher_with_a_language_not_offered_says_so_and_sets_nothing(client, form, code) -> None:
    body = {"language": code, "next": "/login"} if code else {"next": "/login"}  # "" : field left out

    r = form("/language", body)

    assert r.status_code == 303
    assert r.headers["location"] == "/login"
    assert language_cookie(r) is None
    page = client.get("/login")
    assert "Choose one of the offered languages." in page.text
    assert html_lang(page.text) == "en"


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/initiatives?page=2", "/initiatives?page=2"),
        ("https://evil.example/phish", "/events"),
        ("//evil.example/phish", "/events"),
        ("/\\evil.example", "/events"),
        ("", "/events"),
    ],
)
def test_switcher_follows_next_only_to_a_local_page(form, target, location) -> None:
    r = form("/language", {"language": "ru", "next": target})

    assert r.status_code == 303
    assert r.headers["location"] == location


@pytest.mark.parametrize("path", ["/login", "/password/forgot", "/events", "/initiatives", "/no-such-page"])
def test_every_page_has_the_switcher_in_its_footer_with_a_label(client, path) -> None:
    text = client.get(path).text

    footer = text[text.index('<footer class="site-footer">'):]
    assert '<form method="post" action="/language" class="language-switcher">' in footer
    assert '<label for="language-choice">Language</label>' in footer
    assert '<select id="language-choice" name="language">' in footer
    assert f'<input type="hidden" name="next" value="{path}">' in footer
    for code, name in i18n.LANGUAGES.items():
        assert f'<option value="{code}" lang="{code}"' in footer and name in footer


def test_switcher_label_is_in_the_pages_language(client) -> None:
    text = client.get("/login", headers={"Accept-Language": "az"}).text

    assert f'<label for="language-choice">{message_in("az", "Language")}</label>' in text
    assert '<option value="az" lang="az" selected>' in text


# --- the browser's language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [("ru-RU,ru;q=0.9", "ru"), ("fr", "en"), ("fr-FR,az;q=0.5", "az"), ("hy", "hy")],
)
def test_accept_language_chooses_the_page_language(client, header, expected) -> None:
    r = client.get("/login", headers={"Accept-Language": header})

    assert html_lang(r.text) == expected
    assert r.headers["content-language"] == expected
    assert message_in(expected, "Sign in to Parley") in r.text


def test_the_cookie_beats_the_browser(client) -> None:
    read_in(client, "az")

    r = client.get("/login", headers={"Accept-Language": "ru"})

    assert html_lang(r.text) == "az"


# --- a signed-in user's own language -------------------------------------------------------------


def test_a_users_own_language_beats_the_cookie_and_the_browser(client, login) -> None:
    login(UserFactory(language="az"))
    read_in(client, "hy")

    r = client.get("/events", headers={"Accept-Language": "ru"})

    assert html_lang(r.text) == "az"
    assert r.headers["content-language"] == "az"
    assert message_in("az", "Events") in r.text


def test_a_user_without_a_language_gets_the_cookies(client, login) -> None:
    login(UserFactory(language=None))
    read_in(client, "hy")

    assert html_lang(client.get("/events", headers={"Accept-Language": "ru"}).text) == "hy"


def test_switcher_saves_a_signed_in_users_language(client, login, form, db) -> None:
    user = login(UserFactory(language=None))

    r = form("/language", {"language": "ru", "next": "/account"})

    assert r.status_code == 303
    assert r.headers["location"] == "/account"
    assert reload(db, user).language == "ru"
    client.cookies.delete(i18n.LANGUAGE_COOKIE)
    assert html_lang(client.get("/account", headers={"Accept-Language": "hy"}).text) == "ru"


def test_account_page_shows_the_language_section_with_the_current_choice(client, login) -> None:
    login(UserFactory(language="hy"))

    text = client.get("/account").text

    section = text[text.index('<section class="card" id="language"'):]
    section = section[: section.index("</section>")]
    assert '<form method="post" action="/language"' in section
    assert '<input type="hidden" name="next" value="/account">' in section
    assert '<label for="f-language">' in section
    assert f'<option value="">{message_in("hy", "Follow my browser")}</option>' in section
    assert '<option value="hy" lang="hy" selected>' in section
    assert html_lang(text) == "hy"


def test_account_page_without_a_choice_selects_follow_my_browser(client, login) -> None:
    login(UserFactory(language=None))

    text = client.get("/account", headers={"Accept-Language": "ru"}).text

    assert f'<option value="" selected>{message_in("ru", "Follow my browser")}</option>' in text
    assert html_lang(text) == "ru"


def test_follow_my_browser_forgets_the_users_language_and_the_cookie(client, login, form, db) -> None:
    user = login(UserFactory(language="hy"))
    read_in(client, "hy")

    r = form("/language", {"language": "", "next": "/account"})

    assert r.status_code == 303
    assert r.headers["location"] == "/account"
    assert reload(db, user).language is None
    assert language_cookie(r) == ""  # deleted
    assert "max-age=0" in ";".join(r.headers.get_list("set-cookie")).lower()
    client.cookies.delete(i18n.LANGUAGE_COOKIE)
    assert html_lang(client.get("/account", headers={"Accept-Language": "ru"}).text) == "ru"


def test_follow_my_browser_signed_out_only_deletes_the_cookie(client, form) -> None:
    r = form("/language", {"language": "", "next": "/login"})

    assert r.status_code == 303
    assert language_cookie(r) == ""


# --- the API: PATCH /api/v1/me ------------------------------------------------------------------


def test_api_sets_the_callers_language(api, db) -> None:
    user = UserFactory(language=None)

    r = api(user).patch("/api/v1/me", json={"language": "hy"})

    assert r.status_code == 200
    assert r.json()["language"] == "hy"
    assert reload(db, user).language == "hy"


def test_api_null_language_follows_the_browser_again(api, db) -> None:
    user = UserFactory(language="ru")

    r = api(user).patch("/api/v1/me", json={"language": None})

    assert r.status_code == 200
    assert r.json()["language"] is None
    assert reload(db, user).language is None


@pytest.mark.parametrize("body", [{"language": "fr"}, {"language": "RU"}, {}, {"language": "hy", "email": "x@example.org"}])
def test_api_refuses_a_language_not_offered(api, db, body) -> None:
    user = UserFactory(language="az")

    r = api(user).patch("/api/v1/me", json=body)

    assert r.status_code == 422
    assert r.json()["error"] == "ValidationError"
    assert reload(db, user).language == "az"


def test_api_refuses_an_anonymous_caller(client) -> None:
    r = client.patch("/api/v1/me", json={"language": "hy"}, headers={"x-csrf-token": client.csrf_token})

    assert r.status_code == 401
    assert r.json()["error"] == "NotAuthenticated"


def test_api_refuses_a_cookie_caller_without_the_csrf_header(client, login, db) -> None:
    user = login(UserFactory(language="az"))

    r = client.patch("/api/v1/me", json={"language": "hy"})

    assert r.status_code == 403
    assert reload(db, user).language == "az"


def test_api_errors_are_in_the_callers_language(client) -> None:
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer pt_nonsense", "Accept-Language": "ru"})

    assert r.status_code == 401
    assert r.json()["detail"] == message_in("ru", "The API token is not valid.")


# --- e-mails in the recipient's language ---------------------------------------------------------


def test_password_reset_mail_is_in_the_recipients_language(client, form, db) -> None:
    UserFactory(email="anna@example.org", full_name="Anna Ivanova", language="ru")

    # Asked for from an Armenian browser: the mail still goes out in the account's Russian.
    r = form("/password/forgot", {"email": "anna@example.org"}, headers={"Accept-Language": "hy"})

    assert r.status_code == 303
    message = db.scalars(select(OutboxMessage)).one()
    assert message.subject == message_in("ru", "Reset your Parley password")
    assert '<html lang="ru">' in message.body_html
    assert str(escape(message_in("ru", "Hello %(name)s,") % {"name": "Anna Ivanova"})) in message.body_html
    works_once = "The link works once. If you did not ask for it, ignore this message: your password stays as it is."
    assert str(escape(message_in("ru", works_once))) in message.body_html


def test_password_reset_mail_without_a_choice_is_in_the_senders_language(db) -> None:
    UserFactory(email="leyla@example.org", language=None)

    with i18n.use_language("az"):
        service.request_password_reset(db, email="leyla@example.org")

    message = db.scalars(select(OutboxMessage)).one()
    assert message.subject == message_in("az", "Reset your Parley password")
    assert '<html lang="az">' in message.body_html


def test_password_reset_mail_says_how_many_hours_the_link_works(db) -> None:
    UserFactory(email="en@example.org", language="en")

    service.request_password_reset(db, email="en@example.org")

    assert "open this link within 2 hours:" in db.scalars(select(OutboxMessage)).one().body_text


# --- messages, errors and dates in the reader's language ------------------------------------------


def test_form_errors_are_in_the_readers_language(client, form) -> None:
    r = form("/login", {"email": "", "password": ""}, headers={"Accept-Language": "ru"})

    assert r.status_code == 422
    assert message_in("ru", "This field is required.") in r.text
    assert message_in("ru", "Please correct the highlighted fields.") in r.text


def test_error_pages_are_in_the_readers_language(client) -> None:
    r = client.get("/events/424242", headers={"Accept-Language": "hy"})

    assert r.status_code == 404
    assert html_lang(r.text) == "hy"
    assert message_in("hy", "Not found.") in r.text
    assert message_in("hy", "Page not found") in r.text


def test_event_list_shows_dates_with_the_month_names_of_the_language(client) -> None:
    EventFactory(title="February roundtable", starts_on=date(2026, 2, 13), ends_on=date(2026, 2, 14))

    pages = {code: client.get("/events", headers={"Accept-Language": code}).text for code in ("en", "ru", "hy", "az")}

    for code, text in pages.items():
        assert "February roundtable" in text
        assert format_date(date(2026, 2, 13), format="long", locale=code) in text, code
    assert "февраля" in pages["ru"]
    assert "February" not in pages["ru"].replace("February roundtable", "")
