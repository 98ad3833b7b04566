import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from app import crypto
from app.accounts import service
from app.accounts.models import ApiToken, PasswordReset, UserSession
from app.accounts.schemas import UserCreate
from app.audit.models import AuditEntry
from app.db import utcnow
from app.errors import Conflict, FieldError, Forbidden, TooManyRequests
from app.mail.models import OutboxMessage
from app.security import hash_password, password_problem, verify_password
from tests.factories import (
    PASSWORD,
    AdminFactory,
    DelegationCoordinatorFactory,
    EventStaffFactory,
    PersonFactory,
    UserFactory,
)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1", "Use at least 8 characters."),
        ("x" * 129, "Use at most 128 characters."),
        ("password", "This password is too common. Choose one that is harder to guess."),
        ("iloveyou", "This password is too common. Choose one that is harder to guess."),
        ("Qwertyuiop", "This password is too common. Choose one that is harder to guess."),
        ("tsaghkadzor in winter", None),
        ("abcdefgh" * 8, None),
    ],
)
def test_password_rules_are_length_and_commonness_only(password, problem) -> None:
    assert password_problem(password) == problem


def test_passwords_are_hashed_with_argon2id() -> None:
    hashed = hash_password("tsaghkadzor in winter")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "tsaghkadzor in winter")
    assert not verify_password(hashed, "tsaghkadzor in summer")
    assert not verify_password("not a hash", "anything")


def test_create_user_refuses_a_taken_email(db) -> None:
    admin = AdminFactory()
    UserFactory(email="taken@example.org")
    data = UserCreate(email="Taken@Example.org", full_name="Someone", password="a long unusual passphrase")
    with pytest.raises(FieldError) as exc:
        service.create_user(db, actor=admin, data=data)
    assert exc.value.field == "email"


def test_create_user_needs_an_administrator(db) -> None:
    data = UserCreate(email="new@example.org", full_name="New", password="a long unusual passphrase")
    with pytest.raises(Forbidden):
        service.create_user(db, actor=UserFactory(), data=data)


def test_create_user_is_audited_without_the_password(db) -> None:
    admin = AdminFactory()
    data = UserCreate(email="new@example.org", full_name="New", password="a long unusual passphrase")
    user = service.create_user(db, actor=admin, data=data)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "user.create")).one()
    assert (entry.actor_id, entry.object_type, entry.object_id) == (admin.id, "user", user.id)
    assert "passphrase" not in str(entry.details)


def test_authenticate_records_failures_and_throttles_after_five(db) -> None:
    user = UserFactory()
    for _ in range(5):
        with pytest.raises(service.LoginFailed):
            service.authenticate(db, email=user.email, password="wrong password", client="10.0.0.1")
    with pytest.raises(TooManyRequests) as exc:
        service.authenticate(db, email=user.email, password=PASSWORD, client="10.0.0.2")
    assert "Too many failed sign-in attempts" in exc.value.message


def test_throttling_counts_per_client_too(db) -> None:
    users = UserFactory.create_batch(5)
    for user in users:
        with pytest.raises(service.LoginFailed):
            service.authenticate(db, email=user.email, password="wrong password", client="10.0.0.9")
    other = UserFactory()
    with pytest.raises(TooManyRequests):
        service.authenticate(db, email=other.email, password=PASSWORD, client="10.0.0.9")
    assert service.authenticate(db, email=other.email, password=PASSWORD, client="10.0.0.10") == other


def test_old_failures_no_longer_count(db) -> None:
    user = UserFactory()
    for _ in range(5):
        with pytest.raises(service.LoginFailed):
            service.authenticate(db, email=user.email, password="wrong password", client="c")
    for attempt in db.scalars(select(service.LoginAttempt)):
        attempt.created_at = utcnow() - timedelta(minutes=16)
    db.flush()
    assert service.authenticate(db, email=user.email, password=PASSWORD, client="c") == user


def test_inactive_user_cannot_sign_in(db) -> None:
    user = UserFactory(is_active=False)
    with pytest.raises(service.LoginFailed):
        service.authenticate(db, email=user.email, password=PASSWORD, client="c")


def test_session_expires_when_idle_or_too_old(db) -> None:
    user = UserFactory()
    idle = service.start_session(db, user=user, second_factor_done=True, client="c")
    old = service.start_session(db, user=user, second_factor_done=True, client="c")
    fresh = service.start_session(db, user=user, second_factor_done=True, client="c")
    rows = {s.token_hash: s for s in db.scalars(select(UserSession))}
    from app.security import token_hash

    rows[token_hash(idle)].last_seen_at = utcnow() - timedelta(minutes=121)
    rows[token_hash(old)].created_at = utcnow() - timedelta(hours=13)
    db.flush()
    assert service.load_session(db, idle) is None
    assert service.load_session(db, old) is None
    assert service.load_session(db, fresh).user == user


def test_sign_in_is_one_query_with_every_grant_and_the_site_policy(db, count_queries) -> None:
    user = UserFactory()
    for _ in range(2):
        EventStaffFactory(user=user)
        DelegationCoordinatorFactory(user=user)
    person = PersonFactory(user=user)
    token = service.start_session(db, user=user, second_factor_done=True, client="c")
    service.set_totp_policy(db, actor=AdminFactory(), required=True)
    db.flush()
    db.expunge_all()

    with count_queries() as count:
        session, totp_policy = service.load_session_and_policy(db, token)
        loaded = session.user
        grants = (len(loaded.event_roles), len(loaded.coordinator_roles), loaded.person.id)

    assert count() == 1
    assert (loaded.id, grants, totp_policy) == (user.id, (2, 2, person.id), True)


def test_sign_in_reads_the_site_policy_as_off_until_it_is_set(db) -> None:
    token = service.start_session(db, user=UserFactory(), second_factor_done=True, client="c")
    assert service.load_session_and_policy(db, token)[1] is False
    assert service.load_session_and_policy(db, "not a session") == (None, False)


def test_deactivating_a_user_ends_their_sessions(db) -> None:
    admin, user = AdminFactory(), UserFactory()
    token = service.start_session(db, user=user, second_factor_done=True, client="c")
    service.update_user(db, actor=admin, user=user, data=service.UserUpdate(full_name="X", is_admin=False, is_active=False))
    assert service.load_session(db, token) is None


def test_change_password_checks_the_current_one_and_ends_sessions(db) -> None:
    user = UserFactory()
    token = service.start_session(db, user=user, second_factor_done=True, client="c")
    with pytest.raises(FieldError):
        service.change_password(db, user=user, current="not it", new="a brand new passphrase")
    service.change_password(db, user=user, current=PASSWORD, new="a brand new passphrase")
    assert service.load_session(db, token) is None
    assert verify_password(user.password_hash, "a brand new passphrase")


def test_password_reset_mails_a_link_from_the_base_url(db) -> None:
    user = UserFactory(email="ana@example.org")
    service.request_password_reset(db, email="ANA@example.org")
    message = db.scalars(select(OutboxMessage)).one()
    assert message.to_address == "ana@example.org"
    assert "http://parley.test/password/reset/" in message.body_text
    assert db.scalars(select(PasswordReset)).one().user_id == user.id


def test_password_reset_for_unknown_email_sends_nothing(db) -> None:
    service.request_password_reset(db, email="nobody@example.org")
    assert db.scalars(select(OutboxMessage)).all() == []


def _reset_token(db) -> str:  # type: ignore[no-untyped-def]
    body = db.scalars(select(OutboxMessage)).all()[-1].body_text
    return body.split("/password/reset/")[1].split()[0].rstrip(">")


def test_password_reset_link_works_once(db) -> None:
    user = UserFactory()
    session = service.start_session(db, user=user, second_factor_done=True, client="c")
    service.request_password_reset(db, email=user.email)
    token = _reset_token(db)
    service.reset_password(db, token=token, password="a brand new passphrase")
    assert verify_password(user.password_hash, "a brand new passphrase")
    assert service.load_session(db, session) is None
    with pytest.raises(Conflict):
        service.reset_password(db, token=token, password="another new passphrase")


def test_expired_password_reset_link_is_refused(db) -> None:
    user = UserFactory()
    service.request_password_reset(db, email=user.email)
    db.scalars(select(PasswordReset)).one().expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    with pytest.raises(Conflict):
        service.reset_password(db, token=_reset_token(db), password="a brand new passphrase")


def test_totp_enable_then_verify(db) -> None:
    user = UserFactory()
    secret = service.new_totp_secret()
    with pytest.raises(FieldError):
        service.enable_totp(db, user=user, secret=secret, code="000000")
    service.enable_totp(db, user=user, secret=secret, code=pyotp.TOTP(secret).now())
    assert user.totp_enabled and secret not in user.totp_secret
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    assert service.verify_totp(db, user=user, code=next_code)
    assert not service.verify_totp(db, user=user, code=next_code)  # a code works once
    assert not service.verify_totp(db, user=user, code="12345x")


def test_totp_cannot_be_switched_off_when_required(db) -> None:
    admin = AdminFactory()
    secret = service.new_totp_secret()
    service.enable_totp(db, user=admin, secret=secret, code=pyotp.TOTP(secret).now())
    service.set_totp_policy(db, actor=admin, required=True)
    with pytest.raises(Conflict):
        service.disable_totp(db, user=admin, code=pyotp.TOTP(secret).now())


def test_api_tokens_are_stored_hashed_and_can_be_revoked(db) -> None:
    user = UserFactory()
    raw = service.create_api_token(db, actor=user, user=user, name="script")
    stored = db.scalars(select(ApiToken)).one()
    assert raw not in stored.token_hash
    assert service.user_for_api_token(db, raw) == user
    service.revoke_api_token(db, user=user, token_id=stored.id)
    assert service.user_for_api_token(db, raw) is None


def test_a_user_cannot_revoke_another_users_token(db) -> None:
    owner, other = UserFactory(), UserFactory()
    service.create_api_token(db, actor=owner, user=owner, name="script")
    token = db.scalars(select(ApiToken)).one()
    from app.errors import NotFound

    with pytest.raises(NotFound):
        service.revoke_api_token(db, user=other, token_id=token.id)


def test_reencrypt_moves_secrets_to_the_newest_key(db) -> None:
    user = UserFactory()
    old_ring = crypto.parse_keys(["t1:" + "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE="])
    user.totp_secret = crypto.encrypt("JBSWY3DPEHPK3PXP", table="user", column="totp_secret", row_id=user.id, ring=old_ring)
    db.flush()
    assert service.reencrypt_secrets(db) == 1
    assert crypto.key_id(user.totp_secret) == "t2"
    assert crypto.decrypt(user.totp_secret, table="user", column="totp_secret", row_id=user.id) == "JBSWY3DPEHPK3PXP"
    assert service.reencrypt_secrets(db) == 0


def test_audit_entries_cannot_be_changed(db) -> None:
    from app import audit

    entry = audit.record(db, None, "test.action", UserFactory())
    db.flush()
    entry.action = "changed"
    with pytest.raises(RuntimeError, match="append-only"):
        db.flush()
