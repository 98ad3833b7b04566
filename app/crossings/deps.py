"""Path loaders for crossings, their vehicles, manifest entries and steps: missing, of another
event or crossing, or not the viewer's is a 404."""

from typing import Annotated

from fastapi import Depends

from app.crossings import service
from app.crossings.models import Crossing, ManifestEntry, ProcedureStep, Vehicle
from app.deps import DbSession, Id, OptionalUser
from app.events.deps import EventDep


def crossing_for_viewer(db: DbSession, user: OptionalUser, event: EventDep, crossing_id: Id) -> Crossing:
    return service.get_for_viewer(db, viewer=user, event=event, crossing_id=crossing_id)


CrossingDep = Annotated[Crossing, Depends(crossing_for_viewer)]


def vehicle_of_crossing(db: DbSession, crossing: CrossingDep, vehicle_id: Id) -> Vehicle:
    return service.get_vehicle(db, crossing=crossing, vehicle_id=vehicle_id)


VehicleDep = Annotated[Vehicle, Depends(vehicle_of_crossing)]


def entry_of_crossing(db: DbSession, crossing: CrossingDep, entry_id: Id) -> ManifestEntry:
    return service.get_entry(db, crossing=crossing, entry_id=entry_id)


EntryDep = Annotated[ManifestEntry, Depends(entry_of_crossing)]


def step_of_crossing(db: DbSession, crossing: CrossingDep, step_id: Id) -> ProcedureStep:
    return service.get_step(db, crossing=crossing, step_id=step_id)


StepDep = Annotated[ProcedureStep, Depends(step_of_crossing)]
