"""Helpers the tests of every domain share: settling the arrangement, committing it to a database
of a test's own, reading in a language, the words of a message in a language, and the text of a PDF."""

from collections.abc import Iterator
from contextlib import contextmanager

import pypdfium2 as pdfium
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app import i18n
from tests import factories


def settle(db: Session) -> None:
    """Commit the arrangement (a refused request rolls back its transaction) and forget what is
    loaded, so that each request loads what it uses, as a fresh one does."""
    db.commit()
    db.expire_all()


@contextmanager
def committing(engine: Engine) -> Iterator[Session]:
    """A session on `engine` committed at the end of the block; the factories flush into it (and
    into none once the block is over)."""
    try:
        with Session(engine, expire_on_commit=False) as db:
            factories.use_session(db)
            yield db
            db.commit()
    finally:
        factories.use_session(None)  # type: ignore[arg-type]


def read_in(client: TestClient, code: str) -> None:
    """The reader's language, as the language switcher sets it (the language cookie)."""
    client.cookies.set(i18n.LANGUAGE_COOKIE, code, domain="testserver.local")


def message_in(code: str, message: str) -> str:
    """What the pages show for `message` in `code` (the English until the catalogue has it)."""
    return i18n.translations(code).gettext(message)


def squeezed(text: str) -> str:
    """Text as one line: a PDF breaks lines where its layout does."""
    return " ".join(text.split())


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()
