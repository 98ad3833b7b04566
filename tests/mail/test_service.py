"""The outbox: e-mails wait in the database and are delivered after the request commits."""

import logging
import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.config import get_settings
from app.mail import service
from app.mail.models import OutboxMessage


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch):  # type: ignore[no-untyped-def]
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PARLEY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PARLEY_SMTP_PORT", str(port))
    monkeypatch.setenv("PARLEY_SMTP_STARTTLS", "false")
    get_settings.cache_clear()
    yield inbox
    controller.stop()
    get_settings.cache_clear()


def _queue(db) -> OutboxMessage:  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    user = UserFactory(full_name="Anahit <b>Petrosyan</b>")
    message = service.queue(
        db, to=user.email, subject="Reset your Parley password", template="emails/password_reset.html",
        context={"user": user, "link": "http://parley.test/password/reset/abc", "hours": 2},
    )
    db.flush()
    return message


def test_queued_message_has_escaped_html_and_readable_text(db) -> None:
    message = _queue(db)
    assert "Anahit &lt;b&gt;Petrosyan&lt;/b&gt;" in message.body_html
    assert "Hello Anahit <b>Petrosyan</b>," in message.body_text
    assert "<http://parley.test/password/reset/abc>" in message.body_text
    assert message.sent_at is None


def test_without_smtp_messages_are_logged_and_marked_sent(db, caplog) -> None:
    message = _queue(db)
    with caplog.at_level(logging.INFO, logger="app.mail.service"):
        assert service.deliver_pending(db) == 1
    assert message.sent_at is not None
    assert "Reset your Parley password" in caplog.text
    assert service.deliver_pending(db) == 0


def test_with_smtp_messages_are_sent_as_text_and_html(db, smtp) -> None:
    message = _queue(db)
    assert service.deliver_pending(db) == 1
    (sender, recipients, content), = smtp.messages
    assert recipients == [message.to_address]
    assert b"Subject: Reset your Parley password" in content
    assert b"text/plain" in content and b"text/html" in content


def test_failed_delivery_is_retried_later(db, monkeypatch) -> None:
    monkeypatch.setenv("PARLEY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PARLEY_SMTP_PORT", "9")  # nothing listens there
    get_settings.cache_clear()
    message = _queue(db)
    assert service.deliver_pending(db) == 0
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    assert db.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).one() == message
