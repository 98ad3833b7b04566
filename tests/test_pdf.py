"""PDFs: printed with system fonts that cover Armenian and Azerbaijani, fetching nothing from
the network or the disk outside the app's static files."""

import ctypes
import io
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from fontTools.ttLib import TTFont
from weasyprint import HTML

from app.config import ROOT
from app.pdf import RefusedFetch, StaticOnlyFetcher, render_pdf

BASE = "http://parley.test"
TEXT = "Հայաստան Azərbaycan ğ ı ş Ğ İ Ş"
PAGE = (
    '<html><head><link rel="stylesheet" href="/static/print-programme.css"></head>'
    f"<body><h1>{TEXT}</h1><p>{TEXT}</p></body></html>"
)


def test_render_pdf_gives_a_pdf():
    content = render_pdf(PAGE, BASE)

    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")


def test_armenian_and_azerbaijani_letters_have_glyphs_in_dejavu_sans():
    document = HTML(string=PAGE, base_url=BASE, url_fetcher=StaticOnlyFetcher(BASE)).render()
    document.write_pdf()

    fonts = list(document.fonts.values())
    assert len(document.pages) == 1
    assert {font.family for font in fonts} == {"DejaVu Sans"}
    shown = {char for font in fonts for glyph, char in font.to_unicode.items() if glyph != 0}
    assert set(TEXT.replace(" ", "")) <= shown
    assert all(not font.missing for font in fonts)


def test_the_fetcher_serves_the_apps_static_files():
    fetcher = StaticOnlyFetcher(BASE)

    response = fetcher.fetch(f"{BASE}/static/print-programme.css")

    assert response.content_type == "text/css"
    assert response.read() == (ROOT / "static" / "print-programme.css").read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/static/print-programme.css",  # another host
        "https://parley.test/static/print-programme.css",  # another scheme
        "http://parley.test/events/1",  # not a static file
        "http://parley.test/static/../app/config.py",
        "http://parley.test/static/%2e%2e/app/config.py",
        "http://parley.test/static/missing.css",
        "file:///etc/passwd",
        f"file://{ROOT}/app/config.py",
        "ftp://parley.test/static/print-programme.css",
        "data:text/css,body{}",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(RefusedFetch):
        StaticOnlyFetcher(BASE).path_for(url)


def test_a_static_file_by_its_file_url_is_served():
    path = ROOT / "static" / "print-programme.css"

    assert StaticOnlyFetcher(BASE).path_for(path.as_uri()) == path.resolve()


def test_rendering_never_asks_for_remote_resources(monkeypatch):
    asked: list[str] = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):  # type: ignore[no-untyped-def]
        asked.append(url)
        return original(self, url, headers)

    def no_network(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the network was used")

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    monkeypatch.setattr("urllib.request.OpenerDirector.open", no_network)
    page = (
        '<html><head><link rel="stylesheet" href="http://evil.example/x.css">'
        '<link rel="stylesheet" href="/static/print-programme.css"></head>'
        '<body><img src="http://evil.example/pixel.png" alt=""><img src="file:///etc/hostname" alt="">'
        '<p style="background: url(https://evil.example/bg.png)">x</p></body></html>'
    )

    content = render_pdf(page, BASE)

    assert content.startswith(b"%PDF-")
    assert f"{BASE}/static/print-programme.css" in asked
    assert "http://evil.example/pixel.png" in asked  # asked of the fetcher, which refused it


def test_static_dir_is_the_apps_own():
    assert StaticOnlyFetcher(BASE).static_dir == Path(ROOT / "static").resolve()


# --- every script the summaries print: Armenian, Azerbaijani (Latin) and Russian (Cyrillic) -------

SCRIPTS = {
    "Armenian": "Հայաստան, Երևան, Ճանապարհային քարտեզ։ «Ամփոփում»",
    "Azerbaijani": "Azərbaycan, Gəncə, Şəki: ə Ə ğ Ğ ı İ ş Ş ç Ç ö Ö ü Ü",
    "Russian": "Россия, Итоговый отчёт: ё Ё ж щ ъ ы э ю я",
}


def _font(font) -> tuple[str, TTFont | None]:  # type: ignore[no-untyped-def]
    """A font of the PDF: its base name and, when embedded, its font program."""
    length = pdfium_raw.FPDFFont_GetBaseFontName(font, None, 0)
    name = ctypes.create_string_buffer(length)
    pdfium_raw.FPDFFont_GetBaseFontName(font, name, length)
    if not pdfium_raw.FPDFFont_GetIsEmbedded(font):
        return name.value.decode(), None
    size = ctypes.c_size_t()
    pdfium_raw.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
    data = (ctypes.c_uint8 * size.value)()
    pdfium_raw.FPDFFont_GetFontData(font, data, size.value, ctypes.byref(size))
    return name.value.decode(), TTFont(io.BytesIO(bytes(data)))


def printed_characters(content: bytes) -> tuple[str, dict[str, tuple[str, TTFont | None]]]:
    """The PDF's text, and for each character drawn the font (base name, embedded program)
    that drew it."""
    document = pdfium.PdfDocument(content)
    text, fonts = [], {}
    for page in document:
        textpage = page.get_textpage()
        text.append(textpage.get_text_range())
        programs = {}
        for index in range(textpage.count_chars()):
            obj = pdfium_raw.FPDFText_GetTextObject(textpage, index)
            char = chr(pdfium_raw.FPDFText_GetUnicode(textpage, index))
            if not obj or char.isspace():
                continue
            font = pdfium_raw.FPDFTextObj_GetFont(obj)
            key = ctypes.addressof(font.contents)
            if key not in programs:
                programs[key] = _font(font)
            fonts.setdefault(char, programs[key])
    return "\n".join(text), fonts


def test_armenian_azerbaijani_and_russian_print_with_a_glyph_for_every_letter():
    body = "".join(f"<h2>{name}</h2><p>{text}</p><p><strong>{text}</strong></p>" for name, text in SCRIPTS.items())
    page = f'<html><head><link rel="stylesheet" href="/static/print-summary.css"></head><body>{body}</body></html>'

    text, fonts = printed_characters(render_pdf(page, BASE))

    flat = " ".join(text.split())
    for sample in SCRIPTS.values():
        assert sample in flat  # every letter came back out of the PDF as written
    for char in set("".join(SCRIPTS.values())) - {" "}:
        name, program = fonts[char]
        assert "DejaVu" in name and program is not None, (char, name)  # the print CSS's font, embedded
        glyph = program.getBestCmap().get(ord(char))
        assert glyph not in (None, ".notdef"), (char, name)  # a glyph of its own, not the missing-glyph box
        assert program["glyf"][glyph].numberOfContours != 0, (char, name)  # and one that draws something


def test_dejavu_sans_as_fontconfig_finds_it_covers_every_letter_of_the_three_languages():
    """The font the print CSS names, as the system resolves it (.ci/run installs
    fonts-dejavu-core where no font covers Armenian)."""
    import shutil
    import subprocess

    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig's fc-match is not installed")
    found = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True, check=True)
    cmap = TTFont(found.stdout.strip(), lazy=True).getBestCmap()

    missing = sorted(c for c in set("".join(SCRIPTS.values())) - {" "} if ord(c) not in cmap)
    assert missing == []
