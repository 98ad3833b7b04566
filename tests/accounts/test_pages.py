import time

import pyotp
from sqlalchemy import select

from app.accounts import service
from app.accounts.models import ApiToken, UserSession
from app.audit.models import AuditEntry
from app.mail.models import OutboxMessage
from app.security import token_hash, verify_password
from app.web import SESSION_COOKIE
from tests.factories import PASSWORD, AdminFactory, EventFactory, UserFactory, organiser


def _sessions(db, user) -> list[UserSession]:  # type: ignore[no-untyped-def]
    return list(db.scalars(select(UserSession).where(UserSession.user_id == user.id)))


def test_login_page_has_labelled_fields_and_a_csrf_token(client) -> None:
    r = client.get("/login")
    assert r.status_code == 200
    assert '<label for="f-email">' in r.text and '<label for="f-password">' in r.text
    assert 'name="csrf_token"' in r.text
    assert "<title>Sign in · Parley</title>" in r.text


def test_login_with_right_password_starts_a_session(client, form, db) -> None:
    user = UserFactory(email="ana@example.org")
    r = form("/login", {"email": "Ana@example.org", "password": PASSWORD, "next": "/account"})
    assert r.status_code == 303
    assert r.headers["location"] == "/account"
    assert len(_sessions(db, user)) == 1
    assert "httponly" in r.headers["set-cookie"].lower()
    assert client.get("/account").status_code == 200


def test_login_never_redirects_off_site(client, form) -> None:
    user = UserFactory()
    r = form("/login", {"email": user.email, "password": PASSWORD, "next": "//evil.example/x"})
    assert r.headers["location"] == "/events"


def test_wrong_password_shows_a_message_and_starts_no_session(client, form, db) -> None:
    user = UserFactory()
    r = form("/login", {"email": user.email, "password": "not the password"})
    assert r.status_code == 422
    assert "The e-mail address or the password is not correct." in r.text
    assert f'value="{user.email}"' in r.text
    assert _sessions(db, user) == []


def test_empty_login_form_shows_errors_beside_fields(client, form) -> None:
    r = form("/login", {"email": "", "password": ""})
    assert r.status_code == 422
    assert 'id="e-email"' in r.text and 'aria-invalid="true"' in r.text


def test_login_without_csrf_token_is_refused(client, db) -> None:
    user = UserFactory()
    r = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 403
    assert _sessions(db, user) == []


def test_sixth_attempt_is_throttled_with_429_and_other_accounts_are_unaffected(client, form, db, app) -> None:
    user, other = UserFactory(), UserFactory()
    for _ in range(5):
        assert form("/login", {"email": user.email, "password": "wrong password"}).status_code == 422
    r = form("/login", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 429
    assert "Too many failed sign-in attempts" in r.text
    assert _sessions(db, user) == []
    from fastapi.testclient import TestClient

    with TestClient(app, client=("192.0.2.7", 1234), follow_redirects=False) as elsewhere:
        elsewhere.cookies.set("parley_csrf", "test-csrf-seed")
        r = elsewhere.post("/login", data={"email": other.email, "password": PASSWORD, "csrf_token": client.csrf_token})
    assert r.status_code == 303


def test_each_login_gets_a_new_session_id(client, form, db) -> None:
    user = UserFactory()
    form("/login", {"email": user.email, "password": PASSWORD})
    first = client.cookies.get(SESSION_COOKIE)
    form("/login", {"email": user.email, "password": PASSWORD})
    second = client.cookies.get(SESSION_COOKIE)
    assert first != second
    hashes = {s.token_hash for s in _sessions(db, user)}
    assert hashes == {token_hash(second)}


def test_logout_ends_the_session(client, form, login, db) -> None:
    user = login(UserFactory())
    r = form("/logout")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert _sessions(db, user) == []
    assert client.get("/account").status_code == 303


def test_forgot_password_always_says_the_same(client, form, db) -> None:
    UserFactory(email="ana@example.org")
    for email in ("ana@example.org", "nobody@example.org"):
        r = form("/password/forgot", {"email": email})
        assert r.status_code == 303
    assert len(db.scalars(select(OutboxMessage)).all()) == 1


def test_forgot_password_link_ignores_the_host_header(client, form, db) -> None:
    UserFactory(email="ana@example.org")
    form("/password/forgot", {"email": "ana@example.org"}, headers={"host": "evil.example"})
    assert "http://parley.test/password/reset/" in db.scalars(select(OutboxMessage)).one().body_text


def test_reset_page_sets_a_new_password_once(client, form, db) -> None:
    user = UserFactory()
    service.request_password_reset(db, email=user.email)
    token = db.scalars(select(OutboxMessage)).one().body_text.split("/password/reset/")[1].split()[0].rstrip(">")
    assert client.get(f"/password/reset/{token}").status_code == 200
    r = form(f"/password/reset/{token}", {"password": "short", "password_confirm": "short"})
    assert r.status_code == 422 and "Use at least 8 characters." in r.text
    r = form(f"/password/reset/{token}", {"password": "a brand new passphrase", "password_confirm": "different"})
    assert r.status_code == 422 and "The two passwords do not match." in r.text
    r = form(f"/password/reset/{token}", {"password": "a brand new passphrase", "password_confirm": "a brand new passphrase"})
    assert r.status_code == 303
    assert verify_password(user.password_hash, "a brand new passphrase")
    assert client.get(f"/password/reset/{token}").status_code == 410


def test_account_page_changes_password_and_keeps_this_browser_signed_in(client, form, login, db) -> None:
    user = login(UserFactory())
    other_browser = service.start_session(db, user=user, second_factor_done=True, client="c")
    r = form("/account/password", {"current_password": PASSWORD, "password": "a brand new passphrase", "password_confirm": "a brand new passphrase"})
    assert r.status_code == 303
    assert service.load_session(db, other_browser) is None
    assert client.get("/account").status_code == 200


def test_account_page_refuses_a_common_password(client, form, login) -> None:
    login(UserFactory())
    r = form("/account/password", {"current_password": PASSWORD, "password": "password", "password_confirm": "password"})
    assert r.status_code == 422
    assert "too common" in r.text


def test_two_factor_setup_and_sign_in(client, form, login, db) -> None:
    user = login(UserFactory())
    page = client.get("/account/two-factor")
    secret = page.text.split('name="secret" value="')[1].split('"')[0]
    assert "<svg" in page.text
    r = form("/account/two-factor", {"secret": secret, "code": "123456"})
    assert r.status_code == 422
    r = form("/account/two-factor", {"secret": secret, "code": pyotp.TOTP(secret).now()})
    assert r.status_code == 303 and user.totp_enabled

    form("/logout")
    r = form("/login", {"email": user.email, "password": PASSWORD})
    assert r.headers["location"].startswith("/login/two-factor")
    assert client.get("/account").status_code == 303  # not signed in until the code is given
    assert form("/login/two-factor", {"code": "000000"}).status_code == 422
    next_code = pyotp.TOTP(secret).at(time.time() + 30)  # the set-up used up the current one
    r = form("/login/two-factor", {"code": next_code, "next": "/account"})
    assert r.status_code == 303 and r.headers["location"] == "/account"
    assert client.get("/account").status_code == 200


def test_required_second_factor_sends_organisers_to_set_up(client, form, login, db) -> None:
    admin = AdminFactory()
    service.set_totp_policy(db, actor=admin, required=True)
    login(organiser(EventFactory()))
    r = client.get("/events")
    assert r.status_code == 303 and r.headers["location"] == "/account/two-factor"
    assert client.get("/account/two-factor").status_code == 200


def test_required_second_factor_does_not_affect_plain_users(client, login, db) -> None:
    service.set_totp_policy(db, actor=AdminFactory(), required=True)
    login(UserFactory())
    assert client.get("/account").status_code == 200


def test_api_token_created_on_the_account_page_is_shown_once(client, form, login, db) -> None:
    user = login(UserFactory())
    r = form("/account/tokens", {"name": "import script"})
    assert r.status_code == 201
    raw = r.text.split('<p class="secret">')[1].split("<")[0]
    assert service.user_for_api_token(db, raw) == user
    assert raw not in client.get("/account").text
    token = db.scalars(select(ApiToken)).one()
    assert form(f"/account/tokens/{token.id}/revoke").status_code == 303
    assert service.user_for_api_token(db, raw) is None


def test_login_is_audited(client, form, db) -> None:
    user = UserFactory()
    form("/login", {"email": user.email, "password": PASSWORD})
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "user.login")).one()
    assert entry.actor_id == user.id and entry.client == "testclient"
