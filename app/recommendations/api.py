"""/api/v1/recommendations: the follow-up actions of initiatives, and their progress updates."""

from fastapi import APIRouter, Query, Response
from pydantic import ValidationError

from app.deps import PUBLIC, CsrfChecked, CurrentUser, DbSession, OptionalUser, PageNumber, declare
from app.errors import API_ERRORS, FieldError
from app.i18n import _
from app.pagination import PageOut, PerPage
from app.policy import Action
from app.recommendations import service
from app.recommendations.deps import RecommendationDep, UpdateDep
from app.recommendations.models import RecommendationArea, RecommendationStatus
from app.recommendations.schemas import (
    MAX_ID,
    SEARCH_MAX,
    ProgressUpdateCreate,
    ProgressUpdateRead,
    RecommendationCreate,
    RecommendationDetail,
    RecommendationFilter,
    RecommendationRead,
    RecommendationUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["recommendations"], dependencies=[CsrfChecked], responses=API_ERRORS)

# One recommendation: the agreed ones are public, the others their event's staff's (404 otherwise).
SHOW = declare(PUBLIC)
MANAGE = declare(Action.RECOMMENDATION_MANAGE)
BASE = "/recommendations"
ONE = BASE + "/{recommendation_id}"


@router.get(BASE, response_model=PageOut[RecommendationRead], dependencies=[declare(Action.INITIATIVE_VIEW)])
def list_recommendations(
    db: DbSession,
    user: OptionalUser,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    initiative_id: int | None = Query(None, ge=1, le=MAX_ID),
    event_id: int | None = Query(None, ge=1, le=MAX_ID),
    phase_id: int | None = Query(None, ge=1, le=MAX_ID),
    area: RecommendationArea | None = None,
    status: RecommendationStatus | None = None,
    owner: str | None = Query(None, min_length=2, max_length=2, pattern="^[A-Za-z]{2}$"),
    q: str | None = Query(None, max_length=SEARCH_MAX),
) -> PageOut[RecommendationRead]:
    """The recommendations the caller may see (the agreed ones, and every one of the events
    where the caller is staff), by target date; `owner` is a country code among the owning
    sides, `q` searches the titles."""
    try:
        filters = RecommendationFilter.model_validate(
            {"event_id": event_id, "phase_id": phase_id, "area": area, "status": status, "owner": owner, "q": q}
        )
    except ValidationError:
        raise FieldError("owner", _("Choose a country code (ISO 3166, such as AM or AZ).")) from None
    found = service.list_recommendations(
        db, viewer=user, filters=filters, initiative_id=initiative_id, page=page, per_page=per_page
    )
    return PageOut[RecommendationRead].of(found.page, RecommendationRead)


@router.post(BASE, response_model=RecommendationDetail, status_code=201, dependencies=[MANAGE])
def create_recommendation(db: DbSession, user: CurrentUser, data: RecommendationCreate) -> RecommendationDetail:
    """From an event of the initiative (its organisers), or from the initiative as a whole
    (administrators); a new recommendation is proposed or agreed."""
    recommendation = service.create_from_api(db, actor=user, fields=data.model_dump())
    return RecommendationDetail.model_validate(recommendation)


@router.get(ONE, response_model=RecommendationDetail, dependencies=[SHOW])
def get_recommendation(recommendation: RecommendationDep) -> RecommendationDetail:
    """With its progress updates, newest first."""
    return RecommendationDetail.model_validate(recommendation)


@router.patch(ONE, response_model=RecommendationDetail, dependencies=[MANAGE])
def update_recommendation(
    db: DbSession, user: CurrentUser, recommendation: RecommendationDep, data: RecommendationUpdate
) -> RecommendationDetail:
    """Change the given fields. The status moves proposed → agreed → in progress → done, or to
    dropped before it is done, and from dropped back to proposed (422 otherwise)."""
    service.update(db, actor=user, recommendation=recommendation, fields=data.model_dump(exclude_unset=True))
    return RecommendationDetail.model_validate(recommendation)


@router.delete(ONE, status_code=204, dependencies=[MANAGE])
def delete_recommendation(db: DbSession, user: CurrentUser, recommendation: RecommendationDep) -> Response:
    """Delete it with its progress updates."""
    service.delete(db, actor=user, recommendation=recommendation)
    return Response(status_code=204)


@router.post(ONE + "/updates", response_model=ProgressUpdateRead, status_code=201, dependencies=[MANAGE])
def add_update(
    db: DbSession, user: CurrentUser, recommendation: RecommendationDep, data: ProgressUpdateCreate
) -> ProgressUpdateRead:
    """A dated note (today by default; never in the future), which may move the recommendation
    to a new status as the workflow allows."""
    update = service.add_update(
        db, actor=user, recommendation=recommendation, text=data.text, reported_on=data.reported_on, status=data.status
    )
    return ProgressUpdateRead.model_validate(update)


@router.delete(ONE + "/updates/{update_id}", status_code=204, dependencies=[MANAGE])
def delete_update(db: DbSession, user: CurrentUser, recommendation: RecommendationDep, update: UpdateDep) -> Response:
    """Delete a progress update; the recommendation keeps its status."""
    service.delete_update(db, actor=user, recommendation=recommendation, update=update)
    return Response(status_code=204)
