"""Markdown that users write (session descriptions and the like), rendered safely for pages.

Two layers: markdown-it-py in CommonMark mode with raw HTML switched off (so `<script>` is text),
then nh3 keeps only a small set of tags and attributes. Links may go to http(s) and mailto
addresses only, and carry rel="noopener noreferrer nofollow". Images are never loaded: an image
is shown as its alternative text. Headings start at level 3, below the page's own.
"""

from collections.abc import Sequence
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape

TAGS = frozenset(
    {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr", "h3", "h4", "h5", "h6"}
)
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Headings in a description sit below the page's h1 and h2.
HEADING_SHIFT = 2
MAX_CHARS = 100_000


def _image_as_text(renderer: object, tokens: Sequence[Token], idx: int, options: object, env: object) -> str:
    """`![alt](src)` shows its alternative text: nothing is fetched from elsewhere."""
    return str(escape(tokens[idx].content))


@lru_cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.add_render_rule("image", _image_as_text)
    return md


def _shift_headings(tokens: list[Token]) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + HEADING_SHIFT)}"


def sanitise(html: str) -> str:
    """HTML from anywhere, reduced to the tags and attributes a description may use."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str | None) -> Markup:
    """Markdown source to safe HTML (the Jinja filter `markdown`)."""
    if not text:
        return Markup("")
    return Markup(_rendered(str(text)[:MAX_CHARS]))  # noqa: S704  # nosec B704 - raw HTML off, then sanitised by nh3


# Pages show the same descriptions on every request: a pure function of the text, kept.
@lru_cache(maxsize=4096)
def _rendered(text: str) -> str:
    md = _parser()
    env: dict[str, object] = {}
    tokens = md.parse(text, env)
    _shift_headings(tokens)
    return sanitise(md.renderer.render(tokens, md.options, env))
