from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.initiatives.models import InitiativeStatus
from app.recommendations import service
from app.recommendations.models import (
    ProgressUpdate,
    Recommendation,
    RecommendationArea,
    RecommendationStatus,
)
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    InitiativeFactory,
    MilestoneFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    RoadmapPhaseFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import read_in, settle

S = RecommendationStatus
FORM = {
    "title": "Open a joint working group on transport corridors",
    "description": "Meet **quarterly**.",
    "area": "infrastructure_transport",
    "status": "proposed",
    "target_on": "2026-06-30",
}


def event_with_sides(**kwargs):
    event = EventFactory(**kwargs)
    DelegationFactory(event=event, country="AM")
    DelegationFactory(event=event, country="AZ")
    return event


def url(recommendation, tail=""):
    return f"/initiatives/{recommendation.initiative_id}/recommendations/{recommendation.id}{tail}"


def reload(db, recommendation_id):
    db.expire_all()
    return db.get(Recommendation, recommendation_id)


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_the_agreed_recommendations_to_the_public(client, db):
    event = EventFactory()
    RecommendationFactory(event=event, title="Agreed rail link", status=S.AGREED, owners=["AM"],
                          target_on=date(2026, 6, 30))
    RecommendationFactory(event=event, title="Proposed only", status=S.PROPOSED)
    RecommendationFactory(event=event, title="Dropped one", status=S.DROPPED)
    settle(db)

    r = client.get(f"/initiatives/{event.initiative_id}/recommendations")

    assert r.status_code == 200
    assert r.text.count('class="recommendation"') == 1
    assert "Agreed rail link" in r.text and "Armenia" in r.text and "Jun 30, 2026" in r.text
    assert "Proposed only" not in r.text and "Dropped one" not in r.text
    assert f'href="/events/{event.id}"' in r.text
    assert "/recommendations/new" not in r.text


def test_list_counts_by_status_and_filters(client, login, db):
    event = event_with_sides()
    RecommendationFactory(event=event, title="Rail", status=S.AGREED, area=RecommendationArea.INFRASTRUCTURE)
    RecommendationFactory(event=event, title="Road", status=S.PROPOSED, area=RecommendationArea.INFRASTRUCTURE)
    RecommendationFactory(event=event, title="Gas", status=S.AGREED, area=RecommendationArea.ENERGY)
    login(organiser(event))
    settle(db)
    base = f"/initiatives/{event.initiative_id}/recommendations"

    everything = client.get(base)
    filtered = client.get(base, params={"area": "infrastructure_transport", "status": "agreed"})

    assert everything.text.count('class="recommendation"') == 3
    assert 'data-status="agreed">2<' in everything.text and 'data-status="proposed">1<' in everything.text
    assert f'href="{base}/new"' in everything.text
    assert filtered.text.count('class="recommendation"') == 1 and "Rail" in filtered.text
    assert 'data-status="proposed">1<' in filtered.text  # the counts ignore the status filter


def test_list_with_a_bad_filter_says_so(client, db):
    initiative = InitiativeFactory()
    settle(db)

    r = client.get(f"/initiatives/{initiative.id}/recommendations", params={"status": "finished", "owner": "ZZ"})

    assert r.status_code == 422
    assert "Choose one of the options." in r.text and "Choose a country from the list." in r.text


def test_list_without_recommendations_shows_the_empty_state(client, login, db):
    initiative = InitiativeFactory()
    login(AdminFactory())
    settle(db)

    r = client.get(f"/initiatives/{initiative.id}/recommendations")

    assert "This initiative has no recommendations yet." in r.text
    assert "Add the first recommendation" in r.text


def test_list_of_an_archived_initiative_is_not_found_but_for_administrators(client, login, db):
    initiative = InitiativeFactory(status=InitiativeStatus.ARCHIVED)
    settle(db)

    public = client.get(f"/initiatives/{initiative.id}/recommendations")
    login(AdminFactory())
    admin = client.get(f"/initiatives/{initiative.id}/recommendations")

    assert (public.status_code, admin.status_code) == (404, 200)
    assert "/recommendations/new" not in admin.text  # an archived initiative is read-only


@pytest.mark.parametrize("n", [1, 3])
def test_list_page_query_count_is_constant(client, login, db, count_queries, n):
    event = event_with_sides()
    phase = RoadmapPhaseFactory(initiative=event.initiative)
    for _ in range(n):
        RecommendationFactory(event=event, phase=phase, session=AgendaSessionFactory(event=event))
    login(organiser(event))
    target = f"/initiatives/{event.initiative_id}/recommendations"
    settle(db)

    with count_queries() as count:
        r = client.get(target)

    assert r.text.count('class="recommendation"') == n
    assert count() == 7


def test_event_page_links_to_its_recommendations(client, db):
    event = EventFactory()
    settle(db)

    r = client.get(f"/events/{event.id}")

    assert f'href="/initiatives/{event.initiative_id}/recommendations?event_id={event.id}"' in r.text


def test_initiative_page_links_to_the_recommendations_and_the_roadmap(client, db):
    initiative = InitiativeFactory()
    settle(db)

    r = client.get(f"/initiatives/{initiative.id}")

    assert f'href="/initiatives/{initiative.id}/recommendations"' in r.text
    assert f'href="/initiatives/{initiative.id}/roadmap"' in r.text


# --- create --------------------------------------------------------------------------------------


def test_new_form_offers_the_organisers_events_with_their_sessions_and_sides(client, login, db):
    event = event_with_sides(title="Tsaghkadzor roundtable")
    AgendaSessionFactory(event=event, title="Regional security")
    other = EventFactory(initiative=event.initiative, title="Another roundtable")
    AgendaSessionFactory(event=other, title="Not ours")
    login(organiser(event))
    settle(db)

    r = client.get(f"/initiatives/{event.initiative_id}/recommendations/new")

    assert r.status_code == 200
    assert "Tsaghkadzor roundtable" in r.text and "Regional security" in r.text
    assert "Another roundtable" not in r.text and "Not ours" not in r.text
    assert 'value="AM"' in r.text and 'value="AZ"' in r.text
    assert "None: the initiative as a whole" not in r.text
    assert f'<option value="{event.id}" selected>' in r.text  # their only event, chosen


def test_new_form_for_administrators_offers_the_initiative_as_a_whole(client, login, db):
    event = EventFactory()
    login(AdminFactory())
    settle(db)

    r = client.get(f"/initiatives/{event.initiative_id}/recommendations/new?event_id={event.id}")

    assert "None: the initiative as a whole" in r.text
    assert f'<option value="{event.id}" selected>' in r.text


def test_create_saves_and_redirects_to_the_recommendation(client, login, form, db):
    event = event_with_sides()
    session = AgendaSessionFactory(event=event)
    phase = RoadmapPhaseFactory(initiative=event.initiative)
    login(organiser(event))
    settle(db)
    data = {**FORM, "event_id": event.id, "session_id": session.id, "phase_id": phase.id, "owners": ["AM", "AZ"]}

    r = form(f"/initiatives/{event.initiative_id}/recommendations/new", data)

    made = db.scalar(select(Recommendation))
    assert r.status_code == 303
    assert r.headers["location"] == url(made)
    assert (made.event_id, made.session_id, made.phase_id, made.owners, made.status) == (
        event.id, session.id, phase.id, ["AM", "AZ"], S.PROPOSED
    )
    assert made.description == "Meet **quarterly**."


def test_create_with_typed_sides_and_no_event_is_the_administrators(client, login, form, db):
    initiative = InitiativeFactory()
    login(AdminFactory())
    settle(db)

    r = form(f"/initiatives/{initiative.id}/recommendations/new", {**FORM, "owners_other": "am, az"})

    assert r.status_code == 303
    assert db.scalar(select(Recommendation)).owners == ["AM", "AZ"]


def test_create_with_errors_rerenders_the_form_with_them(client, login, form, db):
    event = event_with_sides()
    login(organiser(event))
    settle(db)
    base = f"/initiatives/{event.initiative_id}/recommendations/new"

    missing = form(base, {**FORM, "title": "", "event_id": event.id})
    no_event = form(base, {**FORM})
    wrong_side = form(base, {**FORM, "event_id": event.id, "owners": ["GE"]})
    done = form(base, {**FORM, "event_id": event.id, "status": "done"})

    assert missing.status_code == 422 and "This field is required." in missing.text
    assert no_event.status_code == 422 and "Choose the event the recommendation comes from." in no_event.text
    assert wrong_side.status_code == 422 and "“GE” is not." in wrong_side.text
    assert done.status_code == 422 and "A new recommendation is proposed or agreed" in done.text
    assert 'value="Open a joint working group on transport corridors"' in wrong_side.text
    assert db.scalar(select(Recommendation)) is None


@pytest.mark.parametrize("who", ["press_officer", "coordinator", "other_organiser", "user"])
def test_new_is_refused_to_those_who_manage_no_event_of_the_initiative(client, login, form, db, who):
    event = event_with_sides()
    user = {
        "press_officer": lambda: press_officer(event),
        "coordinator": lambda: coordinator(DelegationFactory(event=event)),
        "other_organiser": lambda: organiser(EventFactory()),
        "user": UserFactory,
    }[who]()
    login(user)
    settle(db)
    base = f"/initiatives/{event.initiative_id}/recommendations/new"

    page = client.get(base)
    posted = form(base, {**FORM, "event_id": event.id})

    assert (page.status_code, posted.status_code) == (403, 403)
    assert db.scalar(select(Recommendation)) is None


# --- one recommendation --------------------------------------------------------------------------


def test_detail_shows_the_recommendation_and_its_updates_to_the_public(client, db):
    event = EventFactory(title="Tsaghkadzor roundtable")
    phase = RoadmapPhaseFactory(initiative=event.initiative, name="Dialogue and negotiation")
    session = AgendaSessionFactory(event=event, title="Regional security", is_published=True)
    recommendation = RecommendationFactory(
        event=event, session=session, phase=phase, status=S.IN_PROGRESS, description="Meet **quarterly**.",
        owners=["AM", "AZ"], target_on=date(2026, 9, 1),
    )
    ProgressUpdateFactory(recommendation=recommendation, text="Terms of *reference* drafted.",
                          reported_on=date(2026, 3, 1), status=S.IN_PROGRESS)
    settle(db)

    r = client.get(url(recommendation))

    assert r.status_code == 200
    assert "<strong>quarterly</strong>" in r.text and "<em>reference</em>" in r.text
    assert "Armenia, Azerbaijan" in r.text and "September 1, 2026" in r.text and "March 1, 2026" in r.text
    assert "Dialogue and negotiation" in r.text and "Tsaghkadzor roundtable" in r.text
    assert "Session: Regional security" in r.text
    assert "Add a progress update" not in r.text and "/edit" not in r.text


def test_detail_hides_an_unpublished_session_from_the_public(client, db):
    session = AgendaSessionFactory(title="Closed-door talks", is_published=False)
    recommendation = RecommendationFactory(event=session.event, session=session, status=S.AGREED)
    settle(db)

    assert "Closed-door talks" not in client.get(url(recommendation)).text


@pytest.mark.parametrize("status", [S.PROPOSED, S.DROPPED])
def test_a_recommendation_not_agreed_is_not_found_by_the_public_or_other_organisers(client, login, db, status):
    recommendation = RecommendationFactory(status=status)
    other_organiser = organiser(EventFactory(initiative=recommendation.initiative))
    settle(db)

    public = client.get(url(recommendation))
    login(other_organiser)
    other = client.get(url(recommendation))

    assert (public.status_code, other.status_code) == (404, 404)


def test_the_event_staff_see_a_proposed_one_but_only_the_organiser_manages_it(client, login, db):
    event = event_with_sides()
    recommendation = RecommendationFactory(event=event)
    settle(db)

    login(press_officer(event))
    press = client.get(url(recommendation))
    press_edit = client.get(url(recommendation, "/edit"))
    login(organiser(event))
    mine = client.get(url(recommendation))

    assert press.status_code == 200 and "Add a progress update" not in press.text
    assert press_edit.status_code == 403
    assert "Add a progress update" in mine.text and f'href="{url(recommendation, "/edit")}"' in mine.text


def test_a_recommendation_under_another_initiative_is_not_found(client, db):
    recommendation = RecommendationFactory(status=S.AGREED)
    other = InitiativeFactory()
    settle(db)

    r = client.get(f"/initiatives/{other.id}/recommendations/{recommendation.id}")

    assert r.status_code == 404


# --- edit ----------------------------------------------------------------------------------------


def test_edit_form_offers_the_current_status_and_the_next_ones(client, login, db):
    event = event_with_sides()
    recommendation = RecommendationFactory(event=event, status=S.AGREED, owners=["AZ"])
    login(organiser(event))
    settle(db)

    r = client.get(url(recommendation, "/edit"))

    options = [value for value in ("proposed", "agreed", "in_progress", "done", "dropped") if f'value="{value}"' in r.text]
    assert options == ["agreed", "in_progress", "dropped"]
    assert 'value="AZ" checked' in r.text


def test_edit_saves_and_a_refused_move_shows_beside_the_status(client, login, form, db):
    event = event_with_sides()
    recommendation = RecommendationFactory(event=event, status=S.PROPOSED)
    login(organiser(event))
    settle(db)
    data = {**FORM, "event_id": event.id, "owners": ["AM"]}

    refused = form(url(recommendation, "/edit"), {**data, "status": "done"})
    saved = form(url(recommendation, "/edit"), {**data, "status": "agreed", "title": "Renamed"})

    assert refused.status_code == 422
    assert "A recommendation cannot go from “Proposed” to “Done”" in refused.text
    assert 'id="e-status"' in refused.text
    assert saved.status_code == 303
    changed = reload(db, recommendation.id)
    assert (changed.title, changed.status, changed.owners) == ("Renamed", S.AGREED, ["AM"])


# --- progress updates ----------------------------------------------------------------------------


def test_adding_an_update_moves_the_status(client, login, form, db):
    recommendation = RecommendationFactory(status=S.AGREED)
    user = login(organiser(recommendation.event))
    settle(db)

    r = form(url(recommendation, "/updates"), {"reported_on": "2026-03-01", "text": "Work began.", "status": "in_progress"})
    shown = client.get(url(recommendation))

    assert r.status_code == 303 and r.headers["location"] == url(recommendation) + "#updates"
    update = db.scalar(select(ProgressUpdate))
    assert (update.text, update.status, update.author_id) == ("Work began.", S.IN_PROGRESS, user.id)
    assert reload(db, recommendation.id).status == S.IN_PROGRESS
    assert "Work began." in shown.text and f"Reported by {user.full_name}." in shown.text


def test_an_update_in_the_future_is_refused_beside_its_date(client, login, form, db):
    recommendation = RecommendationFactory(status=S.AGREED)
    login(organiser(recommendation.event))
    settle(db)
    tomorrow = (service.latest_today() + timedelta(days=1)).isoformat()

    r = form(url(recommendation, "/updates"), {"reported_on": tomorrow, "text": "Soon."})

    assert r.status_code == 422
    assert "The date of an update cannot be in the future." in r.text
    assert f'value="{tomorrow}"' in r.text
    assert db.scalar(select(ProgressUpdate)) is None


def test_press_officers_cannot_add_updates(client, login, form, db):
    recommendation = RecommendationFactory(status=S.AGREED)
    login(press_officer(recommendation.event))
    settle(db)

    r = form(url(recommendation, "/updates"), {"reported_on": "2026-03-01", "text": "Nope."})

    assert r.status_code == 403
    assert db.scalar(select(ProgressUpdate)) is None


# --- delete --------------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes(client, login, form, db):
    recommendation = RecommendationFactory(title="To go")
    ProgressUpdateFactory(recommendation=recommendation)
    login(organiser(recommendation.event))
    settle(db)

    confirm = client.get(url(recommendation, "/delete"))
    r = form(url(recommendation, "/delete"))

    assert confirm.status_code == 200 and "“To go” will be deleted with its progress updates." in confirm.text
    assert r.status_code == 303 and r.headers["location"] == f"/initiatives/{recommendation.initiative_id}/recommendations"
    assert db.scalar(select(Recommendation)) is None


def test_deleting_an_update_asks_first_and_keeps_the_status(client, login, form, db):
    recommendation = RecommendationFactory(status=S.IN_PROGRESS)
    update = ProgressUpdateFactory(recommendation=recommendation, status=S.IN_PROGRESS)
    other = ProgressUpdateFactory()
    login(organiser(recommendation.event))
    settle(db)
    target = url(recommendation, f"/updates/{update.id}/delete")

    confirm = client.get(target)
    wrong = client.get(url(recommendation, f"/updates/{other.id}/delete"))
    r = form(target)

    assert confirm.status_code == 200 and "The recommendation keeps its status." in confirm.text
    assert wrong.status_code == 404
    assert r.status_code == 303
    assert db.get(ProgressUpdate, update.id) is None
    assert reload(db, recommendation.id).status == S.IN_PROGRESS


# --- the roadmap ---------------------------------------------------------------------------------


def test_roadmap_draws_phases_milestones_and_visible_recommendations(client, db):
    initiative = InitiativeFactory(name="Peace Bridge")
    phase = RoadmapPhaseFactory(initiative=initiative, name="Initial confidence-building",
                                starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    MilestoneFactory(phase=phase, name="Tsaghkadzor roundtable", starts_on=date(2026, 2, 13), ends_on=date(2026, 2, 14))
    event = EventFactory(initiative=initiative)
    RecommendationFactory(event=event, phase=phase, title="Open the rail link", status=S.AGREED, target_on=date(2026, 5, 1))
    RecommendationFactory(event=event, phase=phase, title="Secret proposal", status=S.PROPOSED, target_on=date(2026, 4, 1))
    RecommendationFactory(event=event, title="Undated", status=S.DONE, target_on=None)
    settle(db)

    r = client.get(f"/initiatives/{initiative.id}/roadmap")

    assert r.status_code == 200
    assert '<svg role="img" aria-labelledby="roadmap-chart-title roadmap-chart-desc"' in r.text
    assert '<title id="roadmap-chart-title">Roadmap of Peace Bridge</title>' in r.text
    assert "1 phase, 1 milestone and 1 recommendation with a target date" in r.text
    assert r.text.count('class="roadmap-mark" data-kind="agreed"') == 1
    assert r.text.count('class="roadmap-mark" data-kind="milestone"') == 1
    assert "<title>1. Open the rail link</title>" in r.text
    assert "Secret proposal" not in r.text
    assert r.text.count('class="roadmap-recommendation"') == 2
    assert "None: not on the timeline" in r.text
    assert " style=" not in r.text
    assert '<ol class="timeline">' in r.text


def test_roadmap_shows_staff_the_proposals_of_their_event(client, login, db):
    phase = RoadmapPhaseFactory()
    event = EventFactory(initiative=phase.initiative)
    RecommendationFactory(event=event, phase=phase, title="Our proposal", status=S.PROPOSED, target_on=date(2026, 4, 1))
    login(organiser(event))
    settle(db)

    r = client.get(f"/initiatives/{phase.initiative_id}/roadmap")

    assert 'class="roadmap-mark" data-kind="proposed"' in r.text
    assert "Our proposal" in r.text


def test_roadmap_with_recommendations_but_no_phases_still_draws_them(client, db):
    event = EventFactory()
    RecommendationFactory(event=event, status=S.AGREED, target_on=date(2026, 4, 1))
    settle(db)

    r = client.get(f"/initiatives/{event.initiative_id}/roadmap")

    assert "This roadmap has no phases yet." in r.text
    assert "Not in a phase" in r.text
    assert r.text.count('class="roadmap-mark"') == 1


@pytest.mark.parametrize("n", [1, 3])
def test_roadmap_page_query_count_is_constant(client, login, db, count_queries, n):
    phase = RoadmapPhaseFactory()
    MilestoneFactory(phase=phase)
    event = EventFactory(initiative=phase.initiative)
    for number in range(n):
        RecommendationFactory(event=event, phase=phase, status=S.AGREED, target_on=date(2026, 3, 1 + number))
    login(organiser(event))
    target = f"/initiatives/{phase.initiative_id}/roadmap"
    settle(db)

    with count_queries() as count:
        r = client.get(target)

    assert r.text.count('class="roadmap-recommendation"') == n
    assert r.text.count('class="roadmap-mark" data-kind="agreed"') == n
    assert count() == 6


# --- in the reader's language ------------------------------------------------------------------


@pytest.mark.parametrize("code", ["hy", "az", "ru"])
def test_roadmap_and_recommendation_speak_the_readers_language(client, db, code):
    from app import i18n

    initiative = InitiativeFactory(name="Peace Bridge")
    phase = RoadmapPhaseFactory(initiative=initiative, starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    recommendation = RecommendationFactory(
        event=EventFactory(initiative=initiative), phase=phase, status=S.AGREED, target_on=date(2026, 5, 1)
    )
    settle(db)
    read_in(client, code)

    roadmap = client.get(f"/initiatives/{initiative.id}/roadmap")
    detail = client.get(url(recommendation))

    with i18n.use_language(code):
        legend = [i18n.gettext(w) for w in ("Phase", "Milestone", "Today", "Proposed", "In progress", "Dropped")]
        month = i18n.format_day(date(2026, 1, 1), fmt="LLL y")
        start = i18n.format_day(date(2026, 1, 1), fmt="LLLL y")
        target = i18n.format_day(date(2026, 5, 1), fmt="long")
        agreed = i18n.gettext("Agreed")
    assert roadmap.status_code == 200 and detail.status_code == 200
    for word in legend:
        assert f'fill="#1b2430">{word}</text>' in roadmap.text
    assert f">{month}</text>" in roadmap.text and ">Jan 2026</text>" not in roadmap.text
    assert start in roadmap.text and "January 2026" not in roadmap.text
    assert target in detail.text and "May 1, 2026" not in detail.text
    assert agreed in detail.text
