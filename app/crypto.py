"""Encryption of sensitive values at rest: AES-256-GCM with a key id, bound to row and column.

A stored value reads "v1:<key id>:<nonce>:<ciphertext>" (base64url). The associated data names
the table, column and row, so a ciphertext copied into another row or column fails to decrypt.
Keys come from settings, newest first; the newest encrypts, any listed key decrypts.
"""

import base64
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.config import get_settings


class DecryptionError(Exception):
    pass


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]
    current: str


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def parse_keys(entries: list[str]) -> Keyring:
    keys: dict[str, bytes] = {}
    for entry in entries:
        kid, _, material = entry.partition(":")
        key = _b64d(material)
        if not kid or len(key) != 32:
            raise ValueError("each data key must be 'id:base64 of 32 bytes'")
        keys[kid] = key
    if not keys:
        raise ValueError("at least one data key is needed")
    return Keyring(keys=keys, current=entries[0].partition(":")[0])


@lru_cache
def keyring() -> Keyring:
    return parse_keys(get_settings().data_keys)


def _aad(table: str, column: str, row_id: int) -> bytes:
    return f"{table}.{column}#{row_id}".encode()


def encrypt(plaintext: str, *, table: str, column: str, row_id: int, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    nonce = secrets.token_bytes(12)
    data = AESGCM(ring.keys[ring.current]).encrypt(
        nonce, plaintext.encode(), _aad(table, column, row_id)
    )
    return f"v1:{ring.current}:{_b64e(nonce)}:{_b64e(data)}"


def key_id(stored: str) -> str:
    return stored.split(":")[1]


def decrypt(stored: str, *, table: str, column: str, row_id: int, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    try:
        version, kid, nonce, data = stored.split(":")
        if version != "v1" or kid not in ring.keys:
            raise DecryptionError("unknown format or key")
        plain = AESGCM(ring.keys[kid]).decrypt(_b64d(nonce), _b64d(data), _aad(table, column, row_id))
    except (ValueError, InvalidTag) as exc:
        raise DecryptionError("the value cannot be decrypted") from exc
    return plain.decode()
