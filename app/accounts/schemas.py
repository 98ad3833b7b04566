from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from app.forms import Form
from app.security import PASSWORD_MAX, password_problem

# The languages of app.i18n.LANGUAGES (a test keeps the two in step).
LanguageCode = Literal["en", "hy", "az", "ru"]


def _password(value: str) -> str:
    problem = password_problem(value)  # translated
    if problem:
        raise ValueError(problem)
    return value


class LoginForm(Form):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX * 4)
    next: str | None = Field(default=None, max_length=2000)


class TotpForm(Form):
    code: str = Field(pattern=r"^\s*\d{6}\s*$", max_length=20)


class PasswordResetRequestForm(Form):
    email: EmailStr


class NewPasswordForm(Form):
    password: str
    password_confirm: str

    _check = field_validator("password")(_password)


class PasswordChangeForm(NewPasswordForm):
    current_password: str = Field(min_length=1, max_length=PASSWORD_MAX * 4)


class UserCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    email: EmailStr
    full_name: str = Field(min_length=1, max_length=200)
    password: str
    is_admin: bool = False
    language: LanguageCode | None = None

    _check = field_validator("password")(_password)


class UserForm(Form):
    email: EmailStr
    full_name: str = Field(min_length=1, max_length=200)
    password: str
    is_admin: bool = False

    _check = field_validator("password")(_password)


class UserUpdate(Form):
    full_name: str = Field(min_length=1, max_length=200)
    is_admin: bool = False
    is_active: bool = False


class UserUpdateIn(BaseModel):
    """PATCH body: only the fields given change."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    is_admin: bool | None = None
    is_active: bool | None = None


class ApiTokenForm(Form):
    name: str = Field(min_length=1, max_length=100)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str
    is_admin: bool
    is_active: bool
    totp_enabled: bool
    language: str | None
    created_at: datetime


class ApiTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class LanguageForm(Form):
    """The language switcher: any visitor's choice, and a signed-in user's profile setting.
    The field must be sent; blank ("Follow my browser") is None: no choice, the browser decides."""

    language: LanguageCode | None
    next: str | None = Field(default=None, max_length=2000)

    @field_validator("language", mode="before")
    @classmethod
    def _blank_follows_the_browser(cls, value: object) -> object:
        return None if value == "" else value


class MeUpdate(BaseModel):
    """PATCH /api/v1/me: the caller's own settings; null language means "follow the browser"."""

    model_config = ConfigDict(extra="forbid")

    language: LanguageCode | None
