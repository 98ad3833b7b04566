"""Session translations: a session's title and description in other languages, entered by the
organiser (page form and API) and shown in the reader's language everywhere a reader meets the
session, the original where there is no translation; the schedule exports keep the original."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app import i18n
from app.agenda import exports, programme, service
from app.agenda.models import AgendaSession, SessionSpeaker, SessionTranslation, SpeakerRole
from app.agenda.schemas import SessionIn, TranslationIn
from app.events.models import Event
from app.itineraries import service as itineraries
from app.registrations.models import RegistrationStatus
from tests.factories import (
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    RegistrationFactory,
    SessionTranslationFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
)
from tests.support import pdf_text, read_in, settle, squeezed

YEREVAN = ZoneInfo("Asia/Yerevan")
DAY_ONE = date(2026, 2, 13)
SECURITY = "Regional security, borders and connectivity"
SECURITY_HY = "Տարածաշրջանային անվտանգություն, սահմաններ և կապեր"
SECURITY_RU = "Региональная безопасность, границы и связи"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY_ONE, datetime.min.time().replace(hour=hour, minute=minute), YEREVAN)


def translated(db, title: str = SECURITY, **kwargs):  # type: ignore[no-untyped-def]
    """A published session with an Armenian and a Russian translation (none in Azerbaijani)."""
    session = AgendaSessionFactory(title=title, description="The **original** description.", **kwargs)
    SessionTranslationFactory(session=session, language="hy", title=SECURITY_HY, description="Հայերեն **նկարագրություն**։")
    SessionTranslationFactory(session=session, language="ru", title=SECURITY_RU, description="")
    db.flush()
    return session


def reloaded(db, session: AgendaSession) -> AgendaSession:  # type: ignore[no-untyped-def]
    db.flush()
    db.expire_all()
    event = db.get(Event, session.event_id)
    return service.get_for_viewer(db, viewer=organiser(event), event=event, session_id=session.id)


def stored(db, session_id: int) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = db.scalars(select(SessionTranslation).where(SessionTranslation.session_id == session_id))
    return {t.language: (t.title, t.description) for t in rows}


# --- the model and the service -------------------------------------------------------------------


def test_reader_title_and_description_follow_the_readers_language_with_fallback(db):
    session = reloaded(db, translated(db))

    with i18n.use_language("hy"):
        hy = (session.reader_title, session.reader_description)
    with i18n.use_language("ru"):
        ru = (session.reader_title, session.reader_description)
    with i18n.use_language("az"):
        az = (session.reader_title, session.reader_description)

    assert hy == (SECURITY_HY, "Հայերեն **նկարագրություն**։")
    assert ru == (SECURITY_RU, "The **original** description.")  # no Russian description: the original
    assert az == (SECURITY, "The **original** description.")


def test_create_saves_translations_and_leaves_blank_ones_out(db):
    event = EventFactory()
    data = SessionIn(
        kind="plenary", title="Opening", starts_at=at(9), ends_at=at(10),
        translations={"hy": {"title": "Բացում", "description": ""}, "az": {"title": " ", "description": ""}},
    )

    session = service.create_session(db, actor=organiser(event), event=event, data=data)

    assert stored(db, session.id) == {"hy": ("Բացում", "")}


def test_update_replaces_the_translations_and_a_calendar_sees_the_change(db):
    session = reloaded(db, translated(db))
    sequence = session.sequence

    service.update_session(
        db, actor=organiser(session.event), session=session,
        changes={"translations": {"az": TranslationIn(title="Regional təhlükəsizlik").model_dump()}},
    )

    assert stored(db, session.id) == {"az": ("Regional təhlükəsizlik", "")}
    assert session.sequence == sequence + 1


def test_an_unchanged_translation_is_no_change(db):
    session = reloaded(db, translated(db))
    sequence = session.sequence
    same = {t.language: {"title": t.title, "description": t.description} for t in session.translations}

    service.update_session(db, actor=organiser(session.event), session=session, changes={"translations": same})

    assert session.sequence == sequence


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="translations"):
        SessionIn(kind="plenary", title="Opening", starts_at=at(9), ends_at=at(10),
                  translations={"de": {"title": "Eröffnung"}})


def test_duplicate_copies_the_translations_marked_as_copies_in_their_language(db):
    session = reloaded(db, translated(db))

    copy = service.duplicate_session(db, actor=organiser(session.event), session=session)

    with i18n.use_language("hy"):
        expected_hy = i18n.gettext("%(title)s (copy)") % {"title": SECURITY_HY}
    assert stored(db, copy.id)["hy"] == (expected_hy, "Հայերեն **նկարագրություն**։")
    assert set(stored(db, copy.id)) == {"hy", "ru"}


def test_deleting_a_session_deletes_its_translations(db):
    session = reloaded(db, translated(db))

    service.delete_session(db, actor=organiser(session.event), session=session)

    assert db.scalar(select(func.count()).select_from(SessionTranslation)) == 0


def test_conflicts_name_the_other_session_in_the_readers_language(db):
    other = translated(db)
    session = AgendaSessionFactory(event=other.event, room=other.room, title="Trade")
    session = reloaded(db, session)

    with i18n.use_language("hy"):
        (warning,) = service.conflicts_of(db, viewer=organiser(session.event), event=session.event, session=session)

    assert SECURITY_HY in warning.message and SECURITY not in warning.message


# --- the programme and its files -------------------------------------------------------------------


def test_programme_reads_the_readers_language_and_the_schedule_keeps_the_original(db):
    session = translated(db)
    event = session.event

    with i18n.use_language("hy"):
        read = programme.for_viewer(db, viewer=None, event=event)
        schedule = exports.frab_schedule(read)
        calendar = exports.ics(read).decode()
    (item,) = read.items
    (talk,) = [t for day in schedule["schedule"]["conference"]["days"] for ts in day["rooms"].values() for t in ts]

    assert (item.title, item.original_title) == (SECURITY_HY, SECURITY)
    assert (talk["title"], talk["abstract"]) == (SECURITY, "The **original** description.")
    assert "SUMMARY:" + SECURITY_HY[:20] in calendar.replace("\r\n ", "")


def test_programme_page_in_armenian_shows_the_armenian_title_and_falls_back_in_azerbaijani(client, db):
    session = translated(db)
    settle(db)
    url = f"/events/{session.event_id}/programme"

    read_in(client, "hy")
    hy = client.get(url).text
    read_in(client, "az")
    az = client.get(url).text

    assert f"<h3>{SECURITY_HY}</h3>" in hy and "<strong>նկարագրություն</strong>" in hy
    assert f"<h3>{SECURITY}</h3>" in az and "<strong>original</strong>" in az


def test_programme_pdf_in_russian_carries_the_russian_title(client, db):
    session = translated(db)
    settle(db)
    read_in(client, "ru")

    content = client.get(f"/events/{session.event_id}/programme.pdf").content

    text = squeezed(pdf_text(content))
    assert "Региональная безопасность" in text and "Regional security" not in text


def test_the_json_ld_block_names_the_session_as_the_page_does(client, db):
    session = translated(db)
    settle(db)
    read_in(client, "ru")

    page = client.get(f"/events/{session.event_id}/programme").text
    block = page.split('<script type="application/ld+json">')[1].split("</script>")[0]

    assert [s["name"] for s in json.loads(block)["subEvent"]] == [SECURITY_RU]


# --- the organiser's pages ------------------------------------------------------------------------


def test_session_detail_in_armenian_shows_the_translation_and_the_original(client, login, db):
    session = translated(db)
    login(organiser(session.event))
    settle(db)
    read_in(client, "hy")

    r = client.get(f"/events/{session.event_id}/agenda/sessions/{session.id}")

    assert r.status_code == 200
    assert f"<title>{SECURITY_HY} · " in r.text
    assert "<strong>նկարագրություն</strong>" in r.text
    assert SECURITY in r.text  # the title as written, for the organiser
    assert '<span lang="ru">Русский</span>' in r.text


def test_translations_page_has_a_labelled_fieldset_per_language_filled_in(client, login, db):
    session = translated(db)
    login(organiser(session.event))
    settle(db)

    r = client.get(f"/events/{session.event_id}/agenda/sessions/{session.id}/translations")

    assert r.status_code == 200
    assert f'id="f-title_hy" name="title_hy" type="text" lang="hy" value="{SECURITY_HY}"' in r.text
    assert 'id="f-title_az" name="title_az" type="text" lang="az" value=""' in r.text
    assert '<label for="f-description_ru">' in r.text
    for code, own in i18n.LANGUAGES.items():
        assert f'(<span lang="{code}">{own}</span>)</legend>' in r.text


def test_the_session_detail_links_to_the_translations_for_organisers_only(client, login, db):
    session = translated(db)
    event = session.event
    url = f"/events/{event.id}/agenda/sessions/{session.id}"
    reader = press_officer(event)
    login(organiser(event))
    settle(db)
    organisers = client.get(url).text
    login(reader)
    readers = client.get(url).text

    assert f'href="{url}/translations"' in organisers and f'href="{url}/translations"' not in readers


def test_saving_the_translations_page_saves_them_and_leaves_the_session_as_it_is(client, login, form, db):
    session = translated(db)
    url = f"/events/{session.event_id}/agenda/sessions/{session.id}"
    login(organiser(session.event))
    settle(db)
    values = {"title_az": "Regional təhlükəsizlik", "description_az": "Təsvir", "title_ru": SECURITY_RU}

    r = form(f"{url}/translations", values)

    assert (r.status_code, r.headers["location"]) == (303, url)
    assert stored(db, session.id) == {"az": ("Regional təhlükəsizlik", "Təsvir"), "ru": (SECURITY_RU, "")}
    assert db.get(AgendaSession, session.id).title == SECURITY


def test_saving_the_session_form_keeps_the_translations(client, login, form, db):
    session = translated(db)
    values = form_of(session, title="Regional security and borders")
    login(organiser(session.event))
    settle(db)

    r = form(f"/events/{session.event_id}/agenda/sessions/{session.id}/edit", values)

    assert r.status_code == 303
    assert set(stored(db, session.id)) == {"hy", "ru"}


def form_of(session: AgendaSession, **extra: str) -> dict[str, str]:
    start, end = service.local(session.event, session.starts_at), service.local(session.event, session.ends_at)
    return {
        "kind": session.kind.value, "title": session.title, "day": start.date().isoformat(),
        "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "audience": "everyone", "is_published": "on", **extra,
    }


def test_a_too_long_translated_title_shows_the_error_beside_its_field(client, login, form, db):
    session = AgendaSessionFactory(title=SECURITY)
    login(organiser(session.event))
    settle(db)

    r = form(f"/events/{session.event_id}/agenda/sessions/{session.id}/translations", {"title_hy": "Ա" * 201})

    assert r.status_code == 422
    assert '<p class="field-error" id="e-title_hy">' in r.text
    assert 'aria-describedby="e-title_hy" aria-invalid="true"' in r.text
    assert 'value="' + "Ա" * 201 + '"' in r.text
    assert stored(db, session.id) == {}


def test_the_translations_form_without_its_csrf_token_is_refused(client, login, db):
    session = AgendaSessionFactory(title=SECURITY)
    login(organiser(session.event))
    settle(db)

    r = client.post(f"/events/{session.event_id}/agenda/sessions/{session.id}/translations", data={"title_hy": "Բացում"})

    assert r.status_code == 403 and stored(db, session.id) == {}


@pytest.mark.parametrize("who", ["press_officer", "coordinator", "other_organiser"])
def test_readers_and_other_events_organisers_cannot_translate(client, login, form, db, who):
    session = AgendaSessionFactory(title=SECURITY)
    event = session.event
    user = {
        "press_officer": lambda: press_officer(event),
        "coordinator": lambda: coordinator(DelegationFactory(event=event)),
        "other_organiser": lambda: organiser(EventFactory()),
    }[who]()
    url = f"/events/{event.id}/agenda/sessions/{session.id}/translations"
    login(user)
    settle(db)

    page = client.get(url)
    posted = form(url, {"title_hy": "Բացում"})

    expected = 404 if who == "other_organiser" else 403
    assert (page.status_code, posted.status_code) == (expected, expected)
    assert stored(db, session.id) == {}


def test_translations_of_an_archived_event_cannot_change(client, login, form, db):
    from app.events.models import EventStatus

    session = AgendaSessionFactory(title=SECURITY)
    session.event.status = EventStatus.ARCHIVED
    login(organiser(session.event))
    settle(db)

    r = form(f"/events/{session.event_id}/agenda/sessions/{session.id}/translations", {"title_hy": "Բացում"})

    assert r.status_code == 403 and stored(db, session.id) == {}  # as every agenda change of it


def test_set_translations_makes_calendars_update_and_is_audited(db):
    from app.audit.models import AuditEntry

    session = reloaded(db, translated(db))
    sequence = session.sequence

    service.set_translations(db, actor=organiser(session.event), session=session,
                             translations={"hy": TranslationIn(title=SECURITY_HY)})
    service.set_translations(db, actor=organiser(session.event), session=session,
                             translations={"hy": TranslationIn(title=SECURITY_HY)})  # no change

    assert stored(db, session.id) == {"hy": (SECURITY_HY, "")}
    assert session.sequence == sequence + 1
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "session.translate")) == 1


# --- the API --------------------------------------------------------------------------------------


SESSION = {
    "kind": "thematic_session",
    "title": SECURITY,
    "starts_at": "2026-02-13T14:00:00+04:00",
    "ends_at": "2026-02-13T15:30:00+04:00",
}


def test_api_round_trip_of_translations(api, db):
    event = EventFactory()
    client = api(organiser(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/sessions"

    created = client.post(base, json={**SESSION, "translations": {"hy": {"title": SECURITY_HY}, "ru": {"title": SECURITY_RU, "description": "Описание"}}})
    url = f"{base}/{created.json()['id']}"
    read = client.get(url).json()
    patched = client.patch(url, json={"translations": {"az": {"title": "Regional təhlükəsizlik"}}})

    assert created.status_code == 201
    assert read["title"] == SECURITY
    assert read["translations"] == {
        "hy": {"title": SECURITY_HY, "description": ""},
        "ru": {"title": SECURITY_RU, "description": "Описание"},
    }
    assert patched.status_code == 200
    assert patched.json()["translations"] == {"az": {"title": "Regional təhlükəsizlik", "description": ""}}
    assert patched.json()["sequence"] == read["sequence"] + 1


@pytest.mark.parametrize("translations", [
    {"de": {"title": "Regionale Sicherheit"}},
    {"hy": {"title": "Ա" * 201}},
    {"hy": {"title": SECURITY_HY, "notes": "unknown field"}},
])
def test_api_refuses_bad_translations_with_422(api, db, translations):
    event = EventFactory()
    session = AgendaSessionFactory(event=event)
    client = api(organiser(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/sessions"

    created = client.post(base, json={**SESSION, "translations": translations})
    patched = client.patch(f"{base}/{session.id}", json={"translations": translations})

    assert (created.status_code, patched.status_code) == (422, 422)
    assert all(e["loc"][:2] == ["body", "translations"] for e in created.json()["detail"])
    assert stored(db, session.id) == {}


def test_api_translation_refusals_for_readers_and_other_events(api, db):
    session = AgendaSessionFactory()
    event = session.event
    body = {"translations": {"hy": {"title": SECURITY_HY}}}
    settle(db)
    url = f"/api/v1/events/{event.id}/sessions/{session.id}"

    as_press = api(press_officer(event)).patch(url, json=body).status_code
    as_other = api(organiser(EventFactory())).patch(url, json=body).status_code

    assert (as_press, as_other) == (403, 404)
    assert stored(db, session.id) == {}


# --- itineraries ----------------------------------------------------------------------------------


def test_itinerary_shows_the_session_in_the_delegates_language(client, login, db):
    person = RegistrationFactory(status=RegistrationStatus.CONFIRMED)
    session = translated(db, event=person.event)
    db.add(SessionSpeaker(session=session, registration=person, role=SpeakerRole.SPEAKER))
    db.flush()
    with i18n.use_language("ru"):
        (entry,) = [e for e in itineraries.build(db, registration=person).entries if not e.is_crossing]
    login(delegate(person))
    settle(db)
    read_in(client, "hy")
    page = client.get("/me/itinerary").text
    read_in(client, "az")
    fallback = client.get("/me/itinerary").text

    assert (entry.title, entry.description) == (SECURITY_RU, "The **original** description.")
    assert SECURITY_HY in page and SECURITY not in page
    assert SECURITY in fallback


# --- the demonstration ----------------------------------------------------------------------------


def test_the_demo_programme_reads_in_armenian_azerbaijani_and_russian(db):
    from app import demo

    demo.load(db)
    db.expire_all()
    event = db.scalar(select(Event).where(Event.title == "Peace Bridge bilateral roundtable"))

    titles = {}
    for code in ("hy", "az", "ru", "en"):
        with i18n.use_language(code):
            titles[code] = {item.original_title: item.title for item in programme.for_viewer(db, viewer=None, event=event).items}

    security = "Regional security, borders and connectivity"
    assert titles["en"][security] == security
    assert titles["hy"][security] == demo.SESSION_TRANSLATIONS[security]["hy"]["title"]
    assert titles["az"][security] == demo.SESSION_TRANSLATIONS[security]["az"]["title"]
    assert titles["ru"][security] == demo.SESSION_TRANSLATIONS[security]["ru"]["title"]
    # every published session of the demo has its three translations
    assert all(original != shown for original, shown in titles["ru"].items())
