"""/api/v1/events/{event_id}/summary: the post-event summary as JSON, and the organisers' edits.

GET answers `SummaryOut` (the same document as the page's summary.json) in the variant asked for
or the fullest the caller may read: the internal one for SUMMARY_VIEW (audited), the public one
for whoever may see the event once it is published (404 before). PUT sets the introduction and
the conclusion; publish and unpublish make the public variant public or take it down.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.deps import (
    CsrfChecked,
    CurrentUser,
    DbSession,
    OptionalUser,
    WritesOnRead,
    client_address,
    declare,
)
from app.errors import API_ERRORS
from app.events.deps import EventDep
from app.events.models import Event
from app.policy import Action
from app.summaries import service
from app.summaries.models import EventSummary
from app.summaries.record import Variant
from app.summaries.schemas import SummaryOut, SummaryStateOut, SummaryUpdate, summary_out

router = APIRouter(prefix="/api/v1", tags=["summaries"], dependencies=[CsrfChecked], responses=API_ERRORS)

VIEW = declare(Action.EVENT_VIEW)
MANAGE = declare(Action.SUMMARY_MANAGE)
ONE = "/events/{event_id}/summary"


def _state(event: Event, summary: EventSummary | None) -> SummaryStateOut:
    if summary is None:
        return SummaryStateOut(event_id=event.id, introduction="", conclusion="", published_at=None, updated_at=None)
    return SummaryStateOut.model_validate(summary)


@router.get(ONE, response_model=SummaryOut, dependencies=[WritesOnRead, VIEW])
def get_summary(
    request: Request,
    db: DbSession,
    user: OptionalUser,
    event: EventDep,
    variant: Annotated[Variant | None, Query(description="internal or public; by default the fullest the caller may read")] = None,
) -> SummaryOut:
    """The post-event summary. The internal variant names speakers and officials: reading it is
    written to the audit log."""
    record = service.record_for_download(
        db, viewer=user, event=event, variant=variant, fmt="api", client=client_address(request)
    )
    return summary_out(record)


@router.put(ONE, response_model=SummaryStateOut, dependencies=[MANAGE])
def put_summary(db: DbSession, user: CurrentUser, event: EventDep, data: SummaryUpdate) -> SummaryStateOut:
    """Set the introduction and the conclusion (Markdown)."""
    summary = service.update(db, actor=user, event=event, introduction=data.introduction, conclusion=data.conclusion)
    return _state(event, summary)


@router.post(ONE + "/publish", response_model=SummaryStateOut, dependencies=[MANAGE])
def publish_summary(db: DbSession, user: CurrentUser, event: EventDep) -> SummaryStateOut:
    """Publish the public variant (409 before the event is under way)."""
    return _state(event, service.publish(db, actor=user, event=event))


@router.post(ONE + "/unpublish", response_model=SummaryStateOut, dependencies=[MANAGE])
def unpublish_summary(db: DbSession, user: CurrentUser, event: EventDep) -> SummaryStateOut:
    """Take the public variant down."""
    return _state(event, service.unpublish(db, actor=user, event=event))
