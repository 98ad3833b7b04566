from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.events.models import EventStatus
from app.initiatives.models import InitiativeStatus
from app.recommendations import service
from app.recommendations.models import (
    ProgressUpdate,
    Recommendation,
    RecommendationArea,
    RecommendationStatus,
)
from app.recommendations.schemas import RecommendationFilter
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    InitiativeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    RoadmapPhaseFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)

S = RecommendationStatus
ALLOWED = {
    (S.PROPOSED, S.AGREED),
    (S.PROPOSED, S.DROPPED),
    (S.AGREED, S.IN_PROGRESS),
    (S.AGREED, S.DROPPED),
    (S.IN_PROGRESS, S.DONE),
    (S.IN_PROGRESS, S.DROPPED),
    (S.DROPPED, S.PROPOSED),
}


def fields(**overrides):
    return {
        "title": "Open a joint working group on transport corridors",
        "description": "Meet *quarterly*.",
        "area": RecommendationArea.INFRASTRUCTURE,
        "owners": ["AM", "AZ"],
        "target_on": date(2026, 6, 30),
        **overrides,
    }


def event_with_sides(**kwargs):
    event = EventFactory(**kwargs)
    DelegationFactory(event=event, country="AM")
    DelegationFactory(event=event, country="AZ")
    return event


def actions(db):
    return [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]


# --- the status workflow -------------------------------------------------------------------------


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("new", list(S))
def test_status_workflow_allows_exactly_the_documented_moves(current, new):
    if current == new or (current, new) in ALLOWED:
        service.check_transition(current, new)
    else:
        with pytest.raises(FieldError) as refused:
            service.check_transition(current, new)
        assert refused.value.field == "status"


def test_status_refusals_say_why():
    messages = {}
    for current, new in [(S.DONE, S.DROPPED), (S.DROPPED, S.AGREED), (S.PROPOSED, S.DONE)]:
        with pytest.raises(FieldError) as refused:
            service.check_transition(current, new)
        messages[current] = refused.value.message

    assert messages[S.DONE] == "This recommendation is done: its status cannot change any more."
    assert messages[S.DROPPED] == "A dropped recommendation can only be reopened as proposed."
    assert messages[S.PROPOSED] == (
        "A recommendation cannot go from “Proposed” to “Done”; from “Proposed” it can move to "
        "“Agreed” or “Dropped”."
    )


# --- create --------------------------------------------------------------------------------------


def test_organiser_creates_a_recommendation_of_their_event_and_it_is_audited(db):
    event = event_with_sides()
    session = AgendaSessionFactory(event=event)
    phase = RoadmapPhaseFactory(initiative=event.initiative)
    actor = organiser(event)

    made = service.create(
        db,
        actor=actor,
        initiative=event.initiative,
        fields=fields(event_id=event.id, session_id=session.id, phase_id=phase.id),
    )

    assert (made.initiative_id, made.event_id, made.session_id, made.phase_id) == (
        event.initiative_id, event.id, session.id, phase.id
    )
    assert (made.status, made.owners, made.target_on) == (S.PROPOSED, ["AM", "AZ"], date(2026, 6, 30))
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "recommendation.create"))
    assert (entry.object_id, entry.event_id, entry.actor_id) == (made.id, event.id, actor.id)


def test_a_new_recommendation_may_be_recorded_as_agreed_but_not_further(db):
    event = event_with_sides()
    actor = organiser(event)

    agreed = service.create(db, actor=actor, initiative=event.initiative, fields=fields(event_id=event.id, status=S.AGREED))
    with pytest.raises(FieldError) as refused:
        service.create(db, actor=actor, initiative=event.initiative, fields=fields(event_id=event.id, status=S.DONE))

    assert agreed.status == S.AGREED
    assert refused.value.field == "status"


def test_the_initiative_as_a_whole_is_the_administrators(db):
    event = event_with_sides()

    with pytest.raises(Forbidden):
        service.create(db, actor=organiser(event), initiative=event.initiative, fields=fields())
    made = service.create(db, actor=AdminFactory(), initiative=event.initiative, fields=fields(owners=["FR", "de"]))

    assert (made.event_id, made.owners) == (None, ["FR", "de"])


@pytest.mark.parametrize("who", ["press_officer", "coordinator", "other_organiser", "user"])
def test_create_is_refused_to_whoever_does_not_organise_the_event(db, who):
    event = event_with_sides()
    actor = {
        "press_officer": lambda: press_officer(event),
        "coordinator": lambda: coordinator(DelegationFactory(event=event, country="AZ")),
        "other_organiser": lambda: organiser(EventFactory(initiative=event.initiative)),
        "user": UserFactory,
    }[who]()

    with pytest.raises(Forbidden):
        service.create(db, actor=actor, initiative=event.initiative, fields=fields(event_id=event.id))

    assert db.scalar(select(Recommendation)) is None


def test_an_event_of_another_initiative_is_refused(db):
    event = event_with_sides()
    elsewhere = EventFactory()

    with pytest.raises(FieldError) as refused:
        service.create(db, actor=AdminFactory(), initiative=event.initiative, fields=fields(event_id=elsewhere.id))

    assert refused.value.field == "event_id"


def test_a_session_must_be_of_the_source_event(db):
    event = event_with_sides()
    other = AgendaSessionFactory(event=EventFactory(initiative=event.initiative))
    admin = AdminFactory()

    with pytest.raises(FieldError) as of_another_event:
        service.create(db, actor=admin, initiative=event.initiative, fields=fields(event_id=event.id, session_id=other.id))
    with pytest.raises(FieldError) as without_event:
        service.create(db, actor=admin, initiative=event.initiative, fields=fields(session_id=other.id, owners=[]))

    assert of_another_event.value.message == "Choose a session of the source event."
    assert without_event.value.field == "session_id"


def test_a_phase_must_be_of_the_initiative(db):
    event = event_with_sides()
    other_phase = RoadmapPhaseFactory()

    with pytest.raises(FieldError) as refused:
        service.create(
            db, actor=organiser(event), initiative=event.initiative, fields=fields(event_id=event.id, phase_id=other_phase.id)
        )

    assert refused.value.field == "phase_id"


def test_owners_of_an_event_recommendation_are_its_delegations_countries(db):
    event = event_with_sides()
    actor = organiser(event)

    with pytest.raises(FieldError) as refused:
        service.create(db, actor=actor, initiative=event.initiative, fields=fields(event_id=event.id, owners=["AM", "GE"]))
    one_side = service.create(db, actor=actor, initiative=event.initiative, fields=fields(event_id=event.id, owners=["AZ"]))

    assert refused.value.field == "owners"
    assert refused.value.message == (
        "Each owning side must be the country of one of the event's delegations (AM, AZ); “GE” is not."
    )
    assert one_side.owners == ["AZ"]


def test_nothing_changes_in_an_archived_initiative(db):
    event = event_with_sides()
    event.initiative.status = InitiativeStatus.ARCHIVED
    recommendation = RecommendationFactory(event=event)

    with pytest.raises(Conflict):
        service.create(db, actor=AdminFactory(), initiative=event.initiative, fields=fields(event_id=event.id))
    with pytest.raises(Conflict):
        service.update(db, actor=AdminFactory(), recommendation=recommendation, fields={"title": "New"})


def test_an_organiser_of_an_archived_event_keeps_its_recommendations_going(db):
    event = event_with_sides(status=EventStatus.ARCHIVED)
    recommendation = RecommendationFactory(event=event, status=S.AGREED)
    actor = organiser(event)

    service.add_update(db, actor=actor, recommendation=recommendation, text="Started.", status=S.IN_PROGRESS)
    with pytest.raises(Forbidden):
        service.create(db, actor=actor, initiative=event.initiative, fields=fields(event_id=event.id))

    assert recommendation.status == S.IN_PROGRESS


# --- update and delete ---------------------------------------------------------------------------


def test_update_changes_the_given_fields_and_audits_the_status_move(db):
    event = event_with_sides()
    recommendation = RecommendationFactory(event=event)
    actor = organiser(event)

    service.update(db, actor=actor, recommendation=recommendation, fields={"status": S.AGREED, "title": "Agreed title"})

    assert (recommendation.status, recommendation.title) == (S.AGREED, "Agreed title")
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "recommendation.update"))
    assert entry.details == {
        "initiative_id": event.initiative_id,
        "fields": ["status", "title"],
        "status_from": "proposed",
        "status_to": "agreed",
    }


def test_update_refuses_a_move_the_workflow_does_not_allow_and_changes_nothing(db):
    recommendation = RecommendationFactory(status=S.DONE)

    with pytest.raises(FieldError) as refused:
        service.update(db, actor=AdminFactory(), recommendation=recommendation, fields={"status": S.AGREED, "title": "X"})

    assert refused.value.field == "status"
    assert (recommendation.status, recommendation.title) != (S.AGREED, "X")
    assert "recommendation.update" not in actions(db)


def test_update_without_changes_writes_nothing(db):
    recommendation = RecommendationFactory()

    service.update(db, actor=AdminFactory(), recommendation=recommendation, fields={"title": recommendation.title})

    assert actions(db) == []


def test_moving_to_another_event_drops_its_session_and_checks_its_owners(db):
    event = event_with_sides()
    other = EventFactory(initiative=event.initiative)
    DelegationFactory(event=other, country="AM")
    recommendation = RecommendationFactory(event=event, session=AgendaSessionFactory(event=event), owners=["AM"])

    service.update(db, actor=AdminFactory(), recommendation=recommendation, fields={"event_id": other.id})
    with pytest.raises(FieldError) as refused:
        service.update(db, actor=AdminFactory(), recommendation=recommendation, fields={"owners": ["AZ"]})

    assert (recommendation.event_id, recommendation.session) == (other.id, None)
    assert refused.value.field == "owners"


def test_an_organiser_cannot_move_a_recommendation_to_an_event_they_do_not_organise(db):
    event = event_with_sides()
    other = EventFactory(initiative=event.initiative)
    recommendation = RecommendationFactory(event=event, owners=[])
    actor = organiser(event)

    with pytest.raises(Forbidden):
        service.update(db, actor=actor, recommendation=recommendation, fields={"event_id": other.id})
    with pytest.raises(Forbidden):
        service.update(db, actor=actor, recommendation=recommendation, fields={"event_id": None})

    assert recommendation.event_id == event.id


@pytest.mark.parametrize("who", ["press_officer", "coordinator", "other_organiser"])
def test_update_and_delete_are_refused_to_those_who_do_not_organise_its_event(db, who):
    event = event_with_sides()
    recommendation = RecommendationFactory(event=event)
    actor = {
        "press_officer": lambda: press_officer(event),
        "coordinator": lambda: coordinator(DelegationFactory(event=event, country="GE")),
        "other_organiser": lambda: organiser(EventFactory(initiative=event.initiative)),
    }[who]()

    with pytest.raises(Forbidden):
        service.update(db, actor=actor, recommendation=recommendation, fields={"title": "Changed"})
    with pytest.raises(Forbidden):
        service.delete(db, actor=actor, recommendation=recommendation)
    with pytest.raises(Forbidden):
        service.add_update(db, actor=actor, recommendation=recommendation, text="x")


def test_delete_removes_it_with_its_updates(db):
    recommendation = RecommendationFactory()
    ProgressUpdateFactory(recommendation=recommendation)
    recommendation_id = recommendation.id

    service.delete(db, actor=organiser(recommendation.event), recommendation=recommendation)

    assert db.get(Recommendation, recommendation_id) is None
    assert db.scalar(select(ProgressUpdate)) is None
    assert "recommendation.delete" in actions(db)


# --- progress updates ----------------------------------------------------------------------------


def test_a_progress_update_may_move_the_status(db):
    recommendation = RecommendationFactory(status=S.AGREED)
    actor = organiser(recommendation.event)

    update = service.add_update(
        db, actor=actor, recommendation=recommendation, text="Work began.", reported_on=date(2026, 3, 1),
        status=S.IN_PROGRESS,
    )
    plain = service.add_update(db, actor=actor, recommendation=recommendation, text="Still going.", status=S.IN_PROGRESS)

    assert (update.status, update.reported_on, update.author_id) == (S.IN_PROGRESS, date(2026, 3, 1), actor.id)
    assert recommendation.status == S.IN_PROGRESS
    assert plain.status is None and plain.reported_on <= service.latest_today()
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "progress_update.create")).first()
    assert entry.details == {"recommendation_id": recommendation.id, "status_from": "agreed", "status_to": "in_progress"}
    assert entry.event_id == recommendation.event_id


def test_a_progress_update_follows_the_workflow_and_is_never_in_the_future(db):
    recommendation = RecommendationFactory(status=S.PROPOSED)
    actor = organiser(recommendation.event)

    with pytest.raises(FieldError) as wrong_move:
        service.add_update(db, actor=actor, recommendation=recommendation, text="Done!", status=S.DONE)
    with pytest.raises(FieldError) as future:
        service.add_update(
            db, actor=actor, recommendation=recommendation, text="Soon.", reported_on=service.latest_today() + timedelta(days=1)
        )

    assert wrong_move.value.field == "status"
    assert future.value.field == "reported_on"
    assert future.value.message == "The date of an update cannot be in the future."
    assert recommendation.status == S.PROPOSED
    assert db.scalar(select(ProgressUpdate)) is None


def test_deleting_an_update_keeps_the_status(db):
    recommendation = RecommendationFactory(status=S.AGREED)
    actor = organiser(recommendation.event)
    update = service.add_update(db, actor=actor, recommendation=recommendation, text="Agreed.", status=S.IN_PROGRESS)

    service.delete_update(db, actor=actor, recommendation=recommendation, update=update)

    assert recommendation.status == S.IN_PROGRESS
    assert db.scalar(select(ProgressUpdate)) is None
    assert actions(db)[-1] == "progress_update.delete"


def test_an_update_of_another_recommendation_is_not_found(db):
    recommendation = RecommendationFactory()
    other = ProgressUpdateFactory()

    with pytest.raises(NotFound):
        service.get_update(recommendation, other.id)
    with pytest.raises(NotFound):
        service.delete_update(db, actor=AdminFactory(), recommendation=recommendation, update=other)


# --- reading -------------------------------------------------------------------------------------


def titles(listing):
    return [r.title for r in listing.page.items]


def test_the_public_sees_only_what_the_sides_agreed_to(db):
    initiative = InitiativeFactory()
    event = EventFactory(initiative=initiative)
    for status in S:
        RecommendationFactory(event=event, title=status.value, status=status)

    public = service.list_recommendations(db, viewer=None, filters=RecommendationFilter(), initiative=initiative)
    signed_in = service.list_recommendations(db, viewer=UserFactory(), filters=RecommendationFilter(), initiative=initiative)

    assert sorted(titles(public)) == ["agreed", "done", "in_progress"]
    assert sorted(titles(signed_in)) == ["agreed", "done", "in_progress"]
    assert public.counts == {S.AGREED: 1, S.IN_PROGRESS: 1, S.DONE: 1}


def test_staff_and_coordinators_of_the_source_event_see_all_of_it_others_only_the_agreed(db):
    initiative = InitiativeFactory()
    event = EventFactory(initiative=initiative)
    other_event = EventFactory(initiative=initiative)
    RecommendationFactory(event=event, title="ours proposed")
    RecommendationFactory(event=other_event, title="theirs proposed")
    RecommendationFactory(event=other_event, title="theirs agreed", status=S.AGREED)
    RecommendationFactory(event=None, initiative=initiative, title="whole proposed")
    viewers = {
        "organiser": organiser(event),
        "press_officer": press_officer(event),
        "coordinator": coordinator(DelegationFactory(event=event)),
    }

    seen = {
        name: sorted(titles(service.list_recommendations(db, viewer=v, filters=RecommendationFilter(), initiative=initiative)))
        for name, v in viewers.items()
    }
    admin = service.list_recommendations(db, viewer=AdminFactory(), filters=RecommendationFilter(), initiative=initiative)

    assert set(map(tuple, seen.values())) == {("ours proposed", "theirs agreed")}
    assert admin.page.total == 4


def test_an_archived_initiative_shows_nothing_to_anyone_but_administrators(db):
    initiative = InitiativeFactory(status=InitiativeStatus.ARCHIVED)
    event = EventFactory(initiative=initiative)
    recommendation = RecommendationFactory(event=event, status=S.AGREED)

    listed = service.list_recommendations(db, viewer=organiser(event), filters=RecommendationFilter())
    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=organiser(event), recommendation_id=recommendation.id)

    assert listed.page.items == []
    assert service.get_for_viewer(db, viewer=AdminFactory(), recommendation_id=recommendation.id) == recommendation


def test_filters_narrow_the_list_and_the_counts_ignore_only_the_status_filter(db):
    initiative = InitiativeFactory()
    event = EventFactory(initiative=initiative)
    phase = RoadmapPhaseFactory(initiative=initiative)
    RecommendationFactory(event=event, title="Rail link", area=RecommendationArea.INFRASTRUCTURE, owners=["AM"],
                          phase=phase, status=S.AGREED)
    RecommendationFactory(event=event, title="Rail timetable", area=RecommendationArea.INFRASTRUCTURE,
                          owners=["AZ"], status=S.DONE)
    RecommendationFactory(event=event, title="Gas", area=RecommendationArea.ENERGY, owners=["AM", "AZ"], status=S.AGREED)
    RecommendationFactory(initiative=initiative, event=None, title="Family reunions", area=RecommendationArea.HUMANITARIAN,
                          owners=["AZ"], status=S.AGREED)
    admin = AdminFactory()

    def found(**filters):
        listing = service.list_recommendations(
            db, viewer=admin, filters=RecommendationFilter(**filters), initiative=initiative
        )
        return sorted(titles(listing)), listing

    assert found(area="infrastructure_transport")[0] == ["Rail link", "Rail timetable"]
    assert found(owner="AM")[0] == ["Gas", "Rail link"]
    assert found(owner="az", status="agreed")[0] == ["Family reunions", "Gas"]
    assert found(phase_id=phase.id)[0] == ["Rail link"]
    assert found(event_id=event.id)[0] == ["Gas", "Rail link", "Rail timetable"]
    assert found(q="rail")[0] == ["Rail link", "Rail timetable"]
    assert found(q="%")[0] == []
    _, listing = found(q="rail", status="done")
    assert (listing.page.total, listing.counts) == (1, {S.AGREED: 1, S.DONE: 1})


def test_the_list_is_paginated_in_sql_by_target_date_undated_last(db):
    initiative = InitiativeFactory()
    event = EventFactory(initiative=initiative)
    for day, title in [(None, "undated"), (date(2026, 5, 1), "may"), (date(2026, 3, 1), "march")]:
        RecommendationFactory(event=event, title=title, target_on=day, status=S.AGREED)

    first = service.list_recommendations(db, viewer=None, filters=RecommendationFilter(), initiative=initiative, per_page=2)
    second = service.list_recommendations(
        db, viewer=None, filters=RecommendationFilter(), initiative=initiative, page=2, per_page=2
    )

    assert (titles(first), titles(second)) == (["march", "may"], ["undated"])
    assert (first.page.total, first.page.pages) == (3, 2)


def test_get_under_another_initiative_is_not_found(db):
    recommendation = RecommendationFactory(status=S.AGREED)

    with pytest.raises(NotFound):
        service.get_for_viewer(db, viewer=None, recommendation_id=recommendation.id, initiative_id=InitiativeFactory().id)
    assert service.get_for_viewer(
        db, viewer=None, recommendation_id=recommendation.id, initiative_id=recommendation.initiative_id
    ) == recommendation


def test_agreed_for_event_orders_by_area_then_title_with_phases_in_one_query(db, count_queries):
    event = EventFactory()
    phase = RoadmapPhaseFactory(initiative=event.initiative, name="Dialogue")
    RecommendationFactory(event=event, title="Zebra crossing", area=RecommendationArea.INFRASTRUCTURE, status=S.DONE)
    RecommendationFactory(event=event, title="Apple trade", area=RecommendationArea.ECONOMIC, status=S.IN_PROGRESS,
                          phase=phase)
    RecommendationFactory(event=event, title="Bridge", area=RecommendationArea.INFRASTRUCTURE, status=S.AGREED)
    RecommendationFactory(event=event, title="Proposed only", status=S.PROPOSED)
    RecommendationFactory(event=event, title="Dropped", status=S.DROPPED)
    RecommendationFactory(title="Another event's", status=S.AGREED)
    db.flush()
    db.expire_all()
    db.refresh(event)

    with count_queries() as count:
        found = service.agreed_for_event(db, event=event)
        phases = [r.phase.name if r.phase else None for r in found]

    assert [r.title for r in found] == ["Apple trade", "Bridge", "Zebra crossing"]
    assert phases == ["Dialogue", None, None]
    assert count() == 1
