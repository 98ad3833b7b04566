"""The summary's files: PDF, Markdown, DOCX and JSON, in both variants, with the same rules as
the page (Chatham House, no personal data in public) and audited when they name people."""

import io
import json

import jsonschema
import pypdfium2 as pdfium
import pytest
from docx import Document
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.summaries import exports
from app.summaries.schemas import SummaryOut
from tests.factories import EventFactory, coordinator, delegate, organiser
from tests.summaries.helpers import (
    CONCLUSION,
    INTRODUCTION,
    OFFICIAL,
    docx_text,
    held_event,
)
from tests.support import pdf_text, settle, squeezed

TITLE = "Peace Bridge roundtable in Tsaghkadzor"
FORMATS = ["pdf", "md", "docx", "json"]


def text_of(fmt: str, content: bytes) -> str:
    if fmt == "pdf":
        return pdf_text(content)
    if fmt == "docx":
        return docx_text(content)
    return content.decode()


def fetch(client, world, fmt, variant=None):
    query = f"?variant={variant}" if variant else ""
    return client.get(f"/events/{world.event.id}/summary.{fmt}{query}")


# --- each format -----------------------------------------------------------------------------------


def test_pdf_starts_as_a_pdf_and_its_first_page_holds_the_title_and_introduction(client, login, db):
    world = held_event()
    login(organiser(world.event))
    settle(db)

    r = fetch(client, world, "pdf")

    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="event-{world.event.id}-summary.pdf"'
    document = pdfium.PdfDocument(r.content)
    first = squeezed(document[0].get_textpage().get_text_range())
    assert TITLE in first and "The roundtable met in Tsaghkadzor for two days." in first
    # The charts are drawn (inline SVG): the attended bars' dark blue is on the first page.
    image = document[0].render(scale=1).to_pil().convert("RGB")
    colours = image.getcolors(maxcolors=1 << 24)
    dark_blue = sum(n for n, (r, g, b) in colours if abs(r - 0x1F) < 12 and abs(g - 0x3F) < 12 and abs(b - 0x66) < 12)
    assert dark_blue > 100
    document.close()


def test_docx_opens_and_has_the_title_and_section_headings(client, login, db):
    world = held_event()
    login(organiser(world.event))
    settle(db)

    r = fetch(client, world, "docx")

    document = Document(io.BytesIO(r.content))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Title", "Heading"))]
    assert headings[0] == ("Title", TITLE)
    sections = [text for style, text in headings if style == "Heading 1"]
    assert sections == ["Overview", "Introduction", "Participation", "Agenda as held", "Officials met", "Crossings",
                        "Outcomes and key points", "Recommendations agreed", "Statements", "Media coverage", "Conclusion"]
    introduction = [p for p in document.paragraphs if p.text == "The roundtable met in Tsaghkadzor for two days."]
    assert [run.text for run in introduction[0].runs if run.bold] == ["Tsaghkadzor"]  # Markdown's **bold**
    by_delegation = document.tables[0]
    assert [c.text for c in by_delegation.rows[0].cells] == ["Delegation", "Registered", "Attended"]
    assert [c.text for c in by_delegation.rows[1].cells] == ["Armenian civil society", "2", "1"]
    assert document.core_properties.title == TITLE


def test_markdown_has_the_sections_tables_and_the_organisers_markdown(client, login, db):
    world = held_event()
    login(organiser(world.event))
    settle(db)

    r = fetch(client, world, "md")

    text = r.content.decode()
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert text.startswith(f"# {TITLE}\n")
    assert "\n## Agenda as held\n" in text and "\n### Day 1: Friday, February 13, 2026\n" in text
    assert "| Armenian civil society | 2 | 1 |" in text
    assert INTRODUCTION in text and CONCLUSION in text  # their own Markdown, as written
    assert "- 09:00–10:00 Current stage and future trajectories (Thematic session, " in text
    assert "  - Moderator: Farid Moderatorov" in text


def test_markdown_escapes_text_that_would_become_markup():
    assert exports.md_escape("<script>alert(1)</script> | *x* [a](b)") == (
        "\\<script\\>alert(1)\\</script\\> \\| \\*x\\* \\[a\\](b)"
    )
    assert exports.md_escape("# not a heading\nand - no list") == "\\# not a heading and - no list"
    assert exports.md_escape("1. first") == "1\\. first"


def test_json_validates_against_the_documented_schema(client, login, db):
    world = held_event()
    login(organiser(world.event))
    settle(db)

    r = fetch(client, world, "json")

    data = r.json()
    jsonschema.validate(data, SummaryOut.model_json_schema())
    assert SummaryOut.model_validate(data).event.title == TITLE
    assert r.headers["content-disposition"].startswith("inline;")
    assert data["variant"] == "internal" and data["introduction"] == INTRODUCTION
    assert data["participation"]["registered"] == 4
    first = data["agenda"][0]["sessions"][0]
    assert first["starts_at"] == "2026-02-13T09:00:00+04:00"  # in the event's zone
    assert [s["name"] for s in first["speakers"]] == ["Farid Moderatorov", "Anahit Speakerian"]


# --- the rules, in every format ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("variant", ["internal", "public"])
def test_no_export_attributes_a_chatham_house_session(client, login, db, fmt, variant):
    world = held_event()
    login(organiser(world.event))
    settle(db)

    text = squeezed(text_of(fmt, fetch(client, world, fmt, variant).content))

    assert [w for w in world.chatham_words if w in text] == []
    assert "Regional security, borders and connectivity" in text  # the session and its outcome stay
    assert "Borders need joint monitoring" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_public_exports_hold_no_personal_data_or_internal_sessions(client, login, db, fmt):
    world = held_event(published=True)
    settle(db)

    r = fetch(client, world, fmt)  # anonymous: the public variant

    text = squeezed(text_of(fmt, r.content))
    assert r.status_code == 200
    assert [w for w in world.personal_words if w in text] == []
    assert OFFICIAL[1] in text and "Delegation heads" not in text and "A confidential point" not in text
    assert "Boat trip" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_internal_exports_name_speakers_are_audited_and_never_stored(client, login, db, fmt):
    world = held_event()
    user = login(organiser(world.event))
    settle(db)

    r = fetch(client, world, fmt)

    text = squeezed(text_of(fmt, r.content))
    assert "Farid Moderatorov" in text and OFFICIAL[0] in text
    assert "Nigar" not in text  # on a manifest only: crossings are counts
    assert r.headers["cache-control"] == "no-store"
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "summary.export")).all()
    assert [(e.actor_id, e.event_id, e.details) for e in entries] == [
        (user.id, world.event.id, {"format": fmt, "variant": "internal"})
    ]


def test_public_exports_are_not_audited(client, login, db):
    world = held_event(published=True)
    login(organiser(world.event))
    settle(db)

    for fmt in FORMATS:
        assert fetch(client, world, fmt, "public").status_code == 200

    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "summary.export")).all() == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_follow_the_pages_refusals(client, login, db, fmt):
    world = held_event()  # not published
    other = EventFactory()
    coordinating = coordinator(world.delegations[0])
    settle(db)

    assert fetch(client, world, fmt).status_code == 404  # anonymous, unpublished
    login(coordinating)
    assert fetch(client, world, fmt).status_code == 404
    assert fetch(client, world, fmt, "internal").status_code == 403
    login(organiser(other))
    assert client.get(f"/events/{other.id}/summary.{fmt}?variant=public").status_code == 200  # their own preview


def test_a_delegate_downloads_the_published_public_summary_but_not_the_internal_one(client, login, db):
    world = held_event(published=True)
    login(delegate(world.objects["speaker"]))
    settle(db)

    assert fetch(client, world, "json").json()["variant"] == "public"
    assert fetch(client, world, "json", "internal").status_code == 403


# --- the printed PDF is kept for the same content -------------------------------------------------------


def test_the_same_summary_is_printed_once_and_a_change_prints_anew(client, login, db, form):
    world = held_event()
    login(organiser(world.event))
    settle(db)
    exports._printed.cache_clear()

    first = fetch(client, world, "pdf").content
    again = fetch(client, world, "pdf").content
    form(f"/events/{world.event.id}/summary/edit", {"introduction": "A changed introduction.", "conclusion": ""})
    changed = fetch(client, world, "pdf").content

    info = exports._printed.cache_info()
    assert (info.hits, info.misses) == (1, 2)
    assert again == first and changed != first
    assert "A changed introduction." in pdf_text(changed)


def test_text_that_xml_cannot_hold_does_not_break_the_docx(client, login, db, form):
    world = held_event()
    login(organiser(world.event))
    settle(db)
    form(f"/events/{world.event.id}/summary/edit", {"introduction": "Bell \x07 and form feed \x0c.", "conclusion": ""})

    r = fetch(client, world, "docx")

    assert r.status_code == 200 and "Bell  and form feed ." in docx_text(r.content)


def test_json_of_the_public_variant_names_no_one(client, login, db):
    world = held_event(published=True)
    settle(db)

    data = fetch(client, world, "json").json()

    speakers = [sp for day in data["agenda"] for s in day["sessions"] for sp in s["speakers"]]
    assert speakers and all(sp["name"] is None and sp["is_official"] for sp in speakers)
    assert all(o["name"] is None for o in data["officials"])
    assert json.dumps(data).count("Officialyan") == 0
