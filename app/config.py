"""Settings, read from the environment (prefix PARLEY_) or a .env file, never at import time."""

import base64
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{VAR / 'parley.sqlite3'}"
    # Signs CSRF tokens and keys the lookup hashes of documents; generated into var/ when unset.
    secret_key: str = ""
    # Data-encryption keys for travel documents, newest first: "keyid:base64-of-32-bytes", ...
    # Generated into var/ when unset. Rotation: prepend a new key, run `parley keys rotate`.
    data_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    base_url: str = "http://127.0.0.1:8000"
    default_language: str = "en"
    default_timezone: str = "UTC"

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    mail_from: str = "Parley <parley@localhost>"
    # The outbox is delivered by a background thread of `parley serve`; tests deliver by hand.
    outbox_worker: bool = True
    # A delegate's itinerary changes are told in one e-mail once the oldest is this old, so
    # that the changes of a rearranged afternoon arrive together.
    itinerary_notice_minutes: int = 10

    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    login_max_failures: int = 5
    login_window_minutes: int = 15
    password_reset_hours: int = 2
    # Days after an event ends before its travel documents and other sensitive fields may be
    # erased (`parley data purge`).
    retention_days: int = 30
    invitation_days: int = 14
    # Warn when a travel document expires within this many days after the crossing.
    document_expiry_margin_days: int = 90
    log_level: str = "INFO"
    # Rendered pages kept in memory per server process (app.page_cache); 0 renders every request.
    page_cache_megabytes: int = 64

    @field_validator("data_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [k.strip() for k in value.split(",") if k.strip()]
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")


def _generated(name: str, make: Callable[[], str]) -> str:
    """A value kept in var/NAME, created on first use: secrets never live in the repository."""
    path = VAR / name
    if path.exists():
        return path.read_text().strip()
    VAR.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    if not settings.secret_key:
        settings.secret_key = _generated("secret_key", lambda: secrets.token_urlsafe(48))
    if not settings.data_keys:
        key = _generated(
            "data_key", lambda: "k1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        )
        settings.data_keys = [key]
    return settings
