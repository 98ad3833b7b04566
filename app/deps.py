"""Request dependencies: the database session, the signed-in user, forms, CSRF, permissions."""

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app import i18n
from app.accounts import service as accounts
from app.accounts.models import User
from app.db import get_db
from app.errors import DomainError, Forbidden, NotAuthenticated
from app.i18n import N_, _
from app.policy import ADMIN_ONLY, PUBLIC_ACTIONS, Action, require
from app.web import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, csrf_valid

DbSession = Annotated[Session, Depends(get_db, scope="function")]

# Ids in paths are bounded integers: an absurd id is a 404 or 422, never a database error.
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Where a signed-in user who must still set up a second factor may go.
SETUP_PATHS = ("/account/two-factor", "/logout", "/static/")


class CsrfFailed(Forbidden):
    default_message = N_("The form has expired or did not come from Parley. Reload the page and try again.")
    sign_in_helps = False


class SecondFactorSetupRequired(DomainError):
    status_code = 403
    default_message = N_("Your role requires a second factor. Set one up to continue.")
    redirect_to = "/account/two-factor"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_user_optional(request: Request, db: DbSession) -> User | None:
    if hasattr(request.state, "user"):
        return request.state.user
    user: User | None = None
    totp_policy = False
    request.state.auth = None
    raw = _bearer(request)
    if raw is not None:
        user = accounts.user_for_api_token(db, raw)
        if user is None:
            raise NotAuthenticated(_("The API token is not valid."))
        request.state.auth = "token"
    elif token := request.cookies.get(SESSION_COOKIE):
        # One query: the session, its user, their grants and the site's second-factor policy.
        session, totp_policy = accounts.load_session_and_policy(db, token)
        if session is not None and session.second_factor_done:
            user = session.user
            request.state.auth = "cookie"
    request.state.user = user
    if user is not None:
        i18n.prefer(user.language)
    if (
        user is not None
        and request.state.auth == "cookie"
        and not user.totp_enabled
        and not request.url.path.startswith(SETUP_PATHS)
        and accounts.totp_required_for(db, user, policy_enabled=totp_policy)
    ):
        raise SecondFactorSetupRequired()
    return user


OptionalUser = Annotated[User | None, Depends(current_user_optional)]


def current_user(user: OptionalUser) -> User:
    if user is None:
        raise NotAuthenticated()
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def form_body(request: Request) -> FormData:
    return await request.form(max_files=0, max_fields=2000)


FormBody = Annotated[FormData, Depends(form_body)]


async def csrf_checked(request: Request) -> None:
    """Unsafe requests that a browser could send on its own must carry the CSRF token."""
    if request.method not in UNSAFE_METHODS or _bearer(request) is not None:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and not request.url.path.startswith("/api/"):
        form = await request.form(max_files=0, max_fields=2000)
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf_valid(request, submitted):
        raise CsrfFailed()


CsrfChecked = Depends(csrf_checked)


def _take_the_write_lock(db: DbSession) -> None:
    if db.get_bind().dialect.name == "sqlite":
        db.connection(execution_options={"sqlite_immediate": True})


# For a GET that writes (an export's audit entry): on SQLite it takes the write lock before it
# reads anything, as write requests do (app.db.get_db); a transaction that read first and wrote
# later would fail ("database is locked") whenever another request committed in between. List
# it before the permission, whose sign-in is the request's first read.
WritesOnRead = Depends(_take_the_write_lock)


def declare(action: Action | None):  # type: ignore[no-untyped-def]
    """Every route declares what it does: an Action (checked in full by the service), or public.

    Signed-out visitors are turned away here from every route whose action is not public; the
    object-level decision is the service's `policy.require`.
    """

    def permission(user: OptionalUser) -> None:
        if action is not None and action not in PUBLIC_ACTIONS and user is None:
            raise NotAuthenticated()
        if action in ADMIN_ONLY:
            require(user, action)  # needs no object: refuse before any work is done

    permission.parley_permission = action or "public"  # type: ignore[attr-defined]
    return Depends(permission)


PUBLIC = None
