from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEntry
from app.registrations.models import Category, Circle, Registration, RegistrationStatus
from tests.factories import (
    DelegationFactory,
    EventFactory,
    InitiativeFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
    with_document,
)
from tests.support import settle

S = RegistrationStatus
DOCUMENT = {"doc_type": "passport", "doc_number": "AZ1234567", "doc_issuing_country": "az",
            "doc_nationality": "AZ", "doc_expires_on": "2031-05-01"}


def reload(db, registration) -> Registration:
    db.expire_all()
    query = select(Registration).options(joinedload(Registration.person)).where(Registration.id == registration.id)
    return db.scalar(query)


def error_fields(r) -> set[str]:
    return {e["loc"][-1] for e in r.json()["detail"]}


def payload(delegation, **changes):
    return {"email": "ani@example.org", "given_name": "Ani", "family_name": "Petrosyan",
            "delegation_id": delegation.id, **changes}


# --- list ----------------------------------------------------------------------------------------


def test_list_is_paginated_filtered_and_masked(api, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    with_document(RegistrationFactory(delegation=delegation, circle=Circle.CORE, person=PersonFactory(family_name="A")),
                  number="AB1234567")
    RegistrationFactory.create_batch(2, delegation=delegation, circle=Circle.BROADER)
    client = api(organiser(event))
    settle(db)

    page = client.get(f"/api/v1/events/{event.id}/registrations", params={"per_page": 2})
    core = client.get(f"/api/v1/events/{event.id}/registrations", params={"circle": "core"})

    assert (page.json()["total"], len(page.json()["items"])) == (3, 2)
    item = core.json()["items"][0]
    assert item["masked_document"] == "•••••4567"
    assert "doc_number" not in item and "AB1234567" not in core.text
    assert item["person"]["family_name"] == "A"


@pytest.mark.parametrize("params", [{"status": "bogus"}, {"sort": "evil"}, {"delegation_id": 0}, {"q": "x" * 201},
                                    {"per_page": 501}, {"circle": "inner"}])
def test_list_with_bad_parameters_answers_422(api, db, params):
    event = EventFactory()
    client = api(organiser(event))
    settle(db)

    r = client.get(f"/api/v1/events/{event.id}/registrations", params=params)

    assert r.status_code == 422 and r.json()["error"] == "ValidationError"


def test_list_for_coordinator_is_their_delegation_only(api, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    mine = RegistrationFactory(delegation=own)
    RegistrationFactory(delegation=other, person=PersonFactory(family_name="Hidden"))
    client = api(coordinator(own))
    settle(db)

    everything = client.get(f"/api/v1/events/{event.id}/registrations")
    theirs = client.get(f"/api/v1/events/{event.id}/registrations", params={"delegation_id": other.id})

    assert [i["id"] for i in everything.json()["items"]] == [mine.id]
    assert theirs.json()["total"] == 0 and "Hidden" not in everything.text


# --- add and read --------------------------------------------------------------------------------


def test_add_then_read(api, db):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)

    created = client.post(f"/api/v1/events/{delegation.event_id}/registrations",
                          json=payload(delegation, circle="core", category="media", languages="hy,en"))
    read = client.get(f"/api/v1/events/{delegation.event_id}/registrations/{created.json()['id']}")

    assert created.status_code == 201
    body = read.json()
    assert (body["status"], body["circle"], body["category"], body["languages"]) == ("registered", "core", "media", "hy,en")
    assert body["person"]["email"] == "ani@example.org" and body["consents"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "a" * 250 + "@example.org"}, "email"),
        ({"given_name": ""}, "given_name"),
        ({"family_name": "x" * 101}, "family_name"),
        ({"phone": "call me"}, "phone"),
        ({"languages": "klingon"}, "languages"),
        ({"circle": "inner"}, "circle"),
        ({"delegation_id": 0}, "delegation_id"),
        ({"delegation_id": 2**31}, "delegation_id"),
        ({"status": "confirmed"}, "status"),
        ({"person_id": 1}, "person_id"),
    ],
)
def test_add_with_bad_input_answers_422_and_saves_nothing(api, db, change, field):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)

    r = client.post(f"/api/v1/events/{delegation.event_id}/registrations", json=payload(delegation, **change))

    assert r.status_code == 422
    assert field in error_fields(r)
    assert db.scalar(select(Registration)) is None


def test_add_twice_answers_422_on_email(api, db):
    delegation = DelegationFactory()
    client = api(organiser(delegation.event))
    settle(db)
    url = f"/api/v1/events/{delegation.event_id}/registrations"

    first = client.post(url, json=payload(delegation))
    second = client.post(url, json=payload(delegation, email="ANI@example.org"))

    assert first.status_code == 201
    assert second.status_code == 422 and error_fields(second) == {"email"}


def test_add_a_person_of_the_other_delegation_answers_422_without_naming_it(api, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event, name="Armenia"), DelegationFactory(event=event, name="Ganja observers")
    RegistrationFactory(delegation=other, person=PersonFactory(email="ani@example.org"))
    client = api(coordinator(own))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/registrations", json=payload(own))

    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["body", "email"], "msg": "This person is already registered at this event."}]
    assert "Ganja observers" not in r.text


def test_add_into_the_other_delegation_is_refused_for_a_coordinator(api, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    client = api(coordinator(own))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/registrations", json=payload(other))

    assert r.status_code == 422 and error_fields(r) == {"delegation_id"}
    assert db.scalar(select(Registration)) is None


# --- patch ---------------------------------------------------------------------------------------


def test_patch_changes_only_what_is_given(api, db):
    registration = RegistrationFactory(dietary_needs="Halal", person=PersonFactory(organisation="Org"))
    client = api(organiser(registration.event))
    settle(db)

    r = client.patch(f"/api/v1/events/{registration.event_id}/registrations/{registration.id}",
                     json={"given_name": "Lusine", "circle": "core", "category": "expert"})

    saved = reload(db, registration)
    assert r.status_code == 200
    assert (saved.person.given_name, saved.person.organisation, saved.dietary_needs) == ("Lusine", "Org", "Halal")
    assert (saved.circle, saved.category) == (Circle.CORE, Category.EXPERT)


@pytest.mark.parametrize("extra", [{"status": "confirmed"}, {"delegation_id": 1}, {"event_id": 1}, {"doc_number": "X"}])
def test_patch_with_fields_nobody_may_patch_is_refused(api, db, extra):
    registration = RegistrationFactory()
    client = api(organiser(registration.event))
    settle(db)

    r = client.patch(f"/api/v1/events/{registration.event_id}/registrations/{registration.id}",
                     json={"given_name": "Changed", **extra})

    assert r.status_code == 422
    saved = reload(db, registration)
    assert (saved.status, saved.person.given_name) == (S.REGISTERED, registration.person.given_name)


def test_delegate_patches_their_needs_but_not_their_circle(api, db):
    registration = RegistrationFactory(circle=Circle.BROADER)
    client = api(delegate(registration))
    settle(db)
    url = f"/api/v1/events/{registration.event_id}/registrations/{registration.id}"

    ok = client.patch(url, json={"dietary_needs": "Vegan"})
    refused = client.patch(url, json={"dietary_needs": "None", "circle": "core"})

    assert ok.status_code == 200 and ok.json()["dietary_needs"] == "Vegan"
    assert refused.status_code == 403
    saved = reload(db, registration)
    assert (saved.dietary_needs, saved.circle) == ("Vegan", Circle.BROADER)


def test_patch_email_by_the_coordinator_changes_the_person_without_an_account(api, db):
    registration = RegistrationFactory(person=PersonFactory(email="old@example.org"))
    client = api(coordinator(registration.delegation))
    settle(db)
    url = f"/api/v1/events/{registration.event_id}/registrations/{registration.id}"

    r = client.patch(url, json={"email": "New@Example.org"})

    assert r.status_code == 200
    assert r.json()["person"]["email"] == "new@example.org"
    assert reload(db, registration).person.email == "new@example.org"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not an address", None),
        ("x" * 250 + "@example.org", None),
        ("taken@example.org", "Another person has this e-mail address."),
    ],
)
def test_patch_with_a_bad_or_taken_email_is_422_and_changes_nothing(api, db, email, message):
    PersonFactory(email="taken@example.org")
    registration = RegistrationFactory(person=PersonFactory(email="mine@example.org", given_name="Ani"))
    client = api(organiser(registration.event))
    settle(db)

    r = client.patch(f"/api/v1/events/{registration.event_id}/registrations/{registration.id}",
                     json={"given_name": "Changed", "email": email})

    assert r.status_code == 422 and error_fields(r) == {"email"}
    if message:
        assert r.json()["detail"][0]["msg"] == message
    saved = reload(db, registration)
    assert (saved.person.email, saved.person.given_name) == ("mine@example.org", "Ani")


def test_patch_email_of_a_person_with_an_account_is_refused(api, db):
    registration = RegistrationFactory(person=PersonFactory(email="anahit@example.org"))
    account = delegate(registration)
    client = api(organiser(registration.event))
    settle(db)

    r = client.patch(f"/api/v1/events/{registration.event_id}/registrations/{registration.id}",
                     json={"email": "elsewhere@example.org"})

    assert r.status_code == 422
    assert "signs in to Parley with this address" in r.json()["detail"][0]["msg"]
    assert reload(db, registration).person.email == "anahit@example.org"
    db.expire_all()
    assert db.get(UserFactory._meta.model, account.id).email == "anahit@example.org"


def test_delegate_may_not_patch_their_email(api, db):
    registration = RegistrationFactory(person=PersonFactory(email="anahit@example.org"))
    client = api(delegate(registration))
    settle(db)

    r = client.patch(f"/api/v1/events/{registration.event_id}/registrations/{registration.id}",
                     json={"email": "elsewhere@example.org"})

    assert r.status_code == 403
    assert reload(db, registration).person.email == "anahit@example.org"


# --- decisions -----------------------------------------------------------------------------------


def test_approve_decline_cancel_and_check_in(api, db):
    delegation = DelegationFactory(capacity_broader=1)
    first, second = RegistrationFactory.create_batch(2, delegation=delegation)
    client = api(organiser(delegation.event))
    settle(db)
    base = f"/api/v1/events/{delegation.event_id}/registrations"

    approved = client.post(f"{base}/{first.id}/approve")
    waitlisted = client.post(f"{base}/{second.id}/approve", json={"reason": "Full for now"})
    no_reason = client.post(f"{base}/{first.id}/decline", json={"reason": ""})
    declined = client.post(f"{base}/{first.id}/decline", json={"reason": "Visa refused"})
    promoted = client.get(f"{base}/{second.id}")
    checked = client.post(f"{base}/{second.id}/check-in", json={"attended": True})
    again = client.post(f"{base}/{first.id}/approve")
    cancelled = client.post(f"{base}/{first.id}/cancel", json={"reason": "Changed plans"})

    assert approved.json()["status"] == "confirmed"
    assert waitlisted.json()["status"] == "waitlisted"
    assert no_reason.status_code == 422 and error_fields(no_reason) == {"reason"}
    assert declined.json()["status"] == "declined" and declined.json()["status_reason"] == "Visa refused"
    assert promoted.json()["status"] == "confirmed"
    assert checked.json()["status"] == "attended" and checked.json()["checked_in_at"]
    assert again.json()["status"] == "waitlisted"  # declined → approved: the place went to the other
    assert cancelled.json()["status"] == "cancelled"


def test_check_in_of_an_unconfirmed_registration_is_409(api, db):
    registration = RegistrationFactory()
    client = api(organiser(registration.event))
    settle(db)

    r = client.post(f"/api/v1/events/{registration.event_id}/registrations/{registration.id}/check-in")

    assert r.status_code == 409 and r.json()["error"] == "Conflict"


def test_decisions_by_the_delegate_are_forbidden_but_cancel_is_theirs(api, db):
    registration = RegistrationFactory()
    client = api(delegate(registration))
    settle(db)
    base = f"/api/v1/events/{registration.event_id}/registrations/{registration.id}"

    assert client.post(f"{base}/approve").status_code == 403
    assert client.post(f"{base}/decline", json={"reason": "x"}).status_code == 403
    assert client.post(f"{base}/check-in").status_code == 403
    assert client.post(f"{base}/cancel", json={"reason": "Cannot travel"}).json()["status"] == "cancelled"


# --- travel documents ----------------------------------------------------------------------------


def test_put_document_then_reveal_with_audit(api, db):
    registration = RegistrationFactory()
    user = organiser(registration.event)
    client = api(user)
    settle(db)
    base = f"/api/v1/events/{registration.event_id}/registrations/{registration.id}"

    put = client.put(f"{base}/document", json=DOCUMENT)
    revealed = client.post(f"{base}/document/reveal")

    assert put.status_code == 200
    assert put.json()["masked_document"] == "•••••4567" and "AZ1234567" not in put.text
    assert put.json()["doc_issuing_country"] == "AZ"
    assert revealed.json() == {"registration_id": registration.id, "doc_type": "passport", "doc_number": "AZ1234567"}
    entries = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "document.reveal")))
    assert [(e.actor_id, e.object_id) for e in entries] == [(user.id, registration.id)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"doc_number": "1"}, "doc_number"),
        ({"doc_number": "AB12;DROP"}, "doc_number"),
        ({"doc_issuing_country": "ZZ"}, "doc_issuing_country"),
        ({"doc_nationality": "Armenia"}, "doc_nationality"),
        ({"doc_expires_on": "2031-02-30"}, "doc_expires_on"),
        ({"doc_expires_on": "3000-01-01"}, "doc_expires_on"),
        ({"doc_type": "visa"}, "doc_type"),
        ({"doc_number_hash": "x"}, "doc_number_hash"),
    ],
)
def test_put_document_with_bad_input_answers_422(api, db, change, field):
    registration = RegistrationFactory()
    client = api(organiser(registration.event))
    settle(db)

    r = client.put(f"/api/v1/events/{registration.event_id}/registrations/{registration.id}/document",
                   json={**DOCUMENT, **change})

    assert r.status_code == 422 and field in error_fields(r)
    assert reload(db, registration).doc_number is None


def test_reveal_without_document_is_404(api, db):
    registration = RegistrationFactory()
    client = api(organiser(registration.event))
    settle(db)

    r = client.post(f"/api/v1/events/{registration.event_id}/registrations/{registration.id}/document/reveal")

    assert r.status_code == 404


def test_press_officer_sees_no_registrations_and_no_documents(api, db):
    registration = with_document(RegistrationFactory(), number="AB1234567")
    client = api(press_officer(registration.event))
    settle(db)
    base = f"/api/v1/events/{registration.event_id}/registrations"

    assert client.get(base).status_code == 403
    assert client.get(f"{base}/{registration.id}").status_code == 404
    r = client.post(f"{base}/{registration.id}/document/reveal")
    assert r.status_code == 404 and "AB1234567" not in r.text
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "document.reveal")) is None


def test_anonymous_gets_401(client, db):
    registration = RegistrationFactory()
    settle(db)
    base = f"/api/v1/events/{registration.event_id}/registrations"

    assert client.get(base).status_code == 401
    assert client.get(f"{base}/{registration.id}").status_code == 401
    assert client.post(f"{base}/{registration.id}/document/reveal").status_code in (401, 403)


# --- people and purge ----------------------------------------------------------------------------


def test_person_history_through_the_api(api, db):
    initiative = InitiativeFactory()
    first, second = EventFactory(initiative=initiative), EventFactory(initiative=initiative, starts_on=date(2027, 1, 1),
                                                                      ends_on=date(2027, 1, 2))
    person = PersonFactory()
    RegistrationFactory(delegation=DelegationFactory(event=first), person=person)
    RegistrationFactory(delegation=DelegationFactory(event=second), person=person)
    client = api(organiser(first))
    settle(db)

    r = client.get(f"/api/v1/events/{first.id}/people/{person.id}")

    assert r.status_code == 200
    assert [i["event_id"] for i in r.json()["registrations"]] == [first.id]  # the organiser of the first only


def test_purge_through_the_api(api, db):
    event = EventFactory(starts_on=date(2020, 1, 1), ends_on=date(2020, 1, 2))
    with_document(RegistrationFactory(delegation=DelegationFactory(event=event)))
    future = EventFactory(starts_on=date(2099, 1, 1), ends_on=date(2099, 1, 2))
    client = api(organiser(event))
    settle(db)

    done = client.post(f"/api/v1/events/{event.id}/purge-personal-data")
    again = client.post(f"/api/v1/events/{event.id}/purge-personal-data")
    early = api(organiser(future)).post(f"/api/v1/events/{future.id}/purge-personal-data")

    assert done.json() == {"event_id": event.id, "registrations": 1}
    assert again.json()["registrations"] == 0
    assert early.status_code == 409 and "kept until" in early.json()["detail"]


def test_outsider_cannot_reach_registrations(api, db):
    registration = RegistrationFactory()
    client = api(UserFactory())
    settle(db)

    assert client.get(f"/api/v1/events/{registration.event_id}/registrations/{registration.id}").status_code == 404
