"""What is measured: the eight pages of BENCH.md, and the framework's floor.

A page's address may depend on what the scenario holds (the event's id, the arrival crossing's
id); each page lists the addresses it may live at, in order of preference, with who asks.
"""

import re
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.routing import Match

ANONYMOUS = "anonymous"
ORGANISER = "organiser"
DELEGATE_B001 = "delegate_b001"

CONTENT_TYPES = {
    "html": "text/html",
    "ics": "text/calendar",
    "csv": "text/csv",
    "pdf": "application/pdf",
    "json": "application/json",
}

_PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Target:
    path: str  # "/events/{event}/agenda": placeholders are keys of Scenario.ids
    identity: str  # ANONYMOUS, or a key of Scenario.accounts

    def placeholders(self) -> list[str]:
        return _PLACEHOLDER.findall(self.path)

    def fill(self, ids: dict[str, int], *, default: int | None = None) -> str | None:
        """The concrete address; None when the scenario lacks an id it needs (and no default)."""
        values = {}
        for key in self.placeholders():
            value = ids.get(key, default)
            if value is None:
                return None
            values[key] = value
        return self.path.format(**values)


@dataclass(frozen=True)
class Page:
    number: int
    key: str
    label: str
    kind: str  # a key of CONTENT_TYPES
    targets: tuple[Target, ...]
    median_only: bool = False  # the PDF: a few sequential requests, the median, no throughput

    @property
    def is_html(self) -> bool:
        return self.kind == "html"


PAGES: tuple[Page, ...] = (
    Page(
        1, "agenda", "agenda page", "html",
        # Anonymous on the public programme if the agenda is published, else the organiser's view.
        (Target("/events/{event}/programme", ANONYMOUS), Target("/events/{event}/agenda", ORGANISER)),
    ),
    Page(
        2, "participants", "participant list, 300 on one page", "html",
        (Target("/events/{event}/participants?per_page=300", ORGANISER),),
    ),
    Page(3, "agenda_ics", "agenda as iCalendar", "ics", (Target("/events/{event}/agenda.ics", ANONYMOUS),)),
    Page(4, "overview", "event overview", "html", (Target("/events/{event}", ORGANISER),)),
    Page(5, "itinerary", "itinerary of Delegate B001", "html", (Target("/me/itinerary", DELEGATE_B001),)),
    Page(
        6, "manifest_csv", "arrival manifest as CSV", "csv",
        (Target("/events/{event}/crossings/{arrival_crossing}/manifest.csv", ORGANISER),),
    ),
    Page(7, "summary", "post-event summary", "html", (Target("/events/{event}/summary", ORGANISER),)),
    Page(
        8, "summary_pdf", "post-event summary as PDF", "pdf",
        (Target("/events/{event}/summary.pdf", ORGANISER),), median_only=True,
    ),
)

# The same server answering without a database: the most any page could do.
FLOOR = Page(0, "floor", "framework floor: /livez (no database)", "json", (Target("/livez", ANONYMOUS),))


def route_exists(app: FastAPI, path: str) -> bool:
    """Whether a GET route of the app answers this address (a 404 from a route still counts)."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": path.split("?", 1)[0],
        "root_path": "",
        "query_string": b"",
        "headers": [],
    }
    return any(route.matches(scope)[0] == Match.FULL for route in app.router.routes)
