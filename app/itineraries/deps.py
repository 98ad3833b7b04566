"""Which itinerary a request is about: the signed-in person's own registration (that of their
current or next event, or `?registration_id=` for another of theirs; anyone else's is a 404)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from app.db import utcnow
from app.deps import CurrentUser, DbSession
from app.itineraries import service
from app.registrations.models import Registration

ID_MAX = 2**31 - 1


@dataclass(frozen=True)
class Own:
    # None when the person has no registration at all (a page that says so, not a refusal).
    registration: Registration | None
    # All of the person's registrations, for the chooser.
    choices: list[Registration]


def own_itinerary_registration(
    db: DbSession, user: CurrentUser, registration_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None
) -> Own:
    registrations = service.own_registrations(db, user=user)
    if not registrations and registration_id is None:
        return Own(registration=None, choices=[])
    chosen = service.choose(registrations, registration_id=registration_id, today=utcnow().date())
    return Own(registration=chosen, choices=registrations)


OwnItineraryDep = Annotated[Own, Depends(own_itinerary_registration)]
