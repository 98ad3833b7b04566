"""Form parsing: pydantic models validate posted fields; errors map field → messages."""

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from starlette.datastructures import FormData

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
            raise ValueError("password_confirm: The two passwords do not match.")
        return self


def form_values(body: FormData, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in body:
        values[key] = body.getlist(key) if key in lists else body.get(key)
    return values


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "This field is required."
    if kind == "string_too_short":
        return "This field is required." if ctx.get("min_length") == 1 else f"Use at least {ctx.get('min_length')} characters."
    if kind == "string_too_long":
        return f"Use at most {ctx.get('max_length')} characters."
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        return message.removeprefix("value is not a valid email address: ")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return "Enter a date as YYYY-MM-DD."
    if kind in ("int_parsing", "int_type"):
        return "Enter a whole number."
    if kind == "enum" or kind == "literal_error":
        return "Choose one of the options."
    if kind == "string_pattern_mismatch":
        return "The format is not valid."
    return error["msg"]


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
