from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.models import AuditEntry
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.events.models import EventStatus
from app.press import service
from app.press.models import MediaCoverage, PressApproval, PressItem, PressKind, PressStatus
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    MediaCoverageFactory,
    PressItemFactory,
    PressVersionFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)


def audits(db, action):
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def statement(db, *, sides=("Armenia", "Azerbaijan")):
    """An event with its delegations, a coordinator each, a press officer and a joint statement."""
    event = EventFactory()
    delegations = [DelegationFactory(event=event, name=name) for name in sides]
    coordinators = [coordinator(d) for d in delegations]
    officer = press_officer(event)
    item = service.create(
        db, actor=officer, event=event, kind=PressKind.JOINT_STATEMENT, language="en",
        title="Joint statement of the roundtable", body="The participants agreed to meet again.",
    )
    return event, delegations, coordinators, officer, item


def reload(db, item):
    """The item as a new request would load it."""
    db.flush()
    event = item.event
    item = db.scalar(
        select(PressItem).options(*service._item_options()).where(PressItem.id == item.id)
        .execution_options(populate_existing=True)
    )
    set_committed_value(item, "event", event)
    return item


# --- versions and revisions -----------------------------------------------------------------------


def test_create_makes_a_draft_with_its_first_version_and_audits_it(db):
    event = EventFactory()
    officer = press_officer(event)

    item = service.create(
        db, actor=officer, event=event, kind=PressKind.RELEASE, language="hy", title="Մամուլի հաղորդագրություն",
        body="Տեքստ",
    )

    assert (item.status, item.revision, item.kind, item.created_by_id) == (PressStatus.DRAFT, 1, PressKind.RELEASE, officer.id)
    [version] = item.versions
    assert (version.language, version.number, version.revision, version.author_id) == ("hy", 1, 1, officer.id)
    [entry] = audits(db, "press.create")
    assert (entry.object_id, entry.event_id, entry.details) == (item.id, event.id, {"kind": "press_release", "language": "hy"})


def test_every_edit_of_any_language_writes_a_version_and_makes_the_revision_grow(db):
    event, _, _, officer, item = statement(db)

    service.edit(db, actor=officer, item=item, language="en", title="Joint statement", body="Second text.")
    service.edit(db, actor=officer, item=item, language="hy", title="Համատեղ հայտարարություն", body="Տեքստ")
    service.edit(db, actor=officer, item=item, language="en", body="Third text.")
    item = reload(db, item)

    versions = service.versions_by_language(item)
    assert [(v.number, v.revision, v.body) for v in versions["en"]] == [
        (1, 1, "The participants agreed to meet again."), (2, 2, "Second text."), (3, 4, "Third text."),
    ]
    assert [(v.number, v.revision) for v in versions["hy"]] == [(1, 3)]
    assert item.revision == 4
    assert [t.language for t in service.latest_texts(item)] == ["en", "hy"]
    assert service.latest_of(item, "en").title == "Joint statement"  # the title not given stays
    assert [e.details["revision"] for e in audits(db, "press.edit")] == [2, 3, 4]


def test_an_edit_that_changes_nothing_writes_nothing(db):
    _, _, _, officer, item = statement(db)

    service.edit(db, actor=officer, item=item, language="en", title=item.versions[0].title, body=item.versions[0].body)

    assert item.revision == 1
    assert len(item.versions) == 1
    assert audits(db, "press.edit") == []


def test_a_new_language_needs_a_title_and_a_body(db):
    _, _, _, officer, item = statement(db)

    with pytest.raises(FieldError) as refused:
        service.edit(db, actor=officer, item=item, language="az", body="Mətn")

    assert refused.value.field == "title"


def test_an_edit_withdraws_every_approval_and_audits_it(db):
    _, delegations, coordinators, officer, item = statement(db)
    for coord in coordinators:
        service.approve(db, actor=coord, item=item, revision=1)

    service.edit(db, actor=officer, item=item, language="en", body="Changed after the approvals.")
    item = reload(db, item)

    assert item.revision == 2
    assert all(a.withdrawn_at is not None for a in item.approvals) and len(item.approvals) == 2
    assert service.current_approvals(item) == []
    [entry] = audits(db, "press.approvals_withdrawn")
    assert entry.details == {"revision": 2, "delegation_ids": sorted(d.id for d in delegations)}


def test_the_session_must_be_of_the_event(db):
    event, _, _, officer, item = statement(db)
    own = AgendaSessionFactory(event=event, title="Press conference")
    other = AgendaSessionFactory()

    service.edit(db, actor=officer, item=item, language="en", session_id=own.id)
    with pytest.raises(FieldError) as refused:
        service.edit(db, actor=officer, item=item, language="en", session_id=other.id)

    assert item.session_id == own.id
    assert item.revision == 1  # the session is no change of the text
    assert refused.value.field == "session_id"


# --- approvals ------------------------------------------------------------------------------------


def test_a_coordinator_approves_the_current_revision_for_their_own_delegation(db):
    _, delegations, coordinators, _, item = statement(db)

    approval = service.approve(db, actor=coordinators[0], item=item, revision=1)

    assert (approval.delegation_id, approval.revision, approval.approved_by_id) == (delegations[0].id, 1, coordinators[0].id)
    assert audits(db, "press.approve")[0].details == {"delegation_id": delegations[0].id, "revision": 1}


def test_an_approval_of_an_outdated_version_is_refused(db):
    _, _, coordinators, officer, item = statement(db)
    service.edit(db, actor=officer, item=item, language="en", body="The text moved on.")

    with pytest.raises(service.OutdatedVersion) as refused:
        service.approve(db, actor=coordinators[0], item=item, revision=1)

    assert refused.value.name == "OutdatedVersion" and refused.value.status_code == 409
    assert "current revision is 2" in refused.value.message
    assert db.scalar(select(PressApproval)) is None


def test_approving_twice_the_same_revision_changes_nothing(db):
    _, _, coordinators, _, item = statement(db)

    first = service.approve(db, actor=coordinators[0], item=item, revision=1)
    second = service.approve(db, actor=coordinators[0], item=item, revision=1)

    assert first is second
    assert len(db.scalars(select(PressApproval)).all()) == 1
    assert len(audits(db, "press.approve")) == 1


def test_a_coordinator_of_one_side_cannot_approve_for_the_other(db):
    _, delegations, coordinators, _, item = statement(db)

    with pytest.raises(Forbidden):
        service.approve(db, actor=coordinators[0], item=item, revision=1, delegation_id=delegations[1].id)

    assert db.scalar(select(PressApproval)) is None


def test_a_delegation_of_another_event_is_not_found(db):
    _, _, coordinators, _, item = statement(db)
    elsewhere = DelegationFactory()

    with pytest.raises(NotFound):
        service.approve(db, actor=coordinators[0], item=item, revision=1, delegation_id=elsewhere.id)


@pytest.mark.parametrize("who", ["press_officer", "organiser", "other_coordinator", "user"])
def test_only_the_events_coordinators_approve(db, who):
    event, _, _, officer, item = statement(db)
    actor = {
        "press_officer": lambda: officer,
        "organiser": lambda: organiser(event),
        "other_coordinator": lambda: coordinator(DelegationFactory()),
        "user": UserFactory,
    }[who]()

    with pytest.raises(Forbidden):
        service.approve(db, actor=actor, item=item, revision=1)


def test_one_who_may_approve_for_several_delegations_chooses_one(db):
    _, delegations, _, _, item = statement(db)
    admin = AdminFactory()

    with pytest.raises(FieldError) as refused:
        service.approve(db, actor=admin, item=item, revision=1)
    approval = service.approve(db, actor=admin, item=item, revision=1, delegation_id=delegations[1].id)

    assert refused.value.field == "delegation_id"
    assert approval.delegation_id == delegations[1].id


def test_a_press_release_takes_no_approval(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    item = service.create(db, actor=press_officer(event), event=event, kind=PressKind.RELEASE, language="en", title="T", body="B")

    with pytest.raises(Conflict):
        service.approve(db, actor=coordinator(delegation), item=item, revision=1)


# --- publish, withdraw, delete --------------------------------------------------------------------


def test_a_joint_statement_is_published_only_once_both_sides_approved_the_same_revision(db):
    _, _, coordinators, officer, item = statement(db)
    service.approve(db, actor=coordinators[0], item=item, revision=1)

    with pytest.raises(service.NotApproved) as refused:
        service.publish(db, actor=officer, item=item)
    assert "Azerbaijan" in refused.value.message and "Armenia" not in refused.value.message
    assert item.status == PressStatus.DRAFT

    service.edit(db, actor=officer, item=item, language="en", body="A change after the first approval.")
    service.approve(db, actor=coordinators[1], item=item, revision=2)
    with pytest.raises(service.NotApproved) as again:
        service.publish(db, actor=officer, item=item)
    assert "Armenia" in again.value.message  # its approval of revision 1 was withdrawn

    service.approve(db, actor=coordinators[0], item=item, revision=2)
    service.publish(db, actor=officer, item=item)

    assert item.status == PressStatus.PUBLISHED
    assert (item.published_by_id, item.published_at is not None) == (officer.id, True)
    assert audits(db, "press.publish")[0].details == {"revision": 2}


def test_a_joint_statement_of_an_event_without_delegations_is_not_published(db):
    event = EventFactory()
    officer = press_officer(event)
    item = service.create(db, actor=officer, event=event, kind=PressKind.JOINT_STATEMENT, language="en", title="T", body="B")

    with pytest.raises(service.NotApproved):
        service.publish(db, actor=officer, item=item)


def test_a_press_release_is_published_by_a_press_officer_directly(db):
    event = EventFactory()
    officer = press_officer(event)
    item = service.create(db, actor=officer, event=event, kind=PressKind.RELEASE, language="en", title="T", body="B")

    service.publish(db, actor=officer, item=item)

    assert item.status == PressStatus.PUBLISHED


def test_publishing_is_refused_to_coordinators(db):
    _, _, coordinators, _, item = statement(db)
    for coord in coordinators:
        service.approve(db, actor=coord, item=item, revision=1)

    with pytest.raises(Forbidden):
        service.publish(db, actor=coordinators[0], item=item)


def test_a_published_item_is_immutable_until_withdrawn(db):
    _, _, coordinators, officer, item = statement(db)
    for coord in coordinators:
        service.approve(db, actor=coord, item=item, revision=1)
    service.publish(db, actor=officer, item=item)

    with pytest.raises(Conflict):
        service.edit(db, actor=officer, item=item, language="en", body="A quiet change.")
    with pytest.raises(Conflict):
        service.approve(db, actor=coordinators[0], item=item, revision=1)
    with pytest.raises(Conflict):
        service.delete(db, actor=officer, item=item)
    assert (item.revision, len(item.versions)) == (1, 1)

    service.withdraw(db, actor=officer, item=item)
    assert item.status == PressStatus.WITHDRAWN
    service.edit(db, actor=officer, item=item, language="en", body="Corrected.")

    assert (item.status, item.revision) == (PressStatus.DRAFT, 2)
    assert service.current_approvals(item) == []
    with pytest.raises(Conflict):
        service.delete(db, actor=officer, item=item)  # it was published once: it stays on record


def test_a_withdrawn_item_without_changes_can_be_published_again(db):
    _, _, coordinators, officer, item = statement(db)
    for coord in coordinators:
        service.approve(db, actor=coord, item=item, revision=1)
    service.publish(db, actor=officer, item=item)
    service.withdraw(db, actor=officer, item=item)

    service.publish(db, actor=officer, item=item)

    assert item.status == PressStatus.PUBLISHED


def test_only_a_published_item_is_withdrawn(db):
    _, _, _, officer, item = statement(db)

    with pytest.raises(Conflict):
        service.withdraw(db, actor=officer, item=item)


def test_a_draft_is_deleted_with_its_versions(db):
    _, _, coordinators, officer, item = statement(db)
    service.approve(db, actor=coordinators[0], item=item, revision=1)
    item_id = item.id

    service.delete(db, actor=officer, item=item)

    assert db.get(PressItem, item_id) is None
    assert db.scalar(select(PressApproval)) is None
    assert audits(db, "press.delete")[0].object_id == item_id


def test_writes_on_an_archived_event_are_refused(db):
    event = EventFactory(status=EventStatus.ARCHIVED)

    with pytest.raises(Forbidden):
        service.create(db, actor=press_officer(event), event=event, kind=PressKind.RELEASE, language="en", title="T", body="B")


# --- reading --------------------------------------------------------------------------------------


def published(event, title, when, **kwargs):
    item = PressItemFactory(event=event, status=PressStatus.PUBLISHED, published_at=when, **kwargs)
    PressVersionFactory(item=item, title=title)
    return item


def test_the_public_sees_published_items_only(db):
    event = EventFactory()
    draft = PressItemFactory(event=event)
    PressVersionFactory(item=draft, title="Draft")
    published(event, "Older", datetime(2026, 2, 13, 12, tzinfo=UTC))
    published(event, "Newer", datetime(2026, 2, 14, 12, tzinfo=UTC))
    PressItemFactory(event=event, status=PressStatus.WITHDRAWN)

    public = service.list_for_event(db, viewer=None, event=event)
    staff = service.list_for_event(db, viewer=coordinator(DelegationFactory(event=event)), event=event)

    assert [service.headline(i).title for i in public.items] == ["Newer", "Older"]
    assert staff.total == 4
    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=UserFactory(), event=event, press_id=draft.id)
    assert service.get_for_viewer(db, viewer=press_officer(event), event=event, press_id=draft.id) is draft


def test_the_board_filters_by_status_and_kind(db):
    event = EventFactory()
    PressItemFactory(event=event)
    PressItemFactory(event=event, kind=PressKind.JOINT_STATEMENT)
    published(event, "Out", datetime(2026, 2, 14, tzinfo=UTC))

    officer = press_officer(event)
    drafts = service.list_for_event(db, viewer=officer, event=event, filters=service.PressFilter(status=PressStatus.DRAFT))
    joint = service.list_for_event(db, viewer=officer, event=event, filters=service.PressFilter(kind=PressKind.JOINT_STATEMENT))

    assert (drafts.total, joint.total) == (2, 1)


def test_an_item_of_another_event_is_not_found(db):
    event = EventFactory()
    other = published(EventFactory(), "Elsewhere", datetime(2026, 2, 14, tzinfo=UTC))

    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=organiser(event), event=event, press_id=other.id)


# --- media coverage -------------------------------------------------------------------------------

COVERAGE = {
    "outlet": "Armenpress", "url": "https://armenpress.am/article/1", "title": "Peace Bridge roundtable",
    "published_on": date(2026, 2, 14), "language": "hy", "country": "AM",
}


def test_coverage_is_logged_changed_and_deleted_with_audits(db):
    event = EventFactory()
    officer = press_officer(event)

    coverage = service.create_coverage(db, actor=officer, event=event, fields=COVERAGE)
    service.update_coverage(db, actor=officer, coverage=coverage, fields={**COVERAGE, "title": "Roundtable ends"})
    coverage_id = coverage.id
    service.delete_coverage(db, actor=officer, coverage=coverage)

    assert db.get(MediaCoverage, coverage_id) is None
    assert audits(db, "coverage.update")[0].details == {"fields": ["title"]}
    assert [len(audits(db, a)) for a in ("coverage.create", "coverage.delete")] == [1, 1]


def test_coverage_is_refused_to_coordinators_to_write_and_to_outsiders_to_read(db):
    event = EventFactory()
    coord = coordinator(DelegationFactory(event=event))

    with pytest.raises(Forbidden):
        service.create_coverage(db, actor=coord, event=event, fields=COVERAGE)
    with pytest.raises(Forbidden):
        service.list_coverage(db, viewer=UserFactory(), event=event)
    assert service.list_coverage(db, viewer=coord, event=event).total == 0


def test_coverage_counts_by_language_country_and_outlet_with_filters(db):
    event = EventFactory()
    MediaCoverageFactory(event=event, outlet="Armenpress", language="hy", country="AM")
    MediaCoverageFactory(event=event, outlet="Armenpress", language="en", country="AM")
    MediaCoverageFactory(event=event, outlet="APA", language="az", country="AZ", title="Roundtable in Tsaghkadzor")
    MediaCoverageFactory(outlet="Elsewhere")
    officer = press_officer(event)

    counts = service.coverage_counts(db, viewer=officer, event=event)
    filtered = service.coverage_counts(db, viewer=officer, event=event, filters=service.CoverageFilter(country="AM"))
    searched = service.list_coverage(db, viewer=officer, event=event, filters=service.CoverageFilter(q="tsaghkadzor"))

    assert counts.total == 3
    assert counts.by_outlet == [("Armenpress", 2), ("APA", 1)]
    assert counts.by_country == [("AM", 2), ("AZ", 1)]
    assert dict(counts.by_language) == {"hy": 1, "en": 1, "az": 1}
    assert (filtered.total, filtered.by_outlet) == (2, [("Armenpress", 2)])
    assert [c.outlet for c in searched.items] == ["APA"]


def test_coverage_for_event_is_in_the_order_it_appeared(db):
    event = EventFactory()
    MediaCoverageFactory(event=event, title="Second", published_on=date(2026, 2, 15))
    MediaCoverageFactory(event=event, title="First", published_on=date(2026, 2, 13))

    assert [c.title for c in service.coverage_for_event(db, event=event)] == ["First", "Second"]


def test_an_item_changed_by_another_request_since_it_was_read_is_refused(db):
    _, _, coordinators, _, item = statement(db)
    db.execute(
        update(PressItem).where(PressItem.id == item.id).values(revision=2)
        .execution_options(synchronize_session=False)
    )

    with pytest.raises(Conflict, match="has just been changed by someone else"):
        service.approve(db, actor=coordinators[0], item=item, revision=1)

    assert db.scalar(select(PressApproval)) is None
