import pytest
from sqlalchemy import select

from app.agenda.models import SessionKind, SessionSpeaker, SessionStatus, SpeakerRole
from app.events.models import EventStatus
from app.officials.models import Official
from tests.factories import (
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    OfficialFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle

FORM = {
    "name": "Armen Example",
    "name_native": "Արմեն Էքզամփլ",
    "title": "Secretary of the Security Council",
    "institution": "Security Council of Armenia",
    "country": "AM",
    "notes": "",
}


def named(db, name):
    return db.scalar(select(Official).where(Official.name == name))


# --- the list ------------------------------------------------------------------------------------


def test_list_shows_each_official_with_title_and_country(client, login, db):
    event = EventFactory()
    OfficialFactory(event=event, name="Armen Example", name_native="Արմեն", title="Secretary", country="AM")
    OfficialFactory(event=event, name="Leyla Example", country="AZ")
    OfficialFactory(name="Of another event")
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/officials")

    assert r.status_code == 200
    assert r.text.count('class="official"') == 2
    assert "Արմեն" in r.text and "Secretary" in r.text and "Azerbaijan" in r.text
    assert "Of another event" not in r.text
    assert f'href="/events/{event.id}/officials/new"' in r.text


def test_list_for_press_officers_and_coordinators_has_no_management_links(client, login, db):
    event = EventFactory()
    OfficialFactory(event=event)
    press = press_officer(event)
    coord = coordinator(DelegationFactory(event=event))

    for user in (press, coord):
        login(user)
        settle(db)
        r = client.get(f"/events/{event.id}/officials")
        assert r.text.count('class="official"') == 1
        assert "/officials/new" not in r.text


def test_list_without_officials_shows_empty_state(client, login, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/officials")

    assert "This event has no officials yet." in r.text


def test_list_is_refused_to_anonymous_and_outsiders_and_hidden_for_a_draft(client, login, db):
    event = EventFactory()
    draft = EventFactory(status=EventStatus.DRAFT)
    settle(db)

    anonymous = client.get(f"/events/{event.id}/officials")
    login(UserFactory())
    outsider = client.get(f"/events/{event.id}/officials")
    hidden = client.get(f"/events/{draft.id}/officials")

    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    assert outsider.status_code == 403
    assert hidden.status_code == 404


@pytest.mark.parametrize("n", [1, 3])
def test_list_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    OfficialFactory.create_batch(n, event=event)
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/officials"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="official"') == n
    # the session with its user and grants, event, the names (sorted in the reader's collation), officials
    assert count() == 4


# --- create, edit, delete ------------------------------------------------------------------------


def test_new_form_suggests_the_host_country(client, login, db):
    event = EventFactory(host_country="AM")
    login(organiser(event))
    settle(db)

    r = client.get(f"/events/{event.id}/officials/new")

    assert '<option value="AM" selected>' in r.text


def test_create_saves_and_redirects_to_the_official(client, login, form, db):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/officials/new", FORM)

    official = named(db, "Armen Example")
    assert r.status_code == 303
    assert r.headers["location"] == f"/events/{event.id}/officials/{official.id}"
    assert (official.title, official.name_native, official.event_id) == (
        "Secretary of the Security Council", "Արմեն Էքզամփլ", event.id
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"title": "t" * 201}, "title", "Use at most 200 characters."),
        ({"institution": " "}, "institution", "This field is required."),
        ({"country": "XX"}, "country", "Choose a country from the list."),
    ],
)
def test_create_with_invalid_fields_re_renders_with_errors_beside_them(client, login, form, db, change, field, message):
    event = EventFactory()
    login(organiser(event))
    settle(db)

    r = form(f"/events/{event.id}/officials/new", {**FORM, **change})

    assert r.status_code == 422
    assert f'<p class="field-error" id="e-{field}">{message}</p>' in r.text
    assert 'value="Արմեն Էքզամփլ"' in r.text  # what was typed is kept
    assert db.scalar(select(Official).where(Official.event_id == event.id)) is None


def test_edit_saves_the_changes(client, login, form, db):
    official = OfficialFactory(title="Deputy Minister")
    login(organiser(official.event))
    settle(db)
    url = f"/events/{official.event_id}/officials/{official.id}/edit"

    page = client.get(url)
    r = form(url, {**FORM, "name": official.name, "title": "Minister"})

    assert 'value="Deputy Minister"' in page.text
    assert r.status_code == 303
    db.expire_all()
    assert db.get(Official, official.id).title == "Minister"


def test_delete_asks_then_deletes(client, login, form, db):
    official = OfficialFactory(name="To be removed")
    login(organiser(official.event))
    settle(db)
    url = f"/events/{official.event_id}/officials/{official.id}/delete"

    confirm = client.get(url)
    r = form(url)

    assert "Delete this official?" in confirm.text and "To be removed" in confirm.text
    assert r.status_code == 303 and r.headers["location"] == f"/events/{official.event_id}/officials"
    assert db.get(Official, official.id) is None


def test_delete_of_an_official_on_a_session_is_refused(client, login, form, db):
    official = OfficialFactory()
    db.add(SessionSpeaker(session=AgendaSessionFactory(event=official.event), official=official))
    login(organiser(official.event))
    settle(db)

    r = form(f"/events/{official.event_id}/officials/{official.id}/delete")

    assert r.status_code == 409
    assert "takes part in 1 session of the agenda. Remove them from that session first." in r.text
    assert db.get(Official, official.id) is not None


def test_writes_are_refused_to_press_officers(client, login, form, db):
    official = OfficialFactory()
    login(press_officer(official.event))
    settle(db)
    base = f"/events/{official.event_id}/officials"

    answers = [
        client.get(f"{base}/new").status_code,
        form(f"{base}/new", FORM).status_code,
        client.get(f"{base}/{official.id}/edit").status_code,
        form(f"{base}/{official.id}/edit", FORM).status_code,
        form(f"{base}/{official.id}/delete").status_code,
    ]

    assert answers == [403] * 5
    assert named(db, "Armen Example") is None


def test_an_official_of_another_event_is_404(client, login, db):
    event = EventFactory()
    other = OfficialFactory()
    login(organiser(event))
    settle(db)

    assert client.get(f"/events/{event.id}/officials/{other.id}").status_code == 404
    assert client.get(f"/events/{event.id}/officials/{other.id}/edit").status_code == 404


# --- the official and their meetings ---------------------------------------------------------------


def test_detail_shows_the_official_and_their_meetings(client, login, db):
    official = OfficialFactory(name="Armen Example", title="Secretary of the Security Council", notes="Protocol: formal")
    event = official.event
    moderator = RegistrationFactory(delegation=DelegationFactory(event=event))
    meeting = AgendaSessionFactory(event=event, kind=SessionKind.OFFICIAL_MEETING, title="Meeting with the Secretary")
    cancelled = AgendaSessionFactory(
        event=event, title="Dropped visit", status=SessionStatus.CANCELLED,
        starts_at=meeting.starts_at.replace(hour=meeting.starts_at.hour + 3),
        ends_at=meeting.ends_at.replace(hour=meeting.ends_at.hour + 3),
    )
    AgendaSessionFactory(event=event, title="Not with them")
    db.add_all([
        SessionSpeaker(session=meeting, official=official, role=SpeakerRole.GUEST),
        SessionSpeaker(session=meeting, registration=moderator, role=SpeakerRole.MODERATOR, position=1),
        SessionSpeaker(session=cancelled, official=official, role=SpeakerRole.GUEST),
    ])
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}/officials/{official.id}")

    assert r.status_code == 200
    assert r.text.count('class="meeting"') == 2
    assert "Meeting with the Secretary" in r.text and "Not with them" not in r.text
    assert moderator.person.full_name in r.text
    assert "Protocol: formal" in r.text
    assert "badge-cancelled" in r.text
    assert f"/officials/{official.id}/edit" not in r.text  # a press officer does not manage


@pytest.mark.parametrize("n", [1, 3])
def test_detail_query_count_is_constant(client, login, db, count_queries, n):
    official = OfficialFactory()
    event = official.event
    for i in range(n):
        session = AgendaSessionFactory(event=event, title=f"Meeting {i}")
        db.add(SessionSpeaker(session=session, official=official, role=SpeakerRole.GUEST))
        speaker = RegistrationFactory(delegation=DelegationFactory(event=event))
        db.add(SessionSpeaker(session=session, registration=speaker, role=SpeakerRole.MODERATOR, position=1))
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/officials/{official.id}"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="meeting"') == n
    # the session with its user and grants, event, official, meetings with rooms, speakers
    assert count() == 5
