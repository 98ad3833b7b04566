"""Shared arrangements for the import and export tests."""

import re

import pytest

from app.delegations.models import DelegationSide
from app.events.models import EventStatus
from tests.factories import DelegationFactory, EventFactory

HEADER = (
    "email,given_name,family_name,given_name_native,family_name_native,organisation,position,sector,"
    "circle,category,languages,dietary_needs,accessibility_needs,doc_type,doc_number,"
    "doc_issuing_country,doc_nationality,doc_expires_on"
)


def hidden_fields(html: str) -> dict[str, str]:
    """The sealed file of a preview page, as the browser would post it back."""
    return dict(re.findall(r'<input type="hidden" name="(payload|fingerprint|signature)" value="([^"]*)">', html))


@pytest.fixture
def roundtable(db):
    """An event open for registration with a host and a visiting delegation."""
    event = EventFactory(status=EventStatus.REGISTRATION_OPEN, title="Tsaghkadzor roundtable")
    host = DelegationFactory(event=event, name="Armenian delegation", country="AM", side=DelegationSide.HOST)
    visiting = DelegationFactory(
        event=event, name="Azerbaijani delegation", country="AZ", side=DelegationSide.VISITING
    )
    return event, host, visiting
