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
from app.delegations.models import Delegation, DelegationCoordinator
from app.events.models import Event, EventStaff
from app.initiatives.models import Initiative, Milestone, RoadmapPhase
from app.invitations.models import Invitation
from app.mail.models import OutboxMessage
from app.registrations.models import Consent, Person, Registration

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Consent",
    "Delegation",
    "DelegationCoordinator",
    "Event",
    "EventStaff",
    "Initiative",
    "Invitation",
    "LoginAttempt",
    "Milestone",
    "OutboxMessage",
    "PasswordReset",
    "Person",
    "Registration",
    "RoadmapPhase",
    "SiteSetting",
    "User",
    "UserSession",
]
