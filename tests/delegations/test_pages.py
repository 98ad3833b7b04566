import pytest
from sqlalchemy import select

from app.delegations.models import Delegation
from app.events.models import EventStatus
from app.registrations.models import Circle, RegistrationStatus
from tests.factories import (
    AdminFactory,
    DelegationFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle

S = RegistrationStatus
FORM = {
    "name": "Azerbaijan",
    "country": "AZ",
    "side": "visiting",
    "head_name": "Leyla Aliyeva",
    "capacity_core": "8",
    "capacity_broader": "16",
}


def named(db, name):
    return db.scalar(select(Delegation).where(Delegation.name == name))


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_each_delegation_with_its_places(client, login, db):
    event = EventFactory()
    armenia = DelegationFactory(event=event, name="Armenia", country="AM", head_name="Anahit P.", capacity_core=2)
    DelegationFactory(event=event, name="Azerbaijan", country="AZ", side="visiting")
    RegistrationFactory(delegation=armenia, circle=Circle.CORE, status=S.CONFIRMED)
    RegistrationFactory(delegation=armenia, circle=Circle.CORE, status=S.WAITLISTED)
    coordinator(armenia, full_name="Coord Armen")
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/delegations")

    assert r.status_code == 200
    assert r.text.count('class="delegation"') == 2
    assert "Anahit P." in r.text and "Coord Armen" in r.text
    assert "1 of 2 confirmed" in r.text
    assert "1 waiting" in r.text
    assert "badge-visiting" in r.text
    assert "Azerbaijan" in r.text
    assert f'href="/events/{event.id}/delegations/new"' in r.text


def test_list_without_delegations_shows_empty_state(client, login, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/delegations")

    assert "This event has no delegations yet." in r.text


def test_list_for_press_officer_has_no_management_links(client, login, db):
    event = EventFactory()
    DelegationFactory(event=event)
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}/delegations")

    assert r.status_code == 200
    assert "/delegations/new" not in r.text
    assert "/participants" not in r.text


def test_list_is_refused_to_anonymous_and_to_outsiders(client, login, db):
    event = EventFactory()
    settle(db)

    anonymous = client.get(f"/events/{event.id}/delegations")
    login(UserFactory())
    outsider = client.get(f"/events/{event.id}/delegations")

    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    assert outsider.status_code == 403


@pytest.mark.parametrize("n", [1, 3])
def test_list_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    for _ in range(n):
        delegation = DelegationFactory(event=event)
        coordinator(delegation)
        RegistrationFactory(delegation=delegation, status=S.CONFIRMED)
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/delegations"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="delegation"') == n
    # sign-in (1 query), event, delegations with coordinators, counts
    assert count() == 4


# --- create, edit, delete ------------------------------------------------------------------------


def test_create_saves_and_redirects_to_the_delegation(client, login, form, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/delegations/new", FORM)

    delegation = named(db, "Azerbaijan")
    assert r.status_code == 303
    assert r.headers["location"] == f"/events/{event.id}/delegations/{delegation.id}"
    assert (delegation.country, delegation.side.value, delegation.capacity_broader) == ("AZ", "visiting", 16)
    assert "The delegation has been created." in client.get(r.headers["location"]).text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("name", "x" * 201, "Use at most 200 characters."),
        ("country", "XX", "Choose a country from the list."),
        ("country", "Armenia", "Use at most 2 characters."),
        ("side", "neutral", "Choose one of the options."),
        ("capacity_core", "-1", "Input should be greater than or equal to 0"),
        ("capacity_broader", "10001", "Input should be less than or equal to 10000"),
        ("capacity_core", "many", "Enter a whole number."),
        ("head_name", "y" * 201, "Use at most 200 characters."),
    ],
)
def test_create_with_bad_input_shows_error_beside_field(client, login, form, db, field, value, message):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/delegations/new", {**FORM, field: value})

    assert r.status_code == 422
    assert f'<p class="field-error" id="e-{field}">{message}</p>' in r.text
    assert 'value="Leyla Aliyeva"' in r.text or field == "head_name"
    assert named(db, "Azerbaijan") is None


def test_create_with_a_taken_name_shows_error(client, login, form, db):
    event = EventFactory()
    DelegationFactory(event=event, name="Azerbaijan")
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/delegations/new", {**FORM, "name": "azerbaijan"})

    assert r.status_code == 422
    assert "This event has a delegation of that name already." in r.text


@pytest.mark.parametrize("who", ["coordinator", "press_officer"])
def test_create_and_edit_are_forbidden_to_non_organisers(client, login, form, db, who):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    login(coordinator(delegation) if who == "coordinator" else press_officer(event))
    settle(db)

    assert client.get(f"/events/{event.id}/delegations/new").status_code == 403
    assert form(f"/events/{event.id}/delegations/new", FORM).status_code == 403
    assert form(f"/events/{event.id}/delegations/{delegation.id}/edit", FORM).status_code == 403
    assert named(db, "Azerbaijan") is None


def test_edit_form_is_filled_in_and_saving_raises_capacity(client, login, form, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, name="Armenia", country="AM", capacity_core=1)
    RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.CONFIRMED)
    waiting = RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.WAITLISTED)
    login(organiser(event))
    settle(db)

    page = client.get(f"/events/{event.id}/delegations/{delegation.id}/edit")
    r = form(
        f"/events/{event.id}/delegations/{delegation.id}/edit",
        {"name": "Armenia", "country": "AM", "side": "host", "capacity_core": "2", "capacity_broader": "20"},
    )

    assert 'value="Armenia"' in page.text and '<option value="AM" selected>' in page.text
    assert r.status_code == 303
    db.expire_all()
    assert db.get(type(waiting), waiting.id).status == S.CONFIRMED


def test_edit_below_places_taken_is_refused_beside_the_field(client, login, form, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, name="Armenia", capacity_core=2)
    RegistrationFactory.create_batch(2, delegation=delegation, circle=Circle.CORE, status=S.CONFIRMED)
    login(organiser(event))
    settle(db)

    r = form(
        f"/events/{event.id}/delegations/{delegation.id}/edit",
        {"name": "Armenia", "country": "AM", "side": "host", "capacity_core": "1", "capacity_broader": "20"},
    )

    assert r.status_code == 422
    assert 'id="e-capacity_core"' in r.text
    db.expire_all()
    assert db.get(Delegation, delegation.id).capacity_core == 2


def test_delete_asks_first_then_deletes(client, login, form, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, name="Observers")
    login(organiser(event))
    settle(db)

    confirm = client.get(f"/events/{event.id}/delegations/{delegation.id}/delete")
    r = form(f"/events/{event.id}/delegations/{delegation.id}/delete")

    assert "Delete this delegation?" in confirm.text
    assert r.status_code == 303 and r.headers["location"] == f"/events/{event.id}/delegations"
    assert named(db, "Observers") is None


def test_delete_of_a_delegation_with_participants_is_refused_with_a_message(client, login, form, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, name="Armenia")
    RegistrationFactory(delegation=delegation)
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/delegations/{delegation.id}/delete")

    assert r.status_code == 409
    assert "This delegation has participants." in r.text
    assert named(db, "Armenia") is not None


def test_delegation_of_another_event_is_not_found(client, login, db):
    event = EventFactory()
    other = DelegationFactory()
    login(organiser(event))
    settle(db)

    assert client.get(f"/events/{event.id}/delegations/{other.id}").status_code == 404
    assert client.get(f"/events/{event.id}/delegations/{other.id}/edit").status_code == 404


def test_archived_event_shows_delegations_read_only(client, login, db):
    event = EventFactory(status=EventStatus.ARCHIVED)
    delegation = DelegationFactory(event=event)
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/delegations/{delegation.id}")

    assert r.status_code == 200
    assert "/edit" not in r.text and "/delete" not in r.text
    assert client.get(f"/events/{event.id}/delegations/{delegation.id}/edit").status_code == 403


# --- coordinators --------------------------------------------------------------------------------


def test_add_coordinator_by_email_then_remove(client, login, form, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    UserFactory(email="ani@example.org", full_name="Ani Coordinator")
    login(organiser(event))
    settle(db)

    added = form(f"/events/{event.id}/delegations/{delegation.id}/coordinators", {"email": "ani@example.org"})
    page = client.get(f"/events/{event.id}/delegations/{delegation.id}")
    db.expire_all()
    grant = db.get(Delegation, delegation.id)
    from app.delegations.models import DelegationCoordinator

    grant = db.scalar(select(DelegationCoordinator).where(DelegationCoordinator.delegation_id == delegation.id))
    confirm = client.get(f"/events/{event.id}/delegations/{delegation.id}/coordinators/{grant.id}/remove")
    removed = form(f"/events/{event.id}/delegations/{delegation.id}/coordinators/{grant.id}/remove")

    assert added.status_code == 303
    assert page.text.count('class="coordinator"') == 1 and "Ani Coordinator" in page.text
    assert "Remove this coordinator?" in confirm.text
    assert removed.status_code == 303
    assert db.scalar(select(DelegationCoordinator).where(DelegationCoordinator.delegation_id == delegation.id)) is None


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "An email address must have an @-sign."),
        ("nobody@example.org", "No active account has this e-mail address."),
    ],
)
def test_add_coordinator_with_bad_email_shows_error(client, login, form, db, email, message):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/delegations/{delegation.id}/coordinators", {"email": email})

    assert r.status_code == 422
    assert 'id="e-email"' in r.text
    assert message in r.text


def test_coordinator_of_another_delegation_is_not_found(client, login, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    grant_user = coordinator(delegation)
    other = DelegationFactory(event=event)
    login(organiser(event))
    settle(db)
    from app.delegations.models import DelegationCoordinator

    grant = db.scalar(select(DelegationCoordinator).where(DelegationCoordinator.user_id == grant_user.id))

    r = client.get(f"/events/{event.id}/delegations/{other.id}/coordinators/{grant.id}/remove")

    assert r.status_code == 404


# --- the event overview --------------------------------------------------------------------------


def test_event_overview_shows_the_delegations_card_to_staff_only(client, login, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, name="Host side", capacity_core=8)
    RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.CONFIRMED)
    settle(db)

    public = client.get(f"/events/{event.id}")
    login(organiser(event))
    staff = client.get(f"/events/{event.id}")

    assert "Host side" not in public.text
    assert staff.text.count('class="delegation-summary"') == 1
    assert "1 / 8" in staff.text
    assert f'href="/events/{event.id}/participants"' in staff.text
    assert f'href="/events/{event.id}/check-in"' in staff.text


def test_event_overview_for_admin_links_to_delegations(client, login, db):
    event = EventFactory()
    login(AdminFactory())
    settle(db)

    r = client.get(f"/events/{event.id}")

    assert "No delegations yet." in r.text
    assert f'href="/events/{event.id}/delegations"' in r.text
