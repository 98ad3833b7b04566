from datetime import timedelta

import pytest
from sqlalchemy import select

from app.agenda.models import SessionKind, SessionStatus
from app.events.models import EventStatus
from app.outcomes.models import Outcome
from tests.factories import (
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
from tests.support import read_in, settle

FORM = {"notes": "The participants agreed on **next steps**.", "key_points": "- First point\nSecond point\n\n", "is_public": "on"}


def outcome_of(db, session_id):
    return db.scalar(select(Outcome).where(Outcome.session_id == session_id))


def url(session, suffix=""):
    return f"/events/{session.event_id}/sessions/{session.id}/outcome{suffix}"


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_the_sessions_by_day_with_the_state_of_their_outcome(client, login, db):
    event = EventFactory()
    written = AgendaSessionFactory(event=event, title="Opening plenary", kind=SessionKind.PLENARY)
    OutcomeFactory(session=written, key_points=["a", "b"])
    blank = AgendaSessionFactory(event=event, title="Second day", starts_at=written.starts_at + timedelta(days=1),
                                 ends_at=written.ends_at + timedelta(days=1))
    AgendaSessionFactory(event=event, title="Coffee", kind=SessionKind.BREAK)
    AgendaSessionFactory(title="Of another event")
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/outcomes")

    assert r.status_code == 200
    assert r.text.count('class="outcome-row"') == 2
    assert "Friday, February 13, 2026" in r.text and "Saturday, February 14, 2026" in r.text
    assert "10:00–11:30" in r.text  # the event's clock
    assert "2 key points" in r.text and "Not written yet" in r.text
    assert f'href="/events/{event.id}/sessions/{written.id}/outcome"' in r.text
    assert f'href="/events/{event.id}/sessions/{blank.id}/outcome/edit"' in r.text
    assert "Coffee" not in r.text and "Of another event" not in r.text
    assert f'href="/events/{event.id}/outcomes.md"' in r.text


def test_list_filters_with_and_without_an_outcome(client, login, db):
    event = EventFactory()
    OutcomeFactory(session=AgendaSessionFactory(event=event, title="Written up"))
    AgendaSessionFactory(event=event, title="Still blank")
    login(press_officer(event))
    settle(db)

    with_outcome = client.get(f"/events/{event.id}/outcomes?show=with")
    without = client.get(f"/events/{event.id}/outcomes?show=without")
    nonsense = client.get(f"/events/{event.id}/outcomes?show=<b>")

    assert "Written up" in with_outcome.text and "Still blank" not in with_outcome.text
    assert "Still blank" in without.text and "Written up" not in without.text
    assert nonsense.status_code == 200 and nonsense.text.count('class="outcome-row"') == 2


def test_list_for_a_press_officer_has_no_write_links(client, login, db):
    session = AgendaSessionFactory()
    login(press_officer(session.event))
    settle(db)

    r = client.get(f"/events/{session.event_id}/outcomes")

    assert r.text.count('class="outcome-row"') == 1
    assert "/outcome/edit" not in r.text


def test_list_without_sessions_shows_an_empty_state(client, login, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    everything = client.get(f"/events/{event.id}/outcomes")
    written = client.get(f"/events/{event.id}/outcomes?show=with")

    assert "This event has no sessions to record outcomes for yet." in everything.text
    assert "No session has an outcome yet." in written.text


@pytest.mark.parametrize("n", [1, 3])
def test_list_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    for i in range(n):
        hour = timedelta(hours=i)
        session = AgendaSessionFactory(event=event, starts_at=AgendaSessionFactory(event=event).starts_at + hour)
        OutcomeFactory(session=session)
    login(organiser(event))
    settle(db)
    address = f"/events/{event.id}/outcomes"

    with count_queries() as count:
        r = client.get(address)

    assert r.text.count('class="outcome-row"') == 2 * n
    # the session with its user and grants, the event, the sessions with their outcomes, their
    # translations
    assert count() == 4


def test_list_is_refused_to_coordinators_delegates_and_outsiders(client, login, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    users = [coordinator(delegation), delegate(RegistrationFactory(delegation=delegation)), UserFactory()]
    settle(db)

    anonymous = client.get(f"/events/{event.id}/outcomes")
    answers = []
    for user in users:
        login(user)
        answers.append(client.get(f"/events/{event.id}/outcomes").status_code)

    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    assert answers == [403, 403, 403]


def test_event_page_links_to_the_outcomes_for_those_who_may_view_them(client, login, db):
    event = EventFactory()
    press = press_officer(event)
    coord = coordinator(DelegationFactory(event=event))
    settle(db)
    link = f'href="/events/{event.id}/outcomes"'

    login(press)
    for_press = client.get(f"/events/{event.id}")
    login(coord)
    for_coordinator = client.get(f"/events/{event.id}")

    assert link in for_press.text
    assert link not in for_coordinator.text


def test_agenda_session_page_links_to_its_outcome(client, login, db):
    session = AgendaSessionFactory()
    pause = AgendaSessionFactory(event=session.event, kind=SessionKind.BREAK)
    login(organiser(session.event))
    settle(db)

    r = client.get(f"/events/{session.event_id}/agenda/sessions/{session.id}")
    on_break = client.get(f"/events/{session.event_id}/agenda/sessions/{pause.id}")

    assert f'href="{url(session)}"' in r.text
    assert "/outcome" not in on_break.text


# --- one outcome ---------------------------------------------------------------------------------


def test_outcome_page_shows_notes_key_points_and_speakers(client, login, db):
    p = panel(EventFactory(), chatham_house=False)
    rapporteur = organiser(p.session.event, full_name="Rapporteur Person")
    OutcomeFactory(session=p.session, notes="We *agreed*.", key_points=["A joint working group"], updated_by=rapporteur)
    login(press_officer(p.session.event))
    settle(db)

    r = client.get(url(p.session))

    assert r.status_code == 200
    assert "<em>agreed</em>" in r.text
    assert '<li class="key-point">A joint working group</li>' in r.text
    assert "Anahit Sargsyan (Yerevan Peace Institute)" in r.text
    assert "Tigran Example" in r.text and "Security Council Office" in r.text
    assert "Chatham House Rule: what was said" not in r.text
    assert "by Rapporteur Person." in r.text
    assert url(p.session, "/edit") not in r.text  # a press officer does not write outcomes


def test_chatham_house_outcome_page_names_no_speaker_but_shows_the_text(client, login, db):
    p = panel(EventFactory())
    rapporteur = organiser(p.session.event, full_name="Rapporteur Person")
    OutcomeFactory(session=p.session, notes="Borders and *connectivity* were discussed.",
                   key_points=["Confidence-building first"], updated_by=rapporteur)
    login(organiser(p.session.event))
    settle(db)

    r = client.get(url(p.session))

    assert "held under the Chatham House Rule" in r.text
    assert "Rapporteur Person" not in r.text  # nobody's name next to the notes
    assert "<em>connectivity</em>" in r.text and "Confidence-building first" in r.text
    assert [word for word in PANEL_WORDS if word in r.text] == []


def test_outcome_page_without_an_outcome_invites_the_organiser_to_write_it(client, login, db):
    session = AgendaSessionFactory()
    cancelled = AgendaSessionFactory(event=session.event, status=SessionStatus.CANCELLED)
    login(organiser(session.event))
    settle(db)

    r = client.get(url(session))
    on_cancelled = client.get(url(cancelled))

    assert r.status_code == 200 and "No outcome yet" in r.text
    assert f'href="{url(session, "/edit")}"' in r.text
    assert "This session was cancelled: it has no outcome." in on_cancelled.text
    assert url(cancelled, "/edit") not in on_cancelled.text


def test_script_in_notes_never_reaches_the_page(client, login, db):
    outcome = OutcomeFactory(notes="<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>",
                             key_points=["<script>alert(4)</script>"])
    session = outcome.session
    login(organiser(session.event))
    settle(db)

    r = client.get(url(session))

    assert "<script>alert" not in r.text and "<img" not in r.text
    assert "javascript:" not in r.text.replace("[x](javascript:alert(2))", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in r.text


def test_outcome_of_a_session_of_another_event_or_a_break_is_404(client, login, db):
    event = EventFactory()
    other = OutcomeFactory()
    pause = AgendaSessionFactory(event=event, kind=SessionKind.BREAK)
    login(organiser(event))
    settle(db)

    answers = [
        client.get(f"/events/{event.id}/sessions/{other.session_id}/outcome").status_code,
        client.get(f"/events/{event.id}/sessions/{other.session_id}/outcome/edit").status_code,
        client.get(f"/events/{event.id}/sessions/{other.session_id}/outcome/delete").status_code,
        client.get(url(pause)).status_code,
    ]

    assert answers == [404, 404, 404, 404]


@pytest.mark.parametrize("n", [1, 3])
def test_outcome_page_query_count_is_constant(client, login, db, count_queries, n):
    p = panel(EventFactory(), chatham_house=False)
    OutcomeFactory(session=p.session, key_points=[f"Point {i}" for i in range(n)])
    login(organiser(p.session.event))
    settle(db)
    address = url(p.session)

    with count_queries() as count:
        r = client.get(address)

    assert r.text.count('class="key-point"') == n
    # the session with its user and grants, the event, the agenda session with its room,
    # translations, speakers, invitees, the outcome with who saved it
    assert count() == 7


# --- the export ----------------------------------------------------------------------------------


def test_markdown_export_has_every_outcome_and_no_speaker(client, login, db):
    event = EventFactory(title="Peace Bridge roundtable")
    p = panel(event)
    OutcomeFactory(session=p.session, notes="Borders were *discussed*.\n\n<script>alert(1)</script>",
                   key_points=["Confidence-building first"], is_public=False)
    opening = AgendaSessionFactory(event=event, title="Opening [plenary]", starts_at=p.session.starts_at - timedelta(hours=2),
                                   ends_at=p.session.starts_at - timedelta(hours=1))
    OutcomeFactory(session=opening, notes="Welcome.", key_points=[])
    AgendaSessionFactory(event=event, title="Without notes", starts_at=p.session.starts_at + timedelta(hours=3),
                         ends_at=p.session.ends_at + timedelta(hours=3))
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}/outcomes.md")

    assert r.status_code == 200
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert r.headers["content-disposition"] == f'attachment; filename="outcomes-{event.id}.md"'
    text = r.text
    assert text.startswith("# Outcomes: Peace Bridge roundtable\n")
    assert "## Friday, February 13, 2026" in text
    assert "### 08:00–09:00 Opening \\[plenary\\]" in text
    assert "### 10:00–11:30 Regional security" in text
    assert "*Chatham House Rule · Internal*" in text
    assert "Borders were *discussed*." in text and "- Confidence-building first" in text
    assert "<script>" not in text and "&lt;script>" in text
    assert text.index("Opening") < text.index("Regional security")
    assert "Without notes" not in text
    assert [word for word in PANEL_WORDS if word in text] == []


def test_markdown_export_is_refused_to_coordinators(client, login, db):
    event = EventFactory()
    login(coordinator(DelegationFactory(event=event)))
    settle(db)

    assert client.get(f"/events/{event.id}/outcomes.md").status_code == 403


# --- write ---------------------------------------------------------------------------------------


def test_edit_form_shows_the_outcome_with_one_key_point_per_line(client, login, db):
    outcome = OutcomeFactory(notes="Some notes", key_points=["One", "Two"], is_public=False)
    session = outcome.session
    login(organiser(session.event))
    settle(db)

    r = client.get(url(session, "/edit"))

    assert r.status_code == 200
    assert ">One\nTwo</textarea>" in r.text
    assert ">Some notes</textarea>" in r.text
    assert 'name="is_public" type="checkbox" value="on">' in r.text  # not checked


def test_writing_an_outcome_saves_and_redirects_to_it(client, login, form, db):
    session = AgendaSessionFactory()
    login(organiser(session.event))
    settle(db)

    r = form(url(session, "/edit"), FORM)

    assert r.status_code == 303 and r.headers["location"] == url(session)
    outcome = outcome_of(db, session.id)
    assert (outcome.notes, outcome.key_points, outcome.is_public) == (
        "The participants agreed on **next steps**.", ["First point", "Second point"], True
    )


def test_editing_replaces_the_outcome(client, login, form, db):
    outcome = OutcomeFactory(notes="Old", key_points=["Old point"], is_public=True)
    session = outcome.session
    login(organiser(session.event))
    settle(db)

    r = form(url(session, "/edit"), {"notes": "New", "key_points": "New point"})

    assert r.status_code == 303
    db.expire_all()
    saved = outcome_of(db, outcome.session_id)
    assert (saved.id, saved.notes, saved.key_points, saved.is_public) == (outcome.id, "New", ["New point"], False)


def test_chatham_house_names_are_refused_beside_the_field(client, login, form, db):
    p = panel(EventFactory())
    login(organiser(p.session.event))
    settle(db)

    notes = form(url(p.session, "/edit"), {**FORM, "notes": "Leyla Mammadova said the border must open."})
    points = form(url(p.session, "/edit"), {**FORM, "key_points": "Proposal of the Yerevan Peace Institute"})

    assert notes.status_code == 422
    assert '<p class="field-error" id="e-notes">' in notes.text
    assert "Remove “Leyla Mammadova” from the notes." in notes.text
    assert ">Leyla Mammadova said the border must open.</textarea>" in notes.text  # kept as typed
    assert points.status_code == 422
    assert '<p class="field-error" id="e-key_points">' in points.text
    assert "Remove “Yerevan Peace Institute” from the key points." in points.text
    assert outcome_of(db, p.session.id) is None


def test_invalid_key_points_re_render_with_errors(client, login, form, db):
    session = AgendaSessionFactory()
    login(organiser(session.event))
    settle(db)

    r = form(url(session, "/edit"), {**FORM, "key_points": "x" * 501})

    assert r.status_code == 422
    assert '<p class="field-error" id="e-key_points">Keep each key point to at most 500 characters.</p>' in r.text
    assert outcome_of(db, session.id) is None


def test_writing_for_a_cancelled_session_is_a_conflict(client, login, form, db):
    session = AgendaSessionFactory(status=SessionStatus.CANCELLED)
    login(organiser(session.event))
    settle(db)

    r = form(url(session, "/edit"), FORM)

    assert r.status_code == 409
    assert outcome_of(db, session.id) is None


def test_delete_asks_then_deletes(client, login, form, db):
    outcome = OutcomeFactory()
    session = outcome.session
    login(organiser(session.event))
    settle(db)

    confirm = client.get(url(session, "/delete"))
    r = form(url(session, "/delete"))

    assert "Delete this outcome?" in confirm.text and session.title in confirm.text
    assert r.status_code == 303 and r.headers["location"] == f"/events/{session.event_id}/outcomes"
    assert outcome_of(db, session.id) is None


def test_delete_without_an_outcome_is_404(client, login, form, db):
    session = AgendaSessionFactory()
    login(organiser(session.event))
    settle(db)

    assert client.get(url(session, "/delete")).status_code == 404
    assert form(url(session, "/delete")).status_code == 404


def test_writes_are_refused_to_press_officers_and_coordinators(client, login, form, db):
    outcome = OutcomeFactory(notes="Unchanged")
    session = outcome.session
    press = press_officer(session.event)
    coord = coordinator(DelegationFactory(event=session.event))
    settle(db)

    for user in (press, coord):
        login(user)
        answers = [
            client.get(url(session, "/edit")).status_code,
            form(url(session, "/edit"), FORM).status_code,
            client.get(url(session, "/delete")).status_code,
            form(url(session, "/delete")).status_code,
        ]
        assert answers == [403] * 4
    assert outcome_of(db, session.id).notes == "Unchanged"


def test_reads_are_refused_to_coordinators_and_hidden_from_delegates(client, login, db):
    session = OutcomeFactory().session
    delegation = DelegationFactory(event=session.event)
    coord = coordinator(delegation)
    participant = delegate(RegistrationFactory(delegation=delegation))
    settle(db)

    login(coord)
    for_coordinator = client.get(url(session))
    login(participant)
    for_delegate = client.get(url(session))

    assert for_coordinator.status_code == 403
    assert for_delegate.status_code == 404  # the agenda itself is not theirs to see


def test_an_archived_event_shows_outcomes_but_takes_no_changes(client, login, form, db):
    session = AgendaSessionFactory(event=EventFactory(status=EventStatus.ARCHIVED))
    OutcomeFactory(notes="Archived notes", session=session)
    login(organiser(session.event))
    settle(db)

    page = client.get(url(session))
    r = form(url(session, "/edit"), FORM)

    assert page.status_code == 200 and "Archived notes" in page.text
    assert url(session, "/edit") not in page.text
    assert r.status_code == 403


@pytest.mark.parametrize("code", ["hy", "az", "ru"])
def test_the_markdown_export_and_the_pages_speak_the_readers_language(client, login, db, code):
    from app import i18n

    event = EventFactory(title="Peace Bridge roundtable")
    p = panel(event)
    OutcomeFactory(session=p.session, notes="Notes.", key_points=["First point"])
    user = login(press_officer(event))
    user.language = None  # the cookie decides
    settle(db)
    read_in(client, code)

    markdown = client.get(f"/events/{event.id}/outcomes.md").text
    page = client.get(f"/events/{event.id}/sessions/{p.session.id}/outcome").text

    from app.agenda.service import local
    from app.outcomes.exports import plain

    day = local(event, p.session.starts_at).date()
    with i18n.use_language(code):
        heading = i18n.gettext("Outcomes: %(title)s") % {"title": "Peace Bridge roundtable"}
        key_points = i18n.gettext("Key points")
        full_day = i18n.format_day(day, fmt="full")
    assert markdown.startswith(f"# {plain(heading)}\n")
    assert f"**{plain(key_points)}**" in markdown
    assert f"## {plain(full_day)}" in markdown
    assert full_day in page and key_points in page
