"""Invitations in the reader's language: e-mails in their recipient's, refusals and pages in the
reader's, with dates by month name."""

import pytest

from app import i18n
from app.errors import Conflict
from app.i18n import use_language
from app.invitations import service
from app.invitations.schemas import InvitationCreate, RegistrationForm
from tests.factories import (
    DelegationFactory,
    EventFactory,
    InvitationFactory,
    UserFactory,
    coordinator,
    organiser,
)
from tests.invitations.support import REGISTRATION_FORM, open_delegation, outbox
from tests.support import message_in, read_in, settle


def test_invitation_email_is_in_the_language_of_the_addresss_account(db):
    delegation = DelegationFactory(event=EventFactory(title="Tsaghkadzor roundtable"))
    UserFactory(email="anahit@example.am", language="hy")

    with use_language("en"):  # the organiser reads English
        invitation = service.invite(
            db, actor=organiser(delegation.event), event=delegation.event,
            data=InvitationCreate(email="anahit@example.am", delegation_id=delegation.id),
        )

    [message] = outbox(db, "anahit@example.am")
    with use_language("hy"):
        assert message.subject == i18n.gettext("Invitation: %(event)s") % {"event": "Tsaghkadzor roundtable"}
        assert i18n.gettext("To register, open this link:") in message.body_html
        expires = i18n.format_moment(invitation.expires_at, delegation.event.timezone)
    assert expires in message.body_html  # the date in Armenian, month name and all


def test_invitation_email_to_an_address_without_an_account_is_in_the_senders_language(db):
    delegation = DelegationFactory(event=EventFactory(title="Tsaghkadzor roundtable"))

    with use_language("ru"):
        service.invite(
            db, actor=organiser(delegation.event), event=delegation.event,
            data=InvitationCreate(email="nobody@example.org", delegation_id=delegation.id),
        )

    [message] = outbox(db, "nobody@example.org")
    assert message.subject == message_in("ru", "Invitation: %(event)s") % {"event": "Tsaghkadzor roundtable"}


def test_registration_notices_go_to_each_in_their_own_language(db):
    delegation = open_delegation(event=EventFactory(status="registration_open", title="Roundtable"))
    coordinator(delegation, email="coordinator@example.org", language="ru")
    organiser(delegation.event, email="organiser@example.org")  # no language chosen
    invitation = InvitationFactory(delegation=delegation, email="anahit@example.am")
    user = UserFactory(email="anahit@example.am", language="hy")
    db.flush()

    with use_language("az"):  # the delegate's browser is in Azerbaijani
        service.accept(db, actor=user, invitation=invitation, form=RegistrationForm.model_validate(REGISTRATION_FORM))

    subjects = {m.to_address: m.subject for m in outbox(db)}
    assert subjects == {
        "anahit@example.am": message_in("hy", "You are registered: %(event)s") % {"event": "Roundtable"},
        "coordinator@example.org": message_in("ru", "New registration: %(event)s") % {"event": "Roundtable"},
        "organiser@example.org": message_in("az", "New registration: %(event)s") % {"event": "Roundtable"},
    }
    # The name in the recipient's script: Armenian for the Armenian reader, Latin for the Russian.
    [registered] = outbox(db, "anahit@example.am")
    [notice] = outbox(db, "coordinator@example.org")
    assert message_in("hy", "Hello %(name)s,") % {"name": "Անահիտ Հակոբյան"} in registered.body_html
    assert "Anahit Hakobyan" in notice.body_html and "Հակոբյան" not in notice.body_html


@pytest.mark.parametrize("code", ["hy", "az", "ru"])
def test_a_used_invitation_cannot_be_changed_says_so_in_the_readers_language(db, code):
    invitation = InvitationFactory(status="revoked")
    actor = organiser(invitation.event)

    with use_language(code), pytest.raises(Conflict) as refused:
        service.revoke(db, actor=actor, invitation=invitation)

    assert refused.value.message == message_in(code, service.NOT_PENDING["revoked"])


def test_the_link_page_of_a_withdrawn_invitation_is_in_the_readers_language(client, db):
    InvitationFactory(status="revoked", token="withdrawn-token-0001-not-random")
    settle(db)
    read_in(client, "ru")

    r = client.get("/invitations/withdrawn-token-0001-not-random")

    assert r.status_code == 410
    assert message_in("ru", "This invitation has been withdrawn.") in r.text
    assert message_in("ru", "This invitation has been withdrawn") in r.text  # the heading


def test_batch_problems_are_in_the_readers_language(db):
    delegation = DelegationFactory()

    with use_language("hy"), pytest.raises(service.BatchInvalid) as invalid:
        service.parse_batch("ani@example.am, inner\n", delegation_id=delegation.id, circle="broader", category="expert")

    [problem] = invalid.value.errors
    assert problem.message.startswith(message_in("hy", service.LINE_PROBLEMS["circle"]).split("%(value)s")[0])
    assert invalid.value.message == message_in("hy", service.BatchInvalid.default_message)
