from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.audit.models import AuditEntry
from app.registrations.models import Registration, RegistrationStatus
from tests.factories import (
    DelegationFactory,
    EventFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    organiser,
)
from tests.invitations.support import DOCUMENT
from tests.support import settle


def reload(db, registration_id):  # type: ignore[no-untyped-def]
    query = (
        select(Registration)
        .options(joinedload(Registration.person), selectinload(Registration.consents))
        .where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    )
    return db.scalar(query)


def delegate(db, **registration):  # type: ignore[no-untyped-def]
    user = UserFactory(email="anahit@example.am")
    person = PersonFactory(email="anahit@example.am", user=user, given_name="Anahit", family_name="Hakobyan")
    reg = RegistrationFactory(person=person, **registration)
    db.flush()
    return user, reg


def test_list_is_own_and_paginated(api, db):
    user, mine = delegate(db, delegation=DelegationFactory(event=EventFactory(title="Tsaghkadzor roundtable")))
    RegistrationFactory()
    client = api(user)
    settle(db)

    r = client.get("/api/v1/me/registrations")

    assert r.status_code == 200
    body = r.json()
    assert (body["total"], body["page"], len(body["items"])) == (1, 1, 1)
    item = body["items"][0]
    assert (item["id"], item["event"]["title"], item["status"]) == (mine.id, "Tsaghkadzor roundtable", "registered")
    assert item["person"]["given_name"] == "Anahit"


def test_list_without_a_person_record_is_empty(api, db):
    client = api(UserFactory())
    settle(db)

    r = client.get("/api/v1/me/registrations")

    assert r.json() == {"items": [], "total": 0, "page": 1, "per_page": 50}


def test_another_persons_registration_is_404(api, db):
    user, _ = delegate(db)
    theirs = RegistrationFactory()
    client = api(user)
    settle(db)

    got = client.get(f"/api/v1/me/registrations/{theirs.id}")
    patched = client.patch(f"/api/v1/me/registrations/{theirs.id}", json={"dietary_needs": "x"})
    revealed = client.post(f"/api/v1/me/registrations/{theirs.id}/document/reveal")

    assert (got.status_code, patched.status_code, revealed.status_code) == (404, 404, 404)
    assert reload(db, theirs.id).dietary_needs == ""


def test_organiser_does_not_see_participants_through_me(api, db):
    registration = RegistrationFactory()
    client = api(organiser(registration.event))
    settle(db)

    r = client.get(f"/api/v1/me/registrations/{registration.id}")

    assert r.status_code == 404


def test_patch_changes_the_given_fields_only(api, db):
    user, reg = delegate(db, dietary_needs="Vegetarian")
    client = api(user)
    settle(db)

    r = client.patch(
        f"/api/v1/me/registrations/{reg.id}",
        json={"family_name_native": "Հակոբյան", "languages": "hy, en", "accessibility_needs": "Step-free access"},
    )

    assert r.status_code == 200
    body = r.json()
    assert body["person"]["family_name_native"] == "Հակոբյան"
    assert (body["languages"], body["dietary_needs"], body["accessibility_needs"]) == ("hy,en", "Vegetarian", "Step-free access")
    saved = reload(db, reg.id)
    assert (saved.person.given_name, saved.languages) == ("Anahit", "hy,en")


def test_patch_refuses_placement_status_and_bad_values(api, db):
    user, reg = delegate(db, circle="broader")
    client = api(user)
    settle(db)

    placement = client.patch(f"/api/v1/me/registrations/{reg.id}", json={"circle": "core", "status": "confirmed"})
    languages = client.patch(f"/api/v1/me/registrations/{reg.id}", json={"languages": "hy,klingon"})
    blank = client.patch(f"/api/v1/me/registrations/{reg.id}", json={"given_name": ""})

    assert (placement.status_code, languages.status_code, blank.status_code) == (422, 422, 422)
    saved = reload(db, reg.id)
    assert (saved.circle.value, saved.status, saved.languages, saved.person.given_name) == (
        "broader",
        RegistrationStatus.REGISTERED,
        "",
        "Anahit",
    )


def test_consents_need_data_processing(api, db):
    user, reg = delegate(db)
    client = api(user)
    settle(db)

    saved = client.put(f"/api/v1/me/registrations/{reg.id}/consents", json={"kinds": ["data_processing", "photography"]})
    refused = client.put(f"/api/v1/me/registrations/{reg.id}/consents", json={"kinds": ["photography"]})

    assert saved.status_code == 200
    assert sorted(c["kind"] for c in saved.json()["consents"]) == ["data_processing", "photography"]
    assert {c["text_version"] for c in saved.json()["consents"]} == {"2026-02"}
    assert refused.status_code == 422
    assert sorted(c.kind.value for c in reload(db, reg.id).consents) == ["data_processing", "photography"]


def test_document_is_masked_and_revealed_with_an_audit_entry(api, db):
    user, reg = delegate(db)
    client = api(user)
    settle(db)

    saved = client.put(f"/api/v1/me/registrations/{reg.id}/document", json=DOCUMENT)
    revealed = client.post(f"/api/v1/me/registrations/{reg.id}/document/reveal")

    assert saved.status_code == 200
    assert saved.json()["masked_document"] == "•••••4567"
    assert "AB1234567" not in saved.text
    assert revealed.json() == {"registration_id": reg.id, "doc_type": "passport", "doc_number": "AB1234567"}
    actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.object_id == reg.id)))
    assert actions.count("document.reveal") == 1


def test_document_with_bad_values_is_422(api, db):
    user, reg = delegate(db)
    client = api(user)
    settle(db)

    r = client.put(
        f"/api/v1/me/registrations/{reg.id}/document",
        json={**DOCUMENT, "doc_issuing_country": "XX", "doc_expires_on": "2020-01-01"},
    )

    assert r.status_code == 422
    assert {e["loc"][-1] for e in r.json()["detail"]} == {"doc_issuing_country", "doc_expires_on"}
    assert reload(db, reg.id).doc_number is None


def test_cancel_needs_a_reason(api, db):
    user, reg = delegate(db)
    client = api(user)
    settle(db)

    without = client.post(f"/api/v1/me/registrations/{reg.id}/cancel", json={"reason": " "})
    cancelled = client.post(f"/api/v1/me/registrations/{reg.id}/cancel", json={"reason": "Ill"})
    again = client.post(f"/api/v1/me/registrations/{reg.id}/cancel", json={"reason": "Ill"})

    assert without.status_code == 422
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["status_reason"]) == ("cancelled", "Ill")
    assert again.status_code == 409
