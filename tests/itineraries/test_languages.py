"""Itineraries in the reader's language: the page and its dates, the changes worded in the
reader's language whoever made them, the change e-mail in its recipient's language, and the
calendar feed in the language its person chose for their account."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app import i18n
from app.agenda import service as agenda
from app.agenda.models import AgendaSession
from app.db import utcnow
from app.events.models import Event
from app.itineraries import changes, service
from app.itineraries.models import ItineraryChange
from app.mail.models import OutboxMessage
from app.registrations.models import RegistrationStatus
from tests.factories import (
    AdminFactory,
    AgendaSessionFactory,
    EventFactory,
    RegistrationFactory,
    SessionTranslationFactory,
    delegate,
    organiser,
)
from tests.support import read_in, settle

YEREVAN = ZoneInfo("Asia/Yerevan")
FRIDAY = date(2026, 2, 13)
SECURITY_HY = "Տարածաշրջանային անվտանգություն"
SECURITY_AZ = "Regional təhlükəsizlik"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(FRIDAY, time(hour, minute), YEREVAN)


def loaded(db, session: AgendaSession) -> AgendaSession:  # type: ignore[no-untyped-def]
    db.flush()
    db.expire_all()
    event = db.get(Event, session.event_id)
    return agenda.get_for_viewer(db, viewer=AdminFactory(), event=event, session_id=session.id)


def moved_session(db, account: bool = True, language: str | None = None):  # type: ignore[no-untyped-def]
    """A confirmed person (with an account, in `language` if given), and a translated session
    of everyone's that an organiser moves (in English) from 16:30 to 17:00."""
    event = EventFactory(title="Roundtable Tsaghkadzor")
    person = RegistrationFactory(event=event, status=RegistrationStatus.CONFIRMED)
    user = delegate(person, language=language) if account else None
    session = AgendaSessionFactory(event=event, title="Regional security", starts_at=at(16, 30), ends_at=at(18))
    SessionTranslationFactory(session=session, language="hy", title=SECURITY_HY)
    SessionTranslationFactory(session=session, language="az", title=SECURITY_AZ)
    session = loaded(db, session)
    with i18n.use_language("en"):
        agenda.update_session(db, actor=organiser(session.event), session=session,
                              changes={"starts_at": at(17), "ends_at": at(18, 30)})
    return person, user


def expected_summary(code: str, title: str) -> str:
    with i18n.use_language(code):
        day = i18n.format_day(FRIDAY, fmt="EEE d MMM")
        return i18n.gettext("“%(title)s” moves from %(old)s to %(new)s (%(zone)s)") % {
            "title": title, "old": f"{day} 16:30", "new": "17:00", "zone": "Asia/Yerevan",
        }


def test_a_change_keeps_the_writers_words_and_reads_in_each_readers_language(db):
    moved_session(db)
    (change,) = db.scalars(select(ItineraryChange))
    event = db.scalar(select(Event))

    with i18n.use_language("hy"):
        hy = changes.describe(change, event)
    with i18n.use_language("ru"):
        ru = changes.describe(change, event)  # no Russian title: as written

    assert change.summary == "“Regional security” moves from Fri 13 Feb 16:30 to 17:00 (Asia/Yerevan)"
    assert hy == expected_summary("hy", SECURITY_HY)
    assert ru == expected_summary("ru", "Regional security")


def test_a_change_without_details_reads_as_it_was_written(db):
    event = EventFactory()
    change = ItineraryChange(kind="session_moved", subject_id=1, summary="Dinner moves to 20:00", details="")

    assert changes.describe(change, event) == "Dinner moves to 20:00"


def test_the_itinerary_page_words_the_changes_and_dates_in_the_readers_language(client, login, db):
    person, user = moved_session(db)
    login(user)
    settle(db)
    read_in(client, "hy")

    r = client.get("/me/itinerary")

    assert r.status_code == 200
    assert expected_summary("hy", SECURITY_HY) in r.text.replace("&#34;", '"')
    with i18n.use_language("hy"):
        assert i18n.format_day(FRIDAY, fmt="full") in r.text
        assert i18n.gettext("Changed since you last looked") in r.text
    assert "Changed since you last looked" not in r.text


def test_the_change_email_is_in_its_recipients_language(db):
    moved_session(db, language="az")

    sent = changes.send_due_notices(db, now=utcnow() + timedelta(minutes=30))

    (message,) = db.scalars(select(OutboxMessage))
    with i18n.use_language("az"):
        subject = i18n.ngettext(
            "A change to your itinerary for %(event)s", "%(n)s changes to your itinerary for %(event)s", 1
        ) % {"event": "Roundtable Tsaghkadzor", "n": 1}
        greeting = i18n.gettext("Your itinerary for %(event)s has changed:") % {"event": "Roundtable Tsaghkadzor"}
    assert sent == 1
    assert message.subject == subject
    assert expected_summary("az", SECURITY_AZ) in message.body_text
    assert greeting in message.body_text


def test_a_recipient_without_an_account_gets_the_senders_language(db):
    moved_session(db, account=False)

    with i18n.use_language("ru"):
        changes.send_due_notices(db, now=utcnow() + timedelta(minutes=30))

    (message,) = db.scalars(select(OutboxMessage))
    assert expected_summary("ru", "Regional security") in message.body_text


def test_the_calendar_feed_is_in_the_language_of_the_persons_account(client, login, form, db):
    person = RegistrationFactory(status=RegistrationStatus.CONFIRMED)
    session = AgendaSessionFactory(event=person.event, title="Regional security")
    SessionTranslationFactory(session=session, language="hy", title=SECURITY_HY)
    login(delegate(person, language="hy"))
    settle(db)
    token = form("/me/itinerary/feed", {"registration_id": person.id}).text.split("/feeds/itinerary/")[1].split(".ics")[0]
    client.cookies.clear()

    feed = client.get(f"/feeds/itinerary/{token}.ics", headers={"Accept-Language": "en"})

    text = feed.content.decode().replace("\r\n ", "")
    assert feed.status_code == 200
    assert f"SUMMARY:{SECURITY_HY}" in text and "SUMMARY:Regional security" not in text


def test_the_feed_of_a_person_without_a_choice_follows_the_calendar_app(db):
    person = RegistrationFactory(status=RegistrationStatus.CONFIRMED)
    delegate(person)

    assert service.feed_language(db, registration=person) is None
