from datetime import UTC, datetime

from app.press.diff import word_diff
from app.press.exports import press_feed
from app.press.models import PressStatus
from tests.factories import EventFactory, PressItemFactory, PressVersionFactory


def test_the_diff_marks_added_and_removed_words():
    diff = word_diff("The sides met in Yerevan.", "The sides met twice in Tsaghkadzor.")

    assert str(diff.html) == "The sides met <ins>twice</ins> in <del>Yerevan.</del><ins>Tsaghkadzor.</ins>"
    assert (diff.added, diff.removed) == (2, 1)


def test_the_diff_escapes_both_texts_and_keeps_line_breaks():
    diff = word_diff("<b>bold</b>\n\nsecond", '<img src=x onerror="alert(1)">\n\nsecond')

    assert "<b>" not in diff.html and "<img" not in diff.html
    assert "<del>&lt;b&gt;bold&lt;/b&gt;</del>" in diff.html
    assert "&lt;img" in diff.html and "&#34;alert(1)&#34;" in diff.html
    assert diff.html.endswith("<br>\n<br>\nsecond")


def test_the_same_texts_make_no_changes():
    diff = word_diff("Same words.", "Same words.")

    assert diff.unchanged and str(diff.html) == "Same words."


def test_the_feed_drops_characters_xml_cannot_hold(db):
    event = EventFactory()
    item = PressItemFactory(event=event, status=PressStatus.PUBLISHED, published_at=datetime(2026, 2, 14, tzinfo=UTC))
    PressVersionFactory(item=item, title="Bell\x07 and form\x0c feed", body="Text\x1b here")

    feed = press_feed(db, viewer=None, event=event)

    assert b"Bell and form feed" in feed.content and b"\x07" not in feed.content
