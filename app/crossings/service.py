"""Crossings of an event: a delegation's movement through a crossing point, its manifest of
registrations, its vehicles and its checklist of procedures."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app import policy
from app.accounts.models import User
from app.crossings.models import Crossing
from app.errors import NotFound
from app.events.models import Event
from app.policy import Action

log = logging.getLogger(__name__)


def get_for_viewer(db: Session, *, viewer: User | None, event: Event, crossing_id: int) -> Crossing:
    """A crossing of this event the viewer may see (with its delegation and point), or NotFound:
    never 403, so that the other side's crossings do not reveal that they exist."""
    crossing = db.scalar(
        select(Crossing)
        .options(joinedload(Crossing.delegation), joinedload(Crossing.crossing_point))
        .where(Crossing.id == crossing_id, Crossing.event_id == event.id)
    )
    if crossing is None:
        raise NotFound()
    set_committed_value(crossing, "event", event)
    set_committed_value(crossing.delegation, "event", event)
    if not policy.can(viewer, Action.CROSSING_VIEW, crossing):
        raise NotFound()
    return crossing
