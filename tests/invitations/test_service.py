from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.db import utcnow
from app.errors import Conflict, FieldError, Forbidden
from app.events.models import EventStatus
from app.invitations import service
from app.invitations.models import Invitation, InvitationStatus
from app.invitations.schemas import (
    InvitationCreate,
    InvitationFilter,
    InvitationState,
    InvitationUpdate,
    RegistrationForm,
)
from app.registrations.models import ConsentKind, Person, Registration, RegistrationStatus
from app.registrations.schemas import CONSENT_TEXT_VERSION
from app.security import token_hash
from tests.factories import (
    DelegationFactory,
    EventFactory,
    InvitationFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.invitations.support import (
    DOCUMENT,
    REGISTRATION_FORM,
    audit_actions,
    link_token,
    open_delegation,
    open_invitation,
    outbox,
)


def _invite(db, actor, delegation, email="anahit@example.am", **kwargs):
    data = InvitationCreate(email=email, delegation_id=delegation.id, **kwargs)
    return service.invite(db, actor=actor, event=delegation.event, data=data)


def _lines(text, delegation):
    return service.parse_batch(text, delegation_id=delegation.id, circle="broader", category="civil_society")


# --- inviting ------------------------------------------------------------------------------------


def test_invite_stores_only_the_hash_and_mails_a_link_from_base_url(db):
    delegation = DelegationFactory()
    actor = organiser(delegation.event)

    invitation = _invite(db, actor, delegation, email=" Anahit@Example.AM ", circle="core", category="expert")

    [message] = outbox(db, "anahit@example.am")
    token = link_token(message)
    assert len(token) >= 22  # ≥ 128 bits of randomness, URL-safe
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_hash
    assert invitation.email == "anahit@example.am"
    assert (invitation.circle.value, invitation.category.value) == ("core", "expert")
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.send_count == 1
    days = (invitation.expires_at - utcnow()).total_seconds() / 86400
    assert 13.9 < days <= 14
    assert f"http://parley.test/invitations/{token}" in message.body_html
    assert delegation.event.title in message.subject
    assert audit_actions(db, "invitation") == ["invitation.create"]


def test_invite_expiry_follows_the_setting(db, monkeypatch):
    from app.config import get_settings

    monkeypatch.setenv("PARLEY_INVITATION_DAYS", "3")
    get_settings.cache_clear()
    delegation = DelegationFactory()

    invitation = _invite(db, organiser(delegation.event), delegation)

    days = (invitation.expires_at - utcnow()).total_seconds() / 86400
    assert 2.9 < days <= 3


def test_invite_an_address_with_a_pending_invitation_is_refused(db):
    delegation = DelegationFactory()
    actor = organiser(delegation.event)
    _invite(db, actor, delegation)

    with pytest.raises(FieldError) as refused:
        _invite(db, actor, delegation, email="ANAHIT@example.am")

    assert refused.value.field == "email"
    assert db.scalar(select(Invitation.id).where(Invitation.id > 0).offset(1)) is None


def test_invite_an_address_registered_at_the_event_is_refused(db):
    delegation = DelegationFactory()
    RegistrationFactory(delegation=delegation, person=PersonFactory(email="anahit@example.am"))

    with pytest.raises(FieldError, match="registered"):
        _invite(db, organiser(delegation.event), delegation)


def test_invite_again_after_a_revoked_invitation_is_allowed(db):
    delegation = DelegationFactory()
    InvitationFactory(delegation=delegation, email="anahit@example.am", status=InvitationStatus.REVOKED)

    invitation = _invite(db, organiser(delegation.event), delegation)

    assert invitation.status == InvitationStatus.PENDING


def test_coordinator_invites_into_own_delegation_only(db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    actor = coordinator(own)

    invitation = _invite(db, actor, own, email="own@example.org")
    with pytest.raises(Forbidden):
        _invite(db, actor, other, email="other@example.org")

    assert invitation.delegation_id == own.id
    assert [d.id for d in service.manageable_delegations(db, viewer=actor, event=event)] == [own.id]


def test_press_officer_may_not_invite_or_list(db):
    delegation = DelegationFactory()
    actor = press_officer(delegation.event)

    with pytest.raises(Forbidden):
        _invite(db, actor, delegation)
    with pytest.raises(Forbidden):
        service.list_for_event(db, viewer=actor, event=delegation.event, filters=InvitationFilter(), page=1)


def test_invite_into_a_delegation_of_another_event_is_a_field_error(db):
    delegation = DelegationFactory()
    elsewhere = DelegationFactory()
    data = InvitationCreate(email="a@example.org", delegation_id=elsewhere.id)

    with pytest.raises(FieldError) as refused:
        service.invite(db, actor=organiser(delegation.event), event=delegation.event, data=data)

    assert refused.value.field == "delegation_id"


# --- many at once --------------------------------------------------------------------------------


def test_parse_batch_reads_bom_semicolons_header_and_extra_columns(db):
    delegation = DelegationFactory()
    text = (
        "\ufeffname;email;circle;category\n"
        "Անահիտ Հակոբյան;anahit@example.am;core;expert\n"
        "Günel Məmmədova;gunel@example.az;;media\n"
        "\n"
        "Rəşad Əliyev;RESHAD@example.az;Broader;Civil society\n"
    )

    lines = _lines(text, delegation)

    assert [(line.index, line.data.email, line.data.circle.value, line.data.category.value) for line in lines] == [
        (2, "anahit@example.am", "core", "expert"),
        (3, "gunel@example.az", "broader", "media"),
        (5, "reshad@example.az", "broader", "civil_society"),
    ]


def test_parse_batch_lists_every_bad_line(db):
    delegation = DelegationFactory()
    text = "good@example.org\nnot-an-address\nok@example.org, outer\nfine@example.org,core,expert,extra\n"

    with pytest.raises(service.BatchInvalid) as invalid:
        _lines(text, delegation)

    assert [(e.index, e.field) for e in invalid.value.errors] == [(2, "email"), (3, "circle"), (4, "emails")]
    assert "not-an-address" in invalid.value.errors[0].message


@pytest.mark.parametrize("text", ["a@example.org\x00\n", 'a@example.org,"core\n' + "x" * 200_000])
def test_parse_batch_of_unreadable_text_is_invalid_not_an_error(db, text):
    delegation = DelegationFactory()

    with pytest.raises(service.BatchInvalid) as invalid:
        _lines(text, delegation)

    assert invalid.value.errors[0].index in (0, 1)


def test_invite_many_with_a_duplicate_line_creates_nothing(db):
    delegation = DelegationFactory()
    lines = _lines("a@example.org\nb@example.org\nA@example.org\n", delegation)

    with pytest.raises(service.BatchInvalid) as invalid:
        service.invite_many(db, actor=organiser(delegation.event), event=delegation.event, lines=lines)

    assert [(e.index, e.field) for e in invalid.value.errors] == [(3, "email")]
    assert db.scalars(select(Invitation)).all() == []
    assert outbox(db) == []


def test_invite_many_skips_and_reports_invited_and_registered_addresses(db):
    delegation = DelegationFactory()
    InvitationFactory(delegation=delegation, email="invited@example.org")
    RegistrationFactory(delegation=delegation, person=PersonFactory(email="registered@example.org"))
    lines = _lines("new@example.org\ninvited@example.org\nregistered@example.org\n", delegation)

    result = service.invite_many(db, actor=organiser(delegation.event), event=delegation.event, lines=lines)

    assert [i.email for i in result.created] == ["new@example.org"]
    assert [(s.index, s.email) for s in result.skipped] == [(2, "invited@example.org"), (3, "registered@example.org")]
    assert [m.to_address for m in outbox(db)] == ["new@example.org"]


# --- resend, revoke, change ----------------------------------------------------------------------


def test_resend_issues_a_new_link_and_the_old_one_stops_working(db):
    delegation = DelegationFactory()
    actor = organiser(delegation.event)
    invitation = InvitationFactory(delegation=delegation, token="old-token", expires_at=utcnow() - timedelta(days=1))
    db.flush()

    service.resend(db, actor=actor, invitation=invitation)

    [message] = outbox(db)
    new = link_token(message)
    assert new != "old-token"
    assert invitation.send_count == 2
    assert invitation.expires_at > utcnow() + timedelta(days=13)
    assert service.open_link(db, token=new).id == invitation.id
    with pytest.raises(service.LinkUnusable) as old:
        service.open_link(db, token="old-token")
    assert old.value.reason == "unknown"
    assert audit_actions(db, "invitation") == ["invitation.resend"]


def test_revoke_makes_the_link_unusable_and_cannot_be_repeated(db):
    delegation = DelegationFactory()
    actor = organiser(delegation.event)
    invitation = InvitationFactory(delegation=delegation, token="the-token")
    db.flush()

    service.revoke(db, actor=actor, invitation=invitation)

    assert invitation.status == InvitationStatus.REVOKED
    with pytest.raises(service.LinkUnusable) as refused:
        service.open_link(db, token="the-token")
    assert refused.value.reason == "revoked"
    with pytest.raises(Conflict):
        service.revoke(db, actor=actor, invitation=invitation)
    with pytest.raises(Conflict):
        service.resend(db, actor=actor, invitation=invitation)
    assert audit_actions(db, "invitation") == ["invitation.revoke"]


def test_revoke_after_acceptance_is_refused_even_with_a_stale_copy(db):
    delegation = DelegationFactory()
    invitation = InvitationFactory(delegation=delegation)
    db.flush()
    # Another request accepted it meanwhile; this one still holds it as pending.
    db.execute(Invitation.__table__.update().where(Invitation.id == invitation.id).values(status="accepted"))

    with pytest.raises(Conflict):
        service.revoke(db, actor=organiser(delegation.event), invitation=invitation)

    assert invitation.status == InvitationStatus.ACCEPTED


def test_change_the_address_keeps_the_link(db):
    delegation = DelegationFactory()
    invitation = InvitationFactory(delegation=delegation, token="kept", email="first@example.org")
    db.flush()

    service.update_invitation(
        db, actor=organiser(delegation.event), invitation=invitation, data=InvitationUpdate(email="Second@Example.org")
    )

    assert service.open_link(db, token="kept").email == "second@example.org"
    assert audit_actions(db, "invitation") == ["invitation.update"]


# --- the list ------------------------------------------------------------------------------------


def test_list_counts_and_filters_by_state(db):
    delegation = DelegationFactory()
    InvitationFactory(delegation=delegation, email="pending@example.org")
    InvitationFactory(delegation=delegation, email="expired@example.org", expires_at=utcnow() - timedelta(hours=1))
    InvitationFactory(delegation=delegation, email="accepted@example.org", status=InvitationStatus.ACCEPTED)
    InvitationFactory(delegation=delegation, email="revoked@example.org", status=InvitationStatus.REVOKED)
    actor = organiser(delegation.event)

    everything = service.list_for_event(db, viewer=actor, event=delegation.event, filters=InvitationFilter(), page=1)
    expired = service.list_for_event(
        db, viewer=actor, event=delegation.event, filters=InvitationFilter(state="expired"), page=1
    )
    pending = service.list_for_event(
        db, viewer=actor, event=delegation.event, filters=InvitationFilter(state="pending"), page=1
    )

    assert everything.counts == {
        InvitationState.PENDING: 1,
        InvitationState.EXPIRED: 1,
        InvitationState.ACCEPTED: 1,
        InvitationState.REVOKED: 1,
    }
    assert everything.page.total == 4
    assert [i.email for i in expired.page.items] == ["expired@example.org"]
    assert [i.email for i in pending.page.items] == ["pending@example.org"]


def test_list_for_coordinator_shows_own_delegation_only(db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    InvitationFactory(delegation=own, email="own@example.org")
    InvitationFactory(delegation=other, email="other@example.org")

    result = service.list_for_event(db, viewer=coordinator(own), event=event, filters=InvitationFilter(), page=1)

    assert [i.email for i in result.page.items] == ["own@example.org"]
    assert sum(result.counts.values()) == 1


# --- accepting -----------------------------------------------------------------------------------


def _form(**overrides):
    return RegistrationForm.model_validate({**REGISTRATION_FORM, **overrides})


def test_accept_registers_with_consents_and_document(db):
    delegation = open_delegation()
    coordinator(delegation, email="coordinator@example.org")
    organiser(delegation.event, email="organiser@example.org")
    invitation = InvitationFactory(delegation=delegation, email="anahit@example.am", circle="core", category="expert")
    user = UserFactory(email="anahit@example.am")
    db.flush()

    registration = service.accept(db, actor=user, invitation=invitation, form=_form(**DOCUMENT))

    assert registration.status == RegistrationStatus.REGISTERED
    assert (registration.delegation_id, registration.circle.value, registration.category.value) == (
        delegation.id,
        "core",
        "expert",
    )
    assert registration.person.user_id == user.id
    assert registration.person.family_name_native == "Հակոբյան"
    assert registration.languages == "hy,en,ru"
    assert sorted(c.kind for c in registration.consents) == [ConsentKind.DATA_PROCESSING, ConsentKind.PHOTOGRAPHY]
    assert {c.text_version for c in registration.consents} == {CONSENT_TEXT_VERSION}
    assert registration.masked_document == "•••••4567"
    assert registration.doc_number != "AB1234567"  # encrypted at rest
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.registration_id == registration.id
    assert invitation.accepted_at is not None
    assert [m.to_address for m in outbox(db)] == [
        "anahit@example.am",
        "coordinator@example.org",
        "organiser@example.org",
    ]
    assert "invitation.accept" in audit_actions(db, "invitation")
    assert "registration.create" in audit_actions(db, "registration")


def test_accept_by_another_address_is_refused(db):
    invitation = open_invitation(email="anahit@example.am")
    db.flush()

    with pytest.raises(service.WrongAddress):
        service.accept(db, actor=UserFactory(email="someone@example.org"), invitation=invitation, form=_form())

    assert invitation.status == InvitationStatus.PENDING
    assert db.scalars(select(Registration)).all() == []


def test_accept_twice_registers_once(db):
    invitation = open_invitation(email="anahit@example.am")
    user = UserFactory(email="anahit@example.am")
    db.flush()
    service.accept(db, actor=user, invitation=invitation, form=_form())
    stale = db.get(Invitation, invitation.id)
    stale.status = InvitationStatus.PENDING  # as another request loaded it before the first one ended
    db.execute(Invitation.__table__.update().where(Invitation.id == invitation.id).values(status="accepted"))

    with pytest.raises(service.LinkUnusable) as refused:
        service.accept(db, actor=user, invitation=stale, form=_form())

    assert refused.value.reason == "used"
    assert len(db.scalars(select(Registration)).all()) == 1


def test_accept_with_part_of_a_document_is_refused(db):
    invitation = open_invitation(email="anahit@example.am")
    db.flush()

    with pytest.raises(FieldError) as refused:
        service.accept(
            db, actor=UserFactory(email="anahit@example.am"), invitation=invitation, form=_form(doc_number="AB123456")
        )

    assert refused.value.field == "doc_type"


def test_registration_form_needs_the_data_processing_consent():
    data = {k: v for k, v in REGISTRATION_FORM.items() if k != "consent_data_processing"}

    with pytest.raises(ValueError, match="processing"):
        RegistrationForm.model_validate(data)


def test_create_account_for_the_invited_address(db):
    invitation = open_invitation(email="new@example.org")
    db.flush()

    user = service.create_account(db, invitation=invitation, full_name="New Person", password="a long enough phrase")

    assert user.email == "new@example.org"
    with pytest.raises(FieldError):
        service.create_account(db, invitation=invitation, full_name="Again", password="a long enough phrase")
    assert "invitation.account_create" in audit_actions(db, "invitation")


def test_create_account_refuses_the_address_as_password(db):
    invitation = open_invitation(email="new@example.org")
    db.flush()

    with pytest.raises(FieldError) as refused:
        service.create_account(db, invitation=invitation, full_name="New", password="new@example.org")

    assert refused.value.field == "password"


# --- registration must be open -------------------------------------------------------------------


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.PLANNED, EventStatus.ONGOING, EventStatus.CONCLUDED])
def test_accept_while_registration_is_not_open_is_refused_and_changes_nothing(db, status):
    delegation = DelegationFactory(event=EventFactory(status=status))
    organiser(delegation.event, email="organiser@example.org")
    invitation = InvitationFactory(delegation=delegation, email="anahit@example.am")
    user = UserFactory(email="anahit@example.am")
    db.flush()

    with pytest.raises(service.RegistrationClosed) as refused:
        service.accept(db, actor=user, invitation=invitation, form=_form(**DOCUMENT))

    assert refused.value.status_code == 409
    assert refused.value.message == "Registration for this event is not open."
    db.expire_all()
    assert db.get(Invitation, invitation.id).status == InvitationStatus.PENDING
    assert db.scalars(select(Registration)).all() == []
    assert db.scalars(select(Person)).all() == []
    assert outbox(db) == []


def test_invite_while_the_event_is_planned_is_allowed_and_the_link_works_once_registration_opens(db):
    event = EventFactory(status=EventStatus.PLANNED)
    delegation = DelegationFactory(event=event)
    invitation = _invite(db, organiser(event), delegation)
    token = link_token(outbox(db, "anahit@example.am")[0])
    user = UserFactory(email="anahit@example.am")

    with pytest.raises(service.RegistrationClosed):
        service.accept(db, actor=user, invitation=service.open_link(db, token=token), form=_form())
    event.status = EventStatus.REGISTRATION_OPEN
    registration = service.accept(db, actor=user, invitation=service.open_link(db, token=token), form=_form())

    assert registration.delegation_id == delegation.id
    assert invitation.status == InvitationStatus.ACCEPTED


def test_create_account_while_registration_is_not_open_is_refused(db):
    invitation = InvitationFactory(email="new@example.org")  # a planned event
    db.flush()

    with pytest.raises(service.RegistrationClosed):
        service.create_account(db, invitation=invitation, full_name="New Person", password="a long enough phrase")

    assert db.scalar(select(User).where(User.email == "new@example.org")) is None


def test_registered_person_is_refused_without_naming_their_delegation(db):
    event = EventFactory(status=EventStatus.REGISTRATION_OPEN)
    mine, theirs = DelegationFactory(event=event, name="Armenia"), DelegationFactory(event=event, name="Azerbaijan")
    RegistrationFactory(delegation=theirs, person=PersonFactory(email="anahit@example.am"))
    invitation = InvitationFactory(delegation=mine, email="anahit@example.am")
    db.flush()

    with pytest.raises(FieldError) as on_accept:
        service.accept(db, actor=UserFactory(email="anahit@example.am"), invitation=invitation, form=_form())
    with pytest.raises(FieldError) as on_invite:
        _invite(db, coordinator(mine), mine, email="anahit@example.am")

    assert on_accept.value.message == "This person is already registered at this event."
    assert on_invite.value.message == "This person is already registered at this event."
