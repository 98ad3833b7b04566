"""Summary pages: the summary in either variant, the edit form, publishing; refusals; queries."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.agenda.models import SessionSpeaker
from app.audit.models import AuditEntry
from app.events.models import EventStatus
from app.summaries.models import EventSummary
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    CrossingFactory,
    DelegationFactory,
    EventFactory,
    EventStaffFactory,
    EventSummaryFactory,
    ManifestEntryFactory,
    MediaCoverageFactory,
    OfficialFactory,
    OutcomeFactory,
    PressItemFactory,
    PressVersionFactory,
    RecommendationFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
)
from tests.summaries.helpers import CONCLUSION, OFFICIAL, held_event
from tests.support import settle


def url(world_or_event, suffix=""):
    event = getattr(world_or_event, "event", world_or_event)
    return f"/events/{event.id}/summary{suffix}"


# --- the summary -----------------------------------------------------------------------------------


def test_organiser_reads_the_internal_summary_with_its_sections_charts_and_links(client, login, db):
    world = held_event()
    login(organiser(world.event))
    settle(db)

    r = client.get(url(world))

    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    page = r.text
    for heading in ("Overview", "Introduction", "Participation", "Agenda as held", "Officials met", "Crossings",
                    "Outcomes and key points", "Recommendations agreed", "Statements and coverage", "Conclusion"):
        assert f">{heading}</h2>" in page, heading
    assert "<strong>Tsaghkadzor</strong>" in page  # the introduction's Markdown, rendered
    assert "Anahit Speakerian" in page and OFFICIAL[0] in page
    assert page.count('class="summary-session"') == 5
    # Charts: accessible SVG, no inline style (the CSP), with a table beside each.
    assert page.count('role="img"') == 3
    assert '<title id="chart-delegations-title">' in page and 'aria-labelledby="chart-delegations-title chart-delegations-desc"' in page
    assert "style=" not in page
    assert page.count('class="tally"') == 2 + 2 + 5
    # Variant switch, downloads, edit and publish.
    assert 'aria-current="page">Internal</a>' in page
    for ext in ("pdf", "docx", "md", "json"):
        assert f'href="{url(world)}.{ext}"' in page
    assert f'href="{url(world)}/edit"' in page and f'href="{url(world)}/publish"' in page


def test_the_public_preview_names_nobody_and_links_public_files(client, login, db):
    world = held_event()
    login(press_officer(world.event))
    settle(db)

    r = client.get(url(world, "?variant=public"))

    assert r.status_code == 200
    assert "This is a preview of the public summary" in r.text
    assert [w for w in world.personal_words if w in r.text] == []
    assert "Delegation heads' strategy meeting" not in r.text
    assert f'href="{url(world)}.pdf?variant=public"' in r.text
    assert "/edit" not in r.text and "/publish" not in r.text  # a press officer does not manage it


def test_everyone_who_sees_the_event_reads_the_published_public_summary(client, login, db):
    world = held_event(published=True)
    reader = delegate(world.objects["speaker"])
    settle(db)

    anonymous = client.get(url(world))
    login(reader)
    delegate_page = client.get(url(world))

    for r in (anonymous, delegate_page):
        assert r.status_code == 200
        assert OFFICIAL[1] in r.text and CONCLUSION.split("*")[0] in r.text
        assert [w for w in world.personal_words if w in r.text] == []
        assert 'class="tabs"' not in r.text and "/edit" not in r.text
    assert "no-store" not in anonymous.headers.get("cache-control", "")


def test_without_a_published_summary_others_get_404(client, login, db):
    world = held_event()
    settle(db)

    anonymous = client.get(url(world))
    login(coordinator(world.delegations[0]))
    coordinator_page = client.get(url(world))

    assert anonymous.status_code == 404 and coordinator_page.status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "delegate"])
def test_the_internal_variant_is_refused_to_coordinators_and_delegates(client, login, db, who):
    world = held_event(published=True)
    user = coordinator(world.delegations[0]) if who == "coordinator" else delegate(world.objects["speaker"])
    login(user)
    settle(db)

    assert client.get(url(world, "?variant=internal")).status_code == 403
    assert client.get(url(world, ".pdf?variant=internal")).status_code == 403


def test_anonymous_asking_for_the_internal_variant_is_sent_to_sign_in(client, db):
    world = held_event(published=True)
    settle(db)

    r = client.get(url(world, "?variant=internal"))

    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_an_organiser_of_another_event_gets_404_for_a_draft_event(client, login, db):
    world = held_event(published=True, status=EventStatus.DRAFT)
    login(organiser(EventFactory()))
    settle(db)

    assert client.get(url(world)).status_code == 404
    assert client.get(url(world, ".md")).status_code == 404
    assert client.get(url(world, "/edit")).status_code == 404


def test_an_unknown_variant_is_not_understood(client, login, db):
    world = held_event()
    login(organiser(world.event))
    settle(db)

    assert client.get(url(world, "?variant=secret")).status_code == 422


def test_the_event_page_links_the_summary_for_its_staff(client, login, db):
    event = EventFactory()
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}")

    assert f'href="/events/{event.id}/summary"' in r.text


def test_empty_states(client, login, db):
    event = EventFactory(status=EventStatus.CONCLUDED)
    login(organiser(event))
    settle(db)

    r = client.get(url(event))

    for message in ("The event has no delegations.", "No sessions were held.", "No officials were met.",
                    "No crossings are recorded.", "No outcomes are recorded.", "No recommendations were agreed.",
                    "No statements were published.", "No coverage is logged."):
        assert message in r.text
    assert ">Introduction</h2>" not in r.text and 'role="img"' not in r.text


@pytest.mark.parametrize("n", [1, 3])
def test_summary_page_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory(status=EventStatus.CONCLUDED)
    EventSummaryFactory(event=event)
    delegation = DelegationFactory(event=event)
    point = None
    for i in range(n):
        registration = RegistrationFactory(delegation=delegation, status="attended")
        official = OfficialFactory(event=event)
        session = AgendaSessionFactory(event=event, title=f"Held {i}")
        session.speakers.extend([SessionSpeaker(registration=registration, role="speaker"),
                                 SessionSpeaker(official=official, role="guest", position=1)])
        OutcomeFactory(session=session)
        RecommendationFactory(event=event, status="agreed")
        item = PressItemFactory(event=event, status="published", published_at=datetime(2026, 2, 14, tzinfo=UTC))
        PressVersionFactory(item=item)
        MediaCoverageFactory(event=event)
        crossing = CrossingFactory(delegation=delegation, **({"crossing_point": point} if point else {}))
        point = crossing.crossing_point
        ManifestEntryFactory(crossing=crossing, registration=registration)
    login(organiser(event))
    settle(db)
    address = url(event)

    with count_queries() as count:
        r = client.get(address)

    assert r.text.count('class="summary-session"') == n and r.text.count("Guest: Official ") == n
    assert r.text.count('class="crossing-held"') == n and r.text.count('class="summary-statement"') == n
    assert r.text.count('class="summary-outcome"') == n and r.text.count('class="summary-recommendation"') == n
    assert r.text.count('class="coverage-item"') == n and r.text.count('class="official-met"') == n
    # sign-in (session, user, grants), event, the summary's words with the participation,
    # sessions with rooms and speakers, crossings, outcomes, recommendations, press items with
    # their texts, coverage
    assert count() == 9


# --- the introduction and the conclusion ---------------------------------------------------------------


def test_edit_form_shows_the_current_words_and_saves_them(client, login, db, form):
    world = held_event()
    login(organiser(world.event))
    settle(db)

    page = client.get(url(world, "/edit"))
    r = form(url(world, "/edit"), {"introduction": "A *new* introduction.", "conclusion": ""})

    assert 'name="introduction"' in page.text and "Tsaghkadzor" in page.text
    assert r.status_code == 303 and r.headers["location"] == url(world)
    summary = db.scalar(select(EventSummary).where(EventSummary.event_id == world.event.id))
    assert (summary.introduction, summary.conclusion) == ("A *new* introduction.", "")
    followed = client.get(r.headers["location"])
    assert "The introduction and the conclusion have been saved." in followed.text
    assert "<em>new</em>" in followed.text and ">Conclusion</h2>" not in followed.text


def test_edit_form_refuses_too_long_a_text_beside_the_field(client, login, db, form):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = form(url(event, "/edit"), {"introduction": "x" * 20_001, "conclusion": "Kept"})

    assert r.status_code == 422
    assert 'id="e-introduction"' in r.text and "Use at most 20000 characters." in r.text
    assert ">Kept</textarea>" in r.text
    assert db.scalar(select(EventSummary).where(EventSummary.event_id == event.id)) is None


@pytest.mark.parametrize("who", ["press_officer", "coordinator"])
def test_edit_and_publish_are_refused_to_those_who_only_read(client, login, db, form, who):
    event = EventFactory(status=EventStatus.CONCLUDED)
    login(press_officer(event) if who == "press_officer" else coordinator(DelegationFactory(event=event)))
    settle(db)

    assert client.get(url(event, "/edit")).status_code == 403
    assert form(url(event, "/edit"), {"introduction": "x"}).status_code == 403
    assert client.get(url(event, "/publish")).status_code == 403
    assert form(url(event, "/publish")).status_code == 403
    assert form(url(event, "/unpublish")).status_code == 403
    assert db.scalar(select(EventSummary).where(EventSummary.event_id == event.id)) is None


def test_publish_goes_through_a_confirmation_then_unpublish(client, login, db, form):
    world = held_event()
    login(organiser(world.event))
    settle(db)

    confirm = client.get(url(world, "/publish"))
    published = form(url(world, "/publish"))
    page = client.get(published.headers["location"])
    unconfirm = client.get(url(world, "/unpublish"))
    unpublished = form(url(world, "/unpublish"))

    assert "Publish the public summary?" in confirm.text and f'action="{url(world)}/publish"' in confirm.text
    assert published.status_code == 303 and published.headers["location"] == url(world, "?variant=public")
    assert "The public summary has been published." in page.text and "it is published" in page.text
    assert "Unpublish the public summary?" in unconfirm.text
    assert unpublished.status_code == 303
    summary = db.scalar(select(EventSummary).where(EventSummary.event_id == world.event.id))
    assert summary.published_at is None
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("summary.%"))).all()
    assert actions == ["summary.publish", "summary.unpublish"]


def test_publishing_before_the_event_begins_is_refused(client, login, db, form):
    event = EventFactory(status=EventStatus.PLANNED)
    login(organiser(event))
    settle(db)

    r = form(url(event, "/publish"))

    assert r.status_code == 409 and "under way or concluded" in r.text


def test_an_admin_may_do_everything(client, login, db, form):
    world = held_event()
    login(AdminFactory())
    settle(db)

    assert client.get(url(world)).status_code == 200
    assert form(url(world, "/edit"), {"introduction": "By the admin", "conclusion": ""}).status_code == 303
    assert form(url(world, "/publish")).status_code == 303


def test_a_signed_in_stranger_reads_only_the_published_public_summary(client, login, db):
    world = held_event(published=True)
    login(UserFactory())
    settle(db)

    r = client.get(url(world))

    assert r.status_code == 200 and "Anahit" not in r.text
    assert re.search(r"<title>Post-event summary · ", r.text)


def test_publishing_is_offered_once_the_event_is_under_way(client, login, db):
    planned = EventFactory(status=EventStatus.PLANNED)
    ongoing = EventFactory(status=EventStatus.ONGOING)
    user = organiser(planned)
    EventStaffFactory(event=ongoing, user=user)
    login(user)
    settle(db)

    before = client.get(url(planned))
    during = client.get(url(ongoing))

    assert f'href="{url(planned)}/publish"' not in before.text and "once the event is under way" in before.text
    assert f'href="{url(ongoing)}/publish"' in during.text
