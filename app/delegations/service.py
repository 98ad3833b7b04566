"""Delegations of an event, their coordinators, and the places in their two circles."""

import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, joinedload, selectinload

from app import audit, policy
from app.accounts import service as accounts
from app.accounts.models import User
from app.delegations.models import Delegation, DelegationCoordinator
from app.errors import Conflict, FieldError, NotFound
from app.events.models import Event, EventStatus
from app.policy import Action
from app.registrations.models import HOLDS_PLACE, Circle, Registration, RegistrationStatus

log = logging.getLogger(__name__)


@dataclass
class Counts:
    """How many registrations of a delegation are in each circle and status."""

    by_status: dict[RegistrationStatus, int] = field(default_factory=dict)
    taken: dict[Circle, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def _loaded():  # type: ignore[no-untyped-def]
    return (
        joinedload(Delegation.event),
        selectinload(Delegation.coordinators).joinedload(DelegationCoordinator.user),
    )


def list_for_event(db: Session, *, viewer: User | None, event: Event) -> list[Delegation]:
    policy.require(viewer, Action.DELEGATION_VIEW, event)
    query = select(Delegation).options(*_loaded()).where(Delegation.event_id == event.id).order_by(Delegation.id)
    return list(db.scalars(query))


def counts_for_event(db: Session, *, event: Event) -> dict[int, Counts]:
    """Counts per delegation, in one query (no personal data: numbers only)."""
    rows = db.execute(
        select(Registration.delegation_id, Registration.circle, Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.delegation_id, Registration.circle, Registration.status)
    )
    counts: dict[int, Counts] = {}
    for delegation_id, circle, status, n in rows:
        entry = counts.setdefault(delegation_id, Counts())
        entry.by_status[status] = entry.by_status.get(status, 0) + n
        if status in HOLDS_PLACE:
            entry.taken[circle] = entry.taken.get(circle, 0) + n
    return counts


def get_for_viewer(db: Session, *, viewer: User | None, event: Event, delegation_id: int) -> Delegation:
    """The delegation of this event, or NotFound (also for a delegation of another event)."""
    delegation = db.scalar(
        select(Delegation).options(*_loaded()).where(Delegation.id == delegation_id, Delegation.event_id == event.id)
    )
    if delegation is None or not policy.can(viewer, Action.DELEGATION_VIEW, delegation):
        raise NotFound()
    return delegation


def _require_open(event: Event) -> None:
    if event.status == EventStatus.ARCHIVED:
        raise Conflict("This event is archived. Restore it before changing it.")


def _check_name_free(db: Session, event: Event, name: str, other_than: int | None = None) -> None:
    query = select(Delegation.id).where(Delegation.event_id == event.id, func.lower(Delegation.name) == func.lower(name))
    if other_than is not None:
        query = query.where(Delegation.id != other_than)
    if db.scalar(query) is not None:
        raise FieldError("name", "This event has a delegation of that name already.")


def create(db: Session, *, actor: User, event: Event, fields: dict[str, object]) -> Delegation:
    policy.require(actor, Action.DELEGATION_MANAGE, event)
    _require_open(event)
    _check_name_free(db, event, str(fields["name"]))
    delegation = Delegation(event=event, coordinators=[], **fields)
    db.add(delegation)
    db.flush()
    audit.record(db, actor, "delegation.create", delegation)
    log.info("delegation %s created by %s", delegation.id, actor.id)
    return delegation


def update(db: Session, *, actor: User, delegation: Delegation, fields: dict[str, object]) -> Delegation:
    policy.require(actor, Action.DELEGATION_MANAGE, delegation)
    _require_open(delegation.event)
    if "name" in fields:
        _check_name_free(db, delegation.event, str(fields["name"]), other_than=delegation.id)
    changed = sorted(k for k, v in fields.items() if getattr(delegation, k) != v)
    for key in changed:
        setattr(delegation, key, fields[key])
    db.flush()
    audit.record(db, actor, "delegation.update", delegation, fields=changed)
    return delegation


def delete(db: Session, *, actor: User, delegation: Delegation) -> None:
    policy.require(actor, Action.DELEGATION_MANAGE, delegation)
    _require_open(delegation.event)
    if db.scalar(select(func.count()).where(Registration.delegation_id == delegation.id)):
        raise Conflict("This delegation has participants. Move or remove them first.")
    audit.record(db, actor, "delegation.delete", delegation, name=delegation.name)
    db.delete(delegation)
    db.flush()


def add_coordinator(db: Session, *, actor: User, delegation: Delegation, email: str) -> DelegationCoordinator:
    policy.require(actor, Action.DELEGATION_MANAGE, delegation)
    _require_open(delegation.event)
    user = accounts.get_by_email(db, email)
    if user is None or not user.is_active:
        raise FieldError("email", "No active account has this e-mail address. Create the account first.")
    if any(c.user_id == user.id for c in delegation.coordinators):
        raise FieldError("email", "This person coordinates the delegation already.")
    grant = DelegationCoordinator(delegation=delegation, event_id=delegation.event_id, user=user)
    db.add(grant)
    db.flush()
    audit.record(db, actor, "delegation.coordinator_add", delegation, user_id=user.id)
    return grant


def remove_coordinator(db: Session, *, actor: User, delegation: Delegation, coordinator_id: int) -> None:
    policy.require(actor, Action.DELEGATION_MANAGE, delegation)
    _require_open(delegation.event)
    grant = next((c for c in delegation.coordinators if c.id == coordinator_id), None)
    if grant is None:
        raise NotFound()
    delegation.coordinators.remove(grant)
    db.flush()
    audit.record(db, actor, "delegation.coordinator_remove", delegation, user_id=grant.user_id)


def capacity(delegation: Delegation, circle: Circle) -> int:
    return delegation.capacity_core if circle == Circle.CORE else delegation.capacity_broader


def lock(db: Session, delegation: Delegation) -> None:
    """Serialise decisions about this delegation's places until the transaction ends.

    An UPDATE takes the row lock on PostgreSQL and the database write lock on SQLite, so a
    concurrent decision waits here and then counts what this one decided.
    """
    db.execute(
        sql_update(Delegation)
        .where(Delegation.id == delegation.id)
        .values(lock_version=Delegation.lock_version + 1)
        .execution_options(synchronize_session=False)
    )


def places_taken(db: Session, delegation: Delegation, circle: Circle) -> int:
    query = select(func.count()).where(
        Registration.delegation_id == delegation.id,
        Registration.circle == circle,
        Registration.status.in_(HOLDS_PLACE),
    )
    return db.scalar(query) or 0
