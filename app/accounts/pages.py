"""Sign-in, sign-out, password reset, and the user's own account pages."""

from urllib.parse import quote

import segno
from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from app import i18n
from app.accounts import service
from app.accounts.schemas import (
    ApiTokenForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    TotpForm,
)
from app.deps import (
    PUBLIC,
    CsrfChecked,
    CurrentUser,
    DbSession,
    FormBody,
    Id,
    OptionalUser,
    client_address,
    declare,
)
from app.errors import Conflict, FieldError
from app.forms import form_values, validate_form
from app.i18n import _
from app.policy import Action
from app.web import (
    SESSION_COOKIE,
    flash,
    new_csrf_seed,
    redirect_303,
    render,
    safe_next,
    set_cookie,
)

router = APIRouter(dependencies=[CsrfChecked], include_in_schema=False)
OWN = declare(Action.ACCOUNT_MANAGE_OWN)


def _start(request: Request, response: Response, token: str) -> Response:
    new_csrf_seed(request)
    set_cookie(request, response, SESSION_COOKIE, token)
    return response


@router.get("/", dependencies=[declare(PUBLIC)])
def home(request: Request) -> Response:
    return redirect_303(request, "/events")


@router.get("/login", dependencies=[declare(PUBLIC)])
def login_form(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    if user is not None:
        return redirect_303(request, safe_next(next))
    return render(request, "accounts/login.html", {"values": {"next": next or ""}})


@router.post("/login", dependencies=[declare(PUBLIC)])
def login(request: Request, db: DbSession, body: FormBody) -> Response:
    values = form_values(body)
    data, errors = validate_form(LoginForm, body)
    status = 422
    if data is not None:
        try:
            user = service.authenticate(db, email=data.email, password=data.password, client=client_address(request))
        except FieldError as exc:  # the failure itself is recorded and committed
            errors = exc.as_errors()
        else:
            service.end_session(db, request.cookies.get(SESSION_COOKIE))
            second = user.totp_enabled
            token = service.start_session(db, user=user, second_factor_done=not second, client=client_address(request))
            target = safe_next(data.next)
            if second:
                return _start(request, redirect_303(request, f"/login/two-factor?next={quote(target)}"), token)
            return _start(request, redirect_303(request, target), token)
    values.pop("password", None)
    return render(request, "accounts/login.html", {"values": values, "errors": errors}, status_code=status)


def _pending(request: Request, db: DbSession):  # type: ignore[no-untyped-def]
    token = request.cookies.get(SESSION_COOKIE)
    session = service.load_session(db, token) if token else None
    return session if session is not None and not session.second_factor_done else None


@router.get("/login/two-factor", dependencies=[declare(PUBLIC)])
def second_factor_form(request: Request, db: DbSession, next: str | None = None) -> Response:
    if _pending(request, db) is None:
        return redirect_303(request, "/login")
    return render(request, "accounts/login_totp.html", {"values": {"next": next or ""}})


@router.post("/login/two-factor", dependencies=[declare(PUBLIC)])
def second_factor(request: Request, db: DbSession, body: FormBody) -> Response:
    session = _pending(request, db)
    if session is None:
        return redirect_303(request, "/login")
    data, errors = validate_form(TotpForm, body)
    if data is not None:
        try:
            service.complete_second_factor(db, session=session, code=data.code, client=client_address(request))
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            new_csrf_seed(request)
            return redirect_303(request, safe_next(str(body.get("next") or "")))
    return render(request, "accounts/login_totp.html", {"values": {"next": body.get("next") or ""}, "errors": errors}, status_code=422)


@router.post("/logout", dependencies=[declare(PUBLIC)])
def logout(request: Request, db: DbSession) -> Response:
    service.end_session(db, request.cookies.get(SESSION_COOKIE))
    request.state.user = None
    new_csrf_seed(request)
    flash(request, _("You have signed out."))
    response = redirect_303(request, "/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- password reset ----------------------------------------------------------------------------


@router.get("/password/forgot", dependencies=[declare(PUBLIC)])
def forgot_form(request: Request) -> Response:
    return render(request, "accounts/forgot.html")


@router.post("/password/forgot", dependencies=[declare(PUBLIC)])
def forgot(request: Request, db: DbSession, body: FormBody) -> Response:
    data, errors = validate_form(PasswordResetRequestForm, body)
    if errors:
        return render(request, "accounts/forgot.html", {"values": form_values(body), "errors": errors}, status_code=422)
    assert data is not None
    service.request_password_reset(db, email=data.email)
    flash(request, _("If an account exists for that address, we have sent it a link to reset the password."))
    return redirect_303(request, "/login")


@router.get("/password/reset/{token}", dependencies=[declare(PUBLIC)])
def reset_form(request: Request, db: DbSession, token: str) -> Response:
    valid = service.reset_link_is_valid(db, token=token[:200])
    return render(request, "accounts/reset.html", {"token": token, "valid": valid}, status_code=200 if valid else 410)


@router.post("/password/reset/{token}", dependencies=[declare(PUBLIC)])
def reset(request: Request, db: DbSession, body: FormBody, token: str) -> Response:
    data, errors = validate_form(NewPasswordForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.reset_password(db, token=token[:200], password=data.password)
        except FieldError as exc:
            errors = exc.as_errors()
        except Conflict:
            return render(request, "accounts/reset.html", {"token": token, "valid": False}, status_code=410)
        else:
            flash(request, _("Your password has been changed. Sign in with the new one."))
            return redirect_303(request, "/login")
    return render(request, "accounts/reset.html", {"token": token, "valid": True, "errors": errors}, status_code=422)


# --- the language switcher: every page's footer, and the account page --------------------------

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@router.post("/language", dependencies=[declare(PUBLIC)])
def choose_language(request: Request, db: DbSession, user: OptionalUser, body: FormBody) -> Response:
    """A language for this browser (a cookie) and, when signed in, for the account; the empty
    choice ("Follow my browser") forgets both, and the browser's Accept-Language decides again."""
    data, errors = validate_form(LanguageForm, body)
    target = safe_next(body.get("next") if isinstance(body.get("next"), str) else None)
    if data is None:
        flash(request, _("Choose one of the offered languages."), "error")
        return redirect_303(request, target)
    if user is not None:
        service.set_language(db, actor=user, language=data.language)
    response = redirect_303(request, target)
    if data.language is None:
        response.delete_cookie(i18n.LANGUAGE_COOKIE, path="/")
        return response
    i18n.prefer(data.language)
    set_cookie(request, response, i18n.LANGUAGE_COOKIE, data.language, max_age=LANGUAGE_COOKIE_AGE)
    return response


# --- the user's own account --------------------------------------------------------------------


@router.get("/account", dependencies=[OWN])
def account(request: Request, db: DbSession, user: CurrentUser) -> Response:
    context = {
        "tokens": service.list_api_tokens(db, user=user),
        "totp_required": service.totp_required_for(db, user),
    }
    return render(request, "accounts/account.html", context)


@router.post("/account/password", dependencies=[OWN])
def change_password(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    data, errors = validate_form(PasswordChangeForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.change_password(db, user=user, current=data.current_password, new=data.password)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            token = service.start_session(db, user=user, second_factor_done=True, client=client_address(request))
            flash(request, _("Your password has been changed. Your other sessions have been signed out."))
            return _start(request, redirect_303(request, "/account"), token)
    context = {"tokens": service.list_api_tokens(db, user=user), "totp_required": service.totp_required_for(db, user), "errors": errors}
    return render(request, "accounts/account.html", context, status_code=422)


def _qr_svg(uri: str) -> Markup:
    # segno writes the SVG itself: the otpauth URI (with the user's e-mail) becomes QR modules,
    # never text, and the title is ours.
    svg = segno.make(uri, error="m").svg_inline(scale=4, title=_("QR code for your authenticator app"))
    return Markup(svg)  # noqa: S704  # nosec B704 - segno's own markup, no user text in it


def _totp_setup_page(request: Request, user, secret: str, errors=None, status_code: int = 200) -> Response:  # type: ignore[no-untyped-def]
    uri = service.totp_uri(user, secret)
    context = {"secret": secret, "qr": _qr_svg(uri), "errors": errors or {}}
    return render(request, "accounts/two_factor.html", context, status_code=status_code)


@router.get("/account/two-factor", dependencies=[OWN])
def two_factor_form(request: Request, db: DbSession, user: CurrentUser) -> Response:
    if user.totp_enabled:
        return redirect_303(request, "/account")
    return _totp_setup_page(request, user, service.new_totp_secret())


@router.post("/account/two-factor", dependencies=[OWN])
def two_factor_enable(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    secret = str(body.get("secret") or "")[:64]
    data, errors = validate_form(TotpForm, body)
    if data is not None and secret:
        try:
            with db.begin_nested():
                service.enable_totp(db, user=user, secret=secret, code=data.code)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("Two-factor sign-in is on. You will be asked for a code at every sign-in."))
            return redirect_303(request, "/account")
    return _totp_setup_page(request, user, secret or service.new_totp_secret(), errors, status_code=422)


@router.post("/account/two-factor/disable", dependencies=[OWN])
def two_factor_disable(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    data, errors = validate_form(TotpForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.disable_totp(db, user=user, code=data.code)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("Two-factor sign-in is off."))
            return redirect_303(request, "/account")
    context = {"tokens": service.list_api_tokens(db, user=user), "totp_required": service.totp_required_for(db, user), "errors": errors}
    return render(request, "accounts/account.html", context, status_code=422)


@router.post("/account/tokens", dependencies=[OWN])
def create_token(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    data, errors = validate_form(ApiTokenForm, body)
    context = {"totp_required": service.totp_required_for(db, user)}
    if data is None:
        context |= {"tokens": service.list_api_tokens(db, user=user), "errors": errors, "values": form_values(body)}
        return render(request, "accounts/account.html", context, status_code=422)
    raw = service.create_api_token(db, actor=user, user=user, name=data.name)
    # Shown once, on this page only: it is not stored anywhere in a readable form.
    context |= {"tokens": service.list_api_tokens(db, user=user), "new_token": raw}
    return render(request, "accounts/account.html", context, status_code=201)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[OWN])
def revoke_token(request: Request, db: DbSession, user: CurrentUser, token_id: Id) -> Response:
    service.revoke_api_token(db, user=user, token_id=token_id)
    flash(request, _("The token has been revoked."))
    return redirect_303(request, "/account")


