"""People's pages in the reader's language: translated words, names in the reader's script,
lists in the reader's collation, e-mails in the recipient's language, exports and imports."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import i18n
from app.delegations.models import Delegation
from app.errors import Conflict
from app.i18n import use_language
from app.mail.models import OutboxMessage
from app.registrations import exports, imports, service
from app.registrations.models import Category, Circle, RegistrationStatus, Sector
from tests.factories import (
    DelegationFactory,
    EventFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    organiser,
    with_document,
)
from tests.support import message_in, read_in, settle

S = RegistrationStatus


def names_on(page: str) -> list[str]:
    """The main names of the participant list's lines, in order."""
    return re.findall(r'<tr class="participant">\s*<td>\s*<a href="[^"]+">([^<]+)</a>', page)


@pytest.fixture
def roundtable(db):
    """An Armenian participant with a native name, an Azerbaijani one (whose native spelling is
    Latin too), and a Russian speaker with a Cyrillic one."""
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    hrant = RegistrationFactory(delegation=delegation, person=PersonFactory(
        given_name="Hrant", family_name="Tadevosyan", given_name_native="Հրանտ", family_name_native="Թադևոսյան"))
    aysel = RegistrationFactory(delegation=delegation, person=PersonFactory(
        given_name="Aysel", family_name="Mammadova", given_name_native="Aysel", family_name_native="Məmmədova"))
    ivan = RegistrationFactory(delegation=delegation, person=PersonFactory(
        given_name="Ivan", family_name="Petrov", given_name_native="Иван", family_name_native="Петров"))
    return event, hrant, aysel, ivan


# --- names in the reader's script ----------------------------------------------------------------


def test_armenian_reader_sees_armenian_names_where_people_have_them(client, login, db, roundtable):
    event, hrant, _, _ = roundtable
    login(organiser(event))
    settle(db)
    read_in(client, "hy")

    page = client.get(f"/events/{event.id}/participants").text
    detail = client.get(f"/events/{event.id}/participants/{hrant.id}").text

    # Armenian letters sort after Latin ones: the Armenian name comes last.
    assert names_on(page) == ["Mammadova, Aysel", "Petrov, Ivan", "Թադևոսյան, Հրանտ"]
    assert '<div class="muted small">Tadevosyan, Hrant</div>' in page  # the other spelling, muted
    assert '<div class="muted small">Məmmədova, Aysel</div>' in page
    assert "<h1>Հրանտ Թադևոսյան</h1>" in detail


def test_russian_reader_sees_latin_names_for_armenian_people_and_cyrillic_ones(client, login, db, roundtable):
    event, hrant, _, ivan = roundtable
    login(organiser(event))
    settle(db)
    read_in(client, "ru")

    page = client.get(f"/events/{event.id}/participants").text
    detail = client.get(f"/events/{event.id}/participants/{hrant.id}").text

    assert names_on(page) == ["Mammadova, Aysel", "Tadevosyan, Hrant", "Петров, Иван"]
    assert "Թադևոսյան, Հրանտ" in page  # as the muted second line
    assert "<h1>Hrant Tadevosyan</h1>" in detail
    assert "<h1>Иван Петров</h1>" in client.get(f"/events/{event.id}/participants/{ivan.id}").text


def test_english_reader_sees_latin_names(client, login, db, roundtable):
    event, _, _, _ = roundtable
    login(organiser(event))
    settle(db)

    page = client.get(f"/events/{event.id}/participants").text

    assert names_on(page) == ["Mammadova, Aysel", "Petrov, Ivan", "Tadevosyan, Hrant"]


def test_check_in_and_person_pages_show_the_readers_script(client, login, db, roundtable):
    event, hrant, _, _ = roundtable
    hrant.status = S.CONFIRMED
    login(organiser(event))
    settle(db)
    read_in(client, "hy")

    desk = client.get(f"/events/{event.id}/check-in", params={"q": "Hrant"}).text
    person = client.get(f"/events/{event.id}/people/{hrant.person_id}").text

    assert "<strong>Հրանտ Թադևոսյան</strong> · Hrant Tadevosyan" in desk
    assert "<h1>Հրանտ Թադևոսյան</h1>" in person


# --- the reader's collation ----------------------------------------------------------------------


@pytest.fixture
def azerbaijani_names(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    for family in ("Dadaş", "Çingiz", "Cuma", "Cavid"):
        RegistrationFactory(delegation=delegation, person=PersonFactory(family_name=family, given_name="Ali"))
    return event


def test_azerbaijani_reader_sorts_c_cedilla_after_every_c(client, login, db, azerbaijani_names):
    event = azerbaijani_names
    login(organiser(event))
    settle(db)
    url = f"/events/{event.id}/participants"

    english = names_on(client.get(url).text)
    read_in(client, "az")
    azerbaijani = names_on(client.get(url).text)
    second_page = names_on(client.get(url, params={"per_page": 2, "page": 2}).text)

    assert english == ["Cavid, Ali", "Çingiz, Ali", "Cuma, Ali", "Dadaş, Ali"]  # ç as a c with a mark
    assert azerbaijani == ["Cavid, Ali", "Cuma, Ali", "Çingiz, Ali", "Dadaş, Ali"]  # ç a letter of its own
    assert second_page == ["Çingiz, Ali", "Dadaş, Ali"]  # sorted first, then paged


def test_list_service_and_export_follow_the_same_order(db, azerbaijani_names):
    event = azerbaijani_names
    viewer = organiser(event)

    with use_language("az"):
        page = service.list_for_event(db, viewer=viewer, event=event, filters=service.ParticipantFilter(), page=1)
        export = exports.participants(
            db, viewer=viewer, event=event, filters=service.ParticipantFilter(), fmt=exports.Format.CSV
        )

    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [r.person.family_name for r in page.items] == ["Cavid", "Cuma", "Çingiz", "Dadaş"]
    assert [row[1] for row in rows[1:]] == ["Cavid", "Cuma", "Çingiz", "Dadaş"]
    assert page.total == 4


@pytest.mark.parametrize("n", [1, 3])
def test_participants_page_in_armenian_has_a_constant_query_count(client, login, db, count_queries, n):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    for i in range(n):
        RegistrationFactory(delegation=delegation, person=PersonFactory(family_name_native=f"Պետրոսյան{i}"))
    login(organiser(event))
    settle(db)
    read_in(client, "hy")
    url = f"/events/{event.id}/participants"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="participant"') == n
    assert count() == 5


# --- words in the reader's language --------------------------------------------------------------


def test_participants_page_words_are_translated(client, login, db, roundtable):
    event, _, _, _ = roundtable
    login(organiser(event))
    settle(db)
    read_in(client, "ru")

    page = client.get(f"/events/{event.id}/participants").text

    for message in ("Order by", "Registration date", "Travel document", "Filter the participants"):
        assert message_in("ru", message) in page
    with use_language("ru"):
        assert f'<option value="civil_society">{i18n.label(Category.CIVIL_SOCIETY)}</option>' in page
        assert f">{i18n.label(S.REGISTERED)}</span>" in page  # the status of each line


def test_a_refused_decision_says_why_in_the_readers_language(db):
    registration = RegistrationFactory(status=S.ATTENDED)
    actor = organiser(registration.event)

    with use_language("ru"), pytest.raises(Conflict) as refused:
        service.approve(db, actor=actor, registration=registration)

    with use_language("ru"):
        expected = i18n.gettext(service.NOT_APPROVABLE) % {"status": i18n.label(S.ATTENDED)}
    assert refused.value.message == expected


def test_parleys_own_reason_is_shown_in_the_readers_language(client, login, db):
    delegation = DelegationFactory(capacity_core=0)
    registration = RegistrationFactory(delegation=delegation, circle=Circle.CORE)
    service.approve(db, actor=organiser(delegation.event), registration=registration)
    login(organiser(delegation.event))
    settle(db)
    read_in(client, "hy")

    page = client.get(f"/events/{delegation.event_id}/participants/{registration.id}").text

    assert registration.status_reason == "The circle is full."  # stored as Parley wrote it
    assert f"<dd>{message_in('hy', 'The circle is full.')}</dd>" in page


def test_purge_refusal_gives_the_day_with_its_month_name(db):
    event = EventFactory()
    actor = organiser(event)

    with use_language("ru"), pytest.raises(Conflict) as early:
        service.purge_event(db, actor=actor, event=event, today=event.ends_on)

    day = i18n.format_day(service.purge_due_on(event), "ru", "long")
    assert day in early.value.message and not re.search(r"\d{4}-\d{2}-\d{2}", early.value.message)


# --- e-mails in the recipient's language ---------------------------------------------------------


def test_decision_email_is_written_in_the_recipients_language(db):
    person = PersonFactory(email="hrant@example.am", given_name="Hrant", family_name="Tadevosyan",
                           given_name_native="Հրանտ", family_name_native="Թադևոսյան")
    UserFactory(email="hrant@example.am", language="hy")
    registration = RegistrationFactory(person=person, delegation=DelegationFactory(capacity_broader=5))

    with use_language("en"):  # the organiser reads English
        service.approve(db, actor=organiser(registration.event), registration=registration)

    message = db.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "hrant@example.am"))
    assert message.subject == message_in("hy", service.SUBJECT_CONFIRMED)
    with use_language("hy"):
        hello = i18n.gettext("Hello %(name)s,") % {"name": "Հրանտ Թադևոսյան"}
    assert hello in message.body_html


def test_decision_email_to_someone_without_an_account_is_in_the_senders_language(db):
    registration = RegistrationFactory(
        person=PersonFactory(email="guest@example.org"), delegation=DelegationFactory(capacity_broader=5)
    )

    with use_language("ru"):
        service.approve(db, actor=organiser(registration.event), registration=registration)

    message = db.scalar(select(OutboxMessage).where(OutboxMessage.to_address == "guest@example.org"))
    assert message.subject == message_in("ru", service.SUBJECT_CONFIRMED)


# --- exports and imports -------------------------------------------------------------------------


@pytest.fixture
def listed(db):
    event = EventFactory()
    delegation = DelegationFactory(event=event, name="Armenian delegation")
    ani = RegistrationFactory(
        delegation=delegation, circle=Circle.CORE, category=Category.EXPERT, status=S.CONFIRMED,
        person=PersonFactory(email="ani@example.am", given_name="Ani", family_name="Petrosyan",
                             given_name_native="Անի", family_name_native="Պետրոսյան", sector=Sector.MEDIA),
    )
    with_document(ani, number="AM1234567")
    RegistrationFactory(delegation=delegation, person=PersonFactory(email="lusine@example.am", given_name="Lusine",
                                                                   family_name="Hakobyan"))
    return event, delegation


def test_xlsx_export_speaks_the_requesters_language_and_csv_keeps_the_column_names(client, login, db, listed):
    event, _ = listed
    login(organiser(event))
    settle(db)
    read_in(client, "ru")

    xlsx = client.get(f"/events/{event.id}/participants.xlsx")
    csv_rows = list(csv.reader(io.StringIO(client.get(f"/events/{event.id}/participants.csv").content.decode("utf-8-sig"))))

    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    with use_language("ru"):
        assert sheet.title == i18n.gettext("Participants")
        assert rows[0] == [i18n.gettext(exports.LABELS[name]) for name in exports.COLUMNS]
        ani = next(row for row in rows if row[1] == "Petrosyan")
        assert ani[7] == i18n.label(Sector.MEDIA)
        assert ani[9:12] == [i18n.label(Circle.CORE), i18n.label(Category.EXPERT), i18n.label(S.CONFIRMED)]
        assert ani[15] == i18n.gettext("Passport")
    assert csv_rows[0] == list(exports.COLUMNS)
    assert csv_rows[1][7:12] == ["civil_society", "Armenian delegation", "broader", "civil_society", "registered"]


def _import_preview(db, delegation, text):
    """What importing `text` into the delegation would do, as its organiser checks it."""
    delegation = db.scalar(select(Delegation).options(joinedload(Delegation.event)).where(Delegation.id == delegation.id))
    return imports.preview(db, actor=organiser(delegation.event), delegation=delegation, text=text)


def test_exported_csv_imports_again_and_changes_nothing(client, login, db, listed):
    event, delegation = listed
    login(organiser(event))
    settle(db)
    read_in(client, "hy")

    exported = client.get(f"/events/{event.id}/participants.csv").content
    preview = _import_preview(db, delegation, imports.decode(exported))

    assert preview.errors == []
    assert preview.counts == {"create": 0, "update": 0, "unchanged": 2}


@pytest.mark.parametrize("code", ["ru", "hy", "az", "en"])
def test_xlsx_export_saved_as_csv_imports_again_in_every_language(client, login, db, listed, code):
    event, delegation = listed
    login(organiser(event))
    settle(db)
    read_in(client, code)

    sheet = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/participants.xlsx").content), read_only=True).active
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)])
    with use_language("en"):  # whoever imports it: the headings of every language are known
        preview = _import_preview(db, delegation, buffer.getvalue())

    assert preview.errors == []
    assert preview.counts == {"create": 0, "update": 0, "unchanged": 2}
    assert "given_name" in preview.columns and "circle" in preview.columns


def test_import_reads_headings_and_choices_in_another_language(db, listed):
    _, delegation = listed
    with use_language("ru"):
        heading = ",".join(i18n.gettext(imports.COLUMN_LABELS[c]) for c in ("given_name", "family_name", "circle"))
        row = f"Aram,Manukyan,{i18n.label(Circle.CORE)}"

    preview = _import_preview(db, delegation, f"{heading}\n{row}\n")

    assert preview.errors == [] and preview.columns == ["given_name", "family_name", "circle"]
    assert preview.rows[0].data.circle == Circle.CORE


def test_import_problems_are_in_the_readers_language(db, listed):
    _, delegation = listed

    with use_language("ru"):
        preview = _import_preview(db, delegation, "given_name,family_name,circle\nAram,Manukyan,inner\n")
        expected = i18n.gettext("Use one of: %(options)s.") % {"options": "core, broader"}

    assert [(e.row, e.column, e.message) for e in preview.errors] == [(2, "circle", expected)]
