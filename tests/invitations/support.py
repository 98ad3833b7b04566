"""Helpers shared by the invitation and delegate tests."""

import re

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.events.models import EventStatus
from app.mail.models import OutboxMessage
from tests.factories import DelegationFactory, EventFactory, InvitationFactory

LINK = re.compile(r"http://parley\.test/invitations/([A-Za-z0-9_\-]+)")

# What a delegate fills in on the registration form (names in both scripts).
REGISTRATION_FORM = {
    "given_name": "Anahit",
    "family_name": "Hakobyan",
    "given_name_native": "Անահիտ",
    "family_name_native": "Հակոբյան",
    "organisation": "Civic Dialogue Centre",
    "position": "Director",
    "sector": "civil_society",
    "phone": "+374 10 123456",
    "dietary_needs": "Vegetarian",
    "accessibility_needs": "",
    "languages": ["hy", "en", "ru"],
    "emergency_contact_name": "Aram Hakobyan",
    "emergency_contact_phone": "+374 91 000000",
    "consent_data_processing": "on",
    "consent_photography": "on",
}

DOCUMENT = {
    "doc_type": "passport",
    "doc_number": "AB 1234567",
    "doc_issuing_country": "AM",
    "doc_nationality": "AM",
    "doc_expires_on": "2031-05-01",
}


def outbox(db, to: str | None = None) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        query = query.where(OutboxMessage.to_address == to)
    return list(db.scalars(query))


def link_token(message: OutboxMessage) -> str:
    """The token of the invitation link in an e-mail (the link is in both bodies)."""
    found = LINK.search(message.body_text)
    assert found is not None, message.body_text
    assert LINK.search(message.body_html) is not None
    return found.group(1)


def audit_actions(db, object_type: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    query = select(AuditEntry.action).order_by(AuditEntry.id)
    if object_type is not None:
        query = query.where(AuditEntry.object_type == object_type)
    return list(db.scalars(query))


def open_delegation(**kwargs):  # type: ignore[no-untyped-def]
    """A delegation of an event open for registration: where an invitation's link can be used."""
    kwargs.setdefault("event", EventFactory(status=EventStatus.REGISTRATION_OPEN))
    return DelegationFactory(**kwargs)


def open_invitation(**kwargs):  # type: ignore[no-untyped-def]
    """A pending invitation into a delegation of an event open for registration."""
    if "delegation" not in kwargs:
        kwargs["delegation"] = open_delegation()
    return InvitationFactory(**kwargs)
