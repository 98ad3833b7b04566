"""Accounts: users, sign-in sessions, throttling, password reset, second factor, API tokens."""

import logging
from datetime import timedelta

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, crypto, i18n, policy
from app.accounts.models import (
    ApiToken,
    LoginAttempt,
    PasswordReset,
    SiteSetting,
    User,
    UserSession,
)
from app.accounts.schemas import UserCreate, UserUpdate
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, FieldError, NotFound, TooManyRequests
from app.i18n import _, ngettext
from app.mail import service as mail
from app.pagination import Page, paginate
from app.policy import Action
from app.security import (
    burn_password_check,
    hash_password,
    new_token,
    password_problem,
    same,
    token_hash,
    verify_password,
)

log = logging.getLogger(__name__)

REQUIRE_TOTP = "require_totp_for_sensitive_roles"
# Writes of "last seen" are coalesced: at most one a minute per session or token.
TOUCH_INTERVAL = timedelta(seconds=60)


def normalise_email(email: str) -> str:
    return email.strip().lower()


# What the policy reads of a user: loaded with them at sign-in and on every request.
GRANTS = (selectinload(User.event_roles), selectinload(User.coordinator_roles), joinedload(User.person))


# --- users -------------------------------------------------------------------------------------


def get_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == normalise_email(email)))


def system_actor() -> User:
    """The command line and the demo loader act with the operator's authority, as no one user.

    Never added to a session: audit entries by it have no actor id.
    """
    return User(email="system", full_name="Parley command line", is_admin=True, is_active=True)


def actor_label(actor: User) -> int | str:
    """How log lines name the actor: its id, or "system" for the command line."""
    return actor.id if actor.id is not None else "system"


def create_user(db: Session, *, actor: User, data: UserCreate) -> User:
    policy.require(actor, Action.USER_MANAGE)
    email = normalise_email(data.email)
    if get_by_email(db, email) is not None:
        raise FieldError("email", _("An account with this e-mail address exists already."))
    user = User(
        email=email,
        full_name=data.full_name,
        password_hash=hash_password(data.password),
        is_admin=data.is_admin,
        language=data.language,
    )
    db.add(user)
    db.flush()
    audit.record(db, actor, "user.create", user, is_admin=user.is_admin)
    log.info("user %s created by %s", user.id, actor_label(actor))
    return user


def get_user(db: Session, *, viewer: User, user_id: int) -> User:
    policy.require(viewer, Action.USER_MANAGE)
    user = db.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def list_users(db: Session, *, viewer: User, q: str | None, page: int, per_page: int = 50) -> Page[User]:
    policy.require(viewer, Action.USER_MANAGE)
    query = select(User).order_by(User.email)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(User.email.like(pattern), func.lower(User.full_name).like(pattern)))
    return paginate(db, query, page=page, per_page=per_page)


def update_user(db: Session, *, actor: User, user: User, data: UserUpdate) -> User:
    policy.require(actor, Action.USER_MANAGE)
    if user.id == actor.id and (not data.is_active or not data.is_admin):
        raise FieldError("is_active", _("You cannot deactivate yourself or remove your own administrator role."))
    changed = {k: v for k, v in data.model_dump().items() if getattr(user, k) != v}
    for key, value in changed.items():
        setattr(user, key, value)
    if not user.is_active:
        revoke_sessions(db, user=user)
    db.flush()
    audit.record(db, actor, "user.update", user, fields=sorted(changed))
    return user


def set_language(db: Session, *, actor: User, language: str | None) -> User:
    """The user's own language for pages and e-mails; None follows their browser."""
    policy.require(actor, Action.ACCOUNT_MANAGE_OWN)
    if language is not None and language not in i18n.LANGUAGES:
        raise FieldError("language", _("Choose one of the offered languages."))
    actor.language = language
    db.flush()
    return actor


def ensure_administrator(db: Session, *, email: str, password: str) -> bool:
    """Create the first administrator if the instance has none. True if one was created."""
    if db.scalar(select(User.id).where(User.is_admin.is_(True)).limit(1)) is not None:
        return False
    create_user(
        db,
        actor=system_actor(),
        data=UserCreate(email=email, full_name="Administrator", password=password, is_admin=True),
    )
    return True


# --- signing in --------------------------------------------------------------------------------


class LoginFailed(FieldError):
    def __init__(self) -> None:
        super().__init__("password", _("The e-mail address or the password is not correct."))


def _recent_failures(db: Session, column, value: str) -> int:  # type: ignore[no-untyped-def]
    since = utcnow() - timedelta(minutes=get_settings().login_window_minutes)
    query = select(func.count()).where(column == value, LoginAttempt.created_at >= since)
    return db.scalar(query) or 0


def check_throttle(db: Session, *, email: str, client: str) -> None:
    settings = get_settings()
    limit = settings.login_max_failures
    if (
        _recent_failures(db, LoginAttempt.email, normalise_email(email)) >= limit
        or _recent_failures(db, LoginAttempt.client, client) >= limit
    ):
        minutes = settings.login_window_minutes
        raise TooManyRequests(
            ngettext(
                "Too many failed sign-in attempts. Wait %(n)s minute and try again, or reset your password.",
                "Too many failed sign-in attempts. Wait %(n)s minutes and try again, or reset your password.",
                minutes,
            )
            % {"n": minutes}
        )


def record_failure(db: Session, *, email: str, client: str) -> None:
    db.add(LoginAttempt(email=normalise_email(email)[:254], client=client[:64]))
    db.flush()
    log.info("failed sign-in from %s", client)


def authenticate(db: Session, *, email: str, password: str, client: str) -> User:
    """The user, or LoginFailed (the failure is recorded: the caller must commit it)."""
    check_throttle(db, email=email, client=client)
    user = db.scalar(select(User).options(*GRANTS).where(User.email == normalise_email(email)))
    if user is None:
        burn_password_check(password)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        record_failure(db, email=email, client=client)
        raise LoginFailed()
    db.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))
    return user


def start_session(db: Session, *, user: User, second_factor_done: bool, client: str) -> str:
    """A new session with a new id (never reuse one from before sign-in); returns the cookie value."""
    token = new_token()
    db.add(UserSession(token_hash=token_hash(token), user=user, second_factor_done=second_factor_done))
    if second_factor_done:
        user.last_login_at = utcnow()
        audit.record(db, user, "user.login", user, client=client)
    db.flush()
    return token


def end_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))


def revoke_sessions(db: Session, *, user: User) -> None:
    db.execute(delete(UserSession).where(UserSession.user_id == user.id))


def _session_expired(session: UserSession) -> bool:
    settings = get_settings()
    now = utcnow()
    return (
        now - session.last_seen_at > timedelta(minutes=settings.session_idle_minutes)
        or now - session.created_at > timedelta(hours=settings.session_absolute_hours)
    )


# The same, joined into one statement: a request's sign-in is one query. A user holds a handful
# of roles, of one kind or the other, so the product of the two lists stays small.
JOINED_GRANTS = (joinedload(User.event_roles), joinedload(User.coordinator_roles), joinedload(User.person))


def load_session(db: Session, token: str) -> UserSession | None:
    return load_session_and_policy(db, token)[0]


def load_session_and_policy(db: Session, token: str) -> tuple[UserSession | None, bool]:
    """The session of this cookie with its user and their grants, and whether the site requires a
    second factor of sensitive roles (`totp_policy_enabled`): one query, every request."""
    policy_value = select(SiteSetting.value).where(SiteSetting.key == REQUIRE_TOTP).scalar_subquery()
    row = db.execute(
        select(UserSession, policy_value)
        .options(joinedload(UserSession.user).options(*JOINED_GRANTS))
        .where(UserSession.token_hash == token_hash(token))
    ).unique().first()
    if row is None:
        return None, False
    session, required = row[0], row[1] == "1"
    if _session_expired(session) or not session.user.is_active:
        db.delete(session)
        return None, required
    if utcnow() - session.last_seen_at > TOUCH_INTERVAL:
        _touch(db, session)
    return session, required


def _touch(db: Session, session: UserSession) -> None:
    """Note that the session is in use. Best effort: a read must not fail because another
    request holds SQLite's write lock, so the write is a savepoint given up on contention."""
    now = utcnow()
    try:
        with db.begin_nested():
            db.execute(
                update(UserSession)
                .where(UserSession.id == session.id)
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )
    except OperationalError:
        log.info("session %s: last-seen time not updated (database busy)", session.id)
        return
    set_committed_value(session, "last_seen_at", now)


def complete_second_factor(db: Session, *, session: UserSession, code: str, client: str) -> None:
    user = session.user
    check_throttle(db, email=user.email, client=client)
    if not verify_totp(db, user=user, code=code):
        record_failure(db, email=user.email, client=client)
        raise FieldError("code", _("The code is not correct. Use the current code from your app."))
    session.second_factor_done = True
    user.last_login_at = utcnow()
    audit.record(db, user, "user.login", user, client=client, second_factor=True)


# --- passwords ---------------------------------------------------------------------------------


def change_password(db: Session, *, user: User, current: str, new: str) -> None:
    """Change the password and end every session of the user (the caller starts a new one)."""
    policy.require(user, Action.ACCOUNT_MANAGE_OWN, user)
    if not verify_password(user.password_hash, current):
        raise FieldError("current_password", _("The current password is not correct."))
    _set_password(db, user, new)
    audit.record(db, user, "user.password_change", user)


def _set_password(db: Session, user: User, password: str) -> None:
    problem = password_problem(password, email=user.email)
    if problem:
        raise FieldError("password", problem)
    user.password_hash = hash_password(password)
    revoke_sessions(db, user=user)
    db.flush()


def request_password_reset(db: Session, *, email: str) -> None:
    """Mail a single-use link if the account exists; say nothing either way."""
    user = get_by_email(db, email)
    if user is None or not user.is_active:
        return
    token = new_token()
    hours = get_settings().password_reset_hours
    db.add(PasswordReset(user=user, token_hash=token_hash(token), expires_at=utcnow() + timedelta(hours=hours)))
    link = f"{get_settings().base_url.rstrip('/')}/password/reset/{token}"
    with mail.in_recipients_language(db, user.email):
        mail.queue(
            db,
            to=user.email,
            subject=_("Reset your Parley password"),
            template="emails/password_reset.html",
            context={"user": user, "link": link, "hours": hours},
        )
    db.flush()
    audit.record(db, None, "user.password_reset_request", user)


def _valid_reset(db: Session, token: str) -> PasswordReset | None:
    reset = db.scalar(
        select(PasswordReset)
        .options(joinedload(PasswordReset.user))
        .where(PasswordReset.token_hash == token_hash(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow() or not reset.user.is_active:
        return None
    return reset


def reset_link_is_valid(db: Session, *, token: str) -> bool:
    return _valid_reset(db, token) is not None


def reset_password(db: Session, *, token: str, password: str) -> User:
    reset = _valid_reset(db, token)
    if reset is None:
        raise Conflict(_("This link has expired or has been used. Ask for a new one."))
    _set_password(db, reset.user, password)
    reset.used_at = utcnow()
    # Every other link of the user dies with this one.
    db.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == reset.user_id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    audit.record(db, reset.user, "user.password_reset", reset.user)
    return reset.user


# --- second factor -----------------------------------------------------------------------------


def _totp(user: User) -> pyotp.TOTP:
    assert user.totp_secret is not None
    secret = crypto.decrypt(user.totp_secret, table="user", column="totp_secret", row_id=user.id)
    return pyotp.TOTP(secret)


def _matching_step(totp: pyotp.TOTP, code: str) -> int | None:
    """The time step (of now, the one before or after) whose code this is, or None."""
    code = code.strip().replace(" ", "")
    now = utcnow()
    for offset in (0, -1, 1):
        moment = now + timedelta(seconds=offset * totp.interval)
        if same(totp.at(moment), code):
            return totp.timecode(moment)
    return None


def verify_totp(db: Session, *, user: User, code: str) -> bool:
    """Check a code and use it up: a code seen once is refused the second time."""
    if not user.totp_secret:
        return False
    step = _matching_step(_totp(user), code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Parley")


def enable_totp(db: Session, *, user: User, secret: str, code: str) -> None:
    policy.require(user, Action.ACCOUNT_MANAGE_OWN, user)
    step = _matching_step(pyotp.TOTP(secret), code)
    if step is None:
        raise FieldError("code", _("The code does not match. Check your app's clock and try again."))
    user.totp_secret = crypto.encrypt(secret, table="user", column="totp_secret", row_id=user.id)
    user.totp_enabled = True
    user.totp_last_step = step
    db.flush()
    audit.record(db, user, "user.totp_enable", user)


def disable_totp(db: Session, *, user: User, code: str) -> None:
    policy.require(user, Action.ACCOUNT_MANAGE_OWN, user)
    if totp_required_for(db, user):
        raise Conflict(_("Your role requires a second factor; it cannot be switched off."))
    if not verify_totp(db, user=user, code=code):
        raise FieldError("code", _("The code is not correct."))
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_step = None
    db.flush()
    audit.record(db, user, "user.totp_disable", user)


def reencrypt_secrets(db: Session) -> int:
    """Re-encrypt the second-factor secrets under the newest key; returns how many changed."""
    current = crypto.keyring().current
    users = db.scalars(select(User).where(User.totp_secret.is_not(None)))
    count = 0
    for user in users:
        assert user.totp_secret is not None
        if crypto.key_id(user.totp_secret) == current:
            continue
        plain = crypto.decrypt(user.totp_secret, table="user", column="totp_secret", row_id=user.id)
        user.totp_secret = crypto.encrypt(plain, table="user", column="totp_secret", row_id=user.id)
        count += 1
    db.flush()
    return count


def security_settings(db: Session, *, viewer: User) -> dict[str, bool]:
    policy.require(viewer, Action.SITE_MANAGE)
    return {"require_totp": totp_policy_enabled(db)}


def totp_policy_enabled(db: Session) -> bool:
    return db.scalar(select(SiteSetting.value).where(SiteSetting.key == REQUIRE_TOTP)) == "1"


def totp_required_for(db: Session, user: User, *, policy_enabled: bool | None = None) -> bool:
    """Whether the user must have a second factor; `policy_enabled` when the caller has read the
    site's setting already (`load_session_and_policy`)."""
    if not policy.sees_travel_documents(user):
        return False
    return totp_policy_enabled(db) if policy_enabled is None else policy_enabled


def set_totp_policy(db: Session, *, actor: User, required: bool) -> None:
    policy.require(actor, Action.SITE_MANAGE)
    setting = db.get(SiteSetting, REQUIRE_TOTP) or SiteSetting(key=REQUIRE_TOTP)
    setting.value = "1" if required else "0"
    db.add(setting)
    db.flush()
    audit.record(db, actor, "site.require_totp", setting, required=required)


# --- API tokens --------------------------------------------------------------------------------


def create_api_token(db: Session, *, actor: User, user: User, name: str) -> str:
    """A new token for `user`; the raw value is returned once and only its hash is kept."""
    policy.require(actor, Action.ACCOUNT_MANAGE_OWN, user)
    raw = "pt_" + new_token()
    token = ApiToken(user=user, name=name, token_hash=token_hash(raw))
    db.add(token)
    db.flush()
    audit.record(db, actor, "api_token.create", token)
    return raw


def list_api_tokens(db: Session, *, user: User) -> list[ApiToken]:
    policy.require(user, Action.ACCOUNT_MANAGE_OWN, user)
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke_api_token(db: Session, *, user: User, token_id: int) -> None:
    policy.require(user, Action.ACCOUNT_MANAGE_OWN, user)
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.flush()
        audit.record(db, user, "api_token.revoke", token)


def user_for_api_token(db: Session, raw: str) -> User | None:
    token = db.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user).options(*GRANTS))
        .where(ApiToken.token_hash == token_hash(raw), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or utcnow() - token.last_used_at > TOUCH_INTERVAL:
        token.last_used_at = utcnow()
    return token.user
