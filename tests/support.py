"""Helpers the tests of every domain share: settling the arrangement, reading in a language, the
words of a message in a language, and the text of a PDF."""

import pypdfium2 as pdfium
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import i18n


def settle(db: Session) -> None:
    """Commit the arrangement (a refused request rolls back its transaction) and forget what is
    loaded, so that each request loads what it uses, as a fresh one does."""
    db.commit()
    db.expire_all()


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
