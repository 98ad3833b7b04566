"""The outbox: messages are written in the request's transaction and delivered after commit.

Delivery is by SMTP when PARLEY_SMTP_HOST is set, else the message is written to the log, so a
development instance needs nothing else. `parley serve` runs a delivery thread; `parley mail send`
delivers once.
"""

import logging
import smtplib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from html.parser import HTMLParser

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import i18n
from app.config import get_settings
from app.db import utcnow
from app.mail.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "head", "title"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self._href = href

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "head", "title"):
            self.skip -= 1
        if tag == "a" and self._href:
            self.parts.append(f" <{self._href}>")
            self._href = None
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(" ".join(data.split()) if data.strip() else "")


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def recipients_languages(db: Session, addresses: list[str]) -> dict[str, str | None]:
    """The language each address's account chose, in one query (addresses without an account
    are absent): for a batch of e-mails, given to `in_recipients_language` as `known`."""
    from app.accounts.models import User
    from app.accounts.service import normalise_email

    wanted = {normalise_email(address) for address in addresses}
    if not wanted:
        return {}
    return {email: language for email, language in db.execute(select(User.email, User.language).where(User.email.in_(wanted)))}


@contextmanager
def in_recipients_language(
    db: Session, address: str, *, known: dict[str, str | None] | None = None
) -> Iterator[None]:
    """Write an e-mail (its subject and its body) in the language its recipient chose for their
    account; someone without an account, or without a choice, gets the sender's language."""
    from app.accounts.service import normalise_email

    languages = known if known is not None else recipients_languages(db, [address])
    with i18n.use_language(languages.get(normalise_email(address))):
        yield


def queue(db: Session, *, to: str, subject: str, template: str, context: dict) -> OutboxMessage:  # type: ignore[type-arg]
    from app.web import render_template  # e-mails use the page templates' environment

    html = render_template(template, {**context, "subject": subject})
    message = OutboxMessage(to_address=to, subject=subject, body_html=html, body_text=html_to_text(html))
    db.add(message)
    return message


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = get_settings().mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def _send(messages: list[OutboxMessage]) -> None:
    settings = get_settings()
    if not settings.smtp_host:
        for message in messages:
            log.info("e-mail (no SMTP configured) to %s: %s\n%s", message.to_address, message.subject, message.body_text)
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        for message in messages:
            smtp.send_message(_build(message))


def deliver_pending(db: Session, *, limit: int = 50) -> int:
    """Deliver what is waiting; returns how many were sent. The caller commits."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # several app processes share one outbox
    messages = list(db.scalars(query))
    if not messages:
        return 0
    for message in messages:
        message.attempts += 1
    try:
        _send(messages)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail delivery failed: %s", exc)
        for message in messages:
            message.last_error = str(exc)[:1000]
        return 0
    for message in messages:
        message.sent_at = utcnow()
    return len(messages)


def start_worker(stop: threading.Event, interval: float = 5.0) -> threading.Thread:
    from app.db import session_factory
    from app.itineraries import changes as itinerary_changes  # a notice is queued, then delivered

    def run() -> None:
        while not stop.wait(interval):
            try:
                with session_factory()() as db, db.begin():
                    itinerary_changes.send_due_notices(db)
            except Exception:
                log.exception("itinerary notices")
            try:
                with session_factory()() as db, db.begin():
                    deliver_pending(db)
            except Exception:  # keep delivering after a passing database error
                log.exception("outbox worker")

    thread = threading.Thread(target=run, name="outbox", daemon=True)
    thread.start()
    return thread
