"""When an event's crossings happen and what is due before them, for the other domains: the
time each crossing occupies its delegation (the agenda's conflict check) and the checklist
steps that are overdue (the event overview). Each is one query for the whole event, and each
holds only the crossings the viewer may see (organisers all, a coordinator their delegation's,
others none), as the crossings' own pages do.

A crossing occupies its delegation from the meeting time (or the planned time, if no meeting
is set) until two hours after the planned time. Once the actual time is recorded, the crossing
occupies the hour before and the hour after it instead: what happened replaces the plan.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app import policy
from app.accounts.models import User
from app.crossings import service as crossing_service
from app.crossings.models import Crossing, CrossingDirection, CrossingStatus, ProcedureStep
from app.db import utcnow
from app.events.models import Event
from app.policy import Action

# How long a crossing occupies its delegation (see the module's docstring).
AFTER_PLANNED = timedelta(hours=2)
AROUND_ACTUAL = timedelta(hours=1)


@dataclass(frozen=True)
class Window:
    """The time a delegation is busy crossing the border."""

    crossing_id: int
    delegation_id: int
    delegation_name: str
    direction: CrossingDirection
    place: str  # "Voskepar / Ashaghi Askipara"
    starts_at: datetime
    ends_at: datetime

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


def occupies(crossing: Crossing) -> tuple[datetime, datetime]:
    """From when until when a crossing keeps its delegation busy."""
    if crossing.actual_at is not None:
        return crossing.actual_at - AROUND_ACTUAL, crossing.actual_at + AROUND_ACTUAL
    start = crossing.planned_at if crossing.meeting_at is None else min(crossing.meeting_at, crossing.planned_at)
    return start, crossing.planned_at + AFTER_PLANNED


def windows(db: Session, *, viewer: User | None, event: Event) -> list[Window]:
    """The event's crossings the viewer may see, as the time each occupies its delegation, by
    start: one query (none for a viewer who may see no crossing)."""
    if not policy.can(viewer, Action.CROSSING_VIEW, event):
        return []
    crossings = db.scalars(
        select(Crossing)
        .options(joinedload(Crossing.delegation), joinedload(Crossing.crossing_point))
        .where(Crossing.event_id == event.id)
        .order_by(Crossing.planned_at, Crossing.id)
    )
    found = []
    for crossing in crossings:
        _attach(crossing, event)
        if not policy.can(viewer, Action.CROSSING_VIEW, crossing):
            continue
        starts_at, ends_at = occupies(crossing)
        point = crossing.crossing_point
        found.append(
            Window(
                crossing_id=crossing.id, delegation_id=crossing.delegation_id,
                delegation_name=crossing.delegation.name, direction=crossing.direction,
                place=f"{point.name_a} / {point.name_b}", starts_at=starts_at, ends_at=ends_at,
            )
        )
    return sorted(found, key=lambda w: (w.starts_at, w.crossing_id))


def _attach(crossing: Crossing, event: Event) -> None:
    set_committed_value(crossing, "event", event)
    set_committed_value(crossing.delegation, "event", event)


# --- overdue checklist steps -----------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    """A crossing with checklist steps past their deadline and not done."""

    crossing: Crossing
    steps: list[ProcedureStep]

    @property
    def count(self) -> int:
        return len(self.steps)

    def due(self, step: ProcedureStep) -> datetime:
        return crossing_service.due_at(self.crossing, step)

    @property
    def label(self) -> str:
        """"Arrival of Azerbaijan, 13 Feb 2026, 08:00"."""
        return crossing_service.label(self.crossing)

    def due_label(self, step: ProcedureStep) -> str:
        return crossing_service.when(self.crossing.event, self.due(step))


def overdue(db: Session, *, viewer: User | None, event: Event, now: datetime | None = None) -> list[Overdue] | None:
    """The crossings of the event the viewer may see that have overdue steps (a step not done
    whose deadline, `lead_days` days before the planned time on the event's clock, as the
    crossing's checklist counts it, has passed), soonest crossing first,
    each with its overdue steps by deadline; a completed crossing has nothing due any more.
    Organisers see every delegation's, a coordinator their own delegation's. One query, and
    none for a viewer who may see no crossing (None)."""
    if not policy.can(viewer, Action.CROSSING_VIEW, event):
        return None
    now = now or utcnow()
    rows = db.execute(
        select(ProcedureStep, Crossing)
        .join(ProcedureStep.crossing)
        .options(joinedload(Crossing.delegation), joinedload(Crossing.crossing_point))
        .where(
            Crossing.event_id == event.id,
            Crossing.status != CrossingStatus.COMPLETED,
            ProcedureStep.done_at.is_(None),
        )
        .order_by(Crossing.planned_at, Crossing.id, ProcedureStep.position, ProcedureStep.id)
    ).all()
    found: dict[int, Overdue] = {}
    hidden: set[int] = set()
    for step, crossing in rows:
        if crossing.id in hidden:
            continue
        _attach(crossing, event)
        if crossing_service.due_at(crossing, step) >= now:
            continue
        if crossing.id not in found:
            if not policy.can(viewer, Action.CROSSING_VIEW, crossing):
                hidden.add(crossing.id)
                continue
            found[crossing.id] = Overdue(crossing=crossing, steps=[])
        set_committed_value(step, "crossing", crossing)
        found[crossing.id].steps.append(step)
    for item in found.values():
        item.steps.sort(key=lambda s: (item.due(s), s.position, s.id))
    return list(found.values())
