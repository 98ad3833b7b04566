from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app import policy
from app.accounts.models import User
from app.audit.models import AuditEntry
from app.pagination import Page, paginate
from app.policy import Action


def record(
    db: Session,
    actor: User | None,
    action: str,
    obj: object,
    *,
    event_id: int | None = None,
    client: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Append one entry. Details name what changed, never sensitive values themselves."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__tablename__ if hasattr(obj, "__tablename__") else str(obj),
        object_id=getattr(obj, "id", None),
        event_id=event_id if event_id is not None else _event_id_of(obj),
        client=client,
        details=details,
    )
    db.add(entry)
    return entry


def _event_id_of(obj: object) -> int | None:
    if type(obj).__name__ == "Event":
        return getattr(obj, "id", None)
    return getattr(obj, "event_id", None)


@sa_event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry):
            raise RuntimeError("the audit log is append-only")


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    object_type: str | None = None
    actor_email: str | None = None
    event_id: int | None = None
    since: date | None = None
    until: date | None = None


def list_entries(
    db: Session, *, viewer: User, filters: AuditFilter, page: int, per_page: int = 50
) -> Page[AuditEntry]:
    policy.require(viewer, Action.AUDIT_VIEW)
    query = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.event_id:
        query = query.where(AuditEntry.event_id == filters.event_id)
    if filters.actor_email:
        query = query.join(User, AuditEntry.actor_id == User.id).where(
            User.email == filters.actor_email.strip().lower()
        )
    if filters.since:
        query = query.where(AuditEntry.at >= datetime.combine(filters.since, time.min, tzinfo=UTC))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(AuditEntry.at < end)
    return paginate(db, query.order_by(AuditEntry.id.desc()), page=page, per_page=per_page)


def known_values(db: Session, *, viewer: User) -> tuple[list[str], list[str]]:
    """The actions and object types that occur, for the filter pickers."""
    policy.require(viewer, Action.AUDIT_VIEW)
    actions = db.scalars(select(AuditEntry.action).group_by(AuditEntry.action).order_by(AuditEntry.action))
    types = db.scalars(
        select(AuditEntry.object_type).group_by(AuditEntry.object_type).order_by(AuditEntry.object_type)
    )
    return list(actions), list(types)

