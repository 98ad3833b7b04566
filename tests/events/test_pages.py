from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.events.models import Event, EventStaff, EventStatus, StaffRole
from tests.factories import (
    AdminFactory,
    EventFactory,
    InitiativeFactory,
    UserFactory,
    organiser,
    press_officer,
)
from tests.support import settle

EVENT_FORM = {
    "title": "Peace Bridge roundtable",
    "kind": "roundtable",
    "initiative_id": "",
    "starts_on": "2026-02-13",
    "ends_on": "2026-02-14",
    "host_country": "AM",
    "city": "Tsaghkadzor",
    "venue": "Writers' house",
    "timezone": "Asia/Yerevan",
    "description": "Two days of sessions.",
}


def event_titled(db, title):
    return db.scalar(select(Event).where(Event.title == title))


# --- the list ------------------------------------------------------------------------------------


def test_events_list_for_anonymous_shows_public_events_only(client, db):
    EventFactory(title="Public roundtable", city="Dilijan", host_country="AM")
    EventFactory(title="Secret draft", status=EventStatus.DRAFT)
    settle(db)

    r = client.get("/events")

    assert r.status_code == 200
    assert "Public roundtable" in r.text
    assert "Dilijan, Armenia" in r.text
    assert "Secret draft" not in r.text
    assert r.text.count('class="event"') == 1


def test_events_list_without_events_shows_empty_state(client, db):
    r = client.get("/events")

    assert r.status_code == 200
    assert "There are no events yet." in r.text


def test_events_list_with_no_match_says_so(client, db):
    EventFactory(title="Roundtable")
    settle(db)

    r = client.get("/events", params={"q": "nothing like this"})

    assert "No events match these filters." in r.text


def test_events_list_filters_by_text_status_and_initiative(client, db):
    initiative = InitiativeFactory(name="Peace Bridge")
    EventFactory(title="Bridge talks", initiative=initiative, status=EventStatus.ONGOING)
    EventFactory(title="Bridge forum", initiative=initiative, status=EventStatus.PLANNED)
    EventFactory(title="Bridge other", status=EventStatus.ONGOING)
    settle(db)

    r = client.get(
        "/events", params={"q": "bridge", "status": "ongoing", "initiative_id": str(initiative.id)}
    )

    assert r.status_code == 200
    assert r.text.count('class="event"') == 1
    assert "Bridge talks" in r.text
    assert '<option value="ongoing" selected>' in r.text


def test_events_list_with_bad_filter_shows_error_beside_field(client, db):
    EventFactory(title="Roundtable")
    settle(db)

    r = client.get("/events", params={"status": "bogus"})

    assert r.status_code == 422
    assert 'id="e-status"' in r.text
    assert "Choose one of the options." in r.text


def test_events_list_paginates(client, db):
    for day in range(1, 28):
        EventFactory(
            title=f"Event {day:02}", starts_on=date(2026, 1, day), ends_on=date(2026, 1, day)
        )
    settle(db)

    first = client.get("/events")
    second = client.get("/events", params={"page": 2})

    assert first.text.count('class="event"') == 25
    assert "Page 1 of 2" in first.text
    assert 'rel="next"' in first.text
    assert second.text.count('class="event"') == 2
    assert "Event 01" in second.text


def test_events_list_with_absurd_page_is_refused(client, db):
    r = client.get("/events", params={"page": 10**9})

    assert r.status_code == 422


@pytest.mark.parametrize("n", [1, 3])
def test_events_list_query_count_is_constant(client, login, db, count_queries, n):
    for _ in range(n):
        EventFactory(initiative=InitiativeFactory())
    login(AdminFactory())
    settle(db)

    with count_queries() as count:
        r = client.get("/events")

    assert r.text.count('class="event"') == n
    assert count() == 4  # sign-in (one query: session, user, grants, site policy); the page: 3


# --- the overview --------------------------------------------------------------------------------


def test_event_page_for_anonymous_shows_public_facts(client, db):
    initiative = InitiativeFactory(name="Peace Bridge")
    event = EventFactory(
        title="Roundtable in Tsaghkadzor",
        initiative=initiative,
        host_country="AM",
        city="Tsaghkadzor",
        venue="Writers' house",
        starts_on=date(2026, 2, 13),
        ends_on=date(2026, 2, 14),
        timezone="Asia/Yerevan",
        description="Sessions on the peace agenda.",
        status=EventStatus.REGISTRATION_OPEN,
    )
    organiser(event, full_name="Hidden Organiser")
    settle(db)

    r = client.get(f"/events/{event.id}")

    assert r.status_code == 200
    assert "<h1>Roundtable in Tsaghkadzor</h1>" in r.text
    assert "February 13, 2026 – February 14, 2026" in r.text
    assert "Armenia" in r.text
    assert "Asia/Yerevan" in r.text
    assert "Writers&#39; house" in r.text
    assert f'<a href="/initiatives/{initiative.id}">Peace Bridge</a>' in r.text
    assert "badge-registration_open" in r.text
    assert "Sessions on the peace agenda." in r.text
    assert "Hidden Organiser" not in r.text
    assert "/status" not in r.text
    assert "/edit" not in r.text


def test_event_page_for_organiser_shows_staff_and_workflow_buttons(client, login, db):
    event = EventFactory(status=EventStatus.PLANNED)
    login(organiser(event, full_name="Ani Organiser"))
    press_officer(event, full_name="Press Person")
    settle(db)

    r = client.get(f"/events/{event.id}")

    assert r.text.count('class="staff-member"') == 2
    assert "Ani Organiser" in r.text and "Press Person" in r.text
    assert 'name="status" value="registration_open"' in r.text
    assert 'name="status" value="draft"' in r.text
    assert f'href="/events/{event.id}/archive"' in r.text
    assert f'href="/events/{event.id}/edit"' in r.text


def test_event_page_of_archived_event_offers_restore_to_admin_only(client, login, db):
    event = EventFactory(status=EventStatus.ARCHIVED)
    staff_user = organiser(event)
    admin = AdminFactory()
    settle(db)

    login(staff_user)
    as_organiser = client.get(f"/events/{event.id}")
    login(admin)
    as_admin = client.get(f"/events/{event.id}")

    assert "Restore as concluded" not in as_organiser.text
    assert "Restore as concluded" in as_admin.text
    assert f'href="/events/{event.id}/edit"' not in as_admin.text


@pytest.mark.parametrize("n", [1, 3])
def test_event_page_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    for _ in range(n):
        organiser(event)
    login(AdminFactory())
    settle(db)
    url = f"/events/{event.id}"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="staff-member"') == n
    # sign-in (session, user, grants, site policy); event; staff; the crossings' overdue
    # checklist steps (highlighted for those who may see crossings); delegations with their counts
    assert count() == 5


def test_event_page_of_draft_is_not_found_for_anonymous(client, db):
    event = EventFactory(status=EventStatus.DRAFT, title="Secret draft")
    settle(db)

    r = client.get(f"/events/{event.id}")

    assert r.status_code == 404
    assert "Secret draft" not in r.text


def test_event_page_of_draft_is_not_found_for_organiser_of_another_event(client, login, db):
    event = EventFactory(status=EventStatus.DRAFT)
    login(organiser(EventFactory()))
    settle(db)

    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.get(f"/events/{event.id}/edit").status_code == 404


@pytest.mark.parametrize(
    "path", ["/events/99999", "/events/99999999999", "/events/0", "/events/abc"]
)
def test_event_page_of_unknown_or_absurd_id_is_not_found(client, path):
    r = client.get(path)

    assert r.status_code == 404
    assert "Page not found" in r.text


# --- create --------------------------------------------------------------------------------------


def test_new_event_form_offers_countries_timezones_and_initiatives(client, login, db):
    InitiativeFactory(name="Peace Bridge")
    login(AdminFactory())
    settle(db)

    r = client.get("/events/new")

    assert r.status_code == 200
    assert '<option value="AZ">Azerbaijan</option>' in r.text
    assert '<option value="Asia/Baku">Asia/Baku</option>' in r.text
    assert ">Peace Bridge</option>" in r.text
    assert 'type="date"' in r.text
    assert '<label for="f-title">' in r.text


def test_create_event_saves_a_draft_and_redirects_to_it(client, login, form, db):
    initiative = InitiativeFactory()
    login(AdminFactory())
    settle(db)

    r = form("/events/new", {**EVENT_FORM, "initiative_id": str(initiative.id)})

    event = event_titled(db, "Peace Bridge roundtable")
    assert r.status_code == 303
    assert r.headers["location"] == f"/events/{event.id}"
    assert (event.status, event.initiative_id, event.timezone) == (
        EventStatus.DRAFT,
        initiative.id,
        "Asia/Yerevan",
    )
    follow = client.get(r.headers["location"])
    assert "The event has been created as a draft." in follow.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ends_on", "2026-02-12", "The end date cannot be before the start date."),
        ("title", "", "This field is required."),
        ("title", "x" * 201, "Use at most 200 characters."),
        ("city", "y" * 101, "Use at most 100 characters."),
        ("host_country", "XX", "Choose a country from the list."),
        ("timezone", "Mars/Olympus", "Choose a time zone from the list."),
        ("starts_on", "13/02/2026", "Enter a date as YYYY-MM-DD."),
        ("kind", "party", "Choose one of the options."),
        ("initiative_id", "99999999999", "Input should be less than or equal to 2147483647"),
    ],
)
def test_create_event_with_bad_input_shows_error_beside_field_and_saves_nothing(
    client, login, form, db, field, value, message
):
    login(AdminFactory())
    settle(db)

    r = form("/events/new", {**EVENT_FORM, field: value})

    assert r.status_code == 422
    assert f'<p class="field-error" id="e-{field}">{message}</p>' in r.text.replace("&#39;", "'")
    assert db.scalar(select(Event)) is None


def test_create_event_with_unknown_initiative_shows_error_beside_field(client, login, form, db):
    login(AdminFactory())
    settle(db)

    r = form("/events/new", {**EVENT_FORM, "initiative_id": "424242"})

    assert r.status_code == 422
    assert (
        '<p class="field-error" id="e-initiative_id">Choose an initiative from the list.</p>'
        in r.text
    )
    assert 'value="Peace Bridge roundtable"' in r.text
    assert db.scalar(select(Event)) is None


def test_new_event_page_for_non_admin_is_forbidden(client, login, db):
    login(organiser(EventFactory()))
    settle(db)

    assert client.get("/events/new").status_code == 403


def test_create_event_by_anonymous_redirects_to_login_and_saves_nothing(client, form, db):
    r = form("/events/new", EVENT_FORM)

    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/events/new"
    assert db.scalar(select(Event)) is None


def test_create_event_without_csrf_token_is_forbidden_and_saves_nothing(client, login, db):
    login(AdminFactory())
    settle(db)

    r = client.post("/events/new", data=EVENT_FORM)

    assert r.status_code == 403
    assert db.scalar(select(Event)) is None


# --- edit ----------------------------------------------------------------------------------------


def test_edit_event_form_is_filled_in(client, login, db):
    event = EventFactory(title="Roundtable", host_country="AZ", timezone="Asia/Baku")
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/edit")

    assert r.status_code == 200
    assert 'value="Roundtable"' in r.text
    assert '<option value="AZ" selected>' in r.text
    assert '<option value="Asia/Baku" selected>' in r.text
    assert 'value="2026-02-13"' in r.text


def test_edit_event_by_organiser_saves_and_audits(client, login, form, db):
    event = EventFactory(title="Old")
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/edit", {**EVENT_FORM, "title": "New", "venue": ""})

    assert r.status_code == 303
    db.expire_all()
    saved = db.get(Event, event.id)
    assert (saved.title, saved.venue, saved.initiative_id) == ("New", "", None)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "event.update")).one()
    assert "title" in entry.details["fields"] and "venue" in entry.details["fields"]


def test_edit_event_with_end_before_start_shows_error_and_changes_nothing(client, login, form, db):
    event = EventFactory(title="Old")
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/edit", {**EVENT_FORM, "title": "New", "ends_on": "2026-01-01"})

    assert r.status_code == 422
    assert "The end date cannot be before the start date." in r.text
    db.expire_all()
    assert db.get(Event, event.id).title == "Old"


def test_edit_event_by_press_officer_is_forbidden_and_changes_nothing(client, login, form, db):
    event = EventFactory(title="Old")
    login(press_officer(event))
    settle(db)

    page = client.get(f"/events/{event.id}/edit")
    r = form(f"/events/{event.id}/edit", {**EVENT_FORM, "title": "New"})

    assert page.status_code == 403
    assert r.status_code == 403
    db.expire_all()
    assert db.get(Event, event.id).title == "Old"


def test_edit_event_by_anonymous_redirects_to_login(client, form, db):
    event = EventFactory(title="Old")
    settle(db)

    r = form(f"/events/{event.id}/edit", {**EVENT_FORM, "title": "New"})

    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")
    db.expire_all()
    assert db.get(Event, event.id).title == "Old"


def test_edit_archived_event_is_a_conflict(client, login, db):
    event = EventFactory(status=EventStatus.ARCHIVED)
    login(AdminFactory())
    settle(db)

    r = client.get(f"/events/{event.id}/edit")

    assert r.status_code == 409
    assert "Restore it before changing it." in r.text


# --- status --------------------------------------------------------------------------------------


def test_status_change_by_organiser_moves_event_on(client, login, form, db):
    event = EventFactory(status=EventStatus.PLANNED)
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/status", {"status": "registration_open"})

    assert r.status_code == 303
    db.expire_all()
    assert db.get(Event, event.id).status == EventStatus.REGISTRATION_OPEN
    assert db.scalar(select(AuditEntry.details).where(AuditEntry.action == "event.status")) == {
        "previous": "planned",
        "status": "registration_open",
    }
    assert "The event is now “Registration open”." in client.get(r.headers["location"]).text


def test_status_change_skipping_a_step_is_refused_with_a_message(client, login, form, db):
    event = EventFactory(status=EventStatus.PLANNED)
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/status", {"status": "concluded"})

    assert r.status_code == 409
    assert "An event cannot go from “Planned” to “Concluded”" in r.text
    db.expire_all()
    assert db.get(Event, event.id).status == EventStatus.PLANNED


def test_status_change_to_unknown_status_is_refused(client, login, form, db):
    event = EventFactory(status=EventStatus.PLANNED)
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/status", {"status": "cancelled"})

    assert r.status_code == 422
    assert "Choose one of the statuses." in r.text


def test_archive_confirmation_page_posts_the_archived_status(client, login, db):
    event = EventFactory(status=EventStatus.ONGOING)
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/archive")

    assert r.status_code == 200
    assert f'action="/events/{event.id}/status"' in r.text
    assert '<input type="hidden" name="status" value="archived">' in r.text


def test_archive_confirmed_archives_the_event(client, login, form, db):
    event = EventFactory(status=EventStatus.ONGOING)
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/status", {"status": "archived"})

    assert r.status_code == 303
    db.expire_all()
    assert db.get(Event, event.id).status == EventStatus.ARCHIVED


def test_restore_by_organiser_is_forbidden_and_by_admin_works(client, login, form, db):
    event = EventFactory(status=EventStatus.ARCHIVED)
    staff_user = organiser(event)
    admin = AdminFactory()
    settle(db)

    login(staff_user)
    refused = form(f"/events/{event.id}/status", {"status": "concluded"})
    login(admin)
    done = form(f"/events/{event.id}/status", {"status": "concluded"})

    assert refused.status_code == 403
    assert "Only an administrator can restore an archived event." in refused.text
    assert done.status_code == 303
    db.expire_all()
    assert db.get(Event, event.id).status == EventStatus.CONCLUDED


def test_status_change_by_press_officer_is_forbidden(client, login, form, db):
    event = EventFactory(status=EventStatus.PLANNED)
    login(press_officer(event))
    settle(db)

    r = form(f"/events/{event.id}/status", {"status": "registration_open"})

    assert r.status_code == 403
    db.expire_all()
    assert db.get(Event, event.id).status == EventStatus.PLANNED


def test_status_change_without_csrf_token_is_forbidden(client, login, db):
    event = EventFactory(status=EventStatus.PLANNED)
    login(organiser(event))
    settle(db)

    r = client.post(f"/events/{event.id}/status", data={"status": "registration_open"})

    assert r.status_code == 403
    db.expire_all()
    assert db.get(Event, event.id).status == EventStatus.PLANNED


# --- staff ---------------------------------------------------------------------------------------


def test_staff_page_lists_organisers_and_press_officers(client, login, db):
    event = EventFactory()
    login(organiser(event, full_name="Ani Organiser", email="ani@example.org"))
    press_officer(event, full_name="Press Person")
    settle(db)

    r = client.get(f"/events/{event.id}/staff")

    assert r.status_code == 200
    assert r.text.count('class="staff-member"') == 2
    assert "ani@example.org" in r.text
    assert "Press officer" in r.text
    assert 'name="email"' in r.text


def test_staff_page_for_press_officer_is_read_only(client, login, db):
    event = EventFactory()
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}/staff")

    assert r.status_code == 200
    assert 'name="email"' not in r.text
    assert "/remove" not in r.text


def test_staff_page_for_other_signed_in_user_is_forbidden(client, login, db):
    event = EventFactory()
    login(UserFactory())
    settle(db)

    assert client.get(f"/events/{event.id}/staff").status_code == 403


def test_add_staff_by_email_adds_the_role(client, login, form, db):
    event = EventFactory()
    login(organiser(event))
    user = UserFactory(email="nare@example.org")
    settle(db)

    r = form(f"/events/{event.id}/staff", {"email": "nare@example.org", "role": "press_officer"})

    assert r.status_code == 303
    assert r.headers["location"] == f"/events/{event.id}/staff"
    role = db.scalar(select(EventStaff.role).where(EventStaff.user_id == user.id))
    assert role == StaffRole.PRESS_OFFICER


def test_add_staff_with_unknown_email_shows_error_beside_field(client, login, form, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/staff", {"email": "nobody@example.org", "role": "organiser"})

    assert r.status_code == 422
    assert (
        '<p class="field-error" id="e-email">No active account uses this e-mail address.' in r.text
    )
    assert 'value="nobody@example.org"' in r.text
    assert len(db.scalars(select(EventStaff)).all()) == 1


def test_add_staff_with_bad_role_shows_error_beside_field(client, login, form, db):
    event = EventFactory()
    login(organiser(event))
    UserFactory(email="nare@example.org")
    settle(db)

    r = form(f"/events/{event.id}/staff", {"email": "nare@example.org", "role": "chief"})

    assert r.status_code == 422
    assert '<p class="field-error" id="e-role">Choose one of the options.</p>' in r.text


def test_add_staff_by_press_officer_is_forbidden(client, login, form, db):
    event = EventFactory()
    login(press_officer(event))
    UserFactory(email="nare@example.org")
    settle(db)

    r = form(f"/events/{event.id}/staff", {"email": "nare@example.org", "role": "organiser"})

    assert r.status_code == 403
    assert len(db.scalars(select(EventStaff)).all()) == 1


def test_remove_staff_asks_for_confirmation_then_removes(client, login, form, db):
    event = EventFactory()
    login(organiser(event))
    officer = press_officer(event, full_name="Press Person")
    staff_id = officer.event_roles[0].id
    settle(db)

    page = client.get(f"/events/{event.id}/staff/{staff_id}/remove")
    r = form(f"/events/{event.id}/staff/{staff_id}/remove")

    assert "Press Person will no longer have the role “Press officer”" in page.text
    assert f'action="/events/{event.id}/staff/{staff_id}/remove"' in page.text
    assert r.status_code == 303
    assert db.get(EventStaff, staff_id) is None


def test_remove_staff_of_another_event_is_not_found(client, login, form, db):
    event = EventFactory()
    login(organiser(event))
    other_role = organiser(EventFactory()).event_roles[0]
    settle(db)

    r = form(f"/events/{event.id}/staff/{other_role.id}/remove")

    assert r.status_code == 404
    assert db.get(EventStaff, other_role.id) is not None
