"""The summary in the reader's language: the page, the PDF, the Markdown and the Word file of a
summary asked for in Armenian, Azerbaijani or Russian (the `parley_lang` cookie) carry that
language's headings and dates, and none of the English ones; JSON keys stay as they are."""

import pytest

from app import i18n
from tests.factories import organiser
from tests.summaries.helpers import docx_text, held_event
from tests.support import pdf_text, read_in, settle, squeezed

HEADINGS = ["Overview", "Participation", "Agenda as held", "Officials met", "Outcomes and key points"]


def expected(code: str, world) -> tuple[list[str], str]:  # type: ignore[no-untyped-def]
    """The headings as the language's catalogue has them, and the first day in its words."""
    with i18n.use_language(code):
        headings = [i18n.gettext(h) for h in HEADINGS]
        day = i18n.format_day(world.event.starts_on, fmt="full")
    return headings, day


@pytest.mark.parametrize("code", ["hy", "az", "ru"])
def test_the_published_summary_is_read_in_the_language_asked_for(client, db, code):
    world = held_event(published=True)
    settle(db)
    headings, day = expected(code, world)
    base = f"/events/{world.event.id}/summary"
    read_in(client, code)

    page = client.get(base)
    pdf = client.get(f"{base}.pdf")
    markdown = client.get(f"{base}.md")
    word = client.get(f"{base}.docx")

    assert [r.status_code for r in (page, pdf, markdown, word)] == [200, 200, 200, 200]
    assert f'<html lang="{code}"' in page.text
    texts = {
        "page": page.text,
        "pdf": squeezed(pdf_text(pdf.content)),
        "markdown": markdown.content.decode(),
        "docx": docx_text(word.content),
    }
    for fmt, text in texts.items():
        for english, translated in zip(HEADINGS, headings, strict=True):
            assert translated in text, (fmt, translated)
            if translated != english:
                assert english not in text, (fmt, english)
        assert squeezed(day) in squeezed(text), (fmt, day)
    assert f"\n## {headings[2]}\n" in texts["markdown"]


def test_the_pdf_of_another_language_is_printed_anew(client, login, db):
    """The printed PDFs are kept by their HTML: a language gives its own."""
    world = held_event()
    user = login(organiser(world.event))
    user.language = None  # no language of their own: the cookie decides
    settle(db)
    address = f"/events/{world.event.id}/summary.pdf"

    english = client.get(address)
    read_in(client, "ru")
    russian = client.get(address)

    with i18n.use_language("ru"):
        overview = i18n.gettext("Overview")
    assert "Overview" in squeezed(pdf_text(english.content)) and overview in squeezed(pdf_text(russian.content))
    assert english.content != russian.content


def test_json_keys_stay_machine_keys_in_any_language(client, db):
    world = held_event(published=True)
    settle(db)
    read_in(client, "hy")

    r = client.get(f"/events/{world.event.id}/summary.json")

    assert r.status_code == 200
    assert {"event", "participation", "agenda", "outcomes"} <= set(r.json())
