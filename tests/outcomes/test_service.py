from datetime import timedelta

import pytest
from sqlalchemy import select

from app.agenda import service as agenda_service
from app.agenda.models import AgendaSession, Audience, SessionKind, SessionStatus
from app.audit.models import AuditEntry
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.events.models import EventStatus
from app.outcomes import service
from app.outcomes.models import Outcome
from app.outcomes.schemas import OutcomeIn
from app.outcomes.service import OutcomeRow, Show
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    OutcomeFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
)
from tests.outcomes.helpers import PANEL_WORDS, panel


def loaded(db, session: AgendaSession) -> AgendaSession:
    """The session as the pages and the API get it (the agenda's loader, speakers loaded)."""
    event, admin = session.event, AdminFactory()
    db.flush()
    db.expire(session)
    return agenda_service.get_for_viewer(db, viewer=admin, event=event, session_id=session.id)


def at(session: AgendaSession, hours: int) -> AgendaSession:
    session.starts_at += timedelta(hours=hours)
    session.ends_at += timedelta(hours=hours)
    return session


def audit_entries(db, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- the list ------------------------------------------------------------------------------------


def test_list_gives_every_session_by_time_with_its_outcome_or_none(db):
    event = EventFactory()
    later = at(AgendaSessionFactory(event=event, title="Later"), 3)
    first = AgendaSessionFactory(event=event, title="First")
    written = OutcomeFactory(session=later)
    AgendaSessionFactory(title="Of another event")

    found = service.list_for_event(db, viewer=press_officer(event), event=event)

    assert [(f.session.title, f.outcome) for f in found] == [("First", None), ("Later", written)]
    assert found[0].session is first


def test_list_leaves_out_breaks_and_cancelled_sessions_without_an_outcome(db):
    event = EventFactory()
    AgendaSessionFactory(event=event, title="Coffee", kind=SessionKind.BREAK)
    AgendaSessionFactory(event=event, title="Dropped", status=SessionStatus.CANCELLED)
    kept = AgendaSessionFactory(event=event, title="Cancelled after the notes", status=SessionStatus.CANCELLED)
    OutcomeFactory(session=kept)
    AgendaSessionFactory(event=event, title="Held")

    found = service.list_for_event(db, viewer=organiser(event), event=event)

    assert sorted(f.session.title for f in found) == ["Cancelled after the notes", "Held"]


def test_list_filters_sessions_with_and_without_an_outcome(db):
    event = EventFactory()
    OutcomeFactory(session=AgendaSessionFactory(event=event, title="Written"))
    AgendaSessionFactory(event=event, title="Blank")
    viewer = organiser(event)

    with_outcome = service.list_for_event(db, viewer=viewer, event=event, show=Show.WITH)
    without = service.list_for_event(db, viewer=viewer, event=event, show=Show.WITHOUT)

    assert [f.session.title for f in with_outcome] == ["Written"]
    assert [f.session.title for f in without] == ["Blank"]


@pytest.mark.parametrize("n", [1, 3])
def test_list_takes_two_queries(db, count_queries, n):
    event = EventFactory()
    for i in range(n):
        OutcomeFactory(session=at(AgendaSessionFactory(event=event), i))
        at(AgendaSessionFactory(event=event), i)
    viewer = organiser(event)
    db.flush()

    with count_queries() as count:
        found = service.list_for_event(db, viewer=viewer, event=event)
        titles = [(f.session.reader_title, f.outcome.notes if f.outcome else None) for f in found]

    assert len(titles) == 2 * n
    assert count() == 2  # the sessions with their outcomes, their translations


@pytest.mark.parametrize("who", ["coordinator", "delegate", "outsider", "anonymous", "other_organiser"])
def test_list_is_refused_to_those_who_may_not_view_outcomes(db, who):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    viewer = {
        "coordinator": lambda: coordinator(delegation),
        "delegate": lambda: delegate(RegistrationFactory(delegation=delegation)),
        "outsider": UserFactory,
        "anonymous": lambda: None,
        "other_organiser": lambda: organiser(EventFactory()),
    }[who]()

    with pytest.raises(Forbidden):
        service.list_for_event(db, viewer=viewer, event=event)


# --- rows for the summary ------------------------------------------------------------------------


def test_rows_for_event_give_every_outcome_by_start_without_speakers(db, count_queries):
    event = EventFactory()
    p = panel(event, hours_later=2)
    OutcomeFactory(session=p.session, notes="We agreed on *three* things.", key_points=["One", "Two"], is_public=False)
    morning = AgendaSessionFactory(event=event, title="Opening", kind=SessionKind.PLENARY)
    OutcomeFactory(session=morning, notes="Opened.", key_points=[])
    AgendaSessionFactory(event=event, title="Without")
    OutcomeFactory(session=AgendaSessionFactory(title="Elsewhere"))
    db.flush()

    with count_queries() as count:
        rows = service.rows_for_event(db, event=event, public_only=False)

    assert count() == 1
    assert [r.session_title for r in rows] == ["Opening", "Regional security"]
    assert rows[1] == OutcomeRow(
        session_id=p.session.id, session_title="Regional security", kind=SessionKind.THEMATIC,
        starts_at=p.session.starts_at, ends_at=p.session.ends_at, chatham_house=True,
        notes="We agreed on *three* things.", key_points=["One", "Two"], is_public=False,
    )
    assert rows[1].starts_at.utcoffset() == timedelta(0)
    assert not any(word in repr(rows) for word in PANEL_WORDS)


def test_rows_for_event_public_only_keeps_public_outcomes_of_public_sessions(db):
    event = EventFactory()
    hour = iter(range(10))

    def outcome(title: str, *, public: bool = True, **session) -> None:  # type: ignore[no-untyped-def]
        OutcomeFactory(session=at(AgendaSessionFactory(event=event, title=title, **session), next(hour)), is_public=public)

    outcome("Public")
    outcome("Marked internal", public=False)
    outcome("Unpublished session", is_published=False)
    outcome("Core members only", audience=Audience.CORE)
    outcome("Cancelled", status=SessionStatus.CANCELLED)
    outcome("Also public", chatham_house=True)

    public = service.rows_for_event(db, event=event, public_only=True)
    everything = service.rows_for_event(db, event=event, public_only=False)

    assert [r.session_title for r in public] == ["Public", "Also public"]
    assert len(everything) == 6


# --- save ----------------------------------------------------------------------------------------


def test_save_creates_the_outcome_and_audits_it(db):
    session = AgendaSessionFactory()
    actor = organiser(session.event)
    data = OutcomeIn(notes="Notes", key_points=[" A point ", "", "Another", "A point"], is_public=False)

    outcome = service.save(db, actor=actor, session=loaded(db, session), data=data)

    assert (outcome.notes, outcome.key_points, outcome.is_public, outcome.updated_by_id) == (
        "Notes", ["A point", "Another"], False, actor.id
    )
    (entry,) = audit_entries(db, "outcome.create")
    assert (entry.object_id, entry.event_id, entry.actor_id, entry.details) == (
        outcome.id, session.event_id, actor.id, {"session_id": session.id}
    )


def test_save_replaces_an_outcome_and_audits_the_changed_fields(db):
    outcome = OutcomeFactory(notes="Old", key_points=["Kept"], is_public=True)
    actor = organiser(outcome.session.event)

    saved = service.save(db, actor=actor, session=loaded(db, outcome.session),
                         data=OutcomeIn(notes="New", key_points=["Kept"], is_public=True))

    assert saved.id == outcome.id
    assert (saved.notes, saved.updated_by_id) == ("New", actor.id)
    assert [e.details["fields"] for e in audit_entries(db, "outcome.update")] == [["notes"]]
    assert db.scalar(select(Outcome).where(Outcome.session_id == outcome.session_id)).notes == "New"


def test_save_without_changes_writes_nothing(db):
    outcome = OutcomeFactory(notes="Same", key_points=["Same"], is_public=True)

    service.save(db, actor=organiser(outcome.session.event), session=loaded(db, outcome.session),
                 data=OutcomeIn(notes="Same", key_points=["Same"], is_public=True))

    assert audit_entries(db, "outcome.update") == []


@pytest.mark.parametrize("who", ["press_officer", "coordinator", "other_organiser", "outsider"])
def test_save_is_refused_to_those_who_do_not_manage_outcomes(db, who):
    session = AgendaSessionFactory()
    event = session.event
    actor = {
        "press_officer": lambda: press_officer(event),
        "coordinator": lambda: coordinator(DelegationFactory(event=event)),
        "other_organiser": lambda: organiser(EventFactory()),
        "outsider": UserFactory,
    }[who]()

    with pytest.raises(Forbidden):
        service.save(db, actor=actor, session=loaded(db, session), data=OutcomeIn(notes="x"))

    assert db.scalar(select(Outcome).where(Outcome.session_id == session.id)) is None


def test_save_on_an_archived_event_is_refused(db):
    session = AgendaSessionFactory(event=EventFactory(status=EventStatus.ARCHIVED))

    with pytest.raises(Forbidden):
        service.save(db, actor=organiser(session.event), session=loaded(db, session), data=OutcomeIn(notes="x"))


def test_a_cancelled_session_takes_no_new_outcome_but_keeps_its_own(db):
    cancelled = AgendaSessionFactory(status=SessionStatus.CANCELLED)
    earlier = OutcomeFactory(session=AgendaSessionFactory(event=cancelled.event, status=SessionStatus.CANCELLED))
    actor = organiser(cancelled.event)

    with pytest.raises(Conflict):
        service.save(db, actor=actor, session=loaded(db, cancelled), data=OutcomeIn(notes="x"))
    kept = service.save(db, actor=actor, session=loaded(db, earlier.session), data=OutcomeIn(notes="Corrected"))

    assert kept.notes == "Corrected"


def test_a_break_has_no_outcome(db):
    pause = AgendaSessionFactory(kind=SessionKind.BREAK)
    actor = organiser(pause.event)

    with pytest.raises(NotFound):
        service.save(db, actor=actor, session=loaded(db, pause), data=OutcomeIn(notes="x"))
    with pytest.raises(NotFound):
        service.find(db, viewer=actor, session=loaded(db, pause))


# --- the Chatham House Rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notes", "named"),
    [
        ("Anahit Sargsyan opened the session.", "Anahit Sargsyan"),
        ("As ANAHIT   sargsyan put it, borders matter.", "ANAHIT   sargsyan"),
        ("Sargsyan Anahit disagreed.", "Sargsyan Anahit"),
        ("Sargsyan, Anahit disagreed.", "Sargsyan, Anahit"),
        ("Անահիտ Սարգսյան said so.", "Անահիտ Սարգսյան"),
        ("The yerevan peace institute proposed a forum.", "yerevan peace institute"),
        ("Leyla Mammadova asked about transport.", "Leyla Mammadova"),
        ("Baku Dialogue Centre will follow up.", "Baku Dialogue Centre"),
        ("Tigran Example described the procedures.", "Tigran Example"),
        ("Տիգրան Օրինակ spoke.", "Տիգրան Օրինակ"),
        ("The security council office welcomed it.", "security council office"),
    ],
)
def test_chatham_house_notes_naming_a_speaker_or_their_organisation_are_refused(db, notes, named):
    p = panel(EventFactory())
    session = loaded(db, p.session)

    with pytest.raises(FieldError) as refused:
        service.save(db, actor=organiser(session.event), session=session, data=OutcomeIn(notes=notes))

    assert refused.value.field == "notes"
    assert "Chatham House Rule" in refused.value.message
    assert f"Remove “{named}” from the notes." in refused.value.message
    assert db.scalar(select(Outcome).where(Outcome.session_id == session.id)) is None


def test_chatham_house_key_points_naming_speakers_are_refused_with_every_word_to_remove(db):
    p = panel(EventFactory())
    session = loaded(db, p.session)
    data = OutcomeIn(notes="Nothing attributed.", key_points=["Leyla Mammadova on transport", "Per Baku Dialogue Centre"])

    with pytest.raises(FieldError) as refused:
        service.save(db, actor=organiser(session.event), session=session, data=data)

    assert refused.value.field == "key_points"
    assert "Remove “Leyla Mammadova”, “Baku Dialogue Centre” from the key points." in refused.value.message


def test_chatham_house_allows_text_that_names_nobody_of_the_session(db):
    p = panel(EventFactory())
    session = loaded(db, p.session)
    # A given name alone, a word inside another, someone not on the session: no attribution.
    data = OutcomeIn(
        notes="Participants from Yerevan and Baku discussed the peace agenda; Anahitism is no word.",
        key_points=["A joint working group on transport", "Secretary of the Council to be invited"],
    )

    outcome = service.save(db, actor=organiser(session.event), session=session, data=data)

    assert outcome.key_points == data.key_points


def test_sessions_without_the_rule_are_not_checked(db):
    p = panel(EventFactory(), chatham_house=False)
    session = loaded(db, p.session)

    outcome = service.save(db, actor=organiser(session.event), session=session,
                           data=OutcomeIn(notes="Anahit Sargsyan of the Yerevan Peace Institute opened it."))

    assert "Anahit Sargsyan" in outcome.notes


def test_attributions_name_every_speaker_in_both_scripts_and_their_organisation(db):
    p = panel(EventFactory())

    words = service.attributions(loaded(db, p.session))

    assert {"Anahit Sargsyan", "Sargsyan Anahit", "Անահիտ Սարգսյան", "Yerevan Peace Institute", "Leyla Mammadova",
            "Baku Dialogue Centre", "Tigran Example", "Տիգրան Օրինակ", "Security Council Office"} <= set(words)


# --- read and delete -----------------------------------------------------------------------------


def test_get_of_a_session_without_an_outcome_is_not_found(db):
    session = AgendaSessionFactory()
    viewer = press_officer(session.event)

    assert service.find(db, viewer=viewer, session=loaded(db, session)) is None
    with pytest.raises(NotFound):
        service.get(db, viewer=viewer, session=loaded(db, session))


def test_get_is_refused_to_a_coordinator(db):
    outcome = OutcomeFactory()

    with pytest.raises(Forbidden):
        service.get(db, viewer=coordinator(DelegationFactory(event=outcome.session.event)),
                    session=loaded(db, outcome.session))


def test_delete_removes_the_outcome_and_audits_it(db):
    outcome = OutcomeFactory()
    outcome_id, session = outcome.id, outcome.session

    service.delete(db, actor=organiser(session.event), session=loaded(db, session))

    assert db.get(Outcome, outcome_id) is None
    (entry,) = audit_entries(db, "outcome.delete")
    assert (entry.object_id, entry.event_id) == (outcome_id, session.event_id)


def test_delete_without_an_outcome_is_not_found_and_refused_to_press_officers(db):
    session = AgendaSessionFactory()
    written = OutcomeFactory(session=AgendaSessionFactory(event=session.event))

    with pytest.raises(NotFound):
        service.delete(db, actor=organiser(session.event), session=loaded(db, session))
    with pytest.raises(Forbidden):
        service.delete(db, actor=press_officer(session.event), session=loaded(db, written.session))
