"""Path loaders for press items and coverage: of another event, none, or a draft shown to the
public is a 404."""

from typing import Annotated

from fastapi import Depends

from app.deps import DbSession, Id, OptionalUser
from app.events.deps import EventDep
from app.press import service
from app.press.models import MediaCoverage, PressItem


def press_for_viewer(db: DbSession, user: OptionalUser, event: EventDep, press_id: Id) -> PressItem:
    return service.get_for_viewer(db, viewer=user, event=event, press_id=press_id)


PressDep = Annotated[PressItem, Depends(press_for_viewer)]


def coverage_for_viewer(db: DbSession, user: OptionalUser, event: EventDep, coverage_id: Id) -> MediaCoverage:
    return service.get_coverage(db, viewer=user, event=event, coverage_id=coverage_id)


CoverageDep = Annotated[MediaCoverage, Depends(coverage_for_viewer)]
