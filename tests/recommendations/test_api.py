from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.initiatives.models import InitiativeStatus
from app.recommendations import service
from app.recommendations.models import ProgressUpdate, Recommendation, RecommendationStatus
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
from tests.support import settle

S = RecommendationStatus
BASE = "/api/v1/recommendations"


def error_fields(r) -> set[str]:
    return {str(e["loc"][-1]) for e in r.json()["detail"]}


def event_with_sides(**kwargs):
    event = EventFactory(**kwargs)
    DelegationFactory(event=event, country="AM")
    DelegationFactory(event=event, country="AZ")
    return event


def payload(event, **overrides):
    return {
        "initiative_id": event.initiative_id,
        "event_id": event.id,
        "title": "Open a joint working group on transport corridors",
        "area": "infrastructure_transport",
        "owners": ["am", "AZ"],
        "target_on": "2026-06-30",
        **overrides,
    }


def test_create_read_update_add_updates_and_delete(api, db):
    event = event_with_sides()
    session = AgendaSessionFactory(event=event)
    phase = RoadmapPhaseFactory(initiative=event.initiative)
    client = api(organiser(event))
    settle(db)

    created = client.post(BASE, json=payload(event, session_id=session.id, phase_id=phase.id))
    one = f"{BASE}/{created.json()['id']}"
    patched = client.patch(one, json={"status": "agreed", "description": "Meet quarterly."})
    update = client.post(f"{one}/updates", json={"text": "Work began.", "status": "in_progress", "reported_on": "2026-03-01"})
    read = client.get(one)
    dropped_update = client.delete(f"{one}/updates/{update.json()['id']}")
    after = client.get(one)
    deleted = client.delete(one)

    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("event_id", "session_id", "phase_id", "owners", "status", "updates")} == {
        "event_id": event.id, "session_id": session.id, "phase_id": phase.id, "owners": ["AM", "AZ"],
        "status": "proposed", "updates": [],
    }
    assert (patched.json()["status"], patched.json()["description"]) == ("agreed", "Meet quarterly.")
    assert update.status_code == 201
    assert (update.json()["status"], update.json()["reported_on"]) == ("in_progress", "2026-03-01")
    assert read.json()["status"] == "in_progress"
    assert [u["text"] for u in read.json()["updates"]] == ["Work began."]
    assert dropped_update.status_code == 204
    assert (after.json()["updates"], after.json()["status"]) == ([], "in_progress")
    assert deleted.status_code == 204
    assert client.get(one).status_code == 404


def test_list_filters_and_pages(api, db):
    initiative = InitiativeFactory()
    event = EventFactory(initiative=initiative)
    phase = RoadmapPhaseFactory(initiative=initiative)
    RecommendationFactory(event=event, title="Rail", status=S.AGREED, owners=["AM"], phase=phase)
    RecommendationFactory(event=event, title="Gas", status=S.DONE, owners=["AZ"], area="energy")
    RecommendationFactory(title="Elsewhere", status=S.AGREED)
    client = api(AdminFactory())
    settle(db)

    mine = client.get(BASE, params={"initiative_id": initiative.id})
    by_owner = client.get(BASE, params={"initiative_id": initiative.id, "owner": "az"})
    by_phase = client.get(BASE, params={"phase_id": phase.id})
    by_area = client.get(BASE, params={"initiative_id": initiative.id, "area": "energy", "status": "done"})
    searched = client.get(BASE, params={"q": "rai", "event_id": event.id, "per_page": 1})
    bad_owner = client.get(BASE, params={"owner": "ZZ"})

    assert sorted(r["title"] for r in mine.json()["items"]) == ["Gas", "Rail"]
    assert [r["title"] for r in by_owner.json()["items"]] == ["Gas"]
    assert [r["title"] for r in by_phase.json()["items"]] == ["Rail"]
    assert [r["title"] for r in by_area.json()["items"]] == ["Gas"]
    assert (searched.json()["total"], searched.json()["per_page"]) == (1, 1)
    assert bad_owner.status_code == 422 and error_fields(bad_owner) == {"owner"}


def test_anonymous_callers_see_only_the_agreed_ones(client, db):
    event = EventFactory()
    for status in S:
        RecommendationFactory(event=event, title=status.value, status=status)
    hidden = RecommendationFactory(event=event, status=S.PROPOSED)
    archived = RecommendationFactory(
        event=EventFactory(initiative=InitiativeFactory(status=InitiativeStatus.ARCHIVED)), status=S.AGREED
    )
    settle(db)

    listed = client.get(BASE)

    assert sorted(r["title"] for r in listed.json()["items"]) == ["agreed", "done", "in_progress"]
    assert client.get(f"{BASE}/{hidden.id}").status_code == 404
    assert client.get(f"{BASE}/{archived.id}").status_code == 404


def test_status_moves_outside_the_workflow_are_422_on_status(api, db):
    recommendation = RecommendationFactory(status=S.DONE)
    client = api(organiser(recommendation.event))
    settle(db)

    patched = client.patch(f"{BASE}/{recommendation.id}", json={"status": "agreed"})
    via_update = client.post(f"{BASE}/{recommendation.id}/updates", json={"text": "Again", "status": "dropped"})

    assert patched.status_code == 422
    assert patched.json()["detail"] == [
        {"loc": ["body", "status"], "msg": "This recommendation is done: its status cannot change any more."}
    ]
    assert via_update.status_code == 422 and error_fields(via_update) == {"status"}


def test_create_refusals_and_field_errors(api, db):
    event = event_with_sides()
    other_initiative_phase = RoadmapPhaseFactory()
    other_session = AgendaSessionFactory()
    client = api(organiser(event))
    settle(db)

    whole = client.post(BASE, json=payload(event, event_id=None, owners=[]))
    wrong_side = client.post(BASE, json=payload(event, owners=["GE"]))
    wrong_phase = client.post(BASE, json=payload(event, phase_id=other_initiative_phase.id))
    wrong_session = client.post(BASE, json=payload(event, session_id=other_session.id))
    started = client.post(BASE, json=payload(event, status="in_progress"))
    not_a_country = client.post(BASE, json=payload(event, owners=["XX"]))
    no_such_initiative = client.post(BASE, json=payload(event, initiative_id=2_000_000_000))

    assert whole.status_code == 403
    assert error_fields(wrong_side) == {"owners"}
    assert error_fields(wrong_phase) == {"phase_id"}
    assert error_fields(wrong_session) == {"session_id"}
    assert error_fields(started) == {"status"}
    assert not_a_country.status_code == 422
    assert no_such_initiative.status_code == 404
    assert db.scalar(select(Recommendation)) is None


def test_administrators_create_for_the_initiative_as_a_whole(api, db):
    initiative = InitiativeFactory()
    client = api(AdminFactory())
    settle(db)

    r = client.post(BASE, json={"initiative_id": initiative.id, "title": "Family reunions", "area": "humanitarian",
                                "owners": ["AM", "AZ"], "status": "agreed"})

    assert r.status_code == 201
    assert (r.json()["event_id"], r.json()["status"]) == (None, "agreed")


@pytest.mark.parametrize("who", ["press_officer", "coordinator", "user"])
def test_create_is_refused_to_those_who_do_not_organise_the_event(api, db, who):
    event = event_with_sides()
    user = {
        "press_officer": lambda: press_officer(event),
        "coordinator": lambda: coordinator(DelegationFactory(event=event, country="GE")),
        "user": UserFactory,
    }[who]()
    client = api(user)
    settle(db)

    r = client.post(BASE, json=payload(event))

    assert r.status_code == 403
    assert db.scalar(select(Recommendation)) is None


def test_an_organiser_of_another_event_cannot_see_a_proposal_nor_change_an_agreed_one(api, db):
    event = event_with_sides()
    proposed = RecommendationFactory(event=event, status=S.PROPOSED)
    agreed = RecommendationFactory(event=event, status=S.AGREED)
    client = api(organiser(EventFactory(initiative=event.initiative)))
    settle(db)

    assert client.get(f"{BASE}/{proposed.id}").status_code == 404
    assert client.patch(f"{BASE}/{proposed.id}", json={"title": "Mine"}).status_code == 404
    assert client.get(f"{BASE}/{agreed.id}").status_code == 200
    assert client.patch(f"{BASE}/{agreed.id}", json={"title": "Mine"}).status_code == 403
    assert client.delete(f"{BASE}/{agreed.id}").status_code == 403
    assert client.post(f"{BASE}/{agreed.id}/updates", json={"text": "Mine"}).status_code == 403


def test_a_press_officer_sees_the_events_proposals_but_cannot_manage_them(api, db):
    recommendation = RecommendationFactory(status=S.PROPOSED)
    client = api(press_officer(recommendation.event))
    settle(db)

    assert client.get(f"{BASE}/{recommendation.id}").status_code == 200
    assert client.patch(f"{BASE}/{recommendation.id}", json={"status": "agreed"}).status_code == 403


def test_update_dates_are_never_in_the_future_and_default_to_today(api, db):
    recommendation = RecommendationFactory(status=S.AGREED)
    client = api(organiser(recommendation.event))
    settle(db)
    tomorrow = (service.latest_today() + timedelta(days=1)).isoformat()

    future = client.post(f"{BASE}/{recommendation.id}/updates", json={"text": "Soon", "reported_on": tomorrow})
    today = client.post(f"{BASE}/{recommendation.id}/updates", json={"text": "Now"})

    assert future.status_code == 422 and error_fields(future) == {"reported_on"}
    assert today.status_code == 201
    assert date.fromisoformat(today.json()["reported_on"]) <= service.latest_today()
    assert today.json()["status"] is None


def test_an_update_of_another_recommendation_is_not_found(api, db):
    recommendation = RecommendationFactory()
    other = ProgressUpdateFactory()
    client = api(AdminFactory())
    settle(db)

    r = client.delete(f"{BASE}/{recommendation.id}/updates/{other.id}")

    assert r.status_code == 404
    assert db.get(ProgressUpdate, other.id) is not None


def test_patch_rejects_nulls_where_a_value_is_needed_and_clears_where_allowed(api, db):
    recommendation = RecommendationFactory(target_on=date(2026, 5, 1), phase=RoadmapPhaseFactory())
    client = api(AdminFactory())
    settle(db)

    null_title = client.patch(f"{BASE}/{recommendation.id}", json={"title": None})
    cleared = client.patch(f"{BASE}/{recommendation.id}", json={"target_on": None, "phase_id": None})

    assert null_title.status_code == 422
    assert (cleared.json()["target_on"], cleared.json()["phase_id"]) == (None, None)
