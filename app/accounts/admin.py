"""Administrators' pages: accounts and instance-wide security settings."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts import service
from app.accounts.schemas import UserCreate, UserForm, UserUpdate
from app.deps import CsrfChecked, CurrentUser, DbSession, FormBody, Id, PageNumber, declare
from app.errors import FieldError
from app.forms import form_values, validate_form
from app.i18n import _
from app.policy import Action
from app.web import flash, redirect_303, render

router = APIRouter(prefix="/admin", dependencies=[CsrfChecked], include_in_schema=False)
MANAGE = declare(Action.USER_MANAGE)


@router.get("/users", dependencies=[MANAGE])
def users(request: Request, db: DbSession, user: CurrentUser, q: str | None = None, page: PageNumber = 1) -> Response:
    q = (q or "").strip()[:100] or None
    result = service.list_users(db, viewer=user, q=q, page=page)
    return render(request, "admin/users.html", {"page": result, "query": {"q": q or ""}})


@router.get("/users/new", dependencies=[MANAGE])
def new_user_form(request: Request, db: DbSession, user: CurrentUser) -> Response:
    return render(request, "admin/user_new.html")


@router.post("/users/new", dependencies=[MANAGE])
def create_user(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    data, errors = validate_form(UserForm, body)
    if data is not None:
        try:
            with db.begin_nested():
                created = service.create_user(db, actor=user, data=UserCreate(**data.model_dump()))
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The account %(email)s has been created.") % {"email": created.email})
            return redirect_303(request, f"/admin/users/{created.id}")
    values = {k: v for k, v in form_values(body).items() if "password" not in k}
    return render(request, "admin/user_new.html", {"values": values, "errors": errors}, status_code=422)


@router.get("/users/{user_id}", dependencies=[MANAGE])
def edit_user_form(request: Request, db: DbSession, user: CurrentUser, user_id: Id) -> Response:
    target = service.get_user(db, viewer=user, user_id=user_id)
    values = {"full_name": target.full_name, "is_admin": target.is_admin, "is_active": target.is_active}
    return render(request, "admin/user_edit.html", {"target": target, "values": values})


@router.post("/users/{user_id}", dependencies=[MANAGE])
def update_user(request: Request, db: DbSession, user: CurrentUser, user_id: Id, body: FormBody) -> Response:
    target = service.get_user(db, viewer=user, user_id=user_id)
    data, errors = validate_form(UserUpdate, body)
    if data is not None:
        try:
            with db.begin_nested():
                service.update_user(db, actor=user, user=target, data=data)
        except FieldError as exc:
            errors = exc.as_errors()
        else:
            flash(request, _("The account has been saved."))
            return redirect_303(request, f"/admin/users/{target.id}")
    target = service.get_user(db, viewer=user, user_id=user_id)
    context = {"target": target, "values": form_values(body), "errors": errors}
    return render(request, "admin/user_edit.html", context, status_code=422)


@router.get("/security", dependencies=[declare(Action.SITE_MANAGE)])
def security_form(request: Request, db: DbSession, user: CurrentUser) -> Response:
    return render(request, "admin/security.html", {"values": service.security_settings(db, viewer=user)})


@router.post("/security", dependencies=[declare(Action.SITE_MANAGE)])
def security(request: Request, db: DbSession, user: CurrentUser, body: FormBody) -> Response:
    required = body.get("require_totp") == "on"
    service.set_totp_policy(db, actor=user, required=required)
    flash(request, _("The security settings have been saved."))
    return redirect_303(request, "/admin/security")
