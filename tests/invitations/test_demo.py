"""The demonstration's invitations: a few still pending at the Tsaghkadzor roundtable."""

from sqlalchemy import select

from app import demo
from app.events.models import Event
from app.invitations.models import Invitation, InvitationStatus


def test_the_demo_has_a_few_pending_invitations_in_both_delegations(db):
    demo.load(db)
    event = db.scalar(select(Event).where(Event.title == "Peace Bridge bilateral roundtable"))

    pending = list(db.scalars(select(Invitation).where(Invitation.event_id == event.id)))

    assert len(pending) == 3
    assert {i.status for i in pending} == {InvitationStatus.PENDING}
    assert len({i.delegation_id for i in pending}) == 2
