from datetime import date

import pytest
from sqlalchemy import select

from app import crypto
from app.audit.models import AuditEntry
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.events.models import EventStatus
from app.mail.models import OutboxMessage
from app.registrations import service
from app.registrations.models import (
    Category,
    Circle,
    ConsentKind,
    Person,
    Registration,
    RegistrationStatus,
)
from app.registrations.schemas import PersonFields, RegistrationCreate, RegistrationUpdate
from tests.factories import (
    AdminFactory,
    DelegationFactory,
    EventFactory,
    InitiativeFactory,
    InvitationFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
    with_document,
)

S = RegistrationStatus


def create_data(delegation, **changes) -> RegistrationCreate:
    fields = {"email": "ani@example.org", "given_name": "Ani", "family_name": "Petrosyan", "delegation_id": delegation.id}
    return RegistrationCreate(**{**fields, **changes})


def audit_actions(db, registration=None) -> list[str]:
    query = select(AuditEntry.action).order_by(AuditEntry.id)
    if registration is not None:
        query = query.where(AuditEntry.object_type == "registration", AuditEntry.object_id == registration.id)
    return list(db.scalars(query))


# --- reading -------------------------------------------------------------------------------------


def test_list_for_organiser_has_every_delegation_and_for_coordinator_their_own(db):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event), DelegationFactory(event=event)
    ours = RegistrationFactory.create_batch(2, delegation=armenia)
    RegistrationFactory(delegation=azerbaijan)
    RegistrationFactory()  # another event

    everyone = service.list_for_event(db, viewer=organiser(event), event=event, filters=service.ParticipantFilter(), page=1)
    own = service.list_for_event(db, viewer=coordinator(armenia), event=event, filters=service.ParticipantFilter(), page=1)

    assert everyone.total == 3
    assert {r.id for r in own.items} == {r.id for r in ours}


def test_list_refuses_press_officers_and_delegates(db):
    registration = RegistrationFactory()
    event = registration.event

    for viewer in (press_officer(event), delegate(registration), UserFactory(), None):
        with pytest.raises(Forbidden):
            service.list_for_event(db, viewer=viewer, event=event, filters=service.ParticipantFilter(), page=1)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"circle": Circle.CORE}, {"Core"}),
        ({"category": Category.MEDIA}, {"Media"}),
        ({"status": S.WAITLISTED}, {"Waiting"}),
        ({"q": "anahit pet"}, {"Core"}),
        ({"q": "Петросян"}, {"Core"}),
        ({"q": "press club"}, {"Media"}),
        ({"q": "100%"}, set()),
    ],
)
def test_list_filters(db, filters, expected):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    RegistrationFactory(
        delegation=delegation, circle=Circle.CORE, person=PersonFactory(given_name="Anahit", family_name="Petrosyan",
                                                                         family_name_native="Петросян", position="Core"),
    )
    RegistrationFactory(delegation=delegation, category=Category.MEDIA, person=PersonFactory(organisation="Press Club", position="Media"))
    RegistrationFactory(delegation=delegation, status=S.WAITLISTED, person=PersonFactory(position="Waiting"))

    page = service.list_for_event(
        db, viewer=organiser(event), event=event, filters=service.ParticipantFilter(**filters), page=1
    )

    assert {r.person.position for r in page.items} == expected


def test_list_filter_by_another_delegation_gives_a_coordinator_nothing(db):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event), DelegationFactory(event=event)
    RegistrationFactory(delegation=azerbaijan)

    page = service.list_for_event(
        db, viewer=coordinator(armenia), event=event, filters=service.ParticipantFilter(delegation_id=azerbaijan.id), page=1
    )

    assert page.total == 0


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("name", ["Abrahamyan", "Babayev", "Zakaryan"]), ("organisation", ["Zakaryan", "Babayev", "Abrahamyan"]),
     ("registered", ["Babayev", "Zakaryan", "Abrahamyan"])],
)
def test_list_sorts(db, sort, expected):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    for family, organisation in [("Babayev", "B"), ("Zakaryan", "A"), ("Abrahamyan", "C")]:
        RegistrationFactory(delegation=delegation, person=PersonFactory(family_name=family, organisation=organisation))
        db.flush()

    page = service.list_for_event(db, viewer=organiser(event), event=event, filters=service.ParticipantFilter(sort=sort), page=1)

    assert [r.person.family_name for r in page.items] == expected


@pytest.mark.parametrize("sort", ["name", "organisation", "status", "registered"])
def test_list_lines_are_list_for_event_as_rows(db, sort):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event, name="Armenia"), DelegationFactory(event=event, name="Azerbaijan")
    for i, (family, delegation) in enumerate([("Babayev", azerbaijan), ("Zakaryan", armenia), ("Abrahamyan", armenia)]):
        registration = RegistrationFactory(
            delegation=delegation, status=[S.CONFIRMED, S.WAITLISTED, S.REGISTERED][i],
            person=PersonFactory(family_name=family, organisation="BCA"[i], family_name_native="Ն" if i else ""),
        )
        if i:
            with_document(registration, number=f"AB12345{i}7")
        db.flush()
    filters = service.ParticipantFilter(sort=sort)

    for viewer in (organiser(event), coordinator(armenia)):
        objects = service.list_for_event(db, viewer=viewer, event=event, filters=filters, page=1)
        lines = service.list_lines_for_event(db, viewer=viewer, event=event, filters=filters, page=1)

        assert lines.page.total == objects.total
        assert lines.counts == service.status_counts(db, viewer=viewer, event=event)
        assert [tuple(line) for line in lines.page.items] == [
            (r.id, r.person.family_name, r.person.given_name, r.person.given_name_native, r.person.family_name_native,
             r.delegation.name, r.circle, r.category, r.person.organisation, r.status, r.doc_number_hint, r.created_at)
            for r in objects.items
        ]


def test_list_lines_total_is_the_sum_of_the_counts_unless_filtered(db, count_queries):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    RegistrationFactory.create_batch(3, delegation=delegation, status=S.CONFIRMED)
    RegistrationFactory.create_batch(2, delegation=delegation, status=S.WAITLISTED, circle=Circle.CORE)
    RegistrationFactory(delegation=DelegationFactory(event=event))
    viewer = coordinator(delegation)

    def lines(page, per_page, **filters):  # (lines shown, total, statements)
        with count_queries() as count:
            found = service.list_lines_for_event(
                db, viewer=viewer, event=event, filters=service.ParticipantFilter(**filters), page=page, per_page=per_page
            )
        return len(found.page.items), found.page.total, count()

    # By name: the counts, the lines of the whole list (sorted in the reader's collation, cut to
    # the page; their number is the total, filtered or not).
    assert lines(1, 10) == (5, 5, 2)
    assert lines(2, 4) == (1, 5, 2)
    assert lines(3, 4) == (0, 5, 2)
    assert lines(1, 10, circle=Circle.CORE) == (2, 2, 2)
    assert lines(2, 1, q="  ") == (1, 5, 2)  # a blank search is no filter
    # An order the database sorts: the counts, the lines, and a filtered list's total.
    assert lines(1, 1, sort="registered") == (1, 5, 2)
    assert lines(1, 1, sort="registered", circle=Circle.CORE) == (1, 2, 3)


def test_list_lines_refuse_press_officers_and_delegates(db):
    registration = RegistrationFactory()
    event = registration.event

    for viewer in (press_officer(event), delegate(registration), UserFactory(), None):
        with pytest.raises(Forbidden):
            service.list_lines_for_event(db, viewer=viewer, event=event, filters=service.ParticipantFilter(), page=1)


def test_status_counts_are_scoped_to_what_the_viewer_sees(db):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event), DelegationFactory(event=event)
    RegistrationFactory.create_batch(2, delegation=armenia, status=S.CONFIRMED)
    RegistrationFactory(delegation=azerbaijan, status=S.WAITLISTED)

    assert service.status_counts(db, viewer=coordinator(armenia), event=event) == {S.CONFIRMED: 2}
    assert service.status_counts(db, viewer=organiser(event), event=event) == {S.CONFIRMED: 2, S.WAITLISTED: 1}


def test_get_for_viewer_hides_what_the_viewer_may_not_see(db):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event), DelegationFactory(event=event)
    theirs = RegistrationFactory(delegation=azerbaijan)
    mine = RegistrationFactory(delegation=armenia)
    me = delegate(mine)

    for viewer in (coordinator(armenia), press_officer(event), me, None):
        with pytest.raises(NotFound):
            service.get_for_viewer(db, viewer=viewer, event=event, registration_id=theirs.id)
    assert service.get_for_viewer(db, viewer=me, event=event, registration_id=mine.id) is mine
    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=organiser(EventFactory()), event=event, registration_id=mine.id)


def test_person_history_spans_the_initiative_and_what_the_viewer_may_see(db):
    initiative = InitiativeFactory()
    first, second = EventFactory(initiative=initiative, starts_on=date(2026, 2, 13)), EventFactory(initiative=initiative, starts_on=date(2026, 9, 1))
    elsewhere = EventFactory()
    person = PersonFactory()
    d1, d2 = DelegationFactory(event=first), DelegationFactory(event=second)
    r1 = RegistrationFactory(delegation=d1, person=person)
    r2 = RegistrationFactory(delegation=d2, person=person)
    RegistrationFactory(delegation=DelegationFactory(event=elsewhere), person=person)

    _, as_admin = service.person_history(db, viewer=AdminFactory(), person_id=person.id, event=first)
    _, as_coordinator = service.person_history(db, viewer=coordinator(d1), person_id=person.id, event=first)

    assert [r.id for r in as_admin] == [r2.id, r1.id]
    assert [r.id for r in as_coordinator] == [r1.id]
    with pytest.raises(NotFound):
        service.person_history(db, viewer=coordinator(d2), person_id=person.id, event=first)
    with pytest.raises(NotFound):
        service.person_history(db, viewer=press_officer(first), person_id=person.id, event=first)


# --- adding --------------------------------------------------------------------------------------


def test_add_creates_the_person_and_the_registration(db):
    delegation = DelegationFactory()
    actor = organiser(delegation.event)

    registration = service.add_to_event(db, actor=actor, event=delegation.event, data=create_data(delegation, circle=Circle.CORE))

    assert (registration.status, registration.circle, registration.person.email) == (S.REGISTERED, Circle.CORE, "ani@example.org")
    assert audit_actions(db, registration) == ["registration.create"]


def test_add_finds_a_person_from_another_event_by_email(db):
    person = PersonFactory(email="ani@example.org")
    RegistrationFactory(person=person)
    delegation = DelegationFactory()

    registration = service.add_to_event(
        db, actor=organiser(delegation.event), event=delegation.event, data=create_data(delegation, email="ANI@example.org")
    )

    assert registration.person is person
    assert db.scalar(select(Person).where(Person.email == "ani@example.org")) is person


def test_add_twice_is_refused_and_leaves_the_person_as_they_were(db):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event), DelegationFactory(event=event)
    person = PersonFactory(email="ani@example.org", given_name="Ani")
    RegistrationFactory(delegation=armenia, person=person)

    with pytest.raises(FieldError) as exc:
        service.add_to_event(
            db, actor=coordinator(azerbaijan), event=event, data=create_data(azerbaijan, given_name="Mallory")
        )

    assert exc.value.field == "email"
    assert person.given_name == "Ani"


def test_add_of_a_person_of_the_other_delegation_does_not_say_which(db):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event, name="Armenia"), DelegationFactory(event=event, name="Azerbaijan")
    RegistrationFactory(delegation=azerbaijan, person=PersonFactory(email="ani@example.org"))

    with pytest.raises(FieldError) as exc:
        service.add_to_event(db, actor=coordinator(armenia), event=event, data=create_data(armenia))

    assert exc.value.message == "This person is already registered at this event."


@pytest.mark.parametrize(
    "status", [EventStatus.DRAFT, EventStatus.PLANNED, EventStatus.REGISTRATION_OPEN, EventStatus.ONGOING]
)
def test_staff_add_people_whether_or_not_registration_is_open(db, status):
    delegation = DelegationFactory(event=EventFactory(status=status))

    registration = service.add_to_event(
        db, actor=organiser(delegation.event), event=delegation.event, data=create_data(delegation)
    )

    assert (registration.status, registration.delegation_id) == (S.REGISTERED, delegation.id)


def test_add_from_an_invitation_needs_registration_open(db):
    delegation = DelegationFactory(event=EventFactory(status=EventStatus.PLANNED))
    invitation = InvitationFactory(delegation=delegation, email="ani@example.org")
    user = UserFactory(email="ani@example.org")

    with pytest.raises(service.RegistrationClosed) as exc:
        service.add(
            db, actor=user, event=delegation.event, delegation=delegation, data=create_data(delegation), invitation=invitation
        )

    assert (exc.value.status_code, exc.value.message) == (409, "Registration for this event is not open.")
    assert db.scalar(select(Registration)) is None


def test_add_to_a_delegation_of_another_event_or_not_coordinated_is_a_field_error(db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    foreign = DelegationFactory()

    for target in (other, foreign):
        with pytest.raises(FieldError) as exc:
            service.add_to_event(db, actor=coordinator(own), event=event, data=create_data(target))
        assert exc.value.field == "delegation_id"


def test_add_refused_to_press_officers(db):
    delegation = DelegationFactory()

    with pytest.raises(Forbidden):
        service.add_to_event(db, actor=press_officer(delegation.event), event=delegation.event, data=create_data(delegation))


def test_add_refused_once_the_event_is_archived_or_purged(db):
    archived = DelegationFactory(event=EventFactory(status=EventStatus.ARCHIVED))
    purged = DelegationFactory(event=EventFactory(personal_data_purged_at=crypto_now()))

    with pytest.raises((Forbidden, Conflict)):
        service.add_to_event(db, actor=organiser(archived.event), event=archived.event, data=create_data(archived))
    with pytest.raises(Conflict):
        service.add_to_event(db, actor=organiser(purged.event), event=purged.event, data=create_data(purged))


def crypto_now():
    from app.db import utcnow

    return utcnow()


# --- editing -------------------------------------------------------------------------------------


def test_patch_by_the_delegate_changes_their_fields_and_needs(db):
    registration = RegistrationFactory(languages="en")
    me = delegate(registration)

    service.update(db, actor=me, registration=registration,
                   data=RegistrationUpdate(given_name="Lusine", dietary_needs="Vegan", languages="hy, ru"))

    assert (registration.person.given_name, registration.dietary_needs, registration.languages) == ("Lusine", "Vegan", "hy,ru")


def test_patch_by_the_delegate_with_a_circle_is_refused_whole(db):
    registration = RegistrationFactory(circle=Circle.BROADER)
    me = delegate(registration)
    name = registration.person.given_name

    with pytest.raises(Forbidden):
        service.update(db, actor=me, registration=registration, data=RegistrationUpdate(given_name="X", circle=Circle.CORE))

    assert (registration.circle, registration.person.given_name) == (Circle.BROADER, name)


def test_update_person_by_another_delegate_is_refused(db):
    registration = RegistrationFactory()
    stranger = delegate(RegistrationFactory(event=registration.event, delegation=registration.delegation))

    with pytest.raises(Forbidden):
        service.update_person(db, actor=stranger, registration=registration,
                              data=PersonFields(given_name="X", family_name="Y"))


def test_change_placement_into_a_full_circle_is_refused(db):
    delegation = DelegationFactory(capacity_core=1)
    RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.CONFIRMED)
    moving = RegistrationFactory(delegation=delegation, circle=Circle.BROADER, status=S.CONFIRMED)

    with pytest.raises(FieldError) as exc:
        service.change_placement(db, actor=organiser(delegation.event), registration=moving, circle=Circle.CORE, category=None)

    assert exc.value.field == "circle"


def test_change_placement_frees_a_place_for_the_waiting(db):
    delegation = DelegationFactory(capacity_core=1, capacity_broader=5)
    moving = RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.CONFIRMED)
    waiting = RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.WAITLISTED)

    service.change_placement(db, actor=organiser(delegation.event), registration=moving, circle=Circle.BROADER,
                             category=Category.EXPERT)

    assert (moving.circle, moving.category, moving.status) == (Circle.BROADER, Category.EXPERT, S.CONFIRMED)
    assert waiting.status == S.CONFIRMED


def test_set_consents_records_the_text_version(db):
    registration = RegistrationFactory()
    me = delegate(registration)

    service.set_consents(db, actor=me, registration=registration, kinds=[ConsentKind.DATA_PROCESSING, ConsentKind.PHOTOGRAPHY])
    service.set_consents(db, actor=me, registration=registration, kinds=[ConsentKind.DATA_PROCESSING])

    assert [(c.kind, c.text_version) for c in registration.consents] == [(ConsentKind.DATA_PROCESSING, "2026-02")]


# --- decisions -----------------------------------------------------------------------------------


def test_approve_confirms_until_the_circle_is_full_then_waitlists(db):
    delegation = DelegationFactory(capacity_broader=1)
    first, second = RegistrationFactory.create_batch(2, delegation=delegation, circle=Circle.BROADER)
    actor = organiser(delegation.event)

    service.approve(db, actor=actor, registration=first)
    service.approve(db, actor=actor, registration=second)

    assert (first.status, second.status) == (S.CONFIRMED, S.WAITLISTED)
    assert first.confirmed_at is not None
    subjects = list(db.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)))
    assert subjects == ["Your place is confirmed", "You are on the waiting list"]


def test_approve_of_a_cancelled_registration_is_a_conflict(db):
    registration = RegistrationFactory(status=S.CANCELLED)

    with pytest.raises(Conflict):
        service.approve(db, actor=organiser(registration.event), registration=registration)


def test_decline_needs_a_reason_and_frees_the_place(db):
    delegation = DelegationFactory(capacity_core=1)
    confirmed = RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.CONFIRMED)
    waiting = RegistrationFactory(delegation=delegation, circle=Circle.CORE, status=S.WAITLISTED)
    actor = coordinator(delegation)

    with pytest.raises(FieldError):
        service.decline(db, actor=actor, registration=confirmed, reason="  ")
    service.decline(db, actor=actor, registration=confirmed, reason="Travel not possible")

    assert (confirmed.status, confirmed.status_reason) == (S.DECLINED, "Travel not possible")
    assert waiting.status == S.CONFIRMED


def test_delegate_may_cancel_but_not_decide(db):
    registration = RegistrationFactory()
    me = delegate(registration)

    with pytest.raises(Forbidden):
        service.approve(db, actor=me, registration=registration)
    service.cancel(db, actor=me, registration=registration, reason="I cannot come")

    assert registration.status == S.CANCELLED


def test_coordinator_may_not_decide_for_the_other_delegation(db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    theirs = RegistrationFactory(delegation=other)

    with pytest.raises(Forbidden):
        service.approve(db, actor=coordinator(own), registration=theirs)
    assert theirs.status == S.REGISTERED


def test_check_in_marks_attended_or_no_show_once(db):
    registration = RegistrationFactory(status=S.CONFIRMED)
    actor = organiser(registration.event)

    service.check_in(db, actor=actor, registration=registration, attended=True)
    service.check_in(db, actor=actor, registration=registration, attended=True)
    attended_at = registration.checked_in_at
    service.check_in(db, actor=actor, registration=registration, attended=False)

    assert attended_at is not None
    assert (registration.status, registration.checked_in_at) == (S.NO_SHOW, None)
    assert audit_actions(db, registration) == ["registration.attended", "registration.no_show"]


def test_check_in_of_a_registration_not_confirmed_is_a_conflict_and_coordinators_may_not(db):
    registration = RegistrationFactory(status=S.WAITLISTED)

    with pytest.raises(Conflict):
        service.check_in(db, actor=organiser(registration.event), registration=registration, attended=True)
    with pytest.raises(Forbidden):
        service.check_in(db, actor=coordinator(registration.delegation), registration=registration, attended=True)


def test_check_in_search_finds_confirmed_by_name(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    found = RegistrationFactory(delegation=delegation, status=S.CONFIRMED, person=PersonFactory(given_name="Leyla", family_name="Aliyeva"))
    RegistrationFactory(delegation=delegation, status=S.REGISTERED, person=PersonFactory(given_name="Leyla", family_name="Other"))

    assert service.check_in_search(db, viewer=organiser(event), event=event, q="leyla ali") == [found]
    assert service.check_in_search(db, viewer=organiser(event), event=event, q="  ") == []


# --- the person's e-mail address -----------------------------------------------------------------


def test_organiser_and_coordinator_change_the_email_of_a_person_without_an_account(db):
    registration = RegistrationFactory(person=PersonFactory(email="old@example.org"))

    service.change_email(db, actor=organiser(registration.event), registration=registration, email=" New@Example.org ")
    assert registration.person.email == "new@example.org"
    service.change_email(db, actor=coordinator(registration.delegation), registration=registration, email="again@example.org")

    assert registration.person.email == "again@example.org"
    entries = db.scalars(select(AuditEntry).where(AuditEntry.object_type == "person")).all()
    assert [(e.action, e.details["fields"]) for e in entries] == [("person.update", ["email"])] * 2
    assert "again@example.org" not in str([e.details for e in entries])  # ids and fields, not addresses


def test_change_email_to_another_persons_address_is_refused(db):
    PersonFactory(email="taken@example.org")
    registration = RegistrationFactory(person=PersonFactory(email="mine@example.org"))

    with pytest.raises(FieldError) as exc:
        service.change_email(db, actor=organiser(registration.event), registration=registration, email="TAKEN@example.org")

    assert (exc.value.field, exc.value.message) == ("email", "Another person has this e-mail address.")
    assert registration.person.email == "mine@example.org"


def test_change_email_of_a_person_with_an_account_is_refused_and_the_login_stays(db):
    registration = RegistrationFactory(person=PersonFactory(email="anahit@example.org"))
    account = delegate(registration)

    with pytest.raises(FieldError) as exc:
        service.change_email(db, actor=organiser(registration.event), registration=registration, email="new@example.org")

    assert exc.value.message.startswith("This person signs in to Parley with this address")
    assert (registration.person.email, account.email) == ("anahit@example.org", "anahit@example.org")


def test_change_email_refused_to_the_delegate_and_the_other_delegations_coordinator(db):
    event = EventFactory()
    registration = RegistrationFactory(delegation=DelegationFactory(event=event), person=PersonFactory(email="a@example.org"))
    other = coordinator(DelegationFactory(event=event))

    for actor in (delegate(registration), other, press_officer(event)):
        with pytest.raises(Forbidden):
            service.change_email(db, actor=actor, registration=registration, email="b@example.org")

    assert registration.person.email == "a@example.org"


def test_patch_with_an_email_changes_it_for_staff_only(db):
    registration = RegistrationFactory(person=PersonFactory(email="a@example.org"))

    service.update(db, actor=organiser(registration.event), registration=registration,
                   data=RegistrationUpdate(email="b@example.org"))
    with pytest.raises(Forbidden):
        service.update(db, actor=delegate(registration), registration=registration,
                       data=RegistrationUpdate(email="c@example.org", dietary_needs="Vegan"))

    assert (registration.person.email, registration.dietary_needs) == ("b@example.org", "")


# --- travel documents ----------------------------------------------------------------------------


def test_travel_document_is_encrypted_hashed_and_masked(db):
    registration = with_document(RegistrationFactory(), number="ab 12-34567")

    assert registration.doc_number.startswith("v1:t2:")
    assert "AB1234567" not in registration.doc_number
    assert registration.doc_number_hash == service.document_hash("AB1234567")
    assert registration.masked_document == "•••••4567"


def test_travel_document_of_another_participant_of_the_event_is_refused(db):
    first = with_document(RegistrationFactory(), number="AB1234567")
    second = RegistrationFactory(event=first.event, delegation=first.delegation)

    with pytest.raises(FieldError) as exc:
        with_document(second, number="ab-1234567")

    assert exc.value.field == "doc_number"


def test_reveal_decrypts_and_audits_for_those_allowed_only(db):
    event = EventFactory()
    own, other = DelegationFactory(event=event), DelegationFactory(event=event)
    registration = with_document(RegistrationFactory(delegation=own), number="AB1234567")

    allowed = [organiser(event), coordinator(own), delegate(registration), AdminFactory()]
    for actor in allowed:
        assert service.reveal_document(db, actor=actor, registration=registration, client="10.0.0.1") == "AB1234567"
    for actor in (coordinator(other), press_officer(event), UserFactory()):
        with pytest.raises(Forbidden):
            service.reveal_document(db, actor=actor, registration=registration)

    entries = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "document.reveal")))
    assert [e.actor_id for e in entries] == [a.id for a in allowed]
    assert {e.client for e in entries} == {"10.0.0.1"}


def test_reveal_without_document_is_not_found(db):
    registration = RegistrationFactory()

    with pytest.raises(NotFound):
        service.reveal_document(db, actor=organiser(registration.event), registration=registration)


def test_a_ciphertext_copied_to_another_row_does_not_decrypt(db):
    first = with_document(RegistrationFactory(), number="AB1234567")
    second = with_document(RegistrationFactory(), number="CD7654321")
    second.doc_number = first.doc_number

    with pytest.raises(crypto.DecryptionError):
        service.reveal_document(db, actor=AdminFactory(), registration=second)


def test_reencrypt_documents_moves_old_keys_to_the_newest(db):
    registration = RegistrationFactory()
    db.flush()
    old_ring = crypto.Keyring(keys=crypto.keyring().keys, current="t1")
    registration.doc_number = crypto.encrypt("AB1234567", table="registration", column="doc_number",
                                             row_id=registration.id, ring=old_ring)
    with_document(RegistrationFactory(), number="CD7654321")  # already under the newest key

    assert service.reencrypt_documents(db) == 1
    assert crypto.key_id(registration.doc_number) == "t2"
    assert service.reveal_document(db, actor=AdminFactory(), registration=registration) == "AB1234567"
    assert service.reencrypt_documents(db) == 0


# --- history and purge ---------------------------------------------------------------------------


def test_history_lists_what_happened_to_the_registration(db):
    delegation = DelegationFactory()
    actor = organiser(delegation.event)
    registration = service.add_to_event(db, actor=actor, event=delegation.event, data=create_data(delegation))
    service.approve(db, actor=actor, registration=registration)
    service.update_person(db, actor=actor, registration=registration, data=PersonFields(given_name="Anahit", family_name="P"))

    entries = service.history(db, viewer=actor, registration=registration)

    assert [e.action for e in entries] == ["registration.create", "registration.confirmed", "person.update"]
    assert entries[0].actor is actor
    with pytest.raises(Forbidden):
        service.history(db, viewer=delegate(registration), registration=registration)


def test_purge_waits_for_the_retention_period_then_erases_once(db):
    event = EventFactory(ends_on=date(2026, 2, 14))
    registration = with_document(RegistrationFactory(delegation=DelegationFactory(event=event), dietary_needs="Vegan",
                                                      emergency_contact_name="Mother"))
    actor = organiser(event)

    with pytest.raises(Conflict) as exc:
        service.purge_event(db, actor=actor, event=event, today=date(2026, 3, 15))
    erased = service.purge_event(db, actor=actor, event=event, today=date(2026, 3, 16))
    again = service.purge_event(db, actor=actor, event=event, today=date(2026, 3, 17))

    assert "kept until March 16, 2026" in exc.value.message
    assert (erased, again) == (1, 0)
    assert (registration.doc_number, registration.doc_number_hash, registration.dietary_needs,
            registration.emergency_contact_name) == (None, None, "", "")
    assert registration.purged_at is not None and event.personal_data_purged_at is not None
    assert registration.person.family_name  # names stay


def test_purge_is_for_organisers(db):
    event = EventFactory(ends_on=date(2020, 1, 1))
    delegation = DelegationFactory(event=event)

    for actor in (coordinator(delegation), press_officer(event)):
        with pytest.raises(Forbidden):
            service.purge_event(db, actor=actor, event=event)


def test_events_due_for_purge(db):
    due = EventFactory(ends_on=date(2026, 1, 1))
    EventFactory(ends_on=date(2026, 3, 1))
    EventFactory(ends_on=date(2025, 1, 1), personal_data_purged_at=crypto_now())

    assert service.events_due_for_purge(db, today=date(2026, 2, 15)) == [due]


def test_registration_rows_are_unique_per_person_and_event(db):
    from sqlalchemy.exc import IntegrityError

    registration = RegistrationFactory()
    db.flush()

    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(Registration(event=registration.event, delegation=registration.delegation, person=registration.person,
                            consents=[]))
        db.flush()
