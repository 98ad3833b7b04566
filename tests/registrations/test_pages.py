from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEntry
from app.events.models import EventStatus
from app.registrations.models import (
    Category,
    Circle,
    ConsentKind,
    Person,
    Registration,
    RegistrationStatus,
)
from tests.factories import (
    AdminFactory,
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
ADD_FORM = {
    "email": "anahit@example.org",
    "given_name": "Anahit",
    "family_name": "Petrosyan",
    "given_name_native": "Անահիտ",
    "family_name_native": "Պետրոսյան",
    "organisation": "Yerevan Dialogue Centre",
    "position": "Director",
    "sector": "civil_society",
    "phone": "+374 10 123456",
    "circle": "core",
    "category": "expert",
    "dietary_needs": "Vegetarian",
    "accessibility_needs": "",
    "emergency_contact_name": "Aram",
    "emergency_contact_phone": "+374 99 000000",
}


def reload(db, registration) -> Registration:
    db.expire_all()
    query = select(Registration).options(joinedload(Registration.person)).where(Registration.id == registration.id)
    return db.scalar(query)


# --- the list ------------------------------------------------------------------------------------


def test_participants_list_for_organiser_shows_every_delegation_masked(client, login, db):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event, name="Armenia"), DelegationFactory(event=event, name="Azerbaijan")
    with_document(RegistrationFactory(delegation=armenia, person=PersonFactory(family_name="Petrosyan")), number="AB1234567")
    RegistrationFactory(delegation=azerbaijan, status=S.CONFIRMED, person=PersonFactory(family_name="Aliyeva"))
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/participants")

    assert r.status_code == 200
    assert r.text.count('class="participant"') == 2
    assert "Petrosyan" in r.text and "Aliyeva" in r.text
    assert "•••••4567" in r.text and "AB1234567" not in r.text
    assert 'data-status="confirmed">1<' in r.text and 'data-status="registered">1<' in r.text


def test_participants_list_for_coordinator_shows_only_their_delegation(client, login, db):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event, name="Armenia"), DelegationFactory(event=event, name="Azerbaijan")
    RegistrationFactory(delegation=armenia, person=PersonFactory(family_name="Petrosyan"))
    hidden = with_document(
        RegistrationFactory(delegation=azerbaijan, person=PersonFactory(family_name="Aliyeva", email="leyla@example.org")),
        number="ZZ9998887",
    )
    login(coordinator(armenia))
    settle(db)

    plain = client.get(f"/events/{event.id}/participants")
    filtered = client.get(f"/events/{event.id}/participants", params={"delegation_id": azerbaijan.id})
    searched = client.get(f"/events/{event.id}/participants", params={"q": "leyla"})

    assert plain.text.count('class="participant"') == 1
    for r in (plain, filtered, searched):
        assert r.status_code == 200
        assert "Aliyeva" not in r.text and "leyla@example.org" not in r.text and "8887" not in r.text
    assert f"/participants/{hidden.id}" not in plain.text
    assert filtered.text.count('class="participant"') == 0


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"circle": "core"}, ["Core"]),
        ({"category": "media"}, ["Media"]),
        ({"status": "waitlisted"}, ["Waiting"]),
        ({"q": "Press"}, ["Media"]),
        ({"sort": "organisation"}, ["Media", "Waiting", "Core"]),
    ],
)
def test_participants_list_filters_and_sorts(client, login, db, params, expected):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    RegistrationFactory(delegation=delegation, circle=Circle.CORE, person=PersonFactory(family_name="Core", organisation="Z"))
    RegistrationFactory(delegation=delegation, category=Category.MEDIA, person=PersonFactory(family_name="Media", organisation="Press"))
    RegistrationFactory(delegation=delegation, status=S.WAITLISTED, person=PersonFactory(family_name="Waiting", organisation="Q"))
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/participants", params=params)

    rows = r.text.split('class="participant"')[1:]
    assert [next(name for name in ("Core", "Media", "Waiting") if f"{name}, " in row) for row in rows] == expected


def test_participants_list_with_bad_filter_shows_error(client, login, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/participants", params={"status": "bogus", "delegation_id": "x"})

    assert r.status_code == 422
    assert 'id="e-status"' in r.text and "Choose one of the options." in r.text


def test_participants_list_paginates_keeping_the_filters(client, login, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    RegistrationFactory.create_batch(3, delegation=delegation, circle=Circle.CORE)
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/participants", params={"per_page": 2, "circle": "core"})
    second = client.get(f"/events/{event.id}/participants", params={"per_page": 2, "circle": "core", "page": 2})

    assert r.text.count('class="participant"') == 2
    assert 'href="?circle=core&amp;per_page=2&amp;page=2" rel="next"' in r.text
    assert second.text.count('class="participant"') == 1


def test_participants_list_empty_states(client, login, db):
    event = EventFactory()
    DelegationFactory(event=event)
    login(organiser(event))
    settle(db)

    empty = client.get(f"/events/{event.id}/participants")
    no_match = client.get(f"/events/{event.id}/participants", params={"q": "nobody"})

    assert "No participants yet." in empty.text
    assert "No participants match these filters." in no_match.text


@pytest.mark.parametrize("who", ["press_officer", "delegate", "outsider"])
def test_participants_list_is_forbidden_to_press_delegates_and_outsiders(client, login, db, who):
    registration = RegistrationFactory(person=PersonFactory(family_name="Secretname"))
    event = registration.event
    users = {"press_officer": lambda: press_officer(event), "delegate": lambda: delegate(registration), "outsider": UserFactory}
    login(users[who]())
    settle(db)

    r = client.get(f"/events/{event.id}/participants")

    assert r.status_code in (403, 404)
    assert "Secretname" not in r.text


def test_participants_list_anonymous_is_sent_to_sign_in(client, db):
    event = EventFactory()
    settle(db)

    r = client.get(f"/events/{event.id}/participants")

    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/events/{event.id}/participants"


@pytest.mark.parametrize("n", [1, 3])
def test_participants_page_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    for _ in range(n):
        with_document(RegistrationFactory(delegation=delegation), number=f"AB{n}{_}12345")
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/participants"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="participant"') == n
    # sign-in (1 query), event, status counts, the lines of the list (sorted by the reader's
    # collation and cut to the page: their number is the total), delegations
    assert count() == 5


@pytest.mark.parametrize("n", [1, 3])
def test_participants_page_query_count_is_constant_filtered_or_paged(client, login, db, count_queries, n):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    RegistrationFactory.create_batch(n + 1, delegation=delegation, circle=Circle.CORE)
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/participants"

    with count_queries() as filtered:
        one = client.get(url, params={"circle": "core"})
    with count_queries() as paged:
        two = client.get(url, params={"per_page": n})

    assert one.text.count('class="participant"') == n + 1 and two.text.count('class="participant"') == n
    assert filtered() == 5  # the lines of the filtered list are its total
    assert paged() == 5


def test_participants_list_counts_everyone_by_status_whatever_the_page_shows(client, login, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    RegistrationFactory.create_batch(2, delegation=delegation, status=S.CONFIRMED)
    RegistrationFactory(delegation=delegation, status=S.WAITLISTED, circle=Circle.CORE)
    RegistrationFactory(delegation=DelegationFactory(event=event), status=S.WAITLISTED)
    login(coordinator(delegation))
    settle(db)
    url = f"/events/{event.id}/participants"

    pages = [client.get(url), client.get(url, params={"circle": "core"}), client.get(url, params={"per_page": 1}),
             client.get(url, params={"per_page": 1, "page": 3}), client.get(url, params={"per_page": 1, "page": 9})]

    assert [r.text.count('class="participant"') for r in pages] == [3, 1, 1, 1, 0]
    for r in pages:
        assert 'data-status="confirmed">2<' in r.text and 'data-status="waitlisted">1<' in r.text
        assert "<li>All: <strong>3</strong></li>" in r.text
    assert 'rel="next"' in pages[2].text and 'rel="next"' not in pages[3].text


def test_participants_list_escapes_what_people_typed(client, login, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, name="<b>Side</b>")
    RegistrationFactory(
        delegation=delegation,
        person=PersonFactory(given_name='"><script>x()</script>', family_name="O'Neil & Co", given_name_native="<i>",
                             family_name_native="", organisation="<img src=x onerror=y()>"),
    )
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/participants")

    row = r.text.split('class="participant"')[1]
    assert "<script>" not in r.text and "<img" not in row and "<i>" not in row and "<b>Side" not in row
    assert "O&#x27;Neil &amp; Co, &quot;&gt;&lt;script&gt;x()&lt;/script&gt;" in row
    assert '<div class="muted small">&lt;i&gt;</div>' in row
    assert "<td>&lt;b&gt;Side&lt;/b&gt;</td>" in row and "<td>&lt;img src=x onerror=y()&gt;</td>" in row


# --- add -----------------------------------------------------------------------------------------


def test_add_participant_creates_and_redirects(client, login, form, db):
    delegation = DelegationFactory()
    event = delegation.event
    login(organiser(event))
    settle(db)

    page = client.get(f"/events/{event.id}/participants/new", params={"delegation_id": delegation.id})
    r = form(f"/events/{event.id}/participants/new", {**ADD_FORM, "delegation_id": str(delegation.id), "languages": ["hy", "en"]})

    registration = db.scalar(select(Registration).options(joinedload(Registration.person)))
    assert f'<option value="{delegation.id}" selected>' in page.text
    assert r.status_code == 303 and r.headers["location"] == f"/events/{event.id}/participants/{registration.id}"
    assert (registration.circle, registration.category, registration.languages) == (Circle.CORE, Category.EXPERT, "hy,en")
    assert registration.person.family_name_native == "Պետրոսյան"
    follow = client.get(r.headers["location"])
    assert "Anahit Petrosyan has been added." in follow.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-address", "An email address must have an @-sign."),
        ("email", "a" * 250 + "@example.org", "Use at most 254 characters."),
        ("given_name", "", "This field is required."),
        ("family_name", "x" * 101, "Use at most 100 characters."),
        ("phone", "call me", "The format is not valid."),
        ("circle", "inner", "Choose one of the options."),
        ("delegation_id", "", "Choose a delegation."),
        ("languages", "xx", "Unknown language code “xx”."),
        ("dietary_needs", "d" * 501, "Use at most 500 characters."),
    ],
)
def test_add_participant_with_bad_input_shows_errors_and_saves_nothing(client, login, form, db, field, value, message):
    delegation = DelegationFactory()
    login(organiser(delegation.event))
    settle(db)

    r = form(f"/events/{delegation.event_id}/participants/new", {**ADD_FORM, "delegation_id": str(delegation.id), field: value})

    assert r.status_code == 422
    assert f'id="e-{field}"' in r.text
    assert message in r.text
    assert db.scalar(select(Registration)) is None


def test_add_participant_twice_is_refused_beside_the_email(client, login, form, db):
    delegation = DelegationFactory()
    RegistrationFactory(delegation=delegation, person=PersonFactory(email="anahit@example.org"))
    login(organiser(delegation.event))
    settle(db)

    r = form(f"/events/{delegation.event_id}/participants/new", {**ADD_FORM, "delegation_id": str(delegation.id)})

    assert r.status_code == 422
    assert "This person is already registered at this event." in r.text


def test_coordinator_adding_a_person_of_the_other_delegation_is_not_told_which(client, login, form, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event, name="Armenia"), DelegationFactory(event=event, name="Ganja observers")
    RegistrationFactory(delegation=other, person=PersonFactory(email="anahit@example.org"))
    login(coordinator(own))
    settle(db)

    r = form(f"/events/{event.id}/participants/new", {**ADD_FORM, "delegation_id": str(own.id)})

    assert r.status_code == 422
    assert 'id="e-email"' in r.text
    assert "This person is already registered at this event." in r.text
    assert "Ganja observers" not in r.text


def test_staff_add_a_participant_before_registration_opens(client, login, form, db):
    delegation = DelegationFactory(event=EventFactory(status=EventStatus.PLANNED))
    login(organiser(delegation.event))
    settle(db)

    r = form(f"/events/{delegation.event_id}/participants/new", {**ADD_FORM, "delegation_id": str(delegation.id)})

    assert r.status_code == 303
    assert db.scalar(select(Registration.delegation_id)) == delegation.id


def test_coordinator_cannot_add_to_the_other_delegation(client, login, form, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    login(coordinator(own))
    settle(db)

    page = client.get(f"/events/{event.id}/participants/new")
    r = form(f"/events/{event.id}/participants/new", {**ADD_FORM, "delegation_id": str(other.id)})

    assert f'<option value="{other.id}"' not in page.text
    assert r.status_code == 422 and "Choose a delegation of this event." in r.text
    assert db.scalar(select(Registration)) is None


def test_add_page_refused_to_press_officer(client, login, form, db):
    delegation = DelegationFactory()
    login(press_officer(delegation.event))
    settle(db)

    assert client.get(f"/events/{delegation.event_id}/participants/new").status_code == 403
    r = form(f"/events/{delegation.event_id}/participants/new", {**ADD_FORM, "delegation_id": str(delegation.id)})
    assert r.status_code == 403
    assert db.scalar(select(Registration)) is None


# --- detail --------------------------------------------------------------------------------------


def test_detail_shows_everything_with_the_number_masked(client, login, form, db):
    registration = with_document(
        RegistrationFactory(dietary_needs="Halal", languages="hy,en", person=PersonFactory(given_name="Ani", family_name="P")),
        number="AB1234567",
    )
    from app.registrations import service

    service.set_consents(db, actor=AdminFactory(), registration=registration, kinds=[ConsentKind.PHOTOGRAPHY])
    event = registration.event
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/participants/{registration.id}")

    assert r.status_code == 200
    assert "<h1>Ani P</h1>" in r.text
    assert "Halal" in r.text and "Armenian, English" in r.text
    assert "•••••4567" in r.text and "AB1234567" not in r.text
    assert "version 2026-02" in r.text
    assert f'action="/events/{event.id}/participants/{registration.id}/approve"' in r.text
    assert "Reveal the number" in r.text
    assert r.text.count('class="history-entry"') >= 2  # document saved, consents


def test_detail_of_the_other_delegation_is_not_found_for_a_coordinator(client, login, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    theirs = RegistrationFactory(delegation=other, person=PersonFactory(family_name="Aliyeva"))
    login(coordinator(own))
    settle(db)

    for path in ("", "/edit", "/document", "/decline", "/cancel"):
        r = client.get(f"/events/{event.id}/participants/{theirs.id}{path}")
        assert r.status_code == 404, path
        assert "Aliyeva" not in r.text


def test_detail_for_press_officer_is_not_found(client, login, db):
    registration = RegistrationFactory()
    login(press_officer(registration.event))
    settle(db)

    assert client.get(f"/events/{registration.event_id}/participants/{registration.id}").status_code == 404


def test_delegate_sees_their_own_registration_without_staff_controls(client, login, db):
    registration = RegistrationFactory()
    other = RegistrationFactory(event=registration.event, delegation=registration.delegation)
    login(delegate(registration))
    settle(db)

    own = client.get(f"/events/{registration.event_id}/participants/{registration.id}")
    theirs = client.get(f"/events/{registration.event_id}/participants/{other.id}")

    assert own.status_code == 200
    assert "/approve" not in own.text and "What happened" not in own.text
    assert theirs.status_code == 404


# --- edit ----------------------------------------------------------------------------------------


def test_edit_saves_person_and_needs_and_ignores_extra_fields(client, login, form, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    registration = RegistrationFactory(delegation=own, circle=Circle.BROADER)
    login(coordinator(own))
    settle(db)

    page = client.get(f"/events/{event.id}/participants/{registration.id}/edit")
    r = form(
        f"/events/{event.id}/participants/{registration.id}/edit",
        {**ADD_FORM, "languages": ["az"], "status": "confirmed", "delegation_id": str(other.id), "circle": "core",
         "event_id": "1", "person_id": "1"},
    )

    saved = reload(db, registration)
    assert page.status_code == 200 and 'name="given_name"' in page.text
    assert r.status_code == 303
    assert (saved.person.given_name, saved.dietary_needs, saved.languages) == ("Anahit", "Vegetarian", "az")
    assert (saved.status, saved.delegation_id, saved.circle) == (S.REGISTERED, own.id, Circle.BROADER)


def test_edit_changes_the_email_of_a_person_without_an_account(client, login, form, db):
    registration = RegistrationFactory(person=PersonFactory(email="old@example.org"))
    login(coordinator(registration.delegation))
    settle(db)
    url = f"/events/{registration.event_id}/participants/{registration.id}/edit"

    page = client.get(url)
    r = form(url, {**ADD_FORM, "email": "New@Example.org"})

    assert 'name="email"' in page.text and 'value="old@example.org"' in page.text
    assert "nobody signs in with this address" in page.text
    assert r.status_code == 303
    assert reload(db, registration).person.email == "new@example.org"


def test_edit_with_a_taken_email_shows_the_error_beside_the_field(client, login, form, db):
    PersonFactory(email="taken@example.org")
    registration = RegistrationFactory(person=PersonFactory(email="mine@example.org"))
    login(organiser(registration.event))
    settle(db)

    r = form(f"/events/{registration.event_id}/participants/{registration.id}/edit", {**ADD_FORM, "email": "taken@example.org"})

    assert r.status_code == 422
    assert '<p class="field-error" id="e-email">Another person has this e-mail address.</p>' in r.text
    saved = reload(db, registration)
    assert (saved.person.email, saved.person.given_name) == ("mine@example.org", registration.person.given_name)


def test_edit_shows_the_email_of_an_account_read_only_and_refuses_a_change(client, login, form, db):
    registration = RegistrationFactory(person=PersonFactory(email="anahit@example.org"))
    delegate(registration)
    login(organiser(registration.event))
    settle(db)
    url = f"/events/{registration.event_id}/participants/{registration.id}/edit"

    page = client.get(url)
    kept = form(url, {k: v for k, v in ADD_FORM.items() if k != "email"})
    refused = form(url, {**ADD_FORM, "email": "elsewhere@example.org"})

    assert 'name="email"' not in page.text
    assert 'value="anahit@example.org" readonly' in page.text
    assert "signs in to Parley with this address, so it cannot be changed here" in page.text
    assert kept.status_code == 303
    assert refused.status_code == 422 and 'id="e-email"' in refused.text
    assert reload(db, registration).person.email == "anahit@example.org"


def test_edit_page_of_the_delegate_has_no_email_field_and_ignores_none(client, login, form, db):
    registration = RegistrationFactory(person=PersonFactory(email="anahit@example.org"))
    login(delegate(registration))
    settle(db)
    url = f"/events/{registration.event_id}/participants/{registration.id}/edit"

    page = client.get(url)
    r = form(url, {k: v for k, v in ADD_FORM.items() if k != "email"})

    assert page.status_code == 200 and 'id="f-email"' not in page.text
    assert r.status_code == 303
    assert reload(db, registration).person.email == "anahit@example.org"


def test_edit_with_bad_input_is_re_rendered(client, login, form, db):
    registration = RegistrationFactory()
    login(organiser(registration.event))
    settle(db)

    r = form(f"/events/{registration.event_id}/participants/{registration.id}/edit", {**ADD_FORM, "given_name": " "})

    assert r.status_code == 422
    assert 'id="e-given_name"' in r.text
    assert 'value="Petrosyan"' in r.text


def test_placement_moves_the_circle_and_refuses_a_full_one(client, login, form, db):
    delegation = DelegationFactory(capacity_core=1)
    RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.CONFIRMED)
    registration = RegistrationFactory(delegation=delegation, circle=Circle.BROADER, status=S.CONFIRMED)
    login(organiser(delegation.event))
    settle(db)
    url = f"/events/{delegation.event_id}/participants/{registration.id}/placement"

    full = form(url, {"circle": "core", "category": "media"})
    moved = form(url, {"circle": "broader", "category": "media"})

    assert full.status_code == 422 and "That circle of the delegation is full." in full.text
    assert moved.status_code == 303
    assert reload(db, registration).category == Category.MEDIA


# --- decisions -----------------------------------------------------------------------------------


def test_approve_confirms_then_waitlists_when_full(client, login, form, db):
    delegation = DelegationFactory(capacity_broader=1)
    first, second = RegistrationFactory.create_batch(2, delegation=delegation, circle=Circle.BROADER)
    login(organiser(delegation.event))
    settle(db)

    a = form(f"/events/{delegation.event_id}/participants/{first.id}/approve")
    b = form(f"/events/{delegation.event_id}/participants/{second.id}/approve")
    page = client.get(b.headers["location"])

    assert (reload(db, first).status, reload(db, second).status) == (S.CONFIRMED, S.WAITLISTED)
    assert a.status_code == b.status_code == 303
    assert "is on the waiting list" in page.text


def test_approve_twice_is_a_conflict_page(client, login, form, db):
    registration = RegistrationFactory(status=S.CONFIRMED)
    login(organiser(registration.event))
    settle(db)

    r = form(f"/events/{registration.event_id}/participants/{registration.id}/approve")

    assert r.status_code == 409
    assert "cannot be approved" in r.text


def test_decline_asks_for_a_reason(client, login, form, db):
    registration = RegistrationFactory()
    login(organiser(registration.event))
    settle(db)
    url = f"/events/{registration.event_id}/participants/{registration.id}/decline"

    confirm = client.get(url)
    empty = form(url, {"reason": ""})
    too_long = form(url, {"reason": "r" * 501})
    done = form(url, {"reason": "No places for media"})

    assert "Decline this registration?" in confirm.text and 'name="reason"' in confirm.text
    assert empty.status_code == 422 and "Give a reason" in empty.text
    assert too_long.status_code == 422 and "Use at most 500 characters." in too_long.text
    assert done.status_code == 303
    saved = reload(db, registration)
    assert (saved.status, saved.status_reason) == (S.DECLINED, "No places for media")


def test_delegate_may_cancel_their_own_registration_from_its_page(client, login, form, db):
    registration = RegistrationFactory(status=S.CONFIRMED)
    login(delegate(registration))
    settle(db)
    url = f"/events/{registration.event_id}/participants/{registration.id}"

    page = client.get(url)
    r = form(f"{url}/cancel", {"reason": "Ill", "status": "confirmed"})

    assert f'href="{url}/cancel"' in page.text
    assert r.status_code == 303
    assert reload(db, registration).status == S.CANCELLED


def test_decisions_forbidden_to_a_delegate(client, login, form, db):
    registration = RegistrationFactory()
    login(delegate(registration))
    settle(db)

    r = form(f"/events/{registration.event_id}/participants/{registration.id}/approve")

    assert r.status_code == 403
    assert reload(db, registration).status == S.REGISTERED


# --- the travel document -------------------------------------------------------------------------


def test_document_form_saves_encrypted(client, login, form, db):
    registration = RegistrationFactory()
    login(organiser(registration.event))
    settle(db)
    url = f"/events/{registration.event_id}/participants/{registration.id}/document"
    fields = {"doc_type": "passport", "doc_number": "AZ 1234567", "doc_issuing_country": "AZ",
              "doc_nationality": "AZ", "doc_expires_on": "2031-05-01"}

    page = client.get(url)
    r = form(url, fields)

    saved = reload(db, registration)
    assert page.status_code == 200 and 'name="doc_number"' in page.text
    assert r.status_code == 303
    assert saved.doc_number_hint == "4567" and "1234567" not in saved.doc_number
    assert saved.doc_expires_on == date(2031, 5, 1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("doc_number", "12", "Use at least 4 characters."),
        ("doc_number", "AB<script>", "The format is not valid."),
        ("doc_issuing_country", "XX", "Choose a country from the list."),
        ("doc_nationality", "", "Choose a country from the list."),
        ("doc_expires_on", "31.05.2031", "Enter a date as YYYY-MM-DD."),
        ("doc_expires_on", "1900-01-01", "Enter the expiry date printed in the document."),
        ("doc_type", "visa", "Choose one of the options."),
    ],
)
def test_document_form_with_bad_input_shows_errors_and_never_echoes_the_number(client, login, form, db, field, value, message):
    registration = RegistrationFactory()
    login(organiser(registration.event))
    settle(db)
    fields = {"doc_type": "passport", "doc_number": "SECRET123", "doc_issuing_country": "AZ",
              "doc_nationality": "AZ", "doc_expires_on": "2031-05-01", field: value}

    r = form(f"/events/{registration.event_id}/participants/{registration.id}/document", fields)

    assert r.status_code == 422
    assert f'id="e-{field}"' in r.text and message in r.text
    assert "SECRET123" not in r.text
    assert reload(db, registration).doc_number is None


def test_reveal_shows_the_number_once_and_audits_it(client, login, form, db):
    registration = with_document(RegistrationFactory(), number="AB1234567")
    user = login(organiser(registration.event))
    settle(db)
    url = f"/events/{registration.event_id}/participants/{registration.id}"

    detail = client.get(url)
    revealed = form(f"{url}/document/reveal")
    by_get = client.get(f"{url}/document/reveal")

    assert "AB1234567" not in detail.text
    assert revealed.status_code == 200
    assert '<p class="secret" id="document-number">AB1234567</p>' in revealed.text
    assert revealed.headers["cache-control"] == "no-store"
    assert by_get.status_code == 405
    entries = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "document.reveal")))
    assert [(e.actor_id, e.object_id, e.client) for e in entries] == [(user.id, registration.id, "testclient")]


def test_reveal_refused_to_the_other_coordinator_and_to_press(client, login, form, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    registration = with_document(RegistrationFactory(delegation=other), number="AB1234567")
    url = f"/events/{event.id}/participants/{registration.id}/document/reveal"
    settle(db)

    for user in (coordinator(own), press_officer(event)):
        login(user)
        settle(db)
        r = form(url)
        assert r.status_code == 404
        assert "AB1234567" not in r.text
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "document.reveal")) is None


# --- person history ------------------------------------------------------------------------------


def test_person_page_shows_their_history_at_the_initiative(client, login, db):
    initiative = InitiativeFactory(name="Peace Bridge")
    first = EventFactory(initiative=initiative, title="First roundtable", starts_on=date(2026, 2, 13), ends_on=date(2026, 2, 14))
    second = EventFactory(initiative=initiative, title="Second roundtable", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 2))
    person = PersonFactory(given_name="Ani", family_name="Petrosyan")
    RegistrationFactory(delegation=DelegationFactory(event=first), person=person, status=S.ATTENDED)
    RegistrationFactory(delegation=DelegationFactory(event=second), person=person)
    login(AdminFactory())
    settle(db)

    r = client.get(f"/events/{first.id}/people/{person.id}")

    assert r.status_code == 200
    assert r.text.count('class="history-registration"') == 2
    table = r.text[r.text.index("<table"):]
    assert table.index("Second roundtable") < table.index("First roundtable")
    assert "Peace Bridge" in r.text


def test_person_page_of_the_other_delegation_is_not_found(client, login, db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    theirs = RegistrationFactory(delegation=other, person=PersonFactory(family_name="Aliyeva"))
    login(coordinator(own))
    settle(db)

    r = client.get(f"/events/{event.id}/people/{theirs.person_id}")

    assert r.status_code == 404 and "Aliyeva" not in r.text


# --- check-in ------------------------------------------------------------------------------------


def test_check_in_page_finds_by_name_and_marks_attended(client, login, form, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, name="Armenia")
    registration = RegistrationFactory(delegation=delegation, status=S.CONFIRMED, person=PersonFactory(given_name="Ani", family_name="Petrosyan"))
    RegistrationFactory(delegation=delegation, status=S.CONFIRMED)
    login(organiser(event))
    settle(db)

    page = client.get(f"/events/{event.id}/check-in")
    found = client.get(f"/events/{event.id}/check-in", params={"q": "petros"})
    r = form(f"/events/{event.id}/check-in/{registration.id}", {"attended": "yes", "q": "petros"})
    after = client.get(r.headers["location"])

    assert page.status_code == 200 and 'type="search"' in page.text
    assert "0 of 2" in page.text
    assert found.text.count('class="card check-in-item"') == 1
    assert r.status_code == 303 and r.headers["location"] == f"/events/{event.id}/check-in?q=petros"
    assert "Ani Petrosyan is checked in." in after.text
    assert "1 of 2" in after.text
    assert reload(db, registration).status == S.ATTENDED


def test_check_in_no_show_and_bad_choice(client, login, form, db):
    registration = RegistrationFactory(status=S.CONFIRMED)
    login(organiser(registration.event))
    settle(db)
    url = f"/events/{registration.event_id}/check-in/{registration.id}"

    bad = form(url, {"attended": "maybe"})
    r = form(url, {"attended": "no"})

    assert bad.status_code == 422
    assert r.status_code == 303
    assert reload(db, registration).status == S.NO_SHOW


def test_check_in_is_for_organisers_only(client, login, form, db):
    registration = RegistrationFactory(status=S.CONFIRMED)
    login(coordinator(registration.delegation))
    settle(db)

    assert client.get(f"/events/{registration.event_id}/check-in").status_code == 403
    assert form(f"/events/{registration.event_id}/check-in/{registration.id}", {"attended": "yes"}).status_code == 403
    assert reload(db, registration).status == S.CONFIRMED


# --- purge ---------------------------------------------------------------------------------------


def test_purge_before_the_retention_period_is_refused_with_the_date(client, login, form, db):
    event = EventFactory(starts_on=date(2099, 1, 1), ends_on=date(2099, 1, 2))
    registration = with_document(RegistrationFactory(delegation=DelegationFactory(event=event)))
    login(organiser(event))
    settle(db)

    page = client.get(f"/events/{event.id}/purge")
    r = form(f"/events/{event.id}/purge")

    assert "kept until" in page.text and f'action="/events/{event.id}/purge"' not in page.text
    assert r.status_code == 409 and "kept until February 1, 2099" in r.text
    assert reload(db, registration).doc_number is not None


def test_purge_after_the_retention_period_erases_and_tells(client, login, form, db):
    event = EventFactory(starts_on=date(2020, 1, 1), ends_on=date(2020, 1, 2))
    registration = with_document(RegistrationFactory(delegation=DelegationFactory(event=event), dietary_needs="Vegan"))
    login(organiser(event))
    settle(db)

    listing = client.get(f"/events/{event.id}/participants")
    page = client.get(f"/events/{event.id}/purge")
    r = form(f"/events/{event.id}/purge")
    after = client.get(r.headers["location"])

    assert f'href="/events/{event.id}/purge"' in listing.text
    assert f'action="/events/{event.id}/purge"' in page.text
    assert r.status_code == 303
    assert "The personal data of 1 registration has been erased." in after.text
    saved = reload(db, registration)
    assert (saved.doc_number, saved.dietary_needs) == (None, "")
    assert db.scalar(select(Person)).family_name


def test_purge_is_refused_to_coordinators(client, login, form, db):
    event = EventFactory(ends_on=date(2020, 1, 2), starts_on=date(2020, 1, 1))
    delegation = DelegationFactory(event=event)
    login(coordinator(delegation))
    settle(db)

    assert client.get(f"/events/{event.id}/purge").status_code == 403
    assert form(f"/events/{event.id}/purge").status_code == 403


def test_archived_event_participants_are_read_only(client, login, db):
    event = EventFactory(status=EventStatus.ARCHIVED)
    registration = RegistrationFactory(delegation=DelegationFactory(event=event))
    login(organiser(event))
    settle(db)

    listing = client.get(f"/events/{event.id}/participants")
    detail = client.get(f"/events/{event.id}/participants/{registration.id}")

    assert listing.status_code == 200 and "Add a participant" not in listing.text
    assert detail.status_code == 200 and "/approve" not in detail.text and "/edit" not in detail.text
