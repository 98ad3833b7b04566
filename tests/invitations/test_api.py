from datetime import timedelta

from sqlalchemy import select

from app.db import utcnow
from app.events.models import EventStatus
from app.invitations.models import Invitation, InvitationStatus
from app.registrations.models import Consent, Registration
from app.security import keyed_hash
from app.web import CSRF_COOKIE, CSRF_HEADER
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
    audit_actions,
    link_token,
    open_delegation,
    open_invitation,
    outbox,
)
from tests.support import settle


def test_list_is_paginated_and_filters_by_state(api, db):
    delegation = DelegationFactory()
    InvitationFactory(delegation=delegation, email="a@example.org")
    InvitationFactory(delegation=delegation, email="b@example.org")
    InvitationFactory(delegation=delegation, email="old@example.org", expires_at=utcnow() - timedelta(days=2))
    client = api(organiser(delegation.event))
    settle(db)

    page = client.get(f"/api/v1/events/{delegation.event_id}/invitations", params={"per_page": 2, "page": 2})
    expired = client.get(f"/api/v1/events/{delegation.event_id}/invitations", params={"state": "expired"})

    assert page.status_code == 200
    body = page.json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (3, 2, 2, 1)
    assert [i["email"] for i in expired.json()["items"]] == ["old@example.org"]
    item = expired.json()["items"][0]
    assert (item["status"], item["state"]) == ("pending", "expired")
    assert "token" not in str(item).lower()


def test_post_one_invites_and_answers_201(api, db):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)

    r = client.post(
        f"/api/v1/events/{delegation.event_id}/invitations",
        json={"email": "Guest@Example.org", "delegation_id": delegation.id, "circle": "core"},
    )

    assert r.status_code == 201
    body = r.json()
    assert (body["email"], body["circle"], body["state"], body["send_count"]) == ("guest@example.org", "core", "pending", 1)
    assert link_token(outbox(db, "guest@example.org")[0])
    assert audit_actions(db, "invitation") == ["invitation.create"]


def test_post_one_with_bad_email_is_422(api, db):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)

    r = client.post(
        f"/api/v1/events/{delegation.event_id}/invitations",
        json={"email": "nope", "delegation_id": delegation.id},
    )

    assert r.status_code == 422
    assert r.json()["error"] == "ValidationError"
    assert db.scalar(select(Invitation)) is None


def test_post_one_with_unknown_field_is_422(api, db):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)

    r = client.post(
        f"/api/v1/events/{delegation.event_id}/invitations",
        json={"email": "a@example.org", "delegation_id": delegation.id, "status": "accepted"},
    )

    assert r.status_code == 422
    assert db.scalar(select(Invitation)) is None


def test_post_list_invites_many_and_lists_skipped(api, db):
    delegation = DelegationFactory()
    RegistrationFactory(delegation=delegation, person=PersonFactory(email="registered@example.org"))
    client = api(organiser(delegation.event))
    settle(db)

    r = client.post(
        f"/api/v1/events/{delegation.event_id}/invitations",
        json=[
            {"email": "one@example.org", "delegation_id": delegation.id},
            {"email": "registered@example.org", "delegation_id": delegation.id},
            {"email": "two@example.org", "delegation_id": delegation.id, "category": "media"},
        ],
    )

    assert r.status_code == 201
    body = r.json()
    assert [i["email"] for i in body["created"]] == ["one@example.org", "two@example.org"]
    assert [(s["index"], s["email"]) for s in body["skipped"]] == [(1, "registered@example.org")]


def test_post_list_with_a_duplicate_creates_nothing(api, db):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)

    r = client.post(
        f"/api/v1/events/{delegation.event_id}/invitations",
        json=[
            {"email": "one@example.org", "delegation_id": delegation.id},
            {"email": "ONE@example.org", "delegation_id": delegation.id},
        ],
    )

    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", 1, "email"]
    assert db.scalar(select(Invitation)) is None
    assert outbox(db) == []


def test_post_list_with_an_invalid_item_creates_nothing(api, db):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)

    r = client.post(
        f"/api/v1/events/{delegation.event_id}/invitations",
        json=[{"email": "one@example.org", "delegation_id": delegation.id}, {"email": "bad", "delegation_id": delegation.id}],
    )

    assert r.status_code == 422
    assert db.scalar(select(Invitation)) is None


def test_coordinator_posts_into_the_other_delegation_is_403(api, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    client = api(coordinator(own))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/invitations", json={"email": "a@example.org", "delegation_id": other.id})
    listed = client.post(
        f"/api/v1/events/{event.id}/invitations", json=[{"email": "a@example.org", "delegation_id": other.id}]
    )

    assert r.status_code == 403
    assert listed.status_code == 403
    assert db.scalar(select(Invitation)) is None


def test_press_officer_is_refused(api, db):
    delegation = DelegationFactory()
    InvitationFactory(delegation=delegation)
    client = api(press_officer(delegation.event))
    settle(db)

    listed = client.get(f"/api/v1/events/{delegation.event_id}/invitations")
    posted = client.post(
        f"/api/v1/events/{delegation.event_id}/invitations", json={"email": "a@example.org", "delegation_id": delegation.id}
    )

    assert listed.status_code == 403
    assert posted.status_code == 403


def test_get_resend_revoke_and_patch(api, db):
    delegation = DelegationFactory()
    invitation = InvitationFactory(delegation=delegation, email="guest@example.org", token="original")
    client = api(organiser(delegation.event))
    settle(db)
    url = f"/api/v1/events/{delegation.event_id}/invitations/{invitation.id}"

    got = client.get(url)
    patched = client.patch(url, json={"email": "other@example.org", "category": "expert"})
    resent = client.post(url + "/resend")
    revoked = client.post(url + "/revoke")
    again = client.post(url + "/revoke")

    assert got.status_code == 200
    assert got.json()["email"] == "guest@example.org"
    assert (patched.json()["email"], patched.json()["category"]) == ("other@example.org", "expert")
    assert resent.json()["send_count"] == 2
    assert link_token(outbox(db, "other@example.org")[0]) != "original"
    assert revoked.json()["status"] == "revoked"
    assert again.status_code == 409
    assert again.json()["error"] == "Conflict"
    assert audit_actions(db, "invitation") == ["invitation.update", "invitation.resend", "invitation.revoke"]


def test_invitation_of_the_other_delegation_is_404_for_a_coordinator(api, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    theirs = InvitationFactory(delegation=other)
    client = api(coordinator(own))
    settle(db)

    got = client.get(f"/api/v1/events/{event.id}/invitations/{theirs.id}")
    revoked = client.post(f"/api/v1/events/{event.id}/invitations/{theirs.id}/revoke")

    assert got.status_code == 404
    assert revoked.status_code == 404
    db.expire_all()
    assert db.get(Invitation, theirs.id).status == InvitationStatus.PENDING


def test_link_comes_from_base_url_not_from_the_host_header(api, db):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)

    r = client.post(
        f"/api/v1/events/{delegation.event_id}/invitations",
        json={"email": "guest@example.org", "delegation_id": delegation.id},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )

    assert r.status_code == 201
    [message] = outbox(db, "guest@example.org")
    assert link_token(message)
    assert "evil.example" not in message.body_html + message.body_text


def test_odd_bodies_are_422_not_500(api, db):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)
    url = f"/api/v1/events/{delegation.event_id}/invitations"

    answers = [
        client.post(url, json=body).status_code
        for body in ({}, [], "a@example.org", [{}], {"email": "a@example.org"}, [None], {"email": "a" * 300 + "@x.org", "delegation_id": 1})
    ]

    assert answers == [422] * 7
    assert db.scalar(select(Invitation)) is None


# --- registering from the link through the API ---------------------------------------------------

API_REGISTRATION = {
    "given_name": "Anahit",
    "family_name": "Hakobyan",
    "family_name_native": "Հակոբյան",
    "organisation": "Civic Dialogue Centre",
    "sector": "civil_society",
    "languages": ["hy", "en"],
    "dietary_needs": "Vegetarian",
    "consent_data_processing": True,
    "consent_photography": True,
    "doc_type": "passport",
    "doc_number": "AB 1234567",
    "doc_issuing_country": "AM",
    "doc_nationality": "AM",
    "doc_expires_on": "2031-05-01",
}


def test_register_from_the_link_answers_201_with_the_own_registration(api, db):
    delegation = open_delegation()
    invitation = InvitationFactory(delegation=delegation, token="api-link", email="anahit@example.am", circle="core")
    client = api(UserFactory(email="anahit@example.am"))
    settle(db)

    r = client.post("/api/v1/invitations/api-link/registration", json=API_REGISTRATION)

    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["status"], body["circle"], body["languages"]) == ("registered", "core", "hy,en")
    assert body["delegation"]["id"] == delegation.id
    assert "1234567" not in str(body)  # the number is masked
    db.expire_all()
    assert db.get(Invitation, invitation.id).status == InvitationStatus.ACCEPTED
    kinds = db.scalars(select(Consent.kind).where(Consent.registration_id == body["id"]))
    assert sorted(kind.value for kind in kinds) == ["data_processing", "photography"]


def test_register_through_the_api_with_extra_fields_is_422_and_changes_nothing(api, db):
    invitation = open_invitation(token="api-extra", email="anahit@example.am")
    client = api(UserFactory(email="anahit@example.am"))
    settle(db)

    r = client.post(
        "/api/v1/invitations/api-extra/registration",
        json={**API_REGISTRATION, "status": "confirmed", "delegation_id": 1, "circle": "core"},
    )

    assert r.status_code == 422
    assert {tuple(e["loc"]) for e in r.json()["detail"]} >= {("body", "status"), ("body", "delegation_id")}
    db.expire_all()
    assert db.get(Invitation, invitation.id).status == InvitationStatus.PENDING
    assert db.scalar(select(Registration)) is None


def test_register_through_the_api_while_registration_is_not_open_is_409(api, db):
    delegation = DelegationFactory(event=EventFactory(status=EventStatus.PLANNED))
    invitation = InvitationFactory(delegation=delegation, token="api-early", email="anahit@example.am")
    client = api(UserFactory(email="anahit@example.am"))
    settle(db)

    r = client.post("/api/v1/invitations/api-early/registration", json=API_REGISTRATION)

    assert r.status_code == 409
    assert r.json() == {"error": "RegistrationClosed", "detail": "Registration for this event is not open."}
    db.expire_all()
    assert db.get(Invitation, invitation.id).status == InvitationStatus.PENDING
    assert db.scalar(select(Registration)) is None
    assert outbox(db) == []


def test_register_through_the_api_refusals_change_nothing(api, db):
    delegation = open_delegation()
    InvitationFactory(delegation=delegation, token="used", email="anahit@example.am", status=InvitationStatus.ACCEPTED)
    InvitationFactory(delegation=delegation, token="revoked", email="anahit@example.am", status=InvitationStatus.REVOKED)
    InvitationFactory(
        delegation=delegation, token="expired", email="anahit@example.am", expires_at=utcnow() - timedelta(days=1)
    )
    InvitationFactory(delegation=delegation, token="theirs", email="someone@example.org")
    client = api(UserFactory(email="anahit@example.am"))
    settle(db)

    answers = {
        token: client.post(f"/api/v1/invitations/{token}/registration", json=API_REGISTRATION)
        for token in ("used", "revoked", "expired", "theirs", "no-such-link")
    }

    assert {token: r.status_code for token, r in answers.items()} == {
        "used": 410, "revoked": 410, "expired": 410, "theirs": 403, "no-such-link": 404,
    }
    assert answers["expired"].json()["detail"].startswith("This invitation link has expired.")
    assert db.scalar(select(Registration)) is None
    assert db.scalars(select(Invitation.status).where(Invitation.email == "someone@example.org")).all() == [
        InvitationStatus.PENDING
    ]


def test_register_through_the_api_signed_out_is_401(client, db):
    open_invitation(token="anon", email="anahit@example.am")
    settle(db)

    client.get("/login")  # a browser's CSRF cookie, so that the refusal is about signing in
    token = keyed_hash("csrf", client.cookies.get(CSRF_COOKIE) or "")
    r = client.post("/api/v1/invitations/anon/registration", json=API_REGISTRATION, headers={CSRF_HEADER: token})

    assert r.status_code == 401
    assert db.scalar(select(Registration)) is None


def test_register_through_the_api_when_registered_already_does_not_name_the_delegation(api, db):
    event = EventFactory(status=EventStatus.REGISTRATION_OPEN)
    mine, theirs = DelegationFactory(event=event), DelegationFactory(event=event, name="Ganja observers")
    RegistrationFactory(delegation=theirs, person=PersonFactory(email="anahit@example.am"))
    invitation = InvitationFactory(delegation=mine, token="again", email="anahit@example.am")
    client = api(UserFactory(email="anahit@example.am"))
    settle(db)

    r = client.post("/api/v1/invitations/again/registration", json=API_REGISTRATION)

    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["body", "__all__"], "msg": "This person is already registered at this event."}]
    assert "Ganja observers" not in r.text
    db.expire_all()
    assert db.get(Invitation, invitation.id).status == InvitationStatus.PENDING
