"""One way to paginate, for pages and the API alike."""

from dataclasses import dataclass
from math import ceil
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_PER_PAGE = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(db: Session, query: Select, *, page: int, per_page: int) -> Page:  # type: ignore[type-arg]
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = max(page, 1)
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(db.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, total=total, page=page, per_page=per_page)


class PageOut(BaseModel, Generic[T]):
    """How every API list answers: the items of one page and where it stands."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @classmethod
    def of(cls, page: Page, read: type[BaseModel]) -> "PageOut":  # type: ignore[type-arg]
        return cls(
            items=[read.model_validate(item) for item in page.items],
            total=page.total,
            page=page.page,
            per_page=page.per_page,
        )


PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]
