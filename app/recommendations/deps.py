"""Path loaders for recommendations and their progress updates: missing, invisible, or under
another initiative or recommendation is a 404."""

from typing import Annotated

from fastapi import Depends

from app.deps import DbSession, Id, OptionalUser
from app.recommendations import service
from app.recommendations.models import ProgressUpdate, Recommendation


def recommendation_for_viewer(db: DbSession, user: OptionalUser, recommendation_id: Id) -> Recommendation:
    """For the API, where a recommendation is found by its id alone."""
    return service.get_for_viewer(db, viewer=user, recommendation_id=recommendation_id)


RecommendationDep = Annotated[Recommendation, Depends(recommendation_for_viewer)]


def recommendation_of_initiative(
    db: DbSession, user: OptionalUser, initiative_id: Id, recommendation_id: Id
) -> Recommendation:
    """For the pages, under /initiatives/{initiative_id}: loaded with its initiative, whose
    visibility it takes into account (one query for both)."""
    return service.get_for_viewer(
        db, viewer=user, recommendation_id=recommendation_id, initiative_id=initiative_id
    )


InitiativeRecommendationDep = Annotated[Recommendation, Depends(recommendation_of_initiative)]


def update_of_page_recommendation(recommendation: InitiativeRecommendationDep, update_id: Id) -> ProgressUpdate:
    return service.get_update(recommendation, update_id)


PageUpdateDep = Annotated[ProgressUpdate, Depends(update_of_page_recommendation)]


def update_of_recommendation(recommendation: RecommendationDep, update_id: Id) -> ProgressUpdate:
    return service.get_update(recommendation, update_id)


UpdateDep = Annotated[ProgressUpdate, Depends(update_of_recommendation)]
