"""PDFs: printed with system fonts that cover Armenian and Azerbaijani, fetching nothing from
the network or the disk outside the app's static files."""

from pathlib import Path

import pytest
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
