from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.agenda.models import AgendaSession, Room, SessionSpeaker, SessionStatus, SpeakerRole
from app.events.models import EventStatus
from tests.factories import (
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    OfficialFactory,
    RegistrationFactory,
    RoomFactory,
    SessionTranslationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle

YEREVAN = ZoneInfo("Asia/Yerevan")
FORM = {
    "kind": "thematic_session",
    "title": "Benefits of sustainable peace",
    "day": "2026-02-14",
    "start": "10:00",
    "end": "11:30",
    "topics": "peace, public expectations",
    "audience": "everyone",
    "is_published": "on",
}


def titled(db, title):
    return db.scalar(select(AgendaSession).where(AgendaSession.title == title))


def at(hour: int, minute: int = 0, day: int = 13) -> datetime:
    return datetime(2026, 2, day, hour, minute, tzinfo=YEREVAN)


def with_speaker(db, session, registration=None, official=None, role=SpeakerRole.SPEAKER):  # type: ignore[no-untyped-def]
    db.add(SessionSpeaker(session=session, registration=registration, official=official, role=role))
    db.flush()


# --- the builder ---------------------------------------------------------------------------------


def test_grid_shows_the_days_rooms_and_sessions_with_their_warnings(client, login, db):
    event = EventFactory()
    hall = RoomFactory(event=event, name="Main hall")
    RoomFactory(event=event, name="Garden terrace")
    person = RegistrationFactory(delegation=DelegationFactory(event=event))
    first = AgendaSessionFactory(event=event, room=hall, title="Current stage of relations")
    second = AgendaSessionFactory(event=event, room=None, title="Joint projects", starts_at=at(11), ends_at=at(12))
    for s in (first, second):
        with_speaker(db, s, registration=person)
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/agenda")

    assert r.status_code == 200
    assert "<title>Agenda for February 13, 2026 · " in r.text
    assert "times in Asia/Yerevan" in r.text
    assert 'href="?day=2026-02-14"' in r.text or f'href="/events/{event.id}/agenda?day=2026-02-14"' in r.text
    assert '<th scope="col">Main hall</th>' in r.text and '<th scope="col">Garden terrace</th>' in r.text
    assert '<th scope="col">No room</th>' in r.text
    assert r.text.count('class="agenda-session ') == 2
    assert r.text.count('class="agenda-warning"') == 2
    assert "10:00–11:30" in r.text and person.person.full_name in r.text
    assert 'rowspan="3"' in r.text  # 10:00–11:30 spans three half hours
    new = f"/events/{event.id}/agenda/sessions/new?day=2026-02-13&amp;start=09:00&amp;room={hall.id}"
    assert f'href="{new}"' in r.text
    assert "Add a session at 09:00 in Main hall" in r.text


def test_grid_of_the_second_day_and_a_bad_day_falls_back_to_the_first(client, login, db):
    event = EventFactory()
    AgendaSessionFactory(event=event, title="Day two talk", starts_at=at(10, day=14), ends_at=at(11, day=14))
    login(organiser(event))
    settle(db)

    second = client.get(f"/events/{event.id}/agenda?day=2026-02-14")
    bad = client.get(f"/events/{event.id}/agenda?day=someday")

    assert "Day two talk" in second.text
    assert bad.status_code == 200 and "Day two talk" not in bad.text
    assert "No sessions on this day yet." in bad.text


def test_grid_without_rooms_invites_to_add_one(client, login, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/agenda")

    assert "This event has no rooms yet" in r.text
    assert f'href="/events/{event.id}/rooms/new"' in r.text


def test_list_view_filters_by_kind_room_and_status(client, login, db):
    event = EventFactory()
    hall = RoomFactory(event=event)
    AgendaSessionFactory(event=event, room=hall, title="Plenary one", kind="plenary")
    AgendaSessionFactory(event=event, room=None, title="Coffee", kind="break", starts_at=at(12), ends_at=at(12, 30))
    AgendaSessionFactory(event=event, room=None, title="Dropped", kind="break", status=SessionStatus.CANCELLED,
                         starts_at=at(13), ends_at=at(14))
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/agenda?view=list"

    everything = client.get(url)
    breaks = client.get(url + "&kind=break&room_id=&status=")
    in_hall = client.get(url + f"&room_id={hall.id}")
    cancelled = client.get(url + "&status=cancelled")
    nothing = client.get(url + "&kind=press_conference")

    assert everything.text.count('class="agenda-session ') == 3
    assert breaks.text.count('class="agenda-session ') == 2 and "Plenary one" not in breaks.text
    assert in_hall.text.count('class="agenda-session ') == 1
    assert "Dropped" in cancelled.text and "Coffee" not in cancelled.text
    assert "No sessions match these filters." in nothing.text
    assert "is-cancelled" in everything.text


def test_list_view_without_sessions_shows_empty_state(client, login, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/agenda?view=list")

    assert "The agenda has no sessions yet." in r.text


@pytest.mark.parametrize("who", ["press_officer", "coordinator"])
def test_readers_see_the_builder_without_management_links(client, login, db, who):
    event = EventFactory()
    AgendaSessionFactory(event=event, title="Opening")
    login(press_officer(event) if who == "press_officer" else coordinator(DelegationFactory(event=event)))
    settle(db)

    r = client.get(f"/events/{event.id}/agenda")

    assert r.status_code == 200 and "Opening" in r.text
    assert "/agenda/sessions/new" not in r.text


def test_builder_is_refused_to_anonymous_and_to_outsiders(client, login, db):
    event = EventFactory()
    settle(db)

    anonymous = client.get(f"/events/{event.id}/agenda")
    login(UserFactory())
    outsider = client.get(f"/events/{event.id}/agenda")
    hidden = client.get(f"/events/{EventFactory(status=EventStatus.DRAFT).id}/agenda")

    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    assert outsider.status_code == 403
    assert hidden.status_code == 404


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("view", ["grid", "list"])
def test_builder_query_count_is_constant(client, login, db, count_queries, n, view):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    official = OfficialFactory(event=event)
    for hour in range(10, 10 + n):
        session = AgendaSessionFactory(event=event, starts_at=at(hour), ends_at=at(hour, 45))
        with_speaker(db, session, registration=RegistrationFactory(delegation=delegation))
        with_speaker(db, session, official=official)
        SessionTranslationFactory(session=session, language="hy", title=f"Նիստ {hour}")
        SessionTranslationFactory(session=session, language="ru", title=f"Сессия {hour}")
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/agenda" + ("?view=list" if view == "list" else "")

    with count_queries() as count:
        r = client.get(url, headers={"Accept-Language": "hy"})

    assert r.text.count('class="agenda-session ') == n
    assert r.text.count("Նիստ 1") == n and "Сессия" not in r.text
    # the sign-in session with its grants, event, rooms, sessions, translations, speakers,
    # invitees, and the event's crossings (the conflict check of a delegation crossing the border
    # during a session)
    assert count() == 8


# --- sessions ------------------------------------------------------------------------------------


def test_new_session_form_is_prefilled_from_a_grid_cell(client, login, db):
    event = EventFactory()
    hall = RoomFactory(event=event, name="Main hall")
    RegistrationFactory(delegation=DelegationFactory(event=event))
    OfficialFactory(event=event, name="Deputy Minister")
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/agenda/sessions/new?day=2026-02-14&start=14:30&room={hall.id}")

    assert r.status_code == 200
    assert '<option value="2026-02-14" selected>' in r.text
    assert 'name="start" type="time" value="14:30"' in r.text
    assert 'name="end" type="time" value="15:30"' in r.text
    assert f'<option value="{hall.id}" selected>Main hall</option>' in r.text
    assert "Deputy Minister" in r.text and 'optgroup label="Participants"' in r.text


def test_create_session_saves_in_the_events_zone_and_redirects(client, login, form, db):
    event = EventFactory()
    hall = RoomFactory(event=event)
    delegation = DelegationFactory(event=event)
    moderator = RegistrationFactory(delegation=delegation)
    invited = RegistrationFactory(delegation=delegation)
    minister = OfficialFactory(event=event)
    login(organiser(event))
    settle(db)

    r = form(
        f"/events/{event.id}/agenda/sessions/new",
        {**FORM, "room_id": str(hall.id), "speaker_0": f"r:{moderator.id}", "speaker_0_role": "moderator",
         "speaker_1": f"o:{minister.id}", "speaker_1_role": "guest", "speaker_2": "", "speaker_2_role": "speaker",
         "invitee_ids": [str(invited.id)], "chatham_house": "on"},
    )

    session = titled(db, FORM["title"])
    assert r.status_code == 303
    assert r.headers["location"] == f"/events/{event.id}/agenda/sessions/{session.id}"
    assert session.starts_at == datetime(2026, 2, 14, 6, 0, tzinfo=UTC)
    assert (session.room_id, session.topics, session.chatham_house, session.is_published) == (
        hall.id, ["peace", "public expectations"], True, True
    )
    speakers = db.scalars(select(SessionSpeaker).where(SessionSpeaker.session_id == session.id).order_by(SessionSpeaker.position))
    assert [(s.registration_id, s.official_id, s.role) for s in speakers] == [
        (moderator.id, None, SpeakerRole.MODERATOR), (None, minister.id, SpeakerRole.GUEST)
    ]
    detail = client.get(r.headers["location"])
    assert "The session has been added to the agenda." in detail.text
    assert moderator.person.full_name in detail.text and minister.name in detail.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "This field is required."),
        ("kind", "party", "Choose one of the options."),
        ("end", "09:00", "The session must end after it starts."),
        ("start", "25:00", None),
        ("day", "2026-02-20", "The event runs"),
        ("room_id", "2147483647", "Choose a room of this event."),
        ("speaker_0", "x:1", "Choose each speaker from the list."),
        ("speaker_0", "r:2147483647", "Speaker 1 is not a participant of this event."),
        ("audience", "delegation", "Choose the delegation this session is for."),
        ("invitee_ids", "2147483647", "Invite participants of this event only."),
    ],
)
def test_create_with_bad_input_shows_the_error_beside_its_field(client, login, form, db, field, value, message):
    event = EventFactory()
    login(organiser(event))
    settle(db)
    shown = {"speaker_0": "speakers", "audience": "audience_delegation_id"}.get(field, field)

    r = form(f"/events/{event.id}/agenda/sessions/new", {**FORM, field: value})

    assert r.status_code == 422
    assert f'<p class="field-error" id="e-{shown}">' in r.text
    if message:
        assert message in r.text
    assert 'value="Benefits of sustainable peace"' in r.text or field == "title"
    assert titled(db, FORM["title"]) is None


def test_a_room_clash_is_refused_and_cannot_be_confirmed(client, login, form, db):
    event = EventFactory()
    hall = RoomFactory(event=event, name="Main hall")
    AgendaSessionFactory(event=event, room=hall, title="Opening", starts_at=at(10, day=14), ends_at=at(11, day=14))
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/agenda/sessions/new", {**FORM, "room_id": str(hall.id), "confirm": "on"})

    assert r.status_code == 422
    assert '<p class="field-error" id="e-room_id">The room “Main hall” is taken by “Opening”' in r.text
    assert "Save despite these warnings" not in r.text
    assert titled(db, FORM["title"]) is None


def test_a_speaker_clash_warns_and_saves_once_confirmed(client, login, form, db):
    event = EventFactory()
    person = RegistrationFactory(delegation=DelegationFactory(event=event))
    other = AgendaSessionFactory(event=event, title="Joint projects", starts_at=at(10, day=14), ends_at=at(11, day=14))
    with_speaker(db, other, registration=person)
    login(organiser(event))
    settle(db)
    data = {**FORM, "speaker_0": f"r:{person.id}", "speaker_0_role": "speaker"}

    warned = form(f"/events/{event.id}/agenda/sessions/new", data)
    nothing_yet = titled(db, FORM["title"])
    saved = form(f"/events/{event.id}/agenda/sessions/new", {**data, "confirm": "on"})

    assert warned.status_code == 409
    assert "This conflicts with other sessions:" in warned.text and "Joint projects" in warned.text
    assert 'name="confirm" type="checkbox" value="on">' in warned.text  # shown, not ticked
    assert f'<option value="r:{person.id}" selected>' in warned.text
    assert nothing_yet is None
    assert saved.status_code == 303 and titled(db, FORM["title"]) is not None


def test_session_detail_shows_facts_speakers_and_markdown(client, login, db):
    event = EventFactory()
    session = AgendaSessionFactory(event=event, title="Peace agenda", description="The **Washington** summit",
                                   notes="Bring the briefing", topics=["peace"])
    with_speaker(db, session, official=OfficialFactory(event=event, name="Secretary of the Security Council"),
                 role=SpeakerRole.GUEST)
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/agenda/sessions/{session.id}")

    assert r.status_code == 200
    assert "<title>Peace agenda · " in r.text
    assert "<strong>Washington</strong>" in r.text
    assert "Bring the briefing" in r.text and "Secretary of the Security Council" in r.text
    assert "(Asia/Yerevan)" in r.text and "10:00–11:30" in r.text
    for action in ("edit", "move", "duplicate", "cancel", "delete"):
        assert f"/agenda/sessions/{session.id}/{action}" in r.text


def test_session_of_another_event_or_for_an_outsider_is_404(client, login, db):
    event = EventFactory()
    theirs = AgendaSessionFactory()
    mine = AgendaSessionFactory(event=event)
    login(organiser(event))
    settle(db)

    assert client.get(f"/events/{event.id}/agenda/sessions/{theirs.id}").status_code == 404
    assert client.get(f"/events/{event.id}/agenda/sessions/{theirs.id}/edit").status_code == 404
    login(UserFactory())
    assert client.get(f"/events/{event.id}/agenda/sessions/{mine.id}").status_code == 404


@pytest.mark.parametrize("who", ["press_officer", "coordinator"])
def test_session_writes_are_forbidden_to_readers(client, login, form, db, who):
    event = EventFactory()
    session = AgendaSessionFactory(event=event)
    login(press_officer(event) if who == "press_officer" else coordinator(DelegationFactory(event=event)))
    settle(db)
    base = f"/events/{event.id}/agenda/sessions"

    assert client.get(f"{base}/{session.id}").status_code == 200
    assert client.get(f"{base}/new").status_code == 403
    assert form(f"{base}/new", FORM).status_code == 403
    assert client.get(f"{base}/{session.id}/edit").status_code == 403
    assert form(f"{base}/{session.id}/cancel").status_code == 403
    assert form(f"{base}/{session.id}/delete").status_code == 403
    assert titled(db, FORM["title"]) is None


def test_edit_form_is_filled_in_and_saving_grows_sequence(client, login, form, db):
    event = EventFactory()
    hall = RoomFactory(event=event)
    person = RegistrationFactory(delegation=DelegationFactory(event=event))
    session = AgendaSessionFactory(event=event, room=hall, title="Opening", topics=["peace", "trade"])
    with_speaker(db, session, registration=person, role=SpeakerRole.MODERATOR)
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/agenda/sessions/{session.id}/edit"

    page = client.get(url)
    r = form(url, {**FORM, "title": "Opening plenary", "day": "2026-02-13", "room_id": str(hall.id),
                   "speaker_0": f"r:{person.id}", "speaker_0_role": "moderator"})

    assert 'value="Opening"' in page.text and 'value="peace, trade"' in page.text
    assert 'name="start" type="time" value="10:00"' in page.text
    assert f'<option value="r:{person.id}" selected>' in page.text
    assert r.status_code == 303
    db.expire_all()
    saved = db.get(AgendaSession, session.id)
    assert (saved.title, saved.sequence, saved.starts_at) == ("Opening plenary", 1, at(10))


def test_move_keeps_the_length_and_a_clash_is_refused(client, login, form, db):
    event = EventFactory()
    hall, garden = RoomFactory(event=event, name="Hall"), RoomFactory(event=event, name="Garden")
    AgendaSessionFactory(event=event, room=garden, title="Walk", starts_at=at(15, day=14), ends_at=at(16, day=14))
    session = AgendaSessionFactory(event=event, room=hall)  # 10:00–11:30
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/agenda/sessions/{session.id}/move"

    page = client.get(url)
    refused = form(url, {"day": "2026-02-14", "start": "14:00", "room_id": str(garden.id)})
    moved = form(url, {"day": "2026-02-14", "start": "16:00", "room_id": str(garden.id)})

    assert page.status_code == 200 and f'<option value="{hall.id}" selected>Hall</option>' in page.text
    assert refused.status_code == 422 and '<p class="field-error" id="e-room_id">' in refused.text
    assert moved.status_code == 303 and moved.headers["location"] == f"/events/{event.id}/agenda?day=2026-02-14"
    db.expire_all()
    saved = db.get(AgendaSession, session.id)
    assert (saved.starts_at, saved.ends_at, saved.room_id) == (at(16, day=14), at(17, 30, day=14), garden.id)


def test_duplicate_makes_a_copy_and_opens_its_move_form(client, login, form, db):
    event = EventFactory()
    session = AgendaSessionFactory(event=event, title="Workshop")
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/agenda/sessions/{session.id}/duplicate")

    copy = titled(db, "Workshop (copy)")
    assert r.status_code == 303 and r.headers["location"] == f"/events/{event.id}/agenda/sessions/{copy.id}/move"
    assert (copy.room_id, copy.is_published) == (None, False)
    assert "A copy has been made" in client.get(r.headers["location"]).text


def test_cancel_then_reinstate(client, login, form, db):
    event = EventFactory()
    session = AgendaSessionFactory(event=event)
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/agenda/sessions/{session.id}"

    cancelled = form(f"{url}/cancel")
    page = client.get(url)
    reinstated = form(f"{url}/reinstate")

    assert cancelled.status_code == 303
    assert "The session has been cancelled." in page.text and "Reinstate" in page.text
    assert reinstated.status_code == 303
    db.expire_all()
    assert (db.get(AgendaSession, session.id).status, db.get(AgendaSession, session.id).sequence) == ("scheduled", 2)


def test_delete_asks_first_then_deletes(client, login, form, db):
    event = EventFactory()
    session = AgendaSessionFactory(event=event, title="Farewell dinner")
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/agenda/sessions/{session.id}/delete"

    page = client.get(url)
    r = form(url)

    assert "Delete this session?" in page.text and "Farewell dinner" in page.text
    assert r.status_code == 303 and r.headers["location"] == f"/events/{event.id}/agenda?day=2026-02-13"
    assert db.get(AgendaSession, session.id) is None


def test_archived_event_has_no_agenda_forms(client, login, db):
    event = EventFactory(status=EventStatus.ARCHIVED)
    session = AgendaSessionFactory(event=event)
    login(organiser(event))
    settle(db)

    builder = client.get(f"/events/{event.id}/agenda")
    edit = client.get(f"/events/{event.id}/agenda/sessions/{session.id}/edit")

    assert builder.status_code == 200 and "/agenda/sessions/new" not in builder.text
    assert edit.status_code == 403


# --- rooms ---------------------------------------------------------------------------------------


def test_rooms_list_new_edit_and_delete(client, login, form, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)
    base = f"/events/{event.id}/rooms"

    empty = client.get(base)
    new_form = client.get(f"{base}/new")
    created = form(f"{base}/new", {"name": "Main hall", "capacity": "80", "position": "0", "notes": ""})
    room = db.scalar(select(Room).where(Room.event_id == event.id))
    listed = client.get(base)
    edit_form = client.get(f"{base}/{room.id}/edit")
    edited = form(f"{base}/{room.id}/edit", {"name": "Plenary hall", "capacity": "", "position": "1"})
    confirm = client.get(f"{base}/{room.id}/delete")
    deleted = form(f"{base}/{room.id}/delete")

    assert "This event has no rooms yet." in empty.text and new_form.status_code == 200
    assert created.status_code == 303 and created.headers["location"] == base
    assert 'class="room"' in listed.text and "The room “Main hall” has been added." in listed.text
    assert 'value="Main hall"' in edit_form.text and 'value="80"' in edit_form.text
    assert edited.status_code == 303
    assert "Delete this room?" in confirm.text
    assert deleted.status_code == 303 and db.get(Room, room.id) is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("name", "", "This field is required."), ("capacity", "-1", None), ("position", "many", "Enter a whole number.")],
)
def test_room_form_errors_rerender_422(client, login, form, db, field, value, message):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/rooms/new", {"name": "Main hall", "position": "0", field: value})

    assert r.status_code == 422 and f'id="e-{field}"' in r.text
    if message:
        assert message in r.text


def test_room_with_a_taken_name_rerenders_422(client, login, form, db):
    event = EventFactory()
    RoomFactory(event=event, name="Main hall")
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/rooms/new", {"name": "main hall", "position": "0"})

    assert r.status_code == 422 and "This event has a room of that name already." in r.text


def test_room_of_another_event_is_404_and_readers_cannot_change_rooms(client, login, form, db):
    event = EventFactory()
    other = RoomFactory()
    mine = RoomFactory(event=event)
    login(organiser(event))
    settle(db)

    assert client.get(f"/events/{event.id}/rooms/{other.id}/edit").status_code == 404
    login(press_officer(event))
    assert client.get(f"/events/{event.id}/rooms").status_code == 200
    assert client.get(f"/events/{event.id}/rooms/{mine.id}/edit").status_code == 403
    assert form(f"/events/{event.id}/rooms/new", {"name": "Annex", "position": "0"}).status_code == 403


def test_grid_times_follow_the_events_zone(client, login, db):
    event = EventFactory(timezone="America/New_York", starts_on=datetime(2026, 3, 8).date(), ends_on=datetime(2026, 3, 8).date())
    start = datetime.combine(event.starts_on, time(10), ZoneInfo("America/New_York"))  # after the DST switch
    AgendaSessionFactory(event=event, starts_at=start, ends_at=start.replace(hour=11))
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/agenda")

    assert "10:00–11:00" in r.text and "times in America/New York" in r.text
