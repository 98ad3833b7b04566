"""The CSV import of a delegation's participant list: preview, confirmation, bad files, access."""

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.events.models import EventStatus
from app.registrations import imports
from app.registrations.models import (
    Category,
    Circle,
    DocumentType,
    Person,
    Registration,
    RegistrationStatus,
    Sector,
)
from app.registrations.service import document_hash
from tests.factories import (
    PersonFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    organiser,
    press_officer,
)
from tests.support import settle
from tests.transfer.conftest import HEADER, hidden_fields

# Semicolons, a byte-order mark, headers in mixed case, Armenian and Azerbaijani letters, and a
# quoted cell that holds the separator.
ROWS = (
    "\ufeffEmail;Given_Name;FAMILY_NAME;given_name_native;family_name_native;organisation;position;"
    "sector;circle;category;languages;dietary_needs;accessibility_needs;doc_type;doc_number;"
    "doc_issuing_country;doc_nationality;doc_expires_on\r\n"
    "aysel@example.az;Aysel;Mammadova;Aysel;Məmmədova;Sülh Körpüsü İctimai Birliyi;Sədr;civil_society;core;expert;"
    "az, ru;Halal;;passport;C 0123 4567;AZ;AZ;2031-05-01\r\n"
    "Ilgar@Example.AZ;İlqar;Şükürov;İlqar;Şükürov;\"Bakı; Araşdırma Mərkəzi\";Ekspert;Academia;Broader;media;"
    "az,en;;Wheelchair access;id_card;AZE-99887766;AZ;AZ;2030-12-31\r\n"
    ";Gülər;Çələbi;;;Qarabağ Dirçəliş Fondu;;;;;az;;;;;;;\r\n"
)


def _url(event, delegation, suffix=""):
    return f"/events/{event.id}/delegations/{delegation.id}/import{suffix}"


def _upload(form, event, delegation, content, name="participants.csv"):
    data = content.encode() if isinstance(content, str) else content
    return form(_url(event, delegation), files={"file": (name, data, "text/csv")})


def _confirm(form, event, delegation, preview_html):
    return form(_url(event, delegation, "/confirm"), data=hidden_fields(preview_html))


def _import(form, event, delegation, content):
    preview = _upload(form, event, delegation, content)
    assert preview.status_code == 200, preview.text
    return _confirm(form, event, delegation, preview.text)


def _registrations(db, delegation):
    db.expire_all()
    query = (
        select(Registration)
        .join(Registration.person)
        .where(Registration.delegation_id == delegation.id)
        .order_by(Registration.id)
    )
    return list(db.scalars(query))


def _person(db, registration):
    return db.get(Person, registration.person_id)


# --- the upload page -----------------------------------------------------------------------------


def test_import_page_shows_labelled_upload_form_and_columns(client, login, db, roundtable):
    event, _, visiting = roundtable
    login(organiser(event))
    settle(db)

    r = client.get(_url(event, visiting))

    assert r.status_code == 200
    assert "<title>Import participants · Azerbaijani delegation · Tsaghkadzor roundtable · Parley</title>" in r.text
    assert 'enctype="multipart/form-data"' in r.text
    assert '<label for="f-file">CSV file</label>' in r.text
    assert 'id="f-file" name="file" type="file"' in r.text
    assert '<label for="f-text">' in r.text
    assert f'href="{_url(event, visiting, "/template.csv")}"' in r.text
    assert r.text.count('class="import-column"') == len(imports.COLUMNS)
    assert 'aria-label="Breadcrumb"' in r.text
    assert f'<a href="/events/{event.id}/participants?delegation_id={visiting.id}">Azerbaijani delegation</a>' in r.text


def test_import_template_is_the_header_row_with_bom(client, login, db, roundtable):
    event, host, _ = roundtable
    login(coordinator(host))
    settle(db)

    r = client.get(_url(event, host, "/template.csv"))

    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="participants-template.csv"'
    assert r.content == ("\ufeff" + HEADER + "\r\n").encode()


# --- the happy path ------------------------------------------------------------------------------


def test_import_with_bom_semicolons_and_native_letters_previews_then_imports(client, login, form, db, roundtable):
    event, _, visiting = roundtable
    user = login(organiser(event))
    settle(db)

    preview = _upload(form, event, visiting, ROWS)

    assert preview.status_code == 200
    assert "Read 3 rows separated by semicolon." in preview.text
    assert "3 participants will be added." in preview.text
    assert preview.text.count('class="import-row import-create"') == 3
    assert "Aysel Mammadova" in preview.text and "Aysel Məmmədova" in preview.text
    assert "İlqar Şükürov" in preview.text
    assert "Bakı; Araşdırma Mərkəzi" in preview.text
    assert _registrations(db, visiting) == []  # the preview writes nothing

    r = _confirm(form, event, visiting, preview.text)

    assert r.status_code == 303
    assert r.headers["location"] == f"/events/{event.id}/participants?delegation_id={visiting.id}"
    registrations = _registrations(db, visiting)
    assert [(_person(db, r).given_name, _person(db, r).family_name) for r in registrations] == [
        ("Aysel", "Mammadova"),
        ("İlqar", "Şükürov"),
        ("Gülər", "Çələbi"),
    ]
    aysel, ilqar, guler = registrations
    assert _person(db, aysel).family_name_native == "Məmmədova"
    assert _person(db, aysel).email == "aysel@example.az"
    assert _person(db, ilqar).email == "ilgar@example.az"
    assert _person(db, ilqar).organisation == "Bakı; Araşdırma Mərkəzi"
    assert _person(db, ilqar).sector == Sector.ACADEMIA
    assert (aysel.circle, aysel.category, aysel.languages, aysel.dietary_needs) == (Circle.CORE, Category.EXPERT, "az,ru", "Halal")
    assert (ilqar.circle, ilqar.category, ilqar.accessibility_needs) == (Circle.BROADER, Category.MEDIA, "Wheelchair access")
    assert (guler.circle, guler.category, _person(db, guler).email) == (Circle.BROADER, Category.CIVIL_SOCIETY, None)
    assert aysel.doc_type == DocumentType.PASSPORT
    assert aysel.doc_number_hash == document_hash("C01234567")
    assert aysel.doc_number_hint == "4567"
    assert "C01234567" not in (aysel.doc_number or "")  # encrypted at rest
    assert ilqar.doc_number_hint == "7766"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "participants.import"))
    assert entry.actor_id == user.id
    assert (entry.object_type, entry.object_id, entry.event_id) == ("delegation", visiting.id, event.id)
    assert entry.details == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0}


def test_import_by_pasted_rows_with_commas(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(coordinator(host))
    settle(db)
    text = "given_name,family_name,given_name_native,family_name_native,organisation\nAni,Petrosyan,Անի,Պետրոսյան,Հայերեն NGO\n"

    preview = form(_url(event, host), data={"text": text})
    r = _confirm(form, event, host, preview.text)

    assert "Read 1 row separated by comma." in preview.text
    assert r.status_code == 303
    [registration] = _registrations(db, host)
    person = _person(db, registration)
    assert (person.given_name_native, person.family_name_native, person.organisation) == ("Անի", "Պետրոսյան", "Հայերեն NGO")


def test_import_of_tab_separated_rows_sniffs_the_tab(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)

    preview = _upload(form, event, host, "given_name\tfamily_name\tcircle\nAni\tPetrosyan\tcore\n")

    assert "separated by tab" in preview.text
    assert "1 participant will be added." in preview.text


# --- bad files -----------------------------------------------------------------------------------


def test_import_with_one_bad_row_imports_nothing_and_lists_row_and_column(client, login, form, db, roundtable):
    event, _, visiting = roundtable
    login(organiser(event))
    settle(db)
    bad = ROWS + "not-an-email;Rauf;Əliyev;;;;;;vip;;xx;;;passport;C1;ZZ;AZ;01/05/2031\r\n"

    r = _upload(form, event, visiting, bad)

    assert r.status_code == 422
    assert "Nothing has been imported: the file has 6 problems." in r.text
    assert [(e.row, e.column, e.message) for e in _preview_errors(r.text)] == [
        (5, "email", "An email address must have an @-sign."),
        (5, "circle", "Use one of: core, broader."),
        (5, "languages", "Unknown language code: xx."),
        (5, "doc_number", "Use at least 4 characters."),
        (5, "doc_issuing_country", "Choose a country from the list."),
        (5, "doc_expires_on", "Enter a date as YYYY-MM-DD."),
    ]
    assert 'name="payload"' not in r.text  # nothing to confirm
    assert _registrations(db, visiting) == []


def _preview_errors(html):
    import re

    rows = re.findall(
        r'<tr class="import-error">\s*<td>(\d+)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', html, flags=re.S
    )
    found = []
    for row, column, message in rows:
        code = re.search(r"<code>(.*?)</code>", column)
        found.append(imports.RowError(int(row), code.group(1) if code else "", message))
    return found


def test_import_reports_duplicates_inside_the_file(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)
    rows = (
        "email,given_name,family_name,organisation,doc_type,doc_number,doc_issuing_country,doc_nationality,doc_expires_on\n"
        "ani@example.am,Ani,Petrosyan,Bridge,passport,AM1234567,AM,AM,2030-01-01\n"
        "ANI@example.am,Ani,Petrosyan,Bridge,,,,,\n"
        "aram@example.am,Aram,Sargsyan,Bridge,passport,am 123-4567,AM,AM,2030-01-01\n"
        ",Lilit,Hakobyan,Bridge,,,,,\n"
        ",lilit,HAKOBYAN,bridge,,,,,\n"
    )

    r = _upload(form, event, host, rows)

    assert r.status_code == 422
    assert [(e.row, e.column, e.message) for e in _preview_errors(r.text)] == [
        (3, "email", "Row 2 has the same e-mail address."),
        (4, "doc_number", "Row 2 has the same document number."),
        (6, "given_name", "Row 5 has the same name and organisation."),
    ]


def test_import_refuses_a_document_number_of_another_participant_of_the_event(client, login, form, db, roundtable):
    event, host, visiting = roundtable
    other = RegistrationFactory(delegation=visiting, doc_number_hash=document_hash("AB1234567"), doc_number_hint="4567")
    login(coordinator(host))
    settle(db)
    rows = (
        "email,given_name,family_name,doc_type,doc_number,doc_issuing_country,doc_nationality,doc_expires_on\n"
        "ani@example.am,Ani,Petrosyan,passport,ab-123 4567,AM,AM,2030-01-01\n"
    )

    r = _upload(form, event, host, rows)

    assert r.status_code == 422
    assert [(e.row, e.column, e.message) for e in _preview_errors(r.text)] == [
        (2, "doc_number", "Another participant of this event has this document number.")
    ]
    assert other.person.family_name not in r.text  # nothing about the other side is shown


def test_import_refuses_a_person_registered_with_the_other_delegation(client, login, form, db, roundtable):
    event, host, visiting = roundtable
    RegistrationFactory(delegation=visiting, person=PersonFactory(email="rauf@example.az"))
    login(organiser(event))
    settle(db)

    r = _upload(form, event, host, "email,given_name,family_name\nrauf@example.az,Rauf,Aliyev\n")

    assert r.status_code == 422
    assert [(e.row, e.column, e.message) for e in _preview_errors(r.text)] == [
        (2, "email", "This person is already registered at this event.")
    ]


def test_import_of_a_file_that_is_not_utf8_says_so(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)

    r = _upload(form, event, host, "given_name;family_name\nGülər;Çələbi\n".encode("cp1254", errors="replace"))

    assert r.status_code == 422
    assert "The file is not UTF-8 text" in r.text
    assert 'id="e-file"' in r.text
    assert 'aria-invalid="true"' in r.text


def test_import_of_a_file_without_name_columns_says_which_are_missing(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)

    r = _upload(form, event, host, "email,name\nani@example.am,Ani Petrosyan\n")

    assert r.status_code == 422
    assert "it has no “given_name” or “family_name” column." in r.text


def test_import_of_pasted_rows_with_a_problem_keeps_them_in_the_form(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)

    r = form(_url(event, host), data={"text": "name;surname\nԱնի;Պետրոսյան\n"})

    assert r.status_code == 422
    assert "it has no “given_name” or “family_name” column." in r.text
    assert ">name;surname\nԱնի;Պետրոսյան\n</textarea>" in r.text


def test_import_lists_unknown_columns_and_ignores_them(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)

    r = _upload(form, event, host, "given_name,family_name,Shoe size,Nickname\nAni,Petrosyan,38,Ano\n")

    assert r.status_code == 200
    assert '<li class="unknown-column">Shoe size</li>' in r.text
    assert '<li class="unknown-column">Nickname</li>' in r.text
    assert "1 participant will be added." in r.text


def test_import_without_a_file_asks_for_one(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)

    r = form(_url(event, host), files={"file": ("", b"", "application/octet-stream")})

    assert r.status_code == 422
    assert "Choose a CSV file to upload, or paste the rows." in r.text


def test_import_of_a_too_large_file_says_so_beside_the_field(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)
    content = HEADER + "\n" + ("x" * 1000 + "\n") * 3000  # 3 MB

    r = _upload(form, event, host, content)

    assert r.status_code == 422
    assert "The file is larger than 2 MB." in r.text
    assert 'id="e-file"' in r.text


def test_import_of_a_huge_body_is_refused_unread(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)

    r = _upload(form, event, host, b"x" * (imports.MAX_BODY + 1))

    assert r.status_code == 413
    assert "The file is larger than 2 MB." in r.text


def test_import_of_too_many_rows_says_so(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)
    content = "given_name,family_name\n" + "".join(f"A{i},B{i}\n" for i in range(imports.MAX_ROWS + 1))

    r = _upload(form, event, host, content)

    assert r.status_code == 422
    assert "The file has more than 2,000 rows." in r.text


# --- re-importing --------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(client, login, form, db, roundtable):
    event, _, visiting = roundtable
    login(organiser(event))
    settle(db)
    assert _import(form, event, visiting, ROWS).status_code == 303
    people = db.scalar(select(func.count()).select_from(Person))

    again = _upload(form, event, visiting, ROWS)

    assert again.status_code == 200
    assert "0 participants will be added." in again.text
    assert "0 participants will be updated." in again.text
    assert "3 participants are unchanged." in again.text
    assert "there is nothing to import" in again.text
    assert 'name="payload"' not in again.text
    assert len(_registrations(db, visiting)) == 3
    assert db.scalar(select(func.count()).select_from(Person)) == people


def test_reimporting_a_changed_file_updates_and_adds_without_duplicates(client, login, form, db, roundtable):
    event, _, visiting = roundtable
    login(organiser(event))
    settle(db)
    _import(form, event, visiting, ROWS)
    changed = (
        ROWS.replace("Sülh Körpüsü İctimai Birliyi", "Sülh Körpüsü")  # Aysel, matched by e-mail
        .replace("Qarabağ Dirçəliş Fondu;;;;;az;", "Qarabağ Dirçəliş Fondu;;;;;az, en;")  # Gülər, by name
        .replace("AZE-99887766;AZ;AZ;2030-12-31", "AZE-99887766;AZ;AZ;2032-01-31")  # İlqar's document
        + "rauf@example.az;Rauf;Aliyev;Rauf;Əliyev;;;;;;;;;;;;;\r\n"
    )

    preview = _upload(form, event, visiting, changed)

    assert "1 participant will be added." in preview.text
    assert "3 participants will be updated." in preview.text
    assert preview.text.count('class="import-row import-update"') == 3
    r = _confirm(form, event, visiting, preview.text)
    assert r.status_code == 303
    registrations = _registrations(db, visiting)
    assert len(registrations) == 4
    by_name = {_person(db, r).given_name: r for r in registrations}
    assert _person(db, by_name["Aysel"]).organisation == "Sülh Körpüsü"
    assert by_name["Gülər"].languages == "az,en"
    assert by_name["İlqar"].doc_expires_on.isoformat() == "2032-01-31"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "participants.import").order_by(AuditEntry.id)).all()[-1]
    assert entry.details == {"rows": 4, "created": 1, "updated": 3, "unchanged": 0}


def test_reimport_matches_by_document_number_when_the_email_is_missing(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)
    first = (
        "email,given_name,family_name,doc_type,doc_number,doc_issuing_country,doc_nationality,doc_expires_on\n"
        ",Ani,Petrosyan,passport,AM1234567,AM,AM,2030-01-01\n"
    )
    _import(form, event, host, first)

    preview = _upload(form, event, host, first.replace(",Ani,Petrosyan", "ani@example.am,Anahit,Petrosyan"))
    _confirm(form, event, host, preview.text)

    assert "1 participant will be updated." in preview.text
    [registration] = _registrations(db, host)
    person = _person(db, registration)
    assert (person.email, person.given_name) == ("ani@example.am", "Anahit")


def test_columns_absent_from_the_file_keep_their_values(client, login, form, db, roundtable):
    event, host, _ = roundtable
    person = PersonFactory(email="ani@example.am", given_name="Ani", family_name="Petrosyan", organisation="Bridge", phone="+374 10 123456")
    RegistrationFactory(delegation=host, person=person, circle=Circle.CORE, dietary_needs="Vegetarian")
    login(coordinator(host))
    settle(db)

    preview = _upload(form, event, host, "email,given_name,family_name,position\nani@example.am,Ani,Petrosyan,Director\n")
    _confirm(form, event, host, preview.text)

    assert "1 participant will be updated." in preview.text
    [registration] = _registrations(db, host)
    person = _person(db, registration)
    assert (person.organisation, person.position, person.phone) == ("Bridge", "Director", "+374 10 123456")
    assert (registration.circle, registration.dietary_needs) == (Circle.CORE, "Vegetarian")


def test_confirm_after_the_participants_changed_shows_the_new_preview(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)
    preview = _upload(form, event, host, "email,given_name,family_name\nani@example.am,Ani,Petrosyan\n")
    RegistrationFactory(delegation=host, person=PersonFactory(email="ani@example.am", given_name="Ani", family_name="P."))
    settle(db)

    r = _confirm(form, event, host, preview.text)

    assert r.status_code == 409
    assert "The participants have changed since you checked the file." in r.text
    assert "1 participant will be updated." in r.text
    assert _person(db, _registrations(db, host)[0]).family_name == "P."


def test_confirm_with_an_altered_file_imports_nothing(client, login, form, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)
    preview = _upload(form, event, host, "given_name,family_name\nAni,Petrosyan\n")
    sealed = hidden_fields(preview.text)
    forged = imports.base64.urlsafe_b64encode(imports.zlib.compress(b"given_name,family_name\nEvil,Person\n")).decode()

    r = form(_url(event, host, "/confirm"), data={**sealed, "payload": forged})

    assert r.status_code == 422
    assert "This preview cannot be confirmed any more. Upload the file again." in r.text
    assert _registrations(db, host) == []


def test_confirm_by_another_user_is_refused(client, login, form, db, roundtable):
    event, host, _ = roundtable
    first = organiser(event)
    second = organiser(event)
    login(first)
    settle(db)
    preview = _upload(form, event, host, "given_name,family_name\nAni,Petrosyan\n")
    login(second)

    r = _confirm(form, event, host, preview.text)

    assert r.status_code == 422
    assert _registrations(db, host) == []


def test_import_that_would_overfill_a_circle_imports_nothing(client, login, form, db, roundtable):
    event, host, _ = roundtable
    host.capacity_core = 1
    RegistrationFactory(delegation=host, circle=Circle.CORE, status=RegistrationStatus.CONFIRMED)
    moved = RegistrationFactory(
        delegation=host,
        person=PersonFactory(email="ani@example.am", given_name="Ani", family_name="Petrosyan"),
        circle=Circle.BROADER,
        status=RegistrationStatus.CONFIRMED,
    )
    login(organiser(event))
    settle(db)
    rows = "email,given_name,family_name,circle\nnew@example.am,New,Person,broader\nani@example.am,Ani,Petrosyan,core\n"

    preview = _upload(form, event, host, rows)
    r = _confirm(form, event, host, preview.text)

    assert r.status_code == 422
    assert [(e.row, e.column, e.message) for e in _preview_errors(r.text)] == [
        (3, "circle", "That circle of the delegation is full.")
    ]
    assert len(_registrations(db, host)) == 2  # the new person of row 2 was rolled back too
    db.refresh(moved)
    assert moved.circle == Circle.BROADER
    assert db.scalar(select(func.count()).where(AuditEntry.action == "participants.import")) == 0


# --- who may import ------------------------------------------------------------------------------


def test_coordinator_of_the_other_delegation_gets_404_everywhere(client, login, form, db, roundtable):
    event, host, visiting = roundtable
    login(coordinator(host))
    settle(db)
    rows = "given_name,family_name\nAni,Petrosyan\n"

    answers = [
        client.get(_url(event, visiting)).status_code,
        client.get(_url(event, visiting, "/template.csv")).status_code,
        _upload(form, event, visiting, rows).status_code,
        form(_url(event, visiting, "/confirm"), data={"payload": "x", "fingerprint": "y", "signature": "z"}).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    assert _registrations(db, visiting) == []


def test_coordinator_cannot_confirm_into_the_other_delegation_with_their_own_preview(client, login, form, db, roundtable):
    event, host, visiting = roundtable
    login(coordinator(host))
    settle(db)
    preview = _upload(form, event, host, "given_name,family_name\nAni,Petrosyan\n")

    r = _confirm(form, event, visiting, preview.text)

    assert r.status_code == 404
    assert _registrations(db, visiting) == []


def test_press_officer_and_delegate_get_404(client, login, form, db, roundtable):
    event, host, _ = roundtable
    delegate = UserFactory()
    RegistrationFactory(delegation=host, person=PersonFactory(user=delegate))
    press = press_officer(event)
    settle(db)

    answers = []
    for user in (press, delegate):
        login(user)
        answers += [client.get(_url(event, host)).status_code, _upload(form, event, host, "given_name,family_name\nA,B\n").status_code]

    assert answers == [404, 404, 404, 404]


def test_anonymous_is_sent_to_sign_in(client, db, roundtable):
    event, host, _ = roundtable
    settle(db)

    r = client.get(_url(event, host))

    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=/events/{event.id}/delegations/{host.id}/import"


def test_import_into_an_archived_event_is_refused(client, login, form, db, roundtable):
    event, host, _ = roundtable
    event.status = EventStatus.ARCHIVED
    login(organiser(event))
    settle(db)

    answers = [client.get(_url(event, host)).status_code, _upload(form, event, host, "given_name,family_name\nA,B\n").status_code]

    assert answers == [403, 403]
    assert _registrations(db, host) == []


def test_import_without_csrf_token_is_refused(client, login, db, roundtable):
    event, host, _ = roundtable
    login(organiser(event))
    settle(db)

    r = client.post(_url(event, host), files={"file": ("a.csv", b"given_name,family_name\nA,B\n", "text/csv")})

    assert r.status_code == 403
    assert _registrations(db, host) == []
