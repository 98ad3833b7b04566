"""Delegations of an event, their coordinators, and the places in their two circles."""

import logging
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, i18n, policy
from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.service import actor_label
from app.delegations.models import Delegation, DelegationCoordinator
from app.errors import Conflict, FieldError, NotFound
from app.events import service as events_service
from app.events.models import Event
from app.i18n import _
from app.policy import Action
from app.registrations.models import HOLDS_PLACE, Circle, Registration, RegistrationStatus

log = logging.getLogger(__name__)

CAPACITY_FIELDS = {"capacity_core": Circle.CORE, "capacity_broader": Circle.BROADER}



@dataclass
class Counts:
    """How many registrations of a delegation are in each circle and status."""

    by_status: dict[RegistrationStatus, int] = field(default_factory=dict)
    taken: dict[Circle, int] = field(default_factory=dict)
    waiting: dict[Circle, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def status(self, status: RegistrationStatus | str) -> int:
        return self.by_status.get(RegistrationStatus(status), 0)

    @property
    def attended(self) -> int:
        return self.by_status.get(RegistrationStatus.ATTENDED, 0)

    @property
    def holding_places(self) -> int:
        return sum(self.taken.values())


@dataclass(frozen=True)
class Summary:
    """A delegation with its counts, as the lists and the event overview show it."""

    delegation: Delegation
    counts: Counts

    def taken(self, circle: Circle | str) -> int:
        return self.counts.taken.get(Circle(circle), 0)

    def waiting(self, circle: Circle | str) -> int:
        return self.counts.waiting.get(Circle(circle), 0)

    def capacity(self, circle: Circle | str) -> int:
        return capacity(self.delegation, Circle(circle))


def _loaded():  # type: ignore[no-untyped-def]
    return (
        joinedload(Delegation.event),
        selectinload(Delegation.coordinators).joinedload(DelegationCoordinator.user),
    )


# --- reading -------------------------------------------------------------------------------------


def list_for_event(db: Session, *, viewer: User | None, event: Event) -> list[Delegation]:
    """The event's delegations in the order they were made, with their coordinators."""
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
        _add(counts.setdefault(delegation_id, Counts()), circle, status, n)
    return counts


def _add(counts: Counts, circle: Circle, status: RegistrationStatus, n: int) -> None:
    counts.by_status[status] = counts.by_status.get(status, 0) + n
    if status in HOLDS_PLACE:
        counts.taken[circle] = counts.taken.get(circle, 0) + n
    elif status == RegistrationStatus.WAITLISTED:
        counts.waiting[circle] = counts.waiting.get(circle, 0) + n


def summaries(
    db: Session, *, viewer: User | None, event: Event, coordinators: bool = True
) -> list[Summary]:
    """Every delegation of the event with its counts (and coordinators): two queries."""
    policy.require(viewer, Action.DELEGATION_VIEW, event)
    query = select(Delegation).where(Delegation.event_id == event.id).order_by(Delegation.id)
    if coordinators:
        query = query.options(joinedload(Delegation.coordinators).joinedload(DelegationCoordinator.user))
    delegations = list(db.scalars(query).unique())
    for delegation in delegations:
        set_committed_value(delegation, "event", event)
    counts = counts_for_event(db, event=event)
    return [Summary(d, counts.get(d.id, Counts())) for d in delegations]


def overview(db: Session, *, viewer: User | None, event: Event) -> list[Summary] | None:
    """For the event overview: the delegations and their counts in one query, or None when the
    viewer may not see them."""
    if not policy.can(viewer, Action.DELEGATION_VIEW, event):
        return None
    rows = db.execute(
        select(Delegation, Registration.circle, Registration.status, func.count(Registration.id))
        .outerjoin(Registration, Registration.delegation_id == Delegation.id)
        .where(Delegation.event_id == event.id)
        .group_by(Delegation.id, Registration.circle, Registration.status)
        .order_by(Delegation.id)
    )
    result: dict[int, Summary] = {}
    for delegation, circle, status, n in rows:
        entry = result.setdefault(delegation.id, Summary(delegation, Counts()))
        if status is not None:
            _add(entry.counts, circle, status, n)
    return list(result.values())


def summary(db: Session, *, viewer: User | None, delegation: Delegation) -> Summary:
    """One delegation with its counts (its coordinators are loaded already)."""
    policy.require(viewer, Action.DELEGATION_VIEW, delegation)
    return Summary(delegation, counts_for_event(db, event=delegation.event).get(delegation.id, Counts()))


def choices(
    db: Session, *, viewer: User | None, event: Event, action: Action = Action.DELEGATION_VIEW
) -> list[Delegation]:
    """The delegations on which the viewer may do `action` (for pickers and filters); one query."""
    policy.require(viewer, Action.DELEGATION_VIEW, event)
    query = select(Delegation).where(Delegation.event_id == event.id).order_by(Delegation.id)
    delegations = list(db.scalars(query))
    for delegation in delegations:
        set_committed_value(delegation, "event", event)
    return [d for d in delegations if policy.can(viewer, action, d)]


def get_for_viewer(db: Session, *, viewer: User | None, event: Event, delegation_id: int) -> Delegation:
    """The delegation of this event, or NotFound (also for a delegation of another event)."""
    delegation = db.scalar(
        select(Delegation).options(*_loaded()).where(Delegation.id == delegation_id, Delegation.event_id == event.id)
    )
    if delegation is None or not policy.can(viewer, Action.DELEGATION_VIEW, delegation):
        raise NotFound()
    return delegation


# --- create, edit, delete ------------------------------------------------------------------------



def check_manageable(*, actor: User | None, obj: Event | Delegation) -> None:
    """For the pages that change delegations: may the actor do it now?"""
    policy.require(actor, Action.DELEGATION_MANAGE, obj)
    events_service.require_open(obj if isinstance(obj, Event) else obj.event)


def _check_name_free(db: Session, event: Event, name: str, other_than: int | None = None) -> None:
    query = select(Delegation.id).where(Delegation.event_id == event.id, func.lower(Delegation.name) == func.lower(name))
    if other_than is not None:
        query = query.where(Delegation.id != other_than)
    if db.scalar(query.limit(1)) is not None:
        raise FieldError("name", _("This event has a delegation of that name already."))


def create(db: Session, *, actor: User, event: Event, fields: dict[str, object]) -> Delegation:
    """A new delegation; `fields` are DelegationCreate's (validated by the caller's schema)."""
    check_manageable(actor=actor, obj=event)
    _check_name_free(db, event, str(fields["name"]))
    delegation = Delegation(event=event, coordinators=[], **fields)
    db.add(delegation)
    db.flush()
    audit.record(db, actor, "delegation.create", delegation)
    log.info("delegation %s created by %s", delegation.id, actor_label(actor))
    return delegation


def update(db: Session, *, actor: User, delegation: Delegation, fields: dict[str, object]) -> Delegation:
    """Change the given fields. A capacity may not drop below the places already taken; a
    capacity that rises confirms waiting registrations, oldest first."""
    check_manageable(actor=actor, obj=delegation)
    if "name" in fields:
        _check_name_free(db, delegation.event, str(fields["name"]), other_than=delegation.id)
    changed = sorted(k for k, v in fields.items() if getattr(delegation, k) != v)
    if not changed:
        return delegation
    raised: list[Circle] = []
    if any(key in CAPACITY_FIELDS for key in changed):
        lock(db, delegation)  # decisions about places wait until this change is committed
        for key, circle in CAPACITY_FIELDS.items():
            if key not in changed:
                continue
            new = int(fields[key])  # type: ignore[call-overload]
            taken = places_taken(db, delegation, circle)
            if new < taken:
                message = i18n.ngettext(
                    "%(num)s place of this circle is taken already: the capacity cannot be lower.",
                    "%(num)s places of this circle are taken already: the capacity cannot be lower.",
                    taken,
                )
                raise FieldError(key, message % {"num": taken})
            if new > capacity(delegation, circle):
                raised.append(circle)
    for key in changed:
        setattr(delegation, key, fields[key])
    db.flush()
    audit.record(db, actor, "delegation.update", delegation, fields=changed)
    log.info("delegation %s updated by %s", delegation.id, actor_label(actor))
    if raised:
        from app.registrations import service as registrations  # registrations depend on us

        for circle in raised:
            registrations.promote_waitlist(db, actor=actor, delegation=delegation, circle=circle)
    return delegation


def delete(db: Session, *, actor: User, delegation: Delegation) -> None:
    check_manageable(actor=actor, obj=delegation)
    if db.scalar(select(func.count()).where(Registration.delegation_id == delegation.id)):
        raise Conflict(_("This delegation has participants. Move or remove them first."))
    audit.record(db, actor, "delegation.delete", delegation, name=delegation.name)
    db.delete(delegation)
    db.flush()
    log.info("delegation %s deleted by %s", delegation.id, actor_label(actor))


# --- coordinators --------------------------------------------------------------------------------


def add_coordinator(db: Session, *, actor: User, delegation: Delegation, email: str) -> DelegationCoordinator:
    """Make an existing, active user a coordinator of the delegation."""
    check_manageable(actor=actor, obj=delegation)
    user = accounts.get_by_email(db, email)
    if user is None or not user.is_active:
        raise FieldError("email", _("No active account has this e-mail address. Create the account first."))
    if any(c.user_id == user.id for c in delegation.coordinators):
        raise FieldError("email", _("This person coordinates the delegation already."))
    grant = DelegationCoordinator(delegation=delegation, event_id=delegation.event_id, user=user)
    db.add(grant)
    db.flush()
    audit.record(db, actor, "delegation.coordinator_add", delegation, user_id=user.id)
    log.info("user %s made coordinator of delegation %s by %s", user.id, delegation.id, actor_label(actor))
    return grant


def coordinators_by_name(delegation: Delegation) -> list[DelegationCoordinator]:
    """The delegation's coordinators (loaded with their accounts) by name, in the reader's collation."""
    return sorted(delegation.coordinators, key=lambda c: (i18n.collation_key(c.user.full_name), c.id))


def get_coordinator(delegation: Delegation, coordinator_id: int) -> DelegationCoordinator:
    """One coordinator of this delegation (NotFound under any other)."""
    grant = next((c for c in delegation.coordinators if c.id == coordinator_id), None)
    if grant is None:
        raise NotFound()
    return grant


def remove_coordinator(db: Session, *, actor: User, delegation: Delegation, coordinator_id: int) -> None:
    check_manageable(actor=actor, obj=delegation)
    grant = get_coordinator(delegation, coordinator_id)
    delegation.coordinators.remove(grant)
    db.flush()
    audit.record(db, actor, "delegation.coordinator_remove", delegation, user_id=grant.user_id)
    log.info("user %s removed as coordinator of delegation %s by %s", grant.user_id, delegation.id, actor_label(actor))


# --- places --------------------------------------------------------------------------------------


def capacity(delegation: Delegation, circle: Circle) -> int:
    return delegation.capacity_core if circle == Circle.CORE else delegation.capacity_broader


def lock(db: Session, delegation: Delegation) -> None:
    """Serialise decisions about this delegation's places until the transaction ends.

    An UPDATE takes the row lock on PostgreSQL and the database write lock on SQLite, so a
    concurrent decision waits here and then counts what this one decided. The capacities come
    back from the same statement: what another transaction committed before is what counts.
    """
    row = db.execute(
        sql_update(Delegation)
        .where(Delegation.id == delegation.id)
        .values(lock_version=Delegation.lock_version + 1)
        .returning(Delegation.lock_version, Delegation.capacity_core, Delegation.capacity_broader)
        .execution_options(synchronize_session=False)
    ).one()
    state = inspect(delegation)
    for key, value in zip(("lock_version", "capacity_core", "capacity_broader"), row, strict=True):
        if not state.attrs[key].history.has_changes():  # a change not yet flushed wins
            set_committed_value(delegation, key, value)


def places_taken(db: Session, delegation: Delegation, circle: Circle) -> int:
    query = select(func.count()).where(
        Registration.delegation_id == delegation.id,
        Registration.circle == circle,
        Registration.status.in_(HOLDS_PLACE),
    )
    return db.scalar(query) or 0
