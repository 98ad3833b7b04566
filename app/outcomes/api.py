"""/api/v1/events/{event_id}/outcomes and …/sessions/{session_id}/outcome: session outcomes.

Outcomes carry no speaker: under the Chatham House Rule a PUT that names one of the session's
speakers or their organisation is refused (422 on `notes` or `key_points`).
"""

from fastapi import APIRouter, Response

from app.agenda import service as agenda_service
from app.agenda.deps import SessionDep
from app.agenda.models import AgendaSession
from app.deps import CsrfChecked, CurrentUser, DbSession, PageNumber, declare
from app.errors import API_ERRORS
from app.events.deps import EventDep
from app.events.models import Event
from app.outcomes import service
from app.outcomes.models import Outcome
from app.outcomes.schemas import OutcomeIn, OutcomeRead
from app.pagination import PageOut, PerPage
from app.policy import Action

router = APIRouter(prefix="/api/v1", tags=["outcomes"], dependencies=[CsrfChecked], responses=API_ERRORS)

VIEW = declare(Action.OUTCOME_VIEW)
MANAGE = declare(Action.OUTCOME_MANAGE)
LIST = "/events/{event_id}/outcomes"
ONE = "/events/{event_id}/sessions/{session_id}/outcome"


def _read(event: Event, session: AgendaSession, outcome: Outcome) -> OutcomeRead:
    return OutcomeRead(
        id=outcome.id, session_id=session.id, session_title=session.title, kind=session.kind,
        status=session.status, starts_at=agenda_service.local(event, session.starts_at),
        ends_at=agenda_service.local(event, session.ends_at), timezone=event.timezone,
        chatham_house=session.chatham_house, notes=outcome.notes, key_points=list(outcome.key_points or []),
        is_public=outcome.is_public, created_at=outcome.created_at, updated_at=outcome.updated_at,
    )


@router.get(LIST, response_model=PageOut[OutcomeRead], dependencies=[VIEW])
def list_outcomes(
    db: DbSession, user: CurrentUser, event: EventDep, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[OutcomeRead]:
    """The event's outcomes, by their sessions' start."""
    found = service.outcomes_of(db, viewer=user, event=event)
    start = (page - 1) * per_page
    items = [_read(event, f.session, f.outcome) for f in found[start : start + per_page] if f.outcome is not None]
    return PageOut[OutcomeRead](items=items, total=len(found), page=page, per_page=per_page)


@router.get(ONE, response_model=OutcomeRead, dependencies=[VIEW])
def get_outcome(db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep) -> OutcomeRead:
    """The session's outcome; 404 when it has none (or the session is a break)."""
    return _read(event, session, service.get(db, viewer=user, session=session))


@router.put(ONE, response_model=OutcomeRead, dependencies=[MANAGE])
def put_outcome(
    db: DbSession, user: CurrentUser, event: EventDep, session: SessionDep, data: OutcomeIn
) -> OutcomeRead:
    """Create the session's outcome or replace it (an absent field takes its default). A
    cancelled session takes no new outcome (409)."""
    outcome = service.save(db, actor=user, session=session, data=data)
    return _read(event, session, outcome)


@router.delete(ONE, status_code=204, dependencies=[MANAGE])
def delete_outcome(db: DbSession, user: CurrentUser, session: SessionDep) -> Response:
    """Delete the session's outcome; 404 when it has none."""
    service.delete(db, actor=user, session=session)
    return Response(status_code=204)
