from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.db import utcnow
from app.events.models import EventStatus
from app.invitations.models import Invitation, InvitationStatus
from app.registrations.models import Registration, RegistrationStatus
from app.web import SESSION_COOKIE
from tests.factories import (
    PASSWORD,
    AdminFactory,
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
from tests.support import settle

# --- the list ------------------------------------------------------------------------------------


def test_list_shows_invitations_with_state_and_counts(client, db, login):
    delegation = DelegationFactory(name="Armenian civil society")
    InvitationFactory(delegation=delegation, email="pending@example.org")
    InvitationFactory(delegation=delegation, email="expired@example.org", expires_at=utcnow() - timedelta(days=1))
    InvitationFactory(delegation=delegation, email="done@example.org", status=InvitationStatus.ACCEPTED)
    login(organiser(delegation.event))
    settle(db)

    r = client.get(f"/events/{delegation.event_id}/invitations")

    assert r.status_code == 200
    assert r.text.count('class="invitation"') == 3
    assert "<title>Invitations · " in r.text
    assert "Not answered <span class=\"muted\">(1)</span>" in r.text
    assert "Expired <span class=\"muted\">(1)</span>" in r.text
    assert "Armenian civil society" in r.text


def test_list_filters_who_has_not_answered(client, db, login):
    delegation = DelegationFactory()
    InvitationFactory(delegation=delegation, email="waiting@example.org")
    InvitationFactory(delegation=delegation, email="done@example.org", status=InvitationStatus.ACCEPTED)
    login(organiser(delegation.event))
    settle(db)

    r = client.get(f"/events/{delegation.event_id}/invitations", params={"state": "pending"})

    assert r.text.count('class="invitation"') == 1
    assert "waiting@example.org" in r.text
    assert "done@example.org" not in r.text


def test_list_with_bad_filter_shows_the_error(client, db, login):
    delegation = DelegationFactory()
    login(organiser(delegation.event))
    settle(db)

    r = client.get(f"/events/{delegation.event_id}/invitations", params={"state": "bogus"})

    assert r.status_code == 422
    assert 'id="e-state"' in r.text


def test_list_paginates(client, db, login):
    delegation = DelegationFactory()
    for n in range(27):
        InvitationFactory(delegation=delegation, email=f"p{n:02}@example.org")
    login(organiser(delegation.event))
    settle(db)

    first = client.get(f"/events/{delegation.event_id}/invitations")
    second = client.get(f"/events/{delegation.event_id}/invitations", params={"page": 2})

    assert first.text.count('class="invitation"') == 25
    assert second.text.count('class="invitation"') == 2
    assert "Page 2 of 2" in second.text


def test_list_empty_state(client, db, login):
    delegation = DelegationFactory()
    login(organiser(delegation.event))
    settle(db)

    r = client.get(f"/events/{delegation.event_id}/invitations")

    assert "Nobody has been invited yet." in r.text


def test_list_for_coordinator_shows_own_delegation_only(client, db, login):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    InvitationFactory(delegation=own, email="own@example.org")
    InvitationFactory(delegation=other, email="other@example.org")
    login(coordinator(own))
    settle(db)

    r = client.get(f"/events/{event.id}/invitations")

    assert r.status_code == 200
    assert "own@example.org" in r.text
    assert "other@example.org" not in r.text


def test_list_refused_to_press_officer_and_hidden_from_strangers(client, db, login):
    delegation = DelegationFactory()
    InvitationFactory(delegation=delegation, email="secret@example.org")
    login(press_officer(delegation.event))
    settle(db)

    r = client.get(f"/events/{delegation.event_id}/invitations")

    assert r.status_code == 403
    assert "secret@example.org" not in r.text


def test_list_for_anonymous_goes_to_sign_in(client, db):
    delegation = DelegationFactory()
    settle(db)

    r = client.get(f"/events/{delegation.event_id}/invitations")

    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=/events/{delegation.event_id}/invitations"


@pytest.mark.parametrize("n", [1, 3])
def test_list_query_count_is_constant(client, db, login, count_queries, n):
    event = EventFactory()
    for _ in range(n):
        InvitationFactory(delegation=DelegationFactory(event=event))
    login(organiser(event))
    url = f"/events/{event.id}/invitations"
    settle(db)

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="invitation"') == n
    assert count() == 6  # sign-in (one query: session, user, grants, site policy); the page: 5


# --- inviting one --------------------------------------------------------------------------------


def test_invite_one_from_the_page(client, db, login, form):
    delegation = DelegationFactory()
    event = delegation.event
    login(organiser(event))
    settle(db)

    page = client.get(f"/events/{event.id}/invitations/new")
    r = form(
        f"/events/{event.id}/invitations/new",
        {"email": "Anahit@Example.am", "delegation_id": str(delegation.id), "circle": "core", "category": "expert"},
    )

    assert page.status_code == 200
    assert '<label for="f-email">' in page.text
    assert r.status_code == 303
    assert r.headers["location"] == f"/events/{event.id}/invitations"
    invitation = db.scalar(select(Invitation))
    assert (invitation.email, invitation.circle.value, invitation.category.value) == ("anahit@example.am", "core", "expert")
    [message] = outbox(db, "anahit@example.am")
    assert link_token(message)


def test_invite_form_says_when_registration_is_not_open_yet(client, db, login):
    planned = DelegationFactory(event=EventFactory(status=EventStatus.PLANNED))
    opened = open_delegation()
    login(AdminFactory())
    settle(db)

    before = client.get(f"/events/{planned.event_id}/invitations/new")
    during = client.get(f"/events/{opened.event_id}/invitations/new")

    assert before.status_code == during.status_code == 200
    assert "Registration for this event is not open." in before.text
    assert "Registration for this event is not open." not in during.text


def test_invite_one_with_bad_email_rerenders_with_the_error(client, db, login, form):
    delegation = DelegationFactory()
    login(organiser(delegation.event))
    settle(db)

    r = form(
        f"/events/{delegation.event_id}/invitations/new",
        {"email": "not an address", "delegation_id": str(delegation.id), "circle": "core", "category": "expert"},
    )

    assert r.status_code == 422
    assert 'id="e-email"' in r.text
    assert "Enter a valid e-mail address." in r.text
    assert 'value="not an address"' in r.text
    assert db.scalar(select(Invitation)) is None


def test_invite_one_already_invited_is_refused_beside_the_field(client, db, login, form):
    delegation = DelegationFactory()
    InvitationFactory(delegation=delegation, email="twice@example.org")
    login(organiser(delegation.event))
    settle(db)

    r = form(
        f"/events/{delegation.event_id}/invitations/new",
        {"email": "twice@example.org", "delegation_id": str(delegation.id)},
    )

    assert r.status_code == 422
    assert "has an invitation already" in r.text
    assert len(db.scalars(select(Invitation)).all()) == 1


def test_coordinator_cannot_invite_into_the_other_delegation(client, db, login, form):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    login(coordinator(own))
    settle(db)

    page = client.get(f"/events/{event.id}/invitations/new")
    r = form(f"/events/{event.id}/invitations/new", {"email": "x@example.org", "delegation_id": str(other.id)})

    assert other.name not in page.text
    assert r.status_code == 403
    assert db.scalar(select(Invitation)) is None


def test_press_officer_cannot_open_the_invite_form(client, db, login):
    delegation = DelegationFactory()
    login(press_officer(delegation.event))
    settle(db)

    r = client.get(f"/events/{delegation.event_id}/invitations/new")

    assert r.status_code == 403


# --- inviting many -------------------------------------------------------------------------------


def test_batch_pasted_list_invites_and_reports_skipped(client, db, login, form):
    delegation = DelegationFactory()
    InvitationFactory(delegation=delegation, email="invited@example.org")
    login(organiser(delegation.event))
    settle(db)

    r = form(
        f"/events/{delegation.event_id}/invitations/batch",
        {
            "delegation_id": str(delegation.id),
            "circle": "broader",
            "category": "civil_society",
            "emails": "one@example.org\r\ninvited@example.org\r\ntwo@example.org, core, expert\r\n",
        },
    )

    assert r.status_code == 200
    assert "2 invitations have been sent." in r.text
    assert "invited@example.org — This address has an invitation already" in r.text
    emails = sorted(db.scalars(select(Invitation.email)))
    assert emails == ["invited@example.org", "one@example.org", "two@example.org"]
    assert sorted(m.to_address for m in outbox(db)) == ["one@example.org", "two@example.org"]


def test_batch_with_a_bad_line_invites_nobody_and_names_the_line(client, db, login, form):
    delegation = DelegationFactory()
    login(organiser(delegation.event))
    settle(db)

    r = form(
        f"/events/{delegation.event_id}/invitations/batch",
        {"delegation_id": str(delegation.id), "emails": "ok@example.org\nbroken@\nfine@example.org\n"},
    )

    assert r.status_code == 422
    assert r.text.count('class="line-error"') == 1
    assert "Line 2:" in r.text
    assert "broken@" in r.text
    assert db.scalar(select(Invitation)) is None
    assert outbox(db) == []


def test_batch_csv_upload_with_bom_semicolons_and_native_names(client, db, login, form):
    delegation = DelegationFactory()
    login(organiser(delegation.event))
    settle(db)
    content = (
        "\ufeffname;email;circle;category\r\n"
        "Անահիտ Հակոբյան;anahit@example.am;core;expert\r\n"
        "Günel Məmmədova;gunel@example.az;;media\r\n"
    ).encode()

    r = form(
        f"/events/{delegation.event_id}/invitations/batch",
        {"delegation_id": str(delegation.id), "circle": "broader", "category": "civil_society"},
        files={"file": ("participants.csv", content, "text/csv")},
    )

    assert r.status_code == 200, r.text
    rows = db.execute(select(Invitation.email, Invitation.circle, Invitation.category).order_by(Invitation.email)).all()
    assert [(e, c.value, k.value) for e, c, k in rows] == [
        ("anahit@example.am", "core", "expert"),
        ("gunel@example.az", "broader", "media"),
    ]


def test_batch_csv_that_is_not_utf8_is_refused(client, db, login, form):
    delegation = DelegationFactory()
    login(organiser(delegation.event))
    settle(db)

    r = form(
        f"/events/{delegation.event_id}/invitations/batch",
        {"delegation_id": str(delegation.id)},
        files={"file": ("list.csv", "email\nmüller@example.de\n".encode("latin-1"), "text/csv")},
    )

    assert r.status_code == 422
    assert 'id="e-file"' in r.text
    assert db.scalar(select(Invitation)) is None


def test_batch_without_addresses_says_what_to_do(client, db, login, form):
    delegation = DelegationFactory()
    login(organiser(delegation.event))
    settle(db)

    r = form(f"/events/{delegation.event_id}/invitations/batch", {"delegation_id": str(delegation.id)})

    assert r.status_code == 422
    assert "Paste the addresses" in r.text


def test_batch_upload_without_csrf_token_is_refused(client, db, login):
    delegation = DelegationFactory()
    login(organiser(delegation.event))
    settle(db)

    r = client.post(
        f"/events/{delegation.event_id}/invitations/batch",
        data={"delegation_id": str(delegation.id)},
        files={"file": ("list.csv", b"a@example.org\n", "text/csv")},
    )

    assert r.status_code == 403
    assert db.scalar(select(Invitation)) is None


# --- one invitation: resend, revoke, change ------------------------------------------------------


def test_detail_resend_and_revoke(client, db, login, form):
    delegation = DelegationFactory()
    invitation = InvitationFactory(delegation=delegation, email="guest@example.org", token="first-link")
    login(organiser(delegation.event))
    settle(db)
    url = f"/events/{delegation.event_id}/invitations/{invitation.id}"

    page = client.get(url)
    resent = form(url + "/resend")
    confirm = client.get(url + "/revoke")
    revoked = form(url + "/revoke")

    assert page.status_code == 200
    assert "guest@example.org" in page.text
    assert resent.status_code == 303
    new_token = link_token(outbox(db, "guest@example.org")[-1])
    assert confirm.status_code == 200
    assert "Withdraw this invitation?" in confirm.text
    assert revoked.status_code == 303
    db.expire_all()
    assert db.get(Invitation, invitation.id).status == InvitationStatus.REVOKED
    assert client.get("/invitations/first-link").status_code == 404
    assert client.get(f"/invitations/{new_token}").status_code == 410
    assert audit_actions(db, "invitation") == ["invitation.resend", "invitation.revoke"]


def test_resend_of_an_accepted_invitation_is_a_conflict(client, db, login, form):
    delegation = DelegationFactory()
    invitation = InvitationFactory(delegation=delegation, status=InvitationStatus.ACCEPTED)
    login(organiser(delegation.event))
    settle(db)

    r = form(f"/events/{delegation.event_id}/invitations/{invitation.id}/resend")

    assert r.status_code == 409
    assert outbox(db) == []


def test_change_the_address_lets_the_new_address_register(client, db, login, form):
    delegation = DelegationFactory()
    invitation = InvitationFactory(delegation=delegation, email="first@example.org", token="forwarded")
    UserFactory(email="second@example.org")
    login(organiser(delegation.event))
    settle(db)
    url = f"/events/{delegation.event_id}/invitations/{invitation.id}/edit"

    page = client.get(url)
    r = form(url, {"email": "second@example.org", "circle": "broader", "category": "civil_society"})

    assert page.status_code == 200
    assert r.status_code == 303
    db.expire_all()
    assert db.get(Invitation, invitation.id).email == "second@example.org"


def test_invitation_of_the_other_delegation_is_not_found_for_a_coordinator(client, db, login, form):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    theirs = InvitationFactory(delegation=other)
    login(coordinator(own))
    settle(db)

    page = client.get(f"/events/{event.id}/invitations/{theirs.id}")
    resend = form(f"/events/{event.id}/invitations/{theirs.id}/resend")

    assert page.status_code == 404
    assert resend.status_code == 404
    assert outbox(db) == []


def test_invitation_of_another_event_is_not_found(client, db, login):
    delegation = DelegationFactory()
    elsewhere = InvitationFactory()
    login(organiser(delegation.event))
    settle(db)

    r = client.get(f"/events/{delegation.event_id}/invitations/{elsewhere.id}")

    assert r.status_code == 404


# --- the link ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expires_in", "heading"),
    [
        (InvitationStatus.PENDING, timedelta(days=-1), "This invitation has expired"),
        (InvitationStatus.ACCEPTED, timedelta(days=5), "This invitation has been used"),
        (InvitationStatus.REVOKED, timedelta(days=5), "This invitation has been withdrawn"),
    ],
)
def test_unusable_link_shows_a_clear_page_and_changes_nothing(client, db, login, form, status, expires_in, heading):
    invitation = InvitationFactory(token="the-link", email="guest@example.org", status=status, expires_at=utcnow() + expires_in)
    login(UserFactory(email="guest@example.org"))
    settle(db)

    page = client.get("/invitations/the-link")
    post = form("/invitations/the-link", {**REGISTRATION_FORM})

    assert page.status_code == 410
    assert heading in page.text
    assert post.status_code == 410
    db.expire_all()
    assert db.get(Invitation, invitation.id).status == status
    assert db.scalar(select(Registration)) is None


@pytest.mark.parametrize(
    ("status", "expires_in", "heading"),
    [
        (InvitationStatus.PENDING, timedelta(seconds=-1), "This invitation has expired"),
        (InvitationStatus.ACCEPTED, timedelta(days=5), "This invitation has been used"),
        (InvitationStatus.REVOKED, timedelta(days=5), "This invitation has been withdrawn"),
    ],
)
def test_unusable_link_makes_no_account_for_a_visitor(client, db, form, status, expires_in, heading):
    invitation = open_invitation(token="stale", email="guest@example.org", status=status, expires_at=utcnow() + expires_in)
    settle(db)

    page = client.get("/invitations/stale")
    account = form(
        "/invitations/stale/account",
        {"full_name": "Guest", "password": "a long enough phrase", "password_confirm": "a long enough phrase"},
    )

    assert (page.status_code, account.status_code) == (410, 410)
    assert heading in page.text and heading in account.text
    assert "Create your account" not in page.text
    assert client.cookies.get(SESSION_COOKIE) is None
    db.expire_all()
    assert db.scalar(select(User).where(User.email == "guest@example.org")) is None
    assert db.get(Invitation, invitation.id).status == status
    assert audit_actions(db, "invitation") == []


def test_unknown_link_changes_nothing_either(client, db, form, login):
    login(UserFactory(email="guest@example.org"))
    settle(db)

    r = form("/invitations/no-such-token", {**REGISTRATION_FORM})

    assert r.status_code == 404
    assert "This invitation link is not valid" in r.text
    assert db.scalar(select(Registration)) is None


def test_link_that_expires_while_the_form_is_open_registers_nobody(client, db, login, form):
    invitation = open_invitation(token="late", email="anahit@example.am")
    login(UserFactory(email="anahit@example.am"))
    settle(db)
    opened = client.get("/invitations/late")
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    settle(db)

    r = form("/invitations/late", {**REGISTRATION_FORM})

    assert opened.status_code == 200
    assert r.status_code == 410
    assert "This invitation has expired" in r.text
    assert db.scalar(select(Registration)) is None
    db.expire_all()
    assert db.get(Invitation, invitation.id).status == InvitationStatus.PENDING


def test_unknown_link_is_not_found(client, db):
    r = client.get("/invitations/no-such-token")

    assert r.status_code == 404
    assert "This invitation link is not valid" in r.text


def test_overlong_link_is_not_found(client, db):
    r = client.get("/invitations/" + "x" * 500)

    assert r.status_code == 404


def test_anonymous_visitor_creates_an_account_then_registers(client, db, form):
    delegation = open_delegation()
    coordinator(delegation, email="coordinator@example.org")
    InvitationFactory(delegation=delegation, token="welcome", email="anahit@example.am")
    settle(db)

    welcome = client.get("/invitations/welcome")
    account = form(
        "/invitations/welcome",
        {"full_name": "Anahit Hakobyan", "password": "a long enough phrase", "password_confirm": "a long enough phrase"},
    )
    created = form(
        "/invitations/welcome/account",
        {
            "full_name": "Anahit Hakobyan",
            "email": "attacker@example.org",  # not a field: the address is the invitation's
            "password": "a long enough phrase",
            "password_confirm": "a long enough phrase",
        },
    )
    register_page = client.get("/invitations/welcome")
    registered = form("/invitations/welcome", {**REGISTRATION_FORM, **DOCUMENT})

    assert welcome.status_code == 200
    assert "Create your account" in welcome.text
    assert 'href="/login?next=/invitations/welcome"' in welcome.text
    assert account.status_code == 303  # posting the registration signed out: sign in first
    assert account.headers["location"] == "/login?next=/invitations/welcome"
    assert created.status_code == 303
    assert client.cookies.get(SESSION_COOKIE)
    assert register_page.status_code == 200
    assert 'value="Anahit"' in register_page.text
    assert registered.status_code == 303
    registration = db.scalar(select(Registration))
    assert registered.headers["location"] == f"/me/registrations/{registration.id}"
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.person.email == "anahit@example.am"
    assert registration.person.user.email == "anahit@example.am"
    assert registration.masked_document == "•••••4567"
    told = [(m.to_address, m.subject.split(":")[0]) for m in outbox(db) if ":" in m.subject]
    assert sorted(told) == [
        ("anahit@example.am", "You are registered"),
        ("coordinator@example.org", "New registration"),
    ]
    assert set(audit_actions(db, "invitation")) >= {"invitation.account_create", "invitation.accept"}


def test_account_form_with_weak_password_is_refused(client, db, form):
    open_invitation(token="weak", email="anahit@example.am")
    settle(db)

    r = form(
        "/invitations/weak/account",
        {"full_name": "Anahit", "password": "password", "password_confirm": "password"},
    )

    assert r.status_code == 422
    assert 'id="e-password"' in r.text
    assert 'value="password"' not in r.text
    assert client.cookies.get(SESSION_COOKIE) is None


def test_link_for_an_existing_account_asks_to_sign_in(client, db):
    open_invitation(token="known", email="known@example.org")
    UserFactory(email="known@example.org")
    settle(db)

    r = client.get("/invitations/known")

    assert "You have an account with this address already." in r.text
    assert "Create your account" not in r.text


def test_signing_in_returns_to_the_link(client, db, form):
    open_invitation(token="back", email="known@example.org")
    UserFactory(email="known@example.org")
    settle(db)

    r = form("/login", {"email": "known@example.org", "password": PASSWORD, "next": "/invitations/back"})

    assert r.status_code == 303
    assert r.headers["location"] == "/invitations/back"
    assert "Register for" in client.get("/invitations/back").text


def test_forwarded_link_signed_in_as_someone_else_is_refused(client, db, login, form):
    invitation = open_invitation(token="forwarded", email="anahit@example.am")
    login(UserFactory(email="friend@example.org"))
    settle(db)

    page = client.get("/invitations/forwarded")
    post = form("/invitations/forwarded", {**REGISTRATION_FORM})

    assert page.status_code == 403
    assert "This invitation is for another address" in page.text
    assert "a•••@example.am" in page.text
    assert "anahit@example.am" not in page.text
    assert post.status_code == 403
    db.expire_all()
    assert db.get(Invitation, invitation.id).status == InvitationStatus.PENDING
    assert db.scalar(select(Registration)) is None


def test_registration_ignores_posted_status_delegation_circle_role_and_event(client, db, login, form):
    event = EventFactory(status=EventStatus.REGISTRATION_OPEN)
    delegation, other = DelegationFactory(event=event), DelegationFactory(event=event)
    other_event = EventFactory()
    invitation = InvitationFactory(delegation=delegation, token="extra", email="anahit@example.am", circle="broader", category="media")
    user = login(UserFactory(email="anahit@example.am"))
    settle(db)

    r = form(
        "/invitations/extra",
        {
            **REGISTRATION_FORM,
            "status": "confirmed",
            "delegation_id": str(other.id),
            "circle": "core",
            "category": "official",
            "role": "organiser",
            "is_admin": "on",
            "event_id": str(other_event.id),
            "person_id": "1",
        },
    )

    assert r.status_code == 303
    registration = db.scalar(select(Registration))
    assert (registration.status, registration.delegation_id, registration.event_id) == (
        RegistrationStatus.REGISTERED,
        delegation.id,
        event.id,
    )
    assert (registration.circle.value, registration.category.value) == ("broader", "media")
    db.expire_all()
    assert db.get(Invitation, invitation.id).registration_id == registration.id
    assert db.get(type(user), user.id).is_admin is False


def test_registration_with_errors_rerenders_beside_the_fields(client, db, login, form):
    open_invitation(token="errors", email="anahit@example.am")
    login(UserFactory(email="anahit@example.am"))
    settle(db)

    r = form(
        "/invitations/errors",
        {
            **{k: v for k, v in REGISTRATION_FORM.items() if k != "consent_data_processing"},
            "given_name": "",
            "phone": "call me <maybe>",
            "languages": ["hy", "xx"],
            "doc_number": "AB123456",
            "doc_expires_on": "2020-01-01",
        },
    )

    assert r.status_code == 422
    for name in ("given_name", "phone", "languages", "consent_data_processing", "doc_expires_on"):
        assert f'id="e-{name}"' in r.text, name
    assert 'value="Hakobyan"' in r.text
    assert db.scalar(select(Registration)) is None


def test_registration_with_part_of_the_document_asks_for_the_rest(client, db, login, form):
    open_invitation(token="partial", email="anahit@example.am")
    login(UserFactory(email="anahit@example.am"))
    settle(db)

    r = form("/invitations/partial", {**REGISTRATION_FORM, "doc_number": "AB123456"})

    assert r.status_code == 422
    assert 'id="e-doc_type"' in r.text
    assert 'id="e-doc_number"' not in r.text
    assert db.scalar(select(Registration)) is None


def test_registration_of_a_person_registered_already_says_so(client, db, login, form):
    delegation = open_delegation()
    person = PersonFactory(email="anahit@example.am")
    RegistrationFactory(delegation=delegation, person=person)
    InvitationFactory(delegation=delegation, token="again", email="anahit@example.am")
    login(UserFactory(email="anahit@example.am"))
    settle(db)

    r = form("/invitations/again", {**REGISTRATION_FORM})

    assert r.status_code == 422
    assert "This person is already registered at this event." in r.text
    db.expire_all()
    assert db.scalar(select(Invitation.status)) == InvitationStatus.PENDING


def test_the_same_link_used_twice_registers_once(client, db, login, form):
    open_invitation(token="twice", email="anahit@example.am")
    login(UserFactory(email="anahit@example.am"))
    settle(db)

    first = form("/invitations/twice", {**REGISTRATION_FORM})
    second = form("/invitations/twice", {**REGISTRATION_FORM})

    assert first.status_code == 303
    assert second.status_code == 410
    assert "This invitation has been used" in second.text
    assert len(db.scalars(select(Registration)).all()) == 1


# --- the link while registration is not open -----------------------------------------------------


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (EventStatus.PLANNED, "Registration has not opened yet."),
        (EventStatus.CONCLUDED, "Registration for this event has closed."),
    ],
)
def test_link_while_registration_is_not_open_shows_a_clear_page_and_changes_nothing(client, db, form, status, says):
    delegation = DelegationFactory(event=EventFactory(status=status, title="Gyumri roundtable"))
    invitation = InvitationFactory(delegation=delegation, token="early", email="anahit@example.am")
    settle(db)

    page = client.get("/invitations/early")
    account = form(
        "/invitations/early/account",
        {"full_name": "Anahit Hakobyan", "password": "a long enough phrase", "password_confirm": "a long enough phrase"},
    )

    assert page.status_code == 409
    assert "<h1>Registration for this event is not open</h1>" in page.text
    assert says in page.text
    assert "Gyumri roundtable" in page.text
    assert "Create your account" not in page.text
    assert account.status_code == 409
    assert "Registration for this event is not open" in account.text
    assert client.cookies.get(SESSION_COOKIE) is None
    db.expire_all()
    assert db.scalar(select(User).where(User.email == "anahit@example.am")) is None
    assert db.get(Invitation, invitation.id).status == InvitationStatus.PENDING


def test_registering_while_registration_is_not_open_is_refused_and_changes_nothing(client, db, login, form):
    delegation = DelegationFactory(event=EventFactory(status=EventStatus.PLANNED))
    invitation = InvitationFactory(delegation=delegation, token="early", email="anahit@example.am")
    login(UserFactory(email="anahit@example.am"))
    settle(db)

    page = client.get("/invitations/early")
    post = form("/invitations/early", {**REGISTRATION_FORM, **DOCUMENT})

    assert page.status_code == 409
    assert "Registration for this event is not open" in page.text
    assert 'action="/invitations/early"' not in page.text  # no registration form
    assert post.status_code == 409
    assert "Registration for this event is not open" in post.text
    db.expire_all()
    assert db.get(Invitation, invitation.id).status == InvitationStatus.PENDING
    assert db.scalar(select(Registration)) is None
    assert outbox(db) == []


def test_unusable_link_says_why_even_while_registration_is_not_open(client, db):
    delegation = DelegationFactory(event=EventFactory(status=EventStatus.PLANNED))
    InvitationFactory(delegation=delegation, token="withdrawn", status=InvitationStatus.REVOKED)
    settle(db)

    r = client.get("/invitations/withdrawn")

    assert r.status_code == 410
    assert "This invitation has been withdrawn" in r.text
