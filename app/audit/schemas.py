"""The audit log page's filters, as its form sends them (blank fields are no filter)."""

from datetime import date

from pydantic import Field

from app.forms import Form

MAX_ID = 2**31 - 1


class AuditFilterForm(Form):
    action: str | None = Field(default=None, max_length=64)
    object_type: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=254)
    event_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    since: date | None = None
    until: date | None = None
