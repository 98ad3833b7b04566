"""The delegate's own registrations: only ever their own person's, whoever else they may be."""

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.accounts.models import User
from app.errors import NotFound
from app.events.models import Event
from app.pagination import Page, paginate
from app.registrations.models import Registration


def _loaded():  # type: ignore[no-untyped-def]
    return (
        joinedload(Registration.person),
        joinedload(Registration.event),
        joinedload(Registration.delegation),
        selectinload(Registration.consents),
    )


def list_own(db: Session, *, user: User, page: int = 1, per_page: int = 50) -> Page[Registration]:
    """The signed-in user's registrations, latest event first (none without a person record)."""
    if user.person is None:
        return Page(items=[], total=0, page=page, per_page=per_page)
    query = (
        select(Registration)
        .options(*_loaded())
        .join(Event, Registration.event_id == Event.id)
        .where(Registration.person_id == user.person.id)
        .order_by(Event.starts_on.desc(), Registration.id.desc())
    )
    return paginate(db, query, page=page, per_page=per_page)


def get_own(db: Session, *, user: User, registration_id: int) -> Registration:
    """One of the user's own registrations; anyone else's is NotFound, also for staff."""
    if user.person is None:
        raise NotFound()
    registration = db.scalar(
        select(Registration)
        .options(*_loaded())
        .where(Registration.id == registration_id, Registration.person_id == user.person.id)
    )
    if registration is None:
        raise NotFound()
    return registration
