"""/api/v1 itineraries: the caller's own, and any in the caller's scope for staff."""

from fastapi import APIRouter

from app.deps import CsrfChecked, CurrentUser, DbSession, declare
from app.errors import API_ERRORS
from app.itineraries import service
from app.itineraries.deps import OwnItineraryDep
from app.itineraries.schemas import ItineraryRead
from app.policy import Action
from app.registrations.deps import RegistrationDep

router = APIRouter(prefix="/api/v1", tags=["itineraries"], dependencies=[CsrfChecked], responses=API_ERRORS)
VIEW = declare(Action.REGISTRATION_VIEW)


@router.get("/me/itinerary", response_model=ItineraryRead, dependencies=[VIEW])
def own_itinerary(db: DbSession, user: CurrentUser, own: OwnItineraryDep) -> ItineraryRead:
    """The caller's itinerary for their current or next event (`registration_id` for another
    of their registrations), by day in the event's timezone; without any registration, an
    empty itinerary that says so."""
    if own.registration is None:
        return ItineraryRead.empty()
    return ItineraryRead.of(service.for_registration(db, viewer=user, registration=own.registration))


@router.get(
    "/events/{event_id}/registrations/{registration_id}/itinerary", response_model=ItineraryRead, dependencies=[VIEW]
)
def of_registration(db: DbSession, user: CurrentUser, registration: RegistrationDep) -> ItineraryRead:
    """A registration's itinerary, for its coordinators, the organisers and administrators."""
    return ItineraryRead.of(service.for_registration(db, viewer=user, registration=registration))
