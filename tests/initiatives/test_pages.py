from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.events.models import EventStatus
from app.initiatives.models import (
    Initiative,
    InitiativeStatus,
    Milestone,
    RoadmapPhase,
    RoadmapStatus,
)
from tests.factories import (
    AdminFactory,
    EventFactory,
    InitiativeFactory,
    MilestoneFactory,
    RoadmapPhaseFactory,
    UserFactory,
    organiser,
)
from tests.support import settle

PHASE_FORM = {
    "name": "Dialogue",
    "starts_on": "2026-07-01",
    "ends_on": "2027-06-30",
    "status": "planned",
    "description": "",
}
MILESTONE_FORM = {
    "name": "Review",
    "starts_on": "2026-03-01",
    "ends_on": "2026-03-02",
    "status": "planned",
}


def reload(db, model, id_):
    db.expire_all()
    return db.get(model, id_)


# --- list ----------------------------------------------------------------------------------------


def test_initiatives_list_for_anonymous_shows_active_only(client, db):
    InitiativeFactory(name="Peace Bridge")
    InitiativeFactory(name="Old series", status=InitiativeStatus.ARCHIVED)
    settle(db)

    r = client.get("/initiatives")

    assert r.status_code == 200
    assert r.text.count('class="initiative"') == 1
    assert "Peace Bridge" in r.text and "Old series" not in r.text
    assert "/initiatives/new" not in r.text


def test_initiatives_list_for_admin_shows_archived_and_new_button(client, login, db):
    InitiativeFactory(name="Old series", status=InitiativeStatus.ARCHIVED)
    login(AdminFactory())
    settle(db)

    r = client.get("/initiatives")

    assert "Old series" in r.text
    assert "badge-archived" in r.text
    assert 'href="/initiatives/new"' in r.text


def test_initiatives_list_without_initiatives_shows_empty_state(client):
    r = client.get("/initiatives")

    assert "There are no initiatives yet." in r.text


# --- the initiative page -------------------------------------------------------------------------


def test_initiative_page_shows_description_visible_events_and_roadmap(client, db):
    initiative = InitiativeFactory(name="Peace Bridge", description="Civil society dialogue.")
    EventFactory(initiative=initiative, title="Tsaghkadzor roundtable")
    EventFactory(initiative=initiative, title="Secret draft", status=EventStatus.DRAFT)
    phase = RoadmapPhaseFactory(initiative=initiative, name="Confidence building")
    MilestoneFactory(phase=phase, name="First roundtable")
    settle(db)

    r = client.get(f"/initiatives/{initiative.id}")

    assert r.status_code == 200
    assert "<h1>Peace Bridge</h1>" in r.text
    assert "Civil society dialogue." in r.text
    assert r.text.count('class="event"') == 1
    assert "Tsaghkadzor roundtable" in r.text and "Secret draft" not in r.text
    assert "Confidence building" in r.text and "First roundtable" in r.text
    assert f'href="/initiatives/{initiative.id}/roadmap"' in r.text


def test_initiative_page_shows_drafts_to_their_organiser(client, login, db):
    initiative = InitiativeFactory()
    draft = EventFactory(initiative=initiative, title="Own draft", status=EventStatus.DRAFT)
    login(organiser(draft))
    settle(db)

    r = client.get(f"/initiatives/{initiative.id}")

    assert "Own draft" in r.text


def test_initiative_page_without_events_or_phases_says_so(client, db):
    initiative = InitiativeFactory()
    settle(db)

    r = client.get(f"/initiatives/{initiative.id}")

    assert "No events to show yet." in r.text
    assert "No roadmap phases yet." in r.text


def test_archived_initiative_is_not_found_for_others_and_restorable_by_admin(client, login, db):
    initiative = InitiativeFactory(name="Old series", status=InitiativeStatus.ARCHIVED)
    user = UserFactory()
    admin = AdminFactory()
    settle(db)

    anonymous = client.get(f"/initiatives/{initiative.id}")
    login(user)
    signed_in = client.get(f"/initiatives/{initiative.id}/roadmap")
    login(admin)
    as_admin = client.get(f"/initiatives/{initiative.id}")

    assert anonymous.status_code == 404 and "Old series" not in anonymous.text
    assert signed_in.status_code == 404
    assert as_admin.status_code == 200
    assert f'action="/initiatives/{initiative.id}/unarchive"' in as_admin.text


@pytest.mark.parametrize(
    "path", ["/initiatives/424242", "/initiatives/99999999999", "/initiatives/x/roadmap"]
)
def test_initiative_page_of_unknown_or_absurd_id_is_not_found(client, path):
    assert client.get(path).status_code == 404


# --- create, edit, archive -----------------------------------------------------------------------


def test_create_initiative_saves_and_redirects(client, login, form, db):
    login(AdminFactory())
    settle(db)

    page = client.get("/initiatives/new")
    r = form("/initiatives/new", {"name": "Peace Bridge", "description": "A series."})

    initiative = db.scalar(select(Initiative).where(Initiative.name == "Peace Bridge"))
    assert page.status_code == 200
    assert r.status_code == 303
    assert r.headers["location"] == f"/initiatives/{initiative.id}"
    assert initiative.description == "A series."


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "n" * 201}, "name", "Use at most 200 characters."),
        ({"name": "Taken"}, "name", "An initiative with this name exists already."),
    ],
)
def test_create_initiative_with_bad_input_shows_error_beside_field(
    client, login, form, db, data, field, message
):
    InitiativeFactory(name="Taken")
    login(AdminFactory())
    settle(db)

    r = form("/initiatives/new", data)

    assert r.status_code == 422
    assert f'<p class="field-error" id="e-{field}">{message}</p>' in r.text
    assert db.scalar(select(Initiative).where(Initiative.name != "Taken")) is None


def test_create_initiative_by_non_admin_is_forbidden_and_anonymous_goes_to_login(
    client, login, form, db
):
    user = UserFactory()
    settle(db)

    anonymous = form("/initiatives/new", {"name": "Mine"})
    login(user)
    page = client.get("/initiatives/new")
    post = form("/initiatives/new", {"name": "Mine"})

    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert page.status_code == 403
    assert post.status_code == 403
    assert db.scalar(select(Initiative)) is None


def test_edit_initiative_saves(client, login, form, db):
    initiative = InitiativeFactory(name="Old")
    login(AdminFactory())
    settle(db)

    page = client.get(f"/initiatives/{initiative.id}/edit")
    r = form(f"/initiatives/{initiative.id}/edit", {"name": "New", "description": ""})

    assert 'value="Old"' in page.text
    assert r.status_code == 303
    assert reload(db, Initiative, initiative.id).name == "New"


def test_archive_initiative_confirms_then_archives(client, login, form, db):
    initiative = InitiativeFactory(name="Peace Bridge")
    login(AdminFactory())
    settle(db)

    page = client.get(f"/initiatives/{initiative.id}/archive")
    r = form(f"/initiatives/{initiative.id}/archive")

    assert "Archive this initiative?" in page.text
    assert f'action="/initiatives/{initiative.id}/archive"' in page.text
    assert r.status_code == 303
    assert reload(db, Initiative, initiative.id).status == InitiativeStatus.ARCHIVED
    assert (
        db.scalar(select(AuditEntry.action).where(AuditEntry.object_type == "initiative"))
        == "initiative.archive"
    )


def test_unarchive_initiative_restores_it(client, login, form, db):
    initiative = InitiativeFactory(status=InitiativeStatus.ARCHIVED)
    login(AdminFactory())
    settle(db)

    r = form(f"/initiatives/{initiative.id}/unarchive")

    assert r.status_code == 303
    assert reload(db, Initiative, initiative.id).status == InitiativeStatus.ACTIVE


def test_archive_without_csrf_token_is_forbidden_and_changes_nothing(client, login, db):
    initiative = InitiativeFactory()
    login(AdminFactory())
    settle(db)

    r = client.post(f"/initiatives/{initiative.id}/archive")

    assert r.status_code == 403
    assert reload(db, Initiative, initiative.id).status == InitiativeStatus.ACTIVE


# --- roadmap -------------------------------------------------------------------------------------


def test_roadmap_page_shows_phases_and_milestones_as_a_timeline(client, db):
    initiative = InitiativeFactory()
    phase = RoadmapPhaseFactory(
        initiative=initiative,
        name="Confidence building",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
    )
    MilestoneFactory(
        phase=phase,
        name="Roundtable",
        starts_on=date(2026, 2, 13),
        ends_on=date(2026, 2, 14),
        status=RoadmapStatus.COMPLETED,
    )
    settle(db)

    r = client.get(f"/initiatives/{initiative.id}/roadmap")

    assert r.status_code == 200
    assert '<ol class="timeline">' in r.text
    assert "Confidence building" in r.text
    assert "January 1, 2026 – June 30, 2026" in r.text
    assert "February 13, 2026 – February 14, 2026" in r.text
    assert "badge-completed" in r.text
    assert "/phases/new" not in r.text
    assert "/edit" not in r.text


def test_roadmap_page_for_admin_has_edit_links(client, login, db):
    phase = RoadmapPhaseFactory()
    milestone = MilestoneFactory(phase=phase)
    login(AdminFactory())
    settle(db)

    r = client.get(f"/initiatives/{phase.initiative_id}/roadmap")

    base = f"/initiatives/{phase.initiative_id}/phases/{phase.id}"
    assert f'href="/initiatives/{phase.initiative_id}/phases/new"' in r.text
    assert f'href="{base}/edit"' in r.text and f'href="{base}/delete"' in r.text
    assert f'href="{base}/milestones/{milestone.id}/edit"' in r.text


def test_empty_roadmap_says_so(client, db):
    initiative = InitiativeFactory()
    settle(db)

    assert (
        "This roadmap has no phases yet."
        in client.get(f"/initiatives/{initiative.id}/roadmap").text
    )


def test_add_phase_saves_it(client, login, form, db):
    initiative = InitiativeFactory()
    login(AdminFactory())
    settle(db)

    page = client.get(f"/initiatives/{initiative.id}/phases/new")
    r = form(f"/initiatives/{initiative.id}/phases/new", PHASE_FORM)

    assert page.status_code == 200
    assert r.status_code == 303
    assert r.headers["location"] == f"/initiatives/{initiative.id}/roadmap"
    phase = db.scalar(select(RoadmapPhase))
    assert (phase.name, phase.starts_on, phase.ends_on) == (
        "Dialogue",
        date(2026, 7, 1),
        date(2027, 6, 30),
    )


def test_add_phase_ending_before_start_shows_error_beside_field(client, login, form, db):
    initiative = InitiativeFactory()
    login(AdminFactory())
    settle(db)

    r = form(f"/initiatives/{initiative.id}/phases/new", {**PHASE_FORM, "ends_on": "2026-06-30"})

    assert r.status_code == 422
    assert (
        '<p class="field-error" id="e-ends_on">The end date cannot be before the start date.</p>'
        in r.text
    )
    assert 'aria-describedby="h-ends_on e-ends_on"' in r.text
    assert db.scalar(select(RoadmapPhase)) is None


def test_add_phase_by_non_admin_is_forbidden(client, login, form, db):
    initiative = InitiativeFactory()
    login(UserFactory())
    settle(db)

    assert client.get(f"/initiatives/{initiative.id}/phases/new").status_code == 403
    assert form(f"/initiatives/{initiative.id}/phases/new", PHASE_FORM).status_code == 403
    assert db.scalar(select(RoadmapPhase)) is None


def test_add_phase_by_anonymous_redirects_to_login(client, form, db):
    initiative = InitiativeFactory()
    settle(db)

    r = form(f"/initiatives/{initiative.id}/phases/new", PHASE_FORM)

    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")
    assert db.scalar(select(RoadmapPhase)) is None


def test_add_phase_to_archived_initiative_is_a_conflict(client, login, db):
    initiative = InitiativeFactory(status=InitiativeStatus.ARCHIVED)
    login(AdminFactory())
    settle(db)

    r = client.get(f"/initiatives/{initiative.id}/phases/new")

    assert r.status_code == 409


def test_edit_phase_shrinking_past_a_milestone_shows_error(client, login, form, db):
    phase = RoadmapPhaseFactory(name="Phase", starts_on=date(2026, 2, 1), ends_on=date(2026, 7, 31))
    MilestoneFactory(
        phase=phase, name="Roundtable", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31)
    )
    login(AdminFactory())
    settle(db)
    url = f"/initiatives/{phase.initiative_id}/phases/{phase.id}/edit"

    page = client.get(url)
    r = form(url, {**PHASE_FORM, "starts_on": "2026-02-01", "ends_on": "2026-03-15"})

    assert 'value="2026-02-01"' in page.text
    assert r.status_code == 422
    assert (
        'id="e-ends_on">The milestone “Roundtable” ends on Mar 31, 2026, after this date.' in r.text
    )
    assert reload(db, RoadmapPhase, phase.id).ends_on == date(2026, 7, 31)


def test_edit_phase_saves(client, login, form, db):
    phase = RoadmapPhaseFactory(name="Old")
    login(AdminFactory())
    settle(db)

    r = form(
        f"/initiatives/{phase.initiative_id}/phases/{phase.id}/edit",
        {**PHASE_FORM, "name": "New", "status": "delayed"},
    )

    assert r.status_code == 303
    saved = reload(db, RoadmapPhase, phase.id)
    assert (saved.name, saved.status) == ("New", RoadmapStatus.DELAYED)


def test_delete_phase_confirms_then_deletes_with_milestones(client, login, form, db):
    phase = RoadmapPhaseFactory(name="Doomed")
    milestone = MilestoneFactory(phase=phase)
    login(AdminFactory())
    settle(db)
    url = f"/initiatives/{phase.initiative_id}/phases/{phase.id}/delete"

    page = client.get(url)
    r = form(url)

    assert (
        "The phase “Doomed” will be deleted. Its milestone will be deleted with it." in page.text
    )
    assert r.status_code == 303
    assert reload(db, RoadmapPhase, phase.id) is None
    assert db.get(Milestone, milestone.id) is None


def test_phase_under_another_initiative_is_not_found(client, login, db):
    phase = RoadmapPhaseFactory()
    other = InitiativeFactory()
    login(AdminFactory())
    settle(db)

    assert client.get(f"/initiatives/{other.id}/phases/{phase.id}/edit").status_code == 404


# --- milestones ----------------------------------------------------------------------------------


def test_add_milestone_saves_it(client, login, form, db):
    phase = RoadmapPhaseFactory(starts_on=date(2026, 2, 1), ends_on=date(2026, 7, 31))
    login(AdminFactory())
    settle(db)
    url = f"/initiatives/{phase.initiative_id}/phases/{phase.id}/milestones/new"

    page = client.get(url)
    r = form(url, MILESTONE_FORM)

    assert 'min="2026-02-01"' in page.text and 'max="2026-07-31"' in page.text
    assert r.status_code == 303
    milestone = db.scalar(select(Milestone))
    assert (milestone.name, milestone.phase_id) == ("Review", phase.id)


def test_add_milestone_outside_phase_shows_error_beside_field(client, login, form, db):
    phase = RoadmapPhaseFactory(starts_on=date(2026, 2, 1), ends_on=date(2026, 7, 31))
    login(AdminFactory())
    settle(db)

    r = form(
        f"/initiatives/{phase.initiative_id}/phases/{phase.id}/milestones/new",
        {**MILESTONE_FORM, "starts_on": "2026-07-30", "ends_on": "2026-08-02"},
    )

    assert r.status_code == 422
    assert (
        '<p class="field-error" id="e-ends_on">The milestone must end within its phase '
        "(February 1, 2026 – July 31, 2026).</p>"
    ) in r.text
    assert 'value="2026-08-02"' in r.text
    assert db.scalar(select(Milestone)) is None


def test_edit_milestone_saves(client, login, form, db):
    milestone = MilestoneFactory(name="Old")
    phase = milestone.phase
    login(AdminFactory())
    settle(db)
    url = f"/initiatives/{phase.initiative_id}/phases/{phase.id}/milestones/{milestone.id}/edit"

    page = client.get(url)
    r = form(url, {**MILESTONE_FORM, "name": "New", "status": "completed"})

    assert 'value="Old"' in page.text
    assert r.status_code == 303
    saved = reload(db, Milestone, milestone.id)
    assert (saved.name, saved.status) == ("New", RoadmapStatus.COMPLETED)


def test_delete_milestone_confirms_then_deletes(client, login, form, db):
    milestone = MilestoneFactory(name="Doomed")
    phase = milestone.phase
    login(AdminFactory())
    settle(db)
    url = f"/initiatives/{phase.initiative_id}/phases/{phase.id}/milestones/{milestone.id}/delete"

    page = client.get(url)
    r = form(url)

    assert "The milestone “Doomed”" in page.text
    assert r.status_code == 303
    assert reload(db, Milestone, milestone.id) is None


def test_milestone_under_another_phase_is_not_found_and_kept(client, login, form, db):
    initiative = InitiativeFactory()
    phase = RoadmapPhaseFactory(initiative=initiative)
    milestone = MilestoneFactory(phase=RoadmapPhaseFactory(initiative=initiative))
    login(AdminFactory())
    settle(db)

    r = form(f"/initiatives/{initiative.id}/phases/{phase.id}/milestones/{milestone.id}/delete")

    assert r.status_code == 404
    assert reload(db, Milestone, milestone.id) is not None


def test_description_paragraphs_posted_with_crlf_are_kept_apart(client, login, form, db):
    login(AdminFactory())
    settle(db)

    form(
        "/initiatives/new",
        {"name": "Peace Bridge", "description": "First part.\r\n\r\nSecond part."},
    )
    initiative = db.scalar(select(Initiative))
    r = client.get(f"/initiatives/{initiative.id}")

    assert initiative.description == "First part.\n\nSecond part."
    assert "<p>First part.</p>" in r.text and "<p>Second part.</p>" in r.text
