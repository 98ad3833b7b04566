"""Form parsing: pydantic models validate posted fields; errors map field → messages."""

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from starlette.datastructures import FormData

from app import i18n
from app.i18n import N_, _, ngettext

F = TypeVar("F", bound=BaseModel)

# Fields whose value is taken exactly as typed.
UNSTRIPPED = ("password", "password_confirm", "current_password")


class Form(BaseModel):
    """Base of page forms: blank optional fields are None, unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _blank_is_none(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        cleaned = {}
        for key, value in data.items():
            if isinstance(value, str) and key not in UNSTRIPPED:
                value = value.strip()
            field = cls.model_fields.get(key)
            if value == "" and field is not None and not field.is_required():
                continue
            cleaned[key] = value
        return cleaned

    @model_validator(mode="after")
    def _passwords_match(self) -> "Form":
        confirm = getattr(self, "password_confirm", None)
        if confirm is not None and confirm != getattr(self, "password", None):
            # "field: message": errors_by_field shows the message beside that field.
            raise ValueError("password_confirm: " + _("The two passwords do not match."))
        return self


def form_values(body: FormData, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in body:
        values[key] = body.getlist(key) if key in lists else body.get(key)
    return values


# pydantic's own messages for bounds, as msgids of their own: English pages read exactly as
# pydantic words them, other languages get a translation with the same bound.
BOUNDS = {
    "greater_than_equal": (N_("Input should be greater than or equal to %(ge)s"), "ge"),
    "greater_than": (N_("Input should be greater than %(gt)s"), "gt"),
    "less_than_equal": (N_("Input should be less than or equal to %(le)s"), "le"),
    "less_than": (N_("Input should be less than %(lt)s"), "lt"),
}

# The email-validator library's most frequent messages (English, its own words).
EMAIL_MESSAGES = (
    N_("An email address must have an @-sign."),
    N_("There must be something before the @-sign."),
    N_("There must be something after the @-sign."),
    N_("The part after the @-sign is not valid. It should have a period."),
    N_("The part after the @-sign is not valid. It is not within a valid top-level domain."),
    N_("An email address cannot have two periods in a row."),
    N_("The email address contains invalid characters before the @-sign."),
    N_("The email address contains an invalid character."),
)


def _foreign(message: str, fallback: str) -> str:
    """A library's English message: as it is for English readers, else `fallback` (translated)."""
    if i18n.current_language() == "en":
        return message
    return _(message) if message in EMAIL_MESSAGES else _(fallback)


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short":
        n = ctx.get("min_length") or 1
        if n == 1:
            return _("This field is required.")
        return ngettext("Use at least %(n)s character.", "Use at least %(n)s characters.", n) % {"n": n}
    if kind == "string_too_long":
        n = ctx.get("max_length") or 0
        return ngettext("Use at most %(n)s character.", "Use at most %(n)s characters.", n) % {"n": n}
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        if message.startswith("value is not a valid email address: "):
            return _foreign(message.removeprefix("value is not a valid email address: "), N_("This e-mail address is not valid."))
        return message  # our validators raise their messages translated
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return _("Enter a number.")
    if kind in BOUNDS:
        message, key = BOUNDS[kind]
        return _(message) % {key: ctx.get(key)}
    if kind == "enum" or kind == "literal_error":
        return _("Choose one of the options.")
    if kind == "string_pattern_mismatch":
        return _("The format is not valid.")
    return _foreign(error["msg"], N_("This value is not valid."))


def errors_by_field(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        field = loc[0] if loc else "__all__"
        message = _message(error)
        if error["type"] == "value_error" and not loc:
            raw = str((error.get("ctx") or {}).get("error", ""))
            if ": " in raw:  # "field: message" from a model validator
                field, message = raw.split(": ", 1)
        errors.setdefault(field, []).append(message)
    return errors


def validate_form(
    model: type[F], body: FormData | dict[str, Any], *, lists: tuple[str, ...] = ()
) -> tuple[F | None, dict[str, list[str]]]:
    values = form_values(body, lists=lists) if isinstance(body, FormData) else body
    try:
        return model.model_validate(values), {}
    except ValidationError as exc:
        return None, errors_by_field(exc)
