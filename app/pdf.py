"""PDFs printed by WeasyPrint from the pages' own templates, with print CSS.

Rendering never fetches anything from the network: the URL fetcher serves the app's own static
files (`/static/...` under the base URL, or `file://` paths inside the static directory) and
refuses everything else. Fonts come from the system through fontconfig; the print CSS names
"DejaVu Sans", which covers Armenian and Azerbaijani letters.
"""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.config import ROOT

log = logging.getLogger(__name__)

STATIC_DIR = ROOT / "static"
STATIC_PREFIX = "/static/"
PDF_TYPE = "application/pdf"


class RefusedFetch(ValueError):
    """A resource outside the app's static files: never fetched."""


class StaticOnlyFetcher(URLFetcher):
    """Serves files of the static directory only; WeasyPrint skips whatever it refuses."""

    def __init__(self, base_url: str, static_dir: Path = STATIC_DIR) -> None:
        super().__init__(allowed_protocols=("http", "https", "file"), allow_redirects=False)
        base = urlsplit(base_url)
        self.origin = (base.scheme.lower(), base.netloc.lower())
        self.static_dir = static_dir.resolve()

    def path_for(self, url: str) -> Path:
        """The file a URL names inside the static directory, or RefusedFetch."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file" and parts.netloc in ("", "localhost"):
            candidate = Path(url2pathname(unquote(parts.path)))
        elif (scheme, parts.netloc.lower()) == self.origin and parts.path.startswith(STATIC_PREFIX):
            candidate = self.static_dir / unquote(parts.path.removeprefix(STATIC_PREFIX))
        else:
            raise RefusedFetch(f"not a static file of this app: {url[:200]}")
        path = candidate.resolve()
        if not path.is_relative_to(self.static_dir) or not path.is_file():
            raise RefusedFetch(f"not a static file of this app: {url[:200]}")
        return path

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        try:
            path = self.path_for(url)
        except RefusedFetch:
            log.warning("pdf: refused to fetch a resource outside the static files")
            raise
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})


def render_pdf(html: str, base_url: str) -> bytes:
    """HTML (a rendered print template) to PDF bytes; `/static/...` resolves against base_url."""
    document = HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher(base_url))
    return document.write_pdf()  # type: ignore[no-any-return]
