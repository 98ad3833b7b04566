"""Domain errors carry their HTTP status; one set of handlers turns them into pages or JSON."""

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.i18n import N_, _

log = logging.getLogger(__name__)


class DomainError(Exception):
    status_code = 400
    # Marked with N_ here, translated when raised (in the language of the request).
    default_message = N_("The request cannot be carried out.")
    # Pages answer with a redirect here instead of an error page (the API still gets JSON).
    redirect_to: str | None = None
    # A signed-out visitor refused this way is sent to sign in first.
    sign_in_helps = True

    def __init__(self, message: str | None = None) -> None:
        self.message = message or _(self.default_message)
        super().__init__(self.message)

    @property
    def name(self) -> str:
        return type(self).__name__


class NotFound(DomainError):
    status_code = 404
    default_message = N_("Not found.")


class Forbidden(DomainError):
    status_code = 403
    default_message = N_("You are not allowed to do this.")


class NotAuthenticated(DomainError):
    status_code = 401
    default_message = N_("Please sign in.")


class Conflict(DomainError):
    status_code = 409
    default_message = N_("This conflicts with the current state.")


class TooManyRequests(DomainError):
    status_code = 429
    default_message = N_("Too many attempts. Try again later.")


class UnstorableText(DomainError):
    """Text with a NUL character: PostgreSQL cannot store it, so neither back end accepts it."""

    status_code = 422
    default_message = N_("The text contains a NUL character, which cannot be stored. Remove it and try again.")


class FieldError(DomainError):
    """Invalid input that only the database can judge ("this e-mail is taken")."""

    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)

    def as_errors(self) -> dict[str, list[str]]:
        return {self.field: [self.message]}


class ErrorItem(BaseModel):
    """One invalid field: where it is (`["body", "title"]`) and what is wrong with it."""

    loc: list[str | int]
    msg: str
    type: str | None = None


class ApiError(BaseModel):
    """How every API error answers: the error's name, and a message or one item per field."""

    error: str
    detail: str | list[ErrorItem]


def _documented(description: str) -> dict[str, object]:
    return {"model": ApiError, "description": description}


# The errors any /api/v1 route may answer, declared once for the OpenAPI description
# (`APIRouter(responses=API_ERRORS)`); FastAPI's own 422 model does not fit our body.
API_ERRORS: dict[int | str, dict[str, object]] = {
    400: _documented("The body could not be read (for example, it is not UTF-8)."),
    401: _documented("Not signed in, or the API token is not valid."),
    403: _documented("Not allowed; with a session cookie, also a missing CSRF token."),
    404: _documented("No such record, or the caller may not see it."),
    409: _documented("The record's state does not allow this now (e.g. it is archived)."),
    422: _documented("The input is not valid: one item per field."),
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz"


def _json(status: int, error: str, detail: object) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status)


def _page(request: Request, status: int, message: str) -> Response:
    from app.web import render_error  # the page layer depends on errors, not the reverse

    return render_error(request, status, message)


# What a page says for Starlette's own errors (its details are English: "Method Not Allowed").
HTTP_MESSAGES = {
    404: N_("Not found."),
    405: N_("This address does not accept this kind of request."),
}


def _http_message(exc: StarletteHTTPException) -> str:
    known = HTTP_MESSAGES.get(exc.status_code)
    return _(known) if known else str(exc.detail)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    def _domain(request: Request, exc: DomainError) -> Response:
        if wants_json(request):
            if isinstance(exc, FieldError):
                return _json(422, "ValidationError", [{"loc": ["body", exc.field], "msg": exc.message}])
            return _json(exc.status_code, exc.name, exc.message)
        if exc.redirect_to:
            return RedirectResponse(exc.redirect_to, status_code=303)
        if exc.sign_in_helps and exc.status_code in (401, 403) and getattr(request.state, "user", None) is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return _page(request, exc.status_code, exc.message)

    @app.exception_handler(RequestValidationError)
    def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        if wants_json(request):
            return _json(422, "ValidationError", errors)
        # A malformed id or query on a page: nothing by that address.
        if any(e["loc"] and e["loc"][0] == "path" for e in errors):
            return _page(request, 404, _("Not found."))
        return _page(request, 422, _("The request was not understood."))

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_json(request):
            return _json(exc.status_code, "HTTPError", exc.detail)
        return _page(request, exc.status_code, _http_message(exc))

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if wants_json(request):
            return _json(500, "InternalError", _("An unexpected error occurred."))
        return _page(request, 500, _("An unexpected error occurred."))
