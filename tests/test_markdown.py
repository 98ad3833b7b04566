"""Markdown that users write is rendered with a few tags only, and nothing in it can run."""

import lxml.html
import pytest

from app.markdown import render_markdown
from app.web import templates

DANGEROUS = ("javascript:", "vbscript:", "data:")


def parsed(markup: str):  # type: ignore[no-untyped-def]
    return lxml.html.fragment_fromstring(str(markup), create_parent="div")


def test_markdown_renders_emphasis_lists_and_links():
    html = str(render_markdown("Some **bold** and *italic*.\n\n- one\n- two\n\n[Report](https://example.org/r)"))

    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<a href="https://example.org/r" rel="noopener noreferrer nofollow">Report</a>' in html


def test_headings_start_below_the_pages_own():
    assert str(render_markdown("# Title\n\n## Part")) == "<h3>Title</h3>\n<h4>Part</h4>\n"


def test_empty_text_renders_nothing():
    assert str(render_markdown("")) == "" and str(render_markdown(None)) == ""


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '"><svg onload=alert(1)>',
        "<iframe src=javascript:alert(1)></iframe>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox(1))",
        '[x](https://example.org/" onmouseover="alert(1))',
        '[x](https://example.org "title" onclick="alert(1)")',
        "![x](https://tracker.example/pixel.png)",
        '![x" onerror="alert(1)](x.png)',
        "<style>body{display:none}</style>",
        "<!-- <script>alert(1)</script> -->",
        "`<script>alert(1)</script>`",
    ],
)
def test_hostile_markdown_holds_no_active_markup(payload):
    doc = parsed(render_markdown(payload))

    for element in doc.iter():
        assert element.tag in {"div", "p", "a", "code", "pre", "em", "strong"}, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            assert name in {"href", "title", "rel"}
            assert not value.replace(" ", "").lower().startswith(DANGEROUS)


def test_images_show_their_alternative_text_and_load_nothing():
    html = str(render_markdown("![The venue](https://tracker.example/pixel.png)"))

    assert html == "<p>The venue</p>\n"


def test_raw_html_is_shown_as_text():
    html = str(render_markdown("<b>bold</b> <script>alert(1)</script>"))

    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;script&gt;" in html
    assert "<script" not in html


def test_the_jinja_filter_renders_safe_markup():
    rendered = templates.env.from_string("{{ text | markdown }}").render(text="**hi** <script>x</script>")

    assert rendered == "<p><strong>hi</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"
