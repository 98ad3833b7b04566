"""The summary's record, section by section, in both variants; who may read which; edits."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.crossings.models import CrossingDirection
from app.errors import Conflict, Forbidden, NotFound
from app.events.models import EventStatus
from app.registrations.models import Category, Circle
from app.summaries import service
from app.summaries.models import EventSummary
from app.summaries.record import Variant
from app.summaries.schemas import summary_out
from tests.factories import (
    AdminFactory,
    DelegationFactory,
    EventFactory,
    EventSummaryFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
)
from tests.summaries.helpers import CONCLUSION, INTRODUCTION, OFFICIAL, SPEAKER, held_event


def record(db, world, variant=Variant.INTERNAL):
    db.flush()
    return service.record_for_viewer(db, viewer=organiser(world.event), event=world.event, variant=variant)


def text_of(rec) -> str:
    """Every string the record holds, as its JSON document."""
    return summary_out(rec).model_dump_json()


# --- sections ----------------------------------------------------------------------------------


def test_overview_and_words_come_from_the_event_and_the_summary(db):
    world = held_event()

    rec = record(db, world)

    assert rec.overview.title == "Peace Bridge roundtable in Tsaghkadzor"
    assert rec.overview.days == 2 and rec.overview.initiative == world.event.initiative.name
    assert (rec.introduction, rec.conclusion) == (INTRODUCTION, CONCLUSION)
    assert rec.published_at is None and rec.variant == Variant.INTERNAL


def test_participation_counts_held_places_and_attendance_by_delegation_circle_and_category(db):
    world = held_event()

    p = record(db, world).participation

    host, visiting = world.delegations
    assert [(t.label, t.registered, t.attended) for t in p.by_delegation] == [
        ("Armenian civil society", 2, 1),  # the speaker (attended), the Chatham speaker (confirmed)
        ("Azerbaijani civil society", 2, 1),  # the moderator (attended), the traveller (no-show)
    ]
    assert (p.registered, p.attended) == (4, 2)
    assert [(t.key, t.registered, t.attended) for t in p.by_circle] == [("core", 2, 2), ("broader", 2, 0)]
    assert {t.key: (t.registered, t.attended) for t in p.by_category} == {
        "civil_society": (1, 1), "expert": (2, 1), "media": (1, 0), "official": (0, 0), "staff": (0, 0),
    }
    assert [(c.delegation_id, c.circle, c.category, c.registered, c.attended) for c in p.cells] == [
        (host.id, Circle.CORE, Category.EXPERT, 1, 1),
        (host.id, Circle.BROADER, Category.EXPERT, 1, 0),
        (visiting.id, Circle.CORE, Category.CIVIL_SOCIETY, 1, 1),
        (visiting.id, Circle.BROADER, Category.MEDIA, 1, 0),
    ]


def test_participation_lists_a_delegation_without_registrations(db):
    event = EventFactory()
    DelegationFactory(event=event, name="Observers")

    p = service.record_for_viewer(db, viewer=organiser(event), event=event).participation

    assert [(t.label, t.registered, t.attended) for t in p.by_delegation] == [("Observers", 0, 0)]
    assert p.cells == []


def test_internal_agenda_holds_every_scheduled_session_by_day_in_the_events_zone(db):
    world = held_event()

    rec = record(db, world)

    assert [(d.index, d.date.isoformat(), [s.title for s in d.sessions]) for d in rec.days] == [
        (1, "2026-02-13", ["Current stage and future trajectories", "Meeting with the Secretary of the Security Council",
                           "Delegation heads' strategy meeting", "Core members' working group"]),
        (2, "2026-02-14", ["Regional security, borders and connectivity"]),
    ]
    first = rec.days[0].sessions[0]
    assert (first.start.strftime("%H:%M"), first.end.strftime("%H:%M")) == ("09:00", "10:00")  # Yerevan
    # Moderators first, then the organiser's order.
    assert [(s.role, s.name) for s in first.speakers] == [("moderator", "Farid Moderatorov"), ("speaker", "Anahit Speakerian")]
    assert [s.internal for s in rec.days[0].sessions] == [False, False, True, True]


def test_public_agenda_holds_only_published_sessions_for_everyone_and_names_nobody(db):
    world = held_event()

    rec = record(db, world, Variant.PUBLIC)

    assert [s.title for s in rec.sessions] == [
        "Current stage and future trajectories",
        "Meeting with the Secretary of the Security Council",
        "Regional security, borders and connectivity",
    ]
    first, meeting, chatham = rec.sessions
    assert first.speakers == []  # participants are not named at all
    assert [(s.name, s.title, s.institution) for s in meeting.speakers] == [(None, OFFICIAL[1], OFFICIAL[2])]
    assert chatham.speakers == []


def test_chatham_house_sessions_name_no_speaker_or_official_in_either_variant(db):
    world = held_event()

    for variant in Variant:
        rec = record(db, world, variant)
        chatham = next(s for s in rec.sessions if s.chatham_house)
        text = text_of(rec)
        assert chatham.speakers == []
        assert all(word not in text for word in world.chatham_words), variant
        outcome = next(o for o in rec.outcomes if o.chatham_house)
        assert outcome.key_points == ["Borders need joint monitoring"]  # kept, unattributed


def test_officials_met_are_those_of_the_sessions_shown_by_title_only_in_public(db):
    world = held_event()

    internal = record(db, world).officials
    public = record(db, world, Variant.PUBLIC).officials

    assert [(o.name, o.title) for o in internal] == [
        ("Internal Officialova", "Deputy Minister of Foreign Affairs"),
        ("Armen Officialyan", "Secretary of the Security Council"),
    ]
    assert internal[1].sessions == ["Meeting with the Secretary of the Security Council"]
    assert [(o.name, o.title, o.institution) for o in public] == [(None, OFFICIAL[1], OFFICIAL[2])]


def test_crossings_give_times_and_counts_never_names(db):
    world = held_event()

    internal = record(db, world)
    public = record(db, world, Variant.PUBLIC)

    assert [(c.direction, c.status, c.people, c.crossed) for c in internal.crossings] == [
        (CrossingDirection.ARRIVAL, "completed", 2, 2), (CrossingDirection.DEPARTURE, "draft", 1, 0),
    ]
    arrival = internal.crossings[0]
    assert arrival.planned.strftime("%Y-%m-%d %H:%M") == "2026-02-13 08:00"
    assert arrival.actual.strftime("%H:%M") == "08:30"
    assert arrival.delegation == "Azerbaijani civil society"
    assert [c.direction for c in public.crossings] == [CrossingDirection.ARRIVAL]  # completed ones only
    assert "Nigar" not in text_of(internal) and "Traveller" not in text_of(internal)


def test_outcomes_follow_the_variant(db):
    world = held_event()

    internal = record(db, world).outcomes
    public = record(db, world, Variant.PUBLIC).outcomes

    assert [o.session_title for o in internal] == [
        "Current stage and future trajectories", "Meeting with the Secretary of the Security Council",
        "Delegation heads' strategy meeting", "Regional security, borders and connectivity",
    ]
    assert [o.session_title for o in public] == [
        "Current stage and future trajectories", "Regional security, borders and connectivity",
    ]
    assert public[0].key_points == ["A public key point"]


def test_recommendations_statements_and_coverage(db):
    world = held_event()

    rec = record(db, world, Variant.PUBLIC)

    assert [r.title for r in rec.recommendations] == ["A joint working group on transport"]
    assert [(s.kind, s.title) for s in rec.statements] == [("press_release", "Roundtable concludes in Tsaghkadzor")]
    assert rec.statements[0].texts[0].body == "The roundtable **concluded**."
    assert [(c.outlet, c.safe_url) for c in rec.coverage] == [("Armenpress", "https://news.example.org/peace-bridge")]


def test_public_variant_holds_no_personal_data(db):
    world = held_event()
    RegistrationFactory(delegation=world.delegations[0], status="confirmed").person.email = "leak@example.org"

    text = text_of(record(db, world, Variant.PUBLIC))

    leaks = [word for word in [*world.personal_words, "leak@example.org", "Never Met"] if word in text]
    assert leaks == []
    assert "Delegation heads' strategy meeting" not in text and "Core members' working group" not in text
    assert "Boat trip" not in text and "A confidential point" not in text


def test_internal_variant_names_speakers_and_officials_but_not_the_cancelled(db):
    world = held_event()

    text = text_of(record(db, world))

    assert "Anahit Speakerian" in text and OFFICIAL[0] in text and "Internal Officialova" in text
    assert "Boat trip" not in text and SPEAKER[2] not in text  # organisations are not shown


# --- who reads which ---------------------------------------------------------------------------


def test_staff_read_the_internal_variant_by_default_others_the_public_one(db):
    world = held_event(published=True)
    event = world.event
    readers = {
        "organiser": organiser(event), "press officer": press_officer(event), "admin": AdminFactory(),
        "coordinator": coordinator(world.delegations[0]), "delegate": delegate(world.objects["speaker"]),
        "signed in": UserFactory(), "anonymous": None,
    }

    variants = {name: service.record_for_viewer(db, viewer=user, event=event).variant for name, user in readers.items()}

    assert variants == {
        "organiser": "internal", "press officer": "internal", "admin": "internal",
        "coordinator": "public", "delegate": "public", "signed in": "public", "anonymous": "public",
    }


@pytest.mark.parametrize("who", ["coordinator", "delegate", "anonymous"])
def test_the_internal_variant_is_refused_without_summary_view(db, who):
    world = held_event(published=True)
    user = {"coordinator": lambda: coordinator(world.delegations[1]),
            "delegate": lambda: delegate(world.objects["speaker"]), "anonymous": lambda: None}[who]()

    with pytest.raises(Forbidden):
        service.record_for_viewer(db, viewer=user, event=world.event, variant=Variant.INTERNAL)


@pytest.mark.parametrize("summary", [True, False])
def test_the_public_variant_is_not_found_before_it_is_published_except_for_staff(db, summary):
    world = held_event(summary=summary)

    with pytest.raises(NotFound):
        service.record_for_viewer(db, viewer=None, event=world.event)
    with pytest.raises(NotFound):
        service.record_for_viewer(db, viewer=coordinator(world.delegations[0]), event=world.event, variant=Variant.PUBLIC)
    preview = service.record_for_viewer(db, viewer=press_officer(world.event), event=world.event, variant=Variant.PUBLIC)
    assert preview.variant == Variant.PUBLIC and not preview.is_published


def test_an_event_the_viewer_may_not_see_is_refused(db):
    world = held_event(published=True, status=EventStatus.DRAFT)

    with pytest.raises(Forbidden):
        service.record_for_viewer(db, viewer=None, event=world.event)
    with pytest.raises(Forbidden):
        service.record_for_viewer(db, viewer=organiser(EventFactory()), event=world.event)


# --- edits and publication ---------------------------------------------------------------------


def audit(db, action):
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_update_creates_the_summary_and_audits_what_changed(db):
    event = EventFactory(status=EventStatus.CONCLUDED)
    actor = organiser(event)

    summary = service.update(db, actor=actor, event=event, introduction="Hello", conclusion="")
    again = service.update(db, actor=actor, event=event, introduction="Hello", conclusion="Bye")

    assert again is summary and (summary.introduction, summary.conclusion) == ("Hello", "Bye")
    assert summary.updated_by_id == actor.id
    assert [e.details["fields"] for e in audit(db, "summary.update")] == [["introduction"], ["conclusion"]]


def test_update_changing_nothing_writes_nothing(db):
    event = EventFactory()
    EventSummaryFactory(event=event, introduction="Same", conclusion="Same")
    actor = organiser(event)

    service.update(db, actor=actor, event=event, introduction="Same", conclusion="Same")

    assert audit(db, "summary.update") == []


@pytest.mark.parametrize("who", ["press officer", "coordinator", "other organiser"])
def test_only_organisers_and_admins_edit_or_publish(db, who):
    event = EventFactory(status=EventStatus.CONCLUDED)
    user = {"press officer": lambda: press_officer(event),
            "coordinator": lambda: coordinator(DelegationFactory(event=event)),
            "other organiser": lambda: organiser(EventFactory())}[who]()

    with pytest.raises(Forbidden):
        service.update(db, actor=user, event=event, introduction="x", conclusion="y")
    with pytest.raises(Forbidden):
        service.publish(db, actor=user, event=event)
    assert db.scalar(select(EventSummary).where(EventSummary.event_id == event.id)) is None


def test_publish_and_unpublish_are_audited_and_idempotent(db):
    event = EventFactory(status=EventStatus.CONCLUDED)
    admin = AdminFactory()

    summary = service.publish(db, actor=admin, event=event)
    first = summary.published_at
    service.publish(db, actor=admin, event=event)
    assert summary.published_at == first is not None
    service.unpublish(db, actor=admin, event=event)
    service.unpublish(db, actor=admin, event=event)

    assert summary.published_at is None
    assert len(audit(db, "summary.publish")) == 1 and len(audit(db, "summary.unpublish")) == 1


@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.PLANNED, EventStatus.REGISTRATION_OPEN])
def test_publishing_waits_for_the_event_to_begin(db, status):
    event = EventFactory(status=status)

    with pytest.raises(Conflict):
        service.publish(db, actor=organiser(event), event=event)


def test_an_archived_event_is_read_only(db):
    event = EventFactory(status=EventStatus.ARCHIVED)
    EventSummaryFactory(event=event, published_at=datetime(2026, 2, 15, tzinfo=UTC))
    actor = organiser(event)

    with pytest.raises(Forbidden):
        service.update(db, actor=actor, event=event, introduction="x", conclusion="")
    with pytest.raises(Forbidden):
        service.unpublish(db, actor=actor, event=event)
    assert service.record_for_viewer(db, viewer=actor, event=event).variant == Variant.INTERNAL


def test_downloading_the_internal_variant_is_audited_the_public_one_not(db):
    world = held_event(published=True)
    actor = organiser(world.event)

    service.record_for_download(db, viewer=actor, event=world.event, variant=None, fmt="pdf", client="1.2.3.4")
    service.record_for_download(db, viewer=actor, event=world.event, variant=Variant.PUBLIC, fmt="pdf")

    (entry,) = audit(db, "summary.export")
    assert entry.details == {"format": "pdf", "variant": "internal"} and entry.client == "1.2.3.4"
    assert entry.event_id == world.event.id
