"""Officials in the reader's script and collation."""

import re

from app import i18n
from app.agenda.models import SessionSpeaker, SpeakerRole
from app.i18n import use_language
from app.officials import service
from tests.factories import AgendaSessionFactory, EventFactory, OfficialFactory, organiser
from tests.support import read_in, settle


def names_on(page: str) -> list[str]:
    return re.findall(r'<tr class="official">\s*<td>\s*<a href="[^"]+">([^<]+)</a>', page)


def arrange(db):  # type: ignore[no-untyped-def]
    event = EventFactory()
    hrant = OfficialFactory(event=event, name="Hrant Tadevosyan", name_native="Հրանտ Թադևոսյան")
    OfficialFactory(event=event, name="Zaur Əliyev")
    OfficialFactory(event=event, name="Anna Petrova", name_native="Анна Петрова")
    return event, hrant


def test_armenian_reader_sees_armenian_names_first_in_the_heading_and_list(client, login, db):
    event, hrant = arrange(db)
    login(organiser(event))
    settle(db)
    read_in(client, "hy")

    page = client.get(f"/events/{event.id}/officials").text
    detail = client.get(f"/events/{event.id}/officials/{hrant.id}").text

    assert names_on(page) == ["Anna Petrova", "Zaur Əliyev", "Հրանտ Թադևոսյան"]
    assert '<div class="muted small">Hrant Tadevosyan</div>' in page
    assert "<h1>Հրանտ Թադևոսյան</h1>" in detail


def test_russian_reader_sees_latin_names_for_armenian_officials(client, login, db):
    event, hrant = arrange(db)
    login(organiser(event))
    settle(db)
    read_in(client, "ru")

    page = client.get(f"/events/{event.id}/officials").text

    assert names_on(page) == ["Hrant Tadevosyan", "Zaur Əliyev", "Анна Петрова"]


def test_officials_are_paged_after_sorting_by_the_readers_collation(db):
    event = EventFactory()
    for name in ("Dadaş Quliyev", "Çingiz Mustafayev", "Cuma Əhmədov", "Cavid Rəhimov"):
        OfficialFactory(event=event, name=name)
    viewer = organiser(event)

    with use_language("az"):
        first = service.list_for_event(db, viewer=viewer, event=event, page=1, per_page=2)
        second = service.list_for_event(db, viewer=viewer, event=event, page=2, per_page=2)
        picker = service.choices(db, viewer=viewer, event=event)

    assert [o.name for o in first.items + second.items] == [o.name for o in picker] == [
        "Cavid Rəhimov", "Cuma Əhmədov", "Çingiz Mustafayev", "Dadaş Quliyev",
    ]
    assert (first.total, second.page, second.has_next) == (4, 2, False)


def test_the_sessions_of_an_official_name_the_others_in_one_sentence(client, login, db):
    event, hrant = arrange(db)
    session = AgendaSessionFactory(event=event)
    other = OfficialFactory(event=event, name="Ruzanna Melkonyan", name_native="Ռուզաննա Մելքոնյան")
    db.add_all([SessionSpeaker(session=session, official=hrant, role=SpeakerRole.SPEAKER),
                SessionSpeaker(session=session, official=other, role=SpeakerRole.SPEAKER)])
    login(organiser(event))
    settle(db)
    read_in(client, "hy")

    page = client.get(f"/events/{event.id}/officials/{hrant.id}").text

    with use_language("hy"):
        assert i18n.gettext("With %(names)s") % {"names": "Ռուզաննա Մելքոնյան"} in page
