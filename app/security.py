"""Passwords, random tokens and keyed hashes: the primitives the account code is built on."""

import hashlib
import hmac
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.config import get_settings
from app.i18n import _, ngettext

PASSWORD_MIN = 8
PASSWORD_MAX = 128

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@lru_cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from breach corpora, ranked.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why a new password is refused, or None. Length and commonness only: no composition rules."""
    if len(password) < PASSWORD_MIN:
        return ngettext("Use at least %(n)s character.", "Use at least %(n)s characters.", PASSWORD_MIN) % {"n": PASSWORD_MIN}
    if len(password) > PASSWORD_MAX:
        return ngettext("Use at most %(n)s character.", "Use at most %(n)s characters.", PASSWORD_MAX) % {"n": PASSWORD_MAX}
    lowered = password.lower()
    if lowered in _common_passwords() or (email and lowered == email.lower()):
        return _("This password is too common. Choose one that is harder to guess.")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A real hash to verify against when the account does not exist, so that timing does not tell.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


def new_token(nbytes: int = 32) -> str:
    """An unguessable token for URLs and cookies (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """How tokens are stored: a leaked table does not give working tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(purpose: str, value: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
