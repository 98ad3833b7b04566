from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.audit.models import AuditEntry
from app.events.models import EventStatus
from app.registrations import service as registrations
from app.registrations.models import ConsentKind, Registration, RegistrationStatus
from app.registrations.schemas import TravelDocumentIn
from tests.factories import (
    DelegationFactory,
    EventFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    organiser,
)
from tests.invitations.support import DOCUMENT, audit_actions, outbox
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
    """A signed-in-able delegate with one registration."""
    user = UserFactory(email="anahit@example.am")
    person = PersonFactory(email="anahit@example.am", user=user, given_name="Anahit", family_name="Hakobyan")
    reg = RegistrationFactory(person=person, **registration)
    db.flush()
    return user, reg


def test_list_shows_own_registrations_only(client, db, login):
    user, mine = delegate(db, delegation=DelegationFactory(event=EventFactory(title="Tsaghkadzor roundtable")))
    RegistrationFactory(delegation=DelegationFactory(event=EventFactory(title="Someone else's forum")))
    login(user)
    settle(db)

    r = client.get("/me/registrations")

    assert r.status_code == 200
    assert r.text.count('class="registration"') == 1
    assert "Tsaghkadzor roundtable" in r.text
    assert "Someone else" not in r.text


def test_list_without_registrations_shows_empty_state(client, db, login):
    login(UserFactory())
    settle(db)

    r = client.get("/me/registrations")

    assert "You have no registrations yet." in r.text


def test_list_for_anonymous_goes_to_sign_in(client, db):
    r = client.get("/me/registrations")

    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/me/registrations"


def test_detail_of_another_persons_registration_is_not_found(client, db, login):
    user, _ = delegate(db)
    theirs = RegistrationFactory()
    login(user)
    settle(db)

    r = client.get(f"/me/registrations/{theirs.id}")

    assert r.status_code == 404


def test_detail_of_a_registration_is_not_found_for_its_organiser(client, db, login):
    registration = RegistrationFactory()
    login(organiser(registration.event))
    settle(db)

    r = client.get(f"/me/registrations/{registration.id}")

    assert r.status_code == 404


def test_detail_shows_forms_filled_in_and_a_masked_document(client, db, login):
    user, reg = delegate(db, languages="hy,en", dietary_needs="Vegetarian")
    registrations.set_travel_document(db, actor=user, registration=reg, data=TravelDocumentIn(**DOCUMENT))
    login(user)
    settle(db)

    r = client.get(f"/me/registrations/{reg.id}")

    assert r.status_code == 200
    assert 'value="Anahit"' in r.text
    assert "Vegetarian</textarea>" in r.text
    assert 'id="f-languages-hy" name="languages" type="checkbox" value="hy" checked' in r.text
    assert "•••••4567" in r.text
    assert "AB1234567" not in r.text


def test_detail_names_the_kind_of_document_as_the_registration_pages_do(client, db, login):
    user, reg = delegate(db)
    document = {**DOCUMENT, "doc_type": "id_card"}
    registrations.set_travel_document(db, actor=user, registration=reg, data=TravelDocumentIn(**document))
    login(user)
    settle(db)

    r = client.get(f"/me/registrations/{reg.id}")

    assert "<dd>Identity card</dd>" in r.text


def test_save_person_and_needs(client, db, login, form):
    user, reg = delegate(db)
    login(user)
    settle(db)

    person = form(
        f"/me/registrations/{reg.id}/person",
        {"given_name": "Anahit", "family_name": "Hakobyan", "family_name_native": "Հակոբյան", "sector": "academia"},
    )
    needs = form(
        f"/me/registrations/{reg.id}/needs",
        {"dietary_needs": "Halal", "languages": ["hy", "ru"], "emergency_contact_phone": "+374 91 000000"},
    )

    assert person.status_code == 303
    assert needs.status_code == 303
    saved = reload(db, reg.id)
    assert (saved.person.family_name_native, saved.person.sector.value) == ("Հակոբյան", "academia")
    assert (saved.dietary_needs, saved.languages) == ("Halal", "hy,ru")


def test_posted_status_circle_and_delegation_change_nothing(client, db, login, form):
    user, reg = delegate(db, circle="broader", category="media")
    other = DelegationFactory(event=reg.event)
    login(user)
    settle(db)

    for section in ("person", "needs"):
        form(
            f"/me/registrations/{reg.id}/{section}",
            {
                "given_name": "Anahit",
                "family_name": "Hakobyan",
                "status": "confirmed",
                "circle": "core",
                "category": "official",
                "delegation_id": str(other.id),
                "event_id": "1",
                "role": "organiser",
            },
        )

    saved = reload(db, reg.id)
    assert (saved.status, saved.circle.value, saved.category.value, saved.delegation_id) == (
        RegistrationStatus.REGISTERED,
        "broader",
        "media",
        reg.delegation_id,
    )


def test_bad_input_rerenders_beside_the_field(client, db, login, form):
    user, reg = delegate(db)
    login(user)
    settle(db)

    r = form(f"/me/registrations/{reg.id}/person", {"given_name": "", "family_name": "x" * 101, "phone": "<b>"})

    assert r.status_code == 422
    for name in ("given_name", "family_name", "phone"):
        assert f'id="e-{name}"' in r.text


def test_consents_are_stored_with_version_and_data_processing_stays_required(client, db, login, form):
    user, reg = delegate(db)
    login(user)
    settle(db)

    saved = form(f"/me/registrations/{reg.id}/consents", {"consent_data_processing": "on", "consent_contact_sharing": "on"})
    refused = form(f"/me/registrations/{reg.id}/consents", {"consent_photography": "on"})

    assert saved.status_code == 303
    assert refused.status_code == 422
    assert 'id="e-consent_data_processing"' in refused.text
    kinds = sorted(c.kind for c in reload(db, reg.id).consents)
    assert kinds == [ConsentKind.CONTACT_SHARING, ConsentKind.DATA_PROCESSING]


def test_document_is_saved_masked_and_revealed_with_an_audit_entry(client, db, login, form):
    user, reg = delegate(db)
    login(user)
    settle(db)

    saved = form(f"/me/registrations/{reg.id}/document", DOCUMENT)
    page = client.get(f"/me/registrations/{reg.id}")
    revealed = form(f"/me/registrations/{reg.id}/document/reveal")

    assert saved.status_code == 303
    assert "•••••4567" in page.text
    assert "AB1234567" not in page.text
    assert revealed.status_code == 200
    assert '<strong class="revealed-number">AB1234567</strong>' in revealed.text
    assert revealed.headers["cache-control"] == "no-store"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "document.reveal"))
    assert (entry.actor_id, entry.object_id) == (user.id, reg.id)


def test_expired_or_incomplete_document_is_refused(client, db, login, form):
    user, reg = delegate(db)
    login(user)
    settle(db)

    r = form(
        f"/me/registrations/{reg.id}/document",
        {**DOCUMENT, "doc_expires_on": "2020-01-01", "doc_nationality": "", "doc_number": "!!"},
    )

    assert r.status_code == 422
    for name in ("doc_expires_on", "doc_nationality", "doc_number"):
        assert f'id="e-{name}"' in r.text
    assert 'value="!!"' not in r.text
    assert reload(db, reg.id).doc_number is None


def test_cancel_with_a_reason(client, db, login, form):
    user, reg = delegate(db)
    login(user)
    settle(db)

    page = client.get(f"/me/registrations/{reg.id}/cancel")
    without = form(f"/me/registrations/{reg.id}/cancel", {"reason": ""})
    cancelled = form(f"/me/registrations/{reg.id}/cancel", {"reason": "Cannot travel in February"})

    assert page.status_code == 200
    assert "Cancel your registration?" in page.text
    assert without.status_code == 422
    assert 'id="e-reason"' in without.text
    assert cancelled.status_code == 303
    saved = reload(db, reg.id)
    assert (saved.status, saved.status_reason) == (RegistrationStatus.CANCELLED, "Cannot travel in February")
    assert [m.to_address for m in outbox(db)] == ["anahit@example.am"]
    assert "registration.cancelled" in audit_actions(db, "registration")


def test_cancel_twice_is_a_conflict(client, db, login, form):
    user, reg = delegate(db, status=RegistrationStatus.CANCELLED)
    login(user)
    settle(db)

    page = client.get(f"/me/registrations/{reg.id}/cancel")
    r = form(f"/me/registrations/{reg.id}/cancel", {"reason": "again"})

    assert page.status_code == 409
    assert r.status_code == 409


def test_archived_event_is_read_only_for_the_delegate(client, db, login, form):
    user, reg = delegate(db, delegation=DelegationFactory(event=EventFactory(status=EventStatus.ARCHIVED)))
    login(user)
    settle(db)

    page = client.get(f"/me/registrations/{reg.id}")
    r = form(f"/me/registrations/{reg.id}/person", {"given_name": "New", "family_name": "Name"})

    assert page.status_code == 200
    assert f'action="/me/registrations/{reg.id}/person"' not in page.text
    assert r.status_code == 403
    assert reload(db, reg.id).person.given_name == "Anahit"


def test_other_persons_registration_cannot_be_changed(client, db, login, form):
    user, _ = delegate(db)
    theirs = RegistrationFactory(dietary_needs="none")
    login(user)
    settle(db)

    r = form(f"/me/registrations/{theirs.id}/needs", {"dietary_needs": "changed"})
    revealed = form(f"/me/registrations/{theirs.id}/document/reveal")

    assert r.status_code == 404
    assert revealed.status_code == 404
    assert reload(db, theirs.id).dietary_needs == "none"
