from datetime import timedelta

from sqlalchemy import select

from app.db import utcnow
from app.invitations.models import Invitation, InvitationStatus
from tests.factories import (
    DelegationFactory,
    EventFactory,
    InvitationFactory,
    PersonFactory,
    RegistrationFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.invitations.support import audit_actions, link_token, outbox, settle


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
