"""/api/v1: the caller's own account and, for administrators, every account."""

from fastapi import APIRouter, status

from app.accounts import service
from app.accounts.schemas import MeUpdate, UserCreate, UserRead, UserUpdate, UserUpdateIn
from app.deps import CsrfChecked, CurrentUser, DbSession, Id, PageNumber, declare
from app.errors import API_ERRORS
from app.pagination import PageOut, PerPage
from app.policy import Action

router = APIRouter(
    prefix="/api/v1", tags=["accounts"], dependencies=[CsrfChecked], responses=API_ERRORS
)
MANAGE = declare(Action.USER_MANAGE)


@router.get("/me", response_model=UserRead, dependencies=[declare(Action.ACCOUNT_MANAGE_OWN)])
def me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.patch("/me", response_model=UserRead, dependencies=[declare(Action.ACCOUNT_MANAGE_OWN)])
def update_me(db: DbSession, user: CurrentUser, data: MeUpdate) -> UserRead:
    """The caller's own settings: today the language of their pages and e-mails."""
    return UserRead.model_validate(service.set_language(db, actor=user, language=data.language))


@router.get("/users", response_model=PageOut[UserRead], dependencies=[MANAGE])
def list_users(
    db: DbSession, user: CurrentUser, q: str | None = None, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[UserRead]:
    result = service.list_users(db, viewer=user, q=(q or "")[:100] or None, page=page, per_page=per_page)
    return PageOut[UserRead].of(result, UserRead)


@router.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED, dependencies=[MANAGE])
def create_user(db: DbSession, user: CurrentUser, data: UserCreate) -> UserRead:
    return UserRead.model_validate(service.create_user(db, actor=user, data=data))


@router.get("/users/{user_id}", response_model=UserRead, dependencies=[MANAGE])
def get_user(db: DbSession, user: CurrentUser, user_id: Id) -> UserRead:
    return UserRead.model_validate(service.get_user(db, viewer=user, user_id=user_id))


@router.patch("/users/{user_id}", response_model=UserRead, dependencies=[MANAGE])
def update_user(db: DbSession, user: CurrentUser, user_id: Id, data: UserUpdateIn) -> UserRead:
    target = service.get_user(db, viewer=user, user_id=user_id)
    current = {"full_name": target.full_name, "is_admin": target.is_admin, "is_active": target.is_active}
    given = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    merged = UserUpdate(**(current | given))
    return UserRead.model_validate(service.update_user(db, actor=user, user=target, data=merged))
