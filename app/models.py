"""Every model, imported in one place so that Alembic and the tests see the whole schema."""

from app.accounts.models import (
    ApiToken,
    LoginAttempt,
    PasswordReset,
    SiteSetting,
    User,
    UserSession,
)
from app.audit.models import AuditEntry
from app.events.models import Event, EventStaff
from app.initiatives.models import Initiative, Milestone, RoadmapPhase
from app.mail.models import OutboxMessage

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Event",
    "EventStaff",
    "Initiative",
    "LoginAttempt",
    "Milestone",
    "OutboxMessage",
    "PasswordReset",
    "RoadmapPhase",
    "SiteSetting",
    "User",
    "UserSession",
]
