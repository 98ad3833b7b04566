"""Every model, imported in one place so that Alembic and the tests see the whole schema."""

from app.accounts.models import (
    ApiToken,
    LoginAttempt,
    PasswordReset,
    SiteSetting,
    User,
    UserSession,
)
from app.agenda.models import (
    AgendaSession,
    Room,
    SessionInvitee,
    SessionSpeaker,
    SessionTranslation,
)
from app.audit.models import AuditEntry
from app.crossings.models import (
    Crossing,
    CrossingPoint,
    ManifestEntry,
    ProcedureStep,
    ProcedureTemplate,
    Vehicle,
)
from app.db import DataVersion
from app.delegations.models import Delegation, DelegationCoordinator
from app.events.models import Event, EventStaff
from app.initiatives.models import Initiative, Milestone, RoadmapPhase
from app.invitations.models import Invitation
from app.itineraries.models import ItineraryChange, ItineraryFeed
from app.mail.models import OutboxMessage
from app.officials.models import Official
from app.outcomes.models import Outcome
from app.press.models import MediaCoverage, PressApproval, PressItem, PressVersion
from app.recommendations.models import ProgressUpdate, Recommendation
from app.registrations.models import Consent, Person, Registration
from app.summaries.models import EventSummary

__all__ = [
    "AgendaSession",
    "ApiToken",
    "AuditEntry",
    "Consent",
    "Crossing",
    "CrossingPoint",
    "DataVersion",
    "Delegation",
    "DelegationCoordinator",
    "Event",
    "EventStaff",
    "EventSummary",
    "Initiative",
    "Invitation",
    "ItineraryChange",
    "ItineraryFeed",
    "LoginAttempt",
    "ManifestEntry",
    "MediaCoverage",
    "Milestone",
    "Official",
    "OutboxMessage",
    "Outcome",
    "PasswordReset",
    "Person",
    "PressApproval",
    "PressItem",
    "PressVersion",
    "ProcedureStep",
    "ProcedureTemplate",
    "ProgressUpdate",
    "Recommendation",
    "Registration",
    "RoadmapPhase",
    "Room",
    "SessionInvitee",
    "SessionSpeaker",
    "SessionTranslation",
    "SiteSetting",
    "User",
    "UserSession",
    "Vehicle",
]
