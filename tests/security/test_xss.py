"""XSS sweep: hostile text in every free-text field of every API body and every form, then every
page, form re-render, e-mail and export that shows it, parsed, must hold no markup it brought.

Records are created through the API (each request model's text fields get the payload; a field
that refuses it, such as an e-mail address, gets a plausible value instead), then every page is
fetched with their ids and every form is posted with the payload in all its fields. Each page is
parsed with lxml: an element of a kind that can run or load something (script, img, svg, iframe,
form, …) whose shape (tag and attribute names) never appears in the same sweep with harmless
text, an `on*` attribute, a `javascript:` address or an inline script is an injection. Payloads
are sent in groups (a few per value, each prefix-sensitive one first), so every payload reaches
every field without a request per payload and field.
"""

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any, get_args
from urllib.parse import quote

import lxml.html
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts.models import ApiToken, LoginAttempt
from app.forms import Form
from app.mail.models import OutboxMessage
from app.security import token_hash
from tests.factories import PASSWORD, AdminFactory
from tests.security.conftest import (
    NOT_IDS,
    TALLY,
    Endpoint,
    _by_type,
    _enum,
    csrf_token,
    endpoints,
    plausible_values,
    request_model,
    sign_in,
)

# Each starts a value on its own: it only bites at the start of an attribute or a cell.
PREFIX_SENSITIVE = [
    "javascript:alert(1)",
    "JaVa\tScRiPt:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    '=HYPERLINK("//x.test")',
    "@SUM(1+1)*cmd|'/C calc'!A0",
    "+cmd|'/C calc'!A0",
    "-1+1+cmd|'/C calc'!A0",
]

ANYWHERE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.test/x.js></SCRIPT>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "</textarea><svg onload=alert(1)>",
    "</title><script>alert(1)</script>",
    "</option></select><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    '" autofocus onfocus="alert(1)" x="',
    "` onmouseover=alert(1) x=`",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=javascript:alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<object data=javascript:alert(1)>",
    "<math><mglyph><svg><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<base href=//x.test/>",
    "<meta http-equiv=refresh content=0;url=//x.test>",
    "<link rel=stylesheet href=//x.test/x.css>",
    "<style>@import'//x.test/x.css'</style>",
    "<form action=//x.test><button>x</button></form>",
    "<svg><animate onbegin=alert(1) attributeName=x>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "{{7*7}}",
    "{% print 7*7 %}",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "\\u003cscript\\u003ealert(1)",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "\u202e<img src=x onerror=alert(1)>",
]

PAYLOADS = PREFIX_SENSITIVE + ANYWHERE
GROUP_LENGTH = 100  # fits every free-text column (the shortest hold 100 characters)
BENIGN = "Harmless words"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def payload_groups() -> list[str]:
    """Values of a few payloads each, ≤ 100 characters, a prefix-sensitive one first in its own."""
    groups = [[first] for first in PREFIX_SENSITIVE]
    for payload in sorted(ANYWHERE, key=len, reverse=True):  # first fit, longest first
        fits = [g for g in groups if len("".join(g)) + len(payload) <= GROUP_LENGTH]
        if fits:
            fits[0].append(payload)
        else:
            groups.append([payload])
    return ["".join(g) for g in groups]


# --- what counts as injected -------------------------------------------------------------------

# Elements that can run, load or submit something: their shapes must all occur with harmless text.
ACTIVE_TAGS = {
    "script", "img", "svg", "iframe", "frame", "frameset", "object", "embed", "applet", "math",
    "video", "audio", "source", "track", "base", "meta", "link", "style", "form", "input",
    "button", "textarea", "select", "details", "marquee", "body", "html", "head", "template",
    "a", "area", "animate", "set", "image", "use", "foreignobject", "isindex", "xmp", "noscript",
}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "cite",
    "codebase", "srcset", "lowsrc", "dynsrc", "ping",
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _shapes_and_problems(doc) -> tuple[set[tuple], list[str]]:  # type: ignore[no-untyped-def,type-arg]
    shapes, problems = set(), []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        tag = element.tag.lower()
        names = sorted(name.lower() for name in element.attrib)
        if tag in ACTIVE_TAGS:
            shapes.add((tag, tuple(names)))
        for name, value in element.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                problems.append(f"<{tag} {lowered}=…>")
            if lowered in ("srcdoc", "style"):
                problems.append(f"<{tag} {lowered}=…>")
            squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if lowered in URL_ATTRIBUTES and squeezed.startswith(DANGEROUS_SCHEMES):
                problems.append(f"<{tag} {lowered}={value[:40]!r}>")
        if tag == "script" and not _is_data_block(element) and (element.get("src") is None or (element.text or "").strip()):
            problems.append("an inline <script>")
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
    return shapes, problems


def _is_data_block(element) -> bool:  # type: ignore[no-untyped-def]
    """A JSON-LD block is data that no browser runs, as long as it is all JSON."""
    if (element.get("type") or "").lower() != "application/ld+json" or element.get("src") is not None:
        return False
    try:
        json.loads(element.text or "")
    except ValueError:
        return False
    return True


def _text_of(doc) -> str:  # type: ignore[no-untyped-def]
    values = [v for element in doc.iter() if isinstance(element.tag, str) for v in element.attrib.values()]
    return doc.text_content() + "\n" + "\n".join(values)


class Sweep:
    """Fetches and parses; the harmless pass learns the shapes, the hostile ones are checked."""

    def __init__(self) -> None:
        self.known_shapes: set[tuple] = set()  # type: ignore[type-arg]
        self.problems: list[str] = []
        self.seen: dict[str, int] = {}
        self.checked = 0
        self.learning = True
        self.value = BENIGN

    def html(self, where: str, markup: str) -> None:
        doc = lxml.html.document_fromstring(markup) if markup.strip() else None
        if doc is None:
            return
        self.checked += 1
        shapes, problems = _shapes_and_problems(doc)
        if self.learning:
            self.known_shapes |= shapes
        else:
            problems += [f"a new <{tag}> shaped {list(names)}" for tag, names in shapes - self.known_shapes]
        self.problems += [f"{where}: {problem}" for problem in problems]
        if self.value.strip() in _text_of(doc):
            self.seen[self.value] = self.seen.get(self.value, 0) + 1

    def csv(self, where: str, text: str) -> None:
        self.checked += 1
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                if cell.startswith(FORMULA_START) and not re.fullmatch(r"-?\d+([.,]\d+)?", cell):
                    self.problems.append(f"{where}: a cell that a spreadsheet runs: {cell[:40]!r}")
        if self.value.strip() in text or self.value.strip() in text.replace("'", "", 1):
            self.seen[self.value] = self.seen.get(self.value, 0) + 1

    def response(self, where: str, response) -> None:  # type: ignore[no-untyped-def]
        kind = response.headers.get("content-type", "")
        if response.status_code in (301, 302, 303, 307, 308) or not response.content:
            return
        if kind.startswith("text/html"):
            self.html(where, response.text)
        elif kind.startswith("text/csv"):
            self.csv(where, response.text)
        elif kind.startswith("application/json"):
            json.loads(response.text)  # well-formed, whatever the text inside
        elif "spreadsheetml" in kind:
            self.xlsx(where, response.content)

    def xlsx(self, where: str, content: bytes) -> None:
        from openpyxl import load_workbook

        self.checked += 1
        book = load_workbook(io.BytesIO(content))
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        for cell in cells:
            if cell.data_type == "f":
                self.problems.append(f"{where}: a formula in {cell.coordinate}: {str(cell.value)[:40]!r}")
        if any(self.value.strip() == str(cell.value).strip() for cell in cells):
            self.seen[self.value] = self.seen.get(self.value, 0) + 1


# --- creating records through the API ----------------------------------------------------------


def _is_text(annotation: Any) -> bool:
    return annotation is str or (str in get_args(annotation) and _enum(annotation) is None)


def text_body(endpoint: Endpoint, text: str, values: dict[str, Any], fixed: set[str]) -> dict[str, Any]:
    """The route's request model with `text` in every text field but those `fixed`."""
    model = request_model(endpoint.route.body_field.field_info.annotation)
    body: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if _is_text(info.annotation) and name not in fixed:
            body[name] = text
        elif (enum := _enum(info.annotation)) is not None and name != "role":
            body[name] = list(enum)[0].value
        elif name in values:
            body[name] = values[name]
        elif info.is_required():
            body[name] = _by_type(endpoint, name, info.annotation)
    return body


def _refused_fields(response) -> set[str]:  # type: ignore[no-untyped-def]
    detail = response.json().get("detail")
    if not isinstance(detail, list):
        return set()
    return {str(item["loc"][1]) for item in detail if len(item.get("loc", [])) > 1}


def _created_param(endpoint: Endpoint, routes: list[APIRoute]) -> str | None:
    """The path parameter naming what a POST to a collection created (`…/events` → event_id)."""
    for route in routes:
        match = re.fullmatch(re.escape(endpoint.path) + r"/\{(\w+)\}", route.path)
        if match:
            return match.group(1)
    return None


def _ids_in(data: Any) -> Iterator[tuple[str, int]]:
    """`x_id` keys and nested `{"id": …}` objects (`"person": {"id": 3}` → person_id)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key.endswith("_id") and isinstance(value, int):
                yield key, value
            elif isinstance(value, dict) and isinstance(value.get("id"), int):
                yield f"{key}_id", value["id"]


def _depth(endpoint: Endpoint) -> tuple[int, int, str]:
    # Users and initiatives before what refers to them; then by nesting.
    first = 0 if endpoint.path.endswith(("/users", "/initiatives")) else 1
    return (endpoint.path.count("/"), first, endpoint.path)


def create_records(  # type: ignore[no-untyped-def]
    client, headers: dict[str, str], text: str, email: str, refused: dict[str, set[str]]
) -> dict[str, Any]:
    """Every kind of record the API creates, with `text` in its text fields; then every update
    route is sent `text` too. Returns the ids by path parameter name. `refused` remembers, per
    route, the fields that take no free text (an e-mail address), so they are not tried again."""
    all_endpoints = endpoints()
    routes = [e.route for e in all_endpoints]
    ids: dict[str, Any] = {}
    writes = [e for e in all_endpoints if e.is_api and e.route.body_field is not None]
    creates = sorted((e for e in writes if e.method == "POST" and e.route.status_code == 201), key=_depth)
    updates = [e for e in writes if e.method in ("PATCH", "PUT")]
    sent = 0
    for endpoint in [*creates, *updates]:
        if any(name not in ids for name in endpoint.path_params) or "/me/" in endpoint.path:
            continue
        url = endpoint.path.format(**ids)
        values = plausible_values(ids, email=email, current_password=PASSWORD)
        fixed = refused.setdefault(endpoint.label, set())
        for _ in range(6):  # give each refused field a plausible value, and try again
            response = client.request(endpoint.method, url, headers=headers, json=text_body(endpoint, text, values, fixed))
            sent += 1
            if response.status_code != 422 or not (_refused_fields(response) - fixed):
                break
            fixed |= _refused_fields(response)
        if response.status_code in (200, 201):
            data = response.json()
            created = _created_param(endpoint, routes) if endpoint.method == "POST" else None
            if created is not None:
                ids.setdefault(created, data["id"])
            for key, value in _ids_in(data):
                ids.setdefault(key, value)
    TALLY["XSS sweep: API writes"] += sent
    return ids


def _form_fields() -> set[str]:
    names: set[str] = set()
    stack = list(Form.__subclasses__())
    while stack:
        form = stack.pop()
        names |= set(form.model_fields)
        stack.extend(form.__subclasses__())
    return names


def _text_query(endpoint: Endpoint) -> list[str]:
    return [p.name for p in endpoint.route.dependant.query_params if _is_text(p.field_info.annotation)]


def crawl(client, db: Session, sweep: Sweep, ids: dict[str, Any], *, first: bool) -> int:  # type: ignore[no-untyped-def]
    """Every page with these ids (text query parameters set to the value), then every form posted
    with the value in all its fields. Pages that take nothing are fetched in the first pass only."""
    text = sweep.value
    filled = ids | dict.fromkeys(NOT_IDS, quote(text, safe=""))
    fields = _form_fields()
    sent = 0
    pages = [e for e in endpoints() if not e.is_api]
    for endpoint in [e for e in pages if e.method == "GET"] + [e for e in pages if e.takes_form]:
        if any(name not in filled for name in endpoint.path_params):
            continue
        query = _text_query(endpoint) if endpoint.method == "GET" else []
        if not first and not endpoint.path_params and not query and endpoint.method == "GET":
            continue
        url = endpoint.path.format(**{name: filled[name] for name in endpoint.path_params})
        if endpoint.method == "GET":
            response = client.get(url, params=dict.fromkeys(query, text))
        else:
            response = client.post(url, data={**dict.fromkeys(fields, text), "csrf_token": csrf_token(client)})
            db.execute(delete(LoginAttempt))  # the sign-in form's failures must not throttle the next
        sent += 1
        sweep.response(f"{endpoint.label} [{text[:30]!r}]", response)
    return sent


def test_injected_markup_never_reaches_a_page_email_or_export(browser, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Its password checks (the password form posts) need not cost a full argon2 hash each.
    admin = AdminFactory(password_hash=CHEAP_HASHER.hash(PASSWORD))
    raw = "pt_xss_sweep"
    db.add(ApiToken(user=admin, name="sweep", token_hash=token_hash(raw)))
    sign_in(browser, db, admin)
    headers = {"Authorization": f"Bearer {raw}"}
    sweep = Sweep()
    groups = payload_groups()
    first_mail = db.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)) or 0
    requests = 0
    refused: dict[str, set[str]] = {}

    for number, value in enumerate([BENIGN, *groups]):
        sweep.learning = number == 0
        sweep.value = value
        email = f"sweep{number}@example.org"
        ids = create_records(browser, headers, value, email, refused)
        requests += crawl(browser, db, sweep, ids, first=number <= 1)
        # A message that names the person: the password reset greets them by their full name.
        sign_in(browser, db, None)
        browser.post("/password/forgot", data={"email": email, "csrf_token": csrf_token(browser)})
        sign_in(browser, db, admin)
        for message in db.scalars(select(OutboxMessage).where(OutboxMessage.id > first_mail)):
            sweep.html(f"e-mail {message.subject!r} to {message.to_address}", message.body_html)
            first_mail = max(first_mail, message.id)

    TALLY["XSS sweep: payloads"] = len(PAYLOADS)
    TALLY["XSS sweep: page and form requests"] += requests
    TALLY["XSS sweep: pages, e-mails and exports checked"] += sweep.checked
    assert not sweep.problems, "\n".join(sorted(set(sweep.problems)))
    assert len(PAYLOADS) >= 40
    never_shown = [value for value in groups if not sweep.seen.get(value)]
    assert never_shown == [], "these never reached a page, so the sweep proved nothing for them"
