"""A readable, word-level difference between two texts, as HTML with <ins> and <del>.

The texts are split into words and the spaces between them (so that line breaks survive),
compared with difflib's SequenceMatcher, and every piece is escaped before it is wrapped: the
result is safe to put in a page whatever the texts hold. Line breaks become <br>.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from markupsafe import Markup, escape

_TOKEN = re.compile(r"\s+|[^\s]+")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.replace("\r\n", "\n"))


def _html(tokens: list[str]) -> str:
    return str(escape("".join(tokens))).replace("\n", "<br>\n")


def _words(tokens: list[str]) -> int:
    return sum(1 for t in tokens if not t.isspace())


@dataclass(frozen=True)
class Diff:
    html: Markup
    added: int  # words
    removed: int

    @property
    def unchanged(self) -> bool:
        return not self.added and not self.removed


def _split(tokens: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Leading spaces, the words (with the spaces between them), trailing spaces."""
    start, end = 0, len(tokens)
    while start < end and tokens[start].isspace():
        start += 1
    while end > start and tokens[end - 1].isspace():
        end -= 1
    return tokens[:start], tokens[start:end], tokens[end:]


def _marked(tag: str, tokens: list[str]) -> str:
    return f"<{tag}>{_html(tokens)}</{tag}>" if tokens else ""


def word_diff(old: str, new: str) -> Diff:
    """`old` → `new`: unchanged words as they are, removed ones in <del>, added ones in <ins>
    (the spaces around a change stay outside its mark)."""
    a, b = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    parts: list[str] = []
    added = removed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(_html(a[i1:i2]))
            continue
        old_lead, old_words, old_trail = _split(a[i1:i2])
        new_lead, new_words, new_trail = _split(b[j1:j2])
        lead = new_lead if op != "delete" else old_lead
        trail = new_trail if op != "delete" else old_trail
        parts.append(_html(lead) + _marked("del", old_words) + _marked("ins", new_words) + _html(trail))
        removed += _words(old_words)
        added += _words(new_words)
    return Diff(Markup("".join(parts)), added, removed)  # noqa: S704  # nosec B704 - every piece escaped above
