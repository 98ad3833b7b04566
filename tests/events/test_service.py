from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.service import system_actor
from app.audit.models import AuditEntry
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.events import service
from app.events.models import Event, EventKind, EventStaff, EventStatus, StaffRole
from app.events.schemas import EventCreate, EventFilter, EventUpdate
from app.initiatives.models import InitiativeStatus
from tests.factories import (
    AdminFactory,
    EventFactory,
    InitiativeFactory,
    UserFactory,
    organiser,
    press_officer,
)


def event_data(**overrides) -> EventCreate:
    values = {
        "title": "Peace Bridge roundtable",
        "kind": EventKind.ROUNDTABLE,
        "host_country": "AM",
        "city": "Tsaghkadzor",
        "venue": "Writers' house",
        "starts_on": date(2026, 2, 13),
        "ends_on": date(2026, 2, 14),
        "timezone": "Asia/Yerevan",
    }
    return EventCreate(**{**values, **overrides})


def audit_actions(db, obj) -> list[str]:
    query = select(AuditEntry.action).where(
        AuditEntry.object_type == obj.__tablename__, AuditEntry.object_id == obj.id
    )
    return list(db.scalars(query.order_by(AuditEntry.id)))


# --- create and update ---------------------------------------------------------------------------


def test_create_event_is_a_draft_linked_to_its_initiative_and_audited(db):
    admin = AdminFactory()
    initiative = InitiativeFactory()

    event = service.create(db, actor=admin, data=event_data(initiative_id=initiative.id))

    assert event.status == EventStatus.DRAFT
    assert event.initiative is initiative
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "event.create")).one()
    assert (entry.actor_id, entry.object_id, entry.event_id) == (admin.id, event.id, event.id)


def test_create_event_as_system_actor_records_no_actor(db):
    event = service.create(db, actor=system_actor(), data=event_data())

    entry = db.scalars(select(AuditEntry).where(AuditEntry.object_id == event.id)).one()
    assert entry.actor_id is None
    assert event.initiative is None


def test_create_event_by_organiser_is_forbidden(db):
    user = organiser(EventFactory())

    with pytest.raises(Forbidden):
        service.create(db, actor=user, data=event_data())

    assert db.scalar(select(Event).where(Event.title == "Peace Bridge roundtable")) is None


def test_create_event_with_unknown_initiative_is_a_field_error(db):
    with pytest.raises(FieldError) as exc:
        service.create(db, actor=AdminFactory(), data=event_data(initiative_id=987654))

    assert exc.value.field == "initiative_id"


def test_create_event_with_archived_initiative_is_a_field_error(db):
    initiative = InitiativeFactory(status=InitiativeStatus.ARCHIVED)

    with pytest.raises(FieldError) as exc:
        service.create(db, actor=AdminFactory(), data=event_data(initiative_id=initiative.id))

    assert exc.value.field == "initiative_id"
    assert "archived" in exc.value.message


def test_update_event_changes_given_fields_and_audits_their_names(db):
    event = EventFactory(title="Old title", city="Dilijan")
    user = organiser(event)

    service.update(db, actor=user, event=event, data=EventUpdate(title="New title", city="Dilijan"))

    assert (event.title, event.city) == ("New title", "Dilijan")
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "event.update")).one()
    assert entry.details == {"fields": ["title"]}


def test_update_event_with_end_before_current_start_is_a_field_error(db):
    event = EventFactory(starts_on=date(2026, 2, 13), ends_on=date(2026, 2, 14))

    with pytest.raises(FieldError) as exc:
        service.update(
            db, actor=AdminFactory(), event=event, data=EventUpdate(ends_on=date(2026, 2, 12))
        )

    assert exc.value.field == "ends_on"
    assert event.ends_on == date(2026, 2, 14)


def test_update_event_moves_it_to_another_initiative(db):
    event = EventFactory()
    other = InitiativeFactory()

    service.update(db, actor=AdminFactory(), event=event, data=EventUpdate(initiative_id=other.id))

    assert event.initiative is other
    assert audit_actions(db, event) == ["event.update"]


def test_update_event_by_press_officer_is_forbidden(db):
    event = EventFactory(title="Unchanged")

    with pytest.raises(Forbidden):
        service.update(
            db, actor=press_officer(event), event=event, data=EventUpdate(title="Changed")
        )

    assert event.title == "Unchanged"


def test_update_archived_event_is_a_conflict_even_for_admins(db):
    event = EventFactory(status=EventStatus.ARCHIVED)

    with pytest.raises(Conflict):
        service.update(db, actor=AdminFactory(), event=event, data=EventUpdate(title="Changed"))


# --- status workflow -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (EventStatus.DRAFT, EventStatus.PLANNED),
        (EventStatus.PLANNED, EventStatus.REGISTRATION_OPEN),
        (EventStatus.REGISTRATION_OPEN, EventStatus.ONGOING),
        (EventStatus.ONGOING, EventStatus.CONCLUDED),
        (EventStatus.PLANNED, EventStatus.DRAFT),
        (EventStatus.CONCLUDED, EventStatus.ONGOING),
        (EventStatus.DRAFT, EventStatus.ARCHIVED),
        (EventStatus.REGISTRATION_OPEN, EventStatus.ARCHIVED),
        (EventStatus.CONCLUDED, EventStatus.ARCHIVED),
    ],
)
def test_change_status_by_organiser_allows_one_step_or_archiving(db, start, target):
    event = EventFactory(status=start)

    service.change_status(db, actor=organiser(event), event=event, status=target)

    assert event.status == target


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (EventStatus.DRAFT, EventStatus.REGISTRATION_OPEN),
        (EventStatus.PLANNED, EventStatus.CONCLUDED),
        (EventStatus.CONCLUDED, EventStatus.PLANNED),
        (EventStatus.ARCHIVED, EventStatus.DRAFT),
        (EventStatus.ONGOING, EventStatus.ONGOING),
    ],
)
def test_change_status_refuses_other_transitions_even_for_admins(db, start, target):
    event = EventFactory(status=start)

    with pytest.raises(Conflict):
        service.change_status(db, actor=AdminFactory(), event=event, status=target)

    assert event.status == start


def test_change_status_restores_archived_event_for_admin(db):
    event = EventFactory(status=EventStatus.ARCHIVED)

    service.change_status(db, actor=AdminFactory(), event=event, status=EventStatus.CONCLUDED)

    assert event.status == EventStatus.CONCLUDED


def test_change_status_restore_by_organiser_is_forbidden(db):
    event = EventFactory(status=EventStatus.ARCHIVED)

    with pytest.raises(Forbidden):
        service.change_status(db, actor=organiser(event), event=event, status=EventStatus.CONCLUDED)

    assert event.status == EventStatus.ARCHIVED


def test_change_status_by_press_officer_is_forbidden(db):
    event = EventFactory(status=EventStatus.PLANNED)

    with pytest.raises(Forbidden):
        service.change_status(
            db, actor=press_officer(event), event=event, status=EventStatus.REGISTRATION_OPEN
        )


def test_change_status_is_audited_with_both_statuses(db):
    event = EventFactory(status=EventStatus.DRAFT)

    service.change_status(db, actor=AdminFactory(), event=event, status=EventStatus.PLANNED)

    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "event.status")).one()
    assert entry.details == {"previous": "draft", "status": "planned"}


def test_transitions_show_the_organiser_no_restore_and_the_public_nothing(db):
    event = EventFactory(status=EventStatus.ARCHIVED)

    assert service.transitions(organiser(event), event) == []
    assert service.transitions(None, EventFactory(status=EventStatus.PLANNED)) == []
    assert [t.kind for t in service.transitions(AdminFactory(), event)] == ["restore"]


def test_transitions_from_draft_are_next_and_archive(db):
    event = EventFactory(status=EventStatus.DRAFT)

    steps = service.transitions(organiser(event), event)

    assert [(t.status, t.kind) for t in steps] == [
        (EventStatus.PLANNED, "next"),
        (EventStatus.ARCHIVED, "archive"),
    ]


# --- reading -------------------------------------------------------------------------------------


def titles(page) -> set[str]:
    return {event.title for event in page.items}


def test_list_events_for_anonymous_shows_public_statuses_only(db):
    for status in EventStatus:
        EventFactory(title=status.value, status=status)

    page = service.list_events(db, viewer=None, filters=EventFilter(), page=1)

    assert titles(page) == {"planned", "registration_open", "ongoing", "concluded"}


def test_list_events_for_organiser_adds_own_draft_not_others(db):
    own = EventFactory(title="own draft", status=EventStatus.DRAFT)
    EventFactory(title="other draft", status=EventStatus.DRAFT)
    EventFactory(title="public")

    page = service.list_events(db, viewer=organiser(own), filters=EventFilter(), page=1)

    assert titles(page) == {"own draft", "public"}


def test_list_events_for_admin_shows_everything(db):
    EventFactory(status=EventStatus.DRAFT)
    EventFactory(status=EventStatus.ARCHIVED)

    page = service.list_events(db, viewer=AdminFactory(), filters=EventFilter(), page=1)

    assert page.total == 2


def test_list_events_filters_by_text_over_title_city_and_venue(db):
    EventFactory(title="Youth forum", city="Gyumri", venue="Hall")
    EventFactory(title="Roundtable", city="Gabala", venue="Hall")
    EventFactory(title="Talks", city="Yerevan", venue="Gabala Centre")
    EventFactory(title="Other", city="Baku", venue="100% hall")

    assert titles(
        service.list_events(db, viewer=None, filters=EventFilter(q="gabala"), page=1)
    ) == {"Roundtable", "Talks"}
    assert titles(service.list_events(db, viewer=None, filters=EventFilter(q="FORUM"), page=1)) == {
        "Youth forum"
    }
    assert titles(service.list_events(db, viewer=None, filters=EventFilter(q="0%"), page=1)) == {
        "Other"
    }


def test_list_events_filters_by_status_and_initiative(db):
    initiative = InitiativeFactory()
    EventFactory(title="a", initiative=initiative, status=EventStatus.ONGOING)
    EventFactory(title="b", initiative=initiative, status=EventStatus.PLANNED)
    EventFactory(title="c", status=EventStatus.ONGOING)

    filters = EventFilter(status=EventStatus.ONGOING, initiative_id=initiative.id)
    page = service.list_events(db, viewer=None, filters=filters, page=1)

    assert titles(page) == {"a"}


def test_list_events_paginates_newest_first(db):
    for day in range(1, 6):
        EventFactory(title=f"day {day}", starts_on=date(2026, 3, day), ends_on=date(2026, 3, day))

    page = service.list_events(db, viewer=None, filters=EventFilter(), page=2, per_page=2)

    assert [e.title for e in page.items] == ["day 3", "day 2"]
    assert (page.total, page.pages) == (5, 3)


def test_get_for_viewer_hides_a_draft_as_not_found(db):
    event = EventFactory(status=EventStatus.DRAFT)
    stranger = organiser(EventFactory())

    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=stranger, event_id=event.id)
    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=None, event_id=event.id)
    assert service.get_for_viewer(db, viewer=organiser(event), event_id=event.id) is event


def test_list_for_initiative_shows_only_visible_events_in_date_order(db):
    initiative = InitiativeFactory()
    EventFactory(
        title="second", initiative=initiative, starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 2)
    )
    EventFactory(
        title="first", initiative=initiative, starts_on=date(2026, 2, 1), ends_on=date(2026, 2, 2)
    )
    EventFactory(title="hidden", initiative=initiative, status=EventStatus.DRAFT)

    events = service.list_for_initiative(db, viewer=None, initiative=initiative)

    assert [e.title for e in events] == ["first", "second"]


def test_overview_shows_staff_to_staff_only(db):
    event = EventFactory()
    officer = press_officer(event, full_name="Press Person")

    assert [s.user.full_name for s in service.overview(db, viewer=officer, event=event).staff] == [
        "Press Person"
    ]
    assert service.overview(db, viewer=None, event=event).staff is None
    assert service.overview(db, viewer=UserFactory(), event=event).staff is None


# --- staff ---------------------------------------------------------------------------------------


def test_add_staff_by_email_grants_the_role_and_audits(db):
    event = EventFactory()
    user = UserFactory(email="nare@example.org")

    staff = service.add_staff(
        db,
        actor=organiser(event),
        event=event,
        email=" Nare@Example.org ",
        role=StaffRole.PRESS_OFFICER,
    )

    assert (staff.user, staff.role, staff.event_id) == (user, StaffRole.PRESS_OFFICER, event.id)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "event_staff.add")).one()
    assert entry.details == {"user_id": user.id, "role": "press_officer"}
    assert entry.event_id == event.id


def test_add_staff_with_unknown_email_is_a_field_error(db):
    event = EventFactory()

    with pytest.raises(FieldError) as exc:
        service.add_staff(
            db,
            actor=AdminFactory(),
            event=event,
            email="nobody@example.org",
            role=StaffRole.ORGANISER,
        )

    assert exc.value.field == "email"


def test_add_staff_with_inactive_user_is_a_field_error(db):
    event = EventFactory()
    UserFactory(email="gone@example.org", is_active=False)

    with pytest.raises(FieldError):
        service.add_staff(
            db,
            actor=AdminFactory(),
            event=event,
            email="gone@example.org",
            role=StaffRole.ORGANISER,
        )


def test_add_staff_twice_in_the_same_role_is_a_field_error(db):
    event = EventFactory()
    user = organiser(event, email="twice@example.org")

    with pytest.raises(FieldError) as exc:
        service.add_staff(
            db, actor=AdminFactory(), event=event, email=user.email, role=StaffRole.ORGANISER
        )

    assert exc.value.message == "This person already has the role “Organiser” at this event."


def test_add_staff_by_press_officer_is_forbidden(db):
    event = EventFactory()
    UserFactory(email="x@example.org")

    with pytest.raises(Forbidden):
        service.add_staff(
            db,
            actor=press_officer(event),
            event=event,
            email="x@example.org",
            role=StaffRole.ORGANISER,
        )


def test_add_staff_to_archived_event_is_refused(db):
    event = EventFactory(status=EventStatus.ARCHIVED)
    UserFactory(email="x@example.org")

    with pytest.raises(Conflict):
        service.add_staff(
            db, actor=AdminFactory(), event=event, email="x@example.org", role=StaffRole.ORGANISER
        )


def test_remove_staff_deletes_the_role_and_audits(db):
    event = EventFactory()
    officer = press_officer(event)
    staff = service.get_staff(
        db, viewer=AdminFactory(), event=event, staff_id=officer.event_roles[0].id
    )

    service.remove_staff(db, actor=AdminFactory(), event=event, staff=staff)

    assert db.scalars(select(EventStaff).where(EventStaff.event_id == event.id)).all() == []
    assert audit_actions(db, staff) == ["event_staff.remove"]


def test_get_staff_of_another_event_is_not_found(db):
    event = EventFactory()
    other_role = organiser(EventFactory()).event_roles[0]

    with pytest.raises(NotFound):
        service.get_staff(db, viewer=AdminFactory(), event=event, staff_id=other_role.id)


def test_list_staff_orders_organisers_first_then_by_name(db):
    event = EventFactory()
    press_officer(event, full_name="Anna")
    organiser(event, full_name="Zara")
    organiser(event, full_name="Boris")

    page = service.list_staff(db, viewer=AdminFactory(), event=event)

    assert [(s.role.value, s.user.full_name) for s in page.items] == [
        ("organiser", "Boris"),
        ("organiser", "Zara"),
        ("press_officer", "Anna"),
    ]
