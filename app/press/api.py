"""/api/v1/events/{event_id}/press and …/coverage: press items with versions and approvals, and
the media-coverage log."""

from fastapi import APIRouter, Query, Response

from app.deps import CsrfChecked, CurrentUser, DbSession, OptionalUser, PageNumber, declare
from app.errors import API_ERRORS, ApiError, FieldError
from app.events.deps import EventDep
from app.forms import validate_form
from app.pagination import Page, PageOut, PerPage
from app.policy import Action
from app.press import service
from app.press.deps import CoverageDep, PressDep
from app.press.models import PressItem, PressKind, PressStatus
from app.press.schemas import (
    ApprovalCreate,
    CoverageCreate,
    CoverageFilterForm,
    CoverageRead,
    CoverageUpdate,
    PressApprovalRead,
    PressCreate,
    PressItemRead,
    PressUpdate,
    PressVersionRead,
    TextRead,
)

router = APIRouter(prefix="/api/v1", tags=["press"], dependencies=[CsrfChecked], responses=API_ERRORS)

PUBLIC_VIEW = declare(Action.EVENT_VIEW)
VIEW = declare(Action.PRESS_VIEW)
MANAGE = declare(Action.PRESS_MANAGE)
APPROVE = declare(Action.PRESS_APPROVE)
ITEMS = "/events/{event_id}/press"
ITEM = ITEMS + "/{press_id}"
COVERAGE = "/events/{event_id}/coverage"
ONE_COVERAGE = COVERAGE + "/{coverage_id}"


def _read(item: PressItem) -> PressItemRead:
    return PressItemRead(
        id=item.id, event_id=item.event_id, kind=item.kind, status=item.status, revision=item.revision,
        session_id=item.session_id, published_at=item.published_at, created_at=item.created_at,
        updated_at=item.updated_at,
        texts=[TextRead.model_validate(v) for v in service.latest_texts(item)],
        approvals=[PressApprovalRead.model_validate(a) for a in service.current_approvals(item)],
    )


# --- press items ----------------------------------------------------------------------------------


@router.get(ITEMS, response_model=PageOut[PressItemRead], dependencies=[PUBLIC_VIEW])
def list_press(
    db: DbSession,
    user: OptionalUser,
    event: EventDep,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    status: PressStatus | None = Query(None, description="Only for those who see drafts."),
    kind: PressKind | None = None,
) -> PageOut[PressItemRead]:
    """The event's items: all of them, newest first, for its organisers, press officers and
    coordinators; the published ones, last published first, for everyone else."""
    found = service.list_for_event(
        db, viewer=user, event=event, filters=service.PressFilter(status=status, kind=kind), page=page, per_page=per_page
    )
    return PageOut[PressItemRead](
        items=[_read(i) for i in found.items], total=found.total, page=found.page, per_page=found.per_page
    )


@router.post(ITEMS, response_model=PressItemRead, status_code=201, dependencies=[MANAGE])
def create_press(db: DbSession, user: CurrentUser, event: EventDep, data: PressCreate) -> PressItemRead:
    """A draft with its first version (`session_id`: a session of the event, 422 otherwise)."""
    item = service.create(
        db, actor=user, event=event, kind=data.kind, language=data.language, title=data.title, body=data.body,
        session_id=data.session_id,
    )
    return _read(item)


@router.get(ITEM, response_model=PressItemRead, dependencies=[PUBLIC_VIEW])
def get_press(item: PressDep) -> PressItemRead:
    """A draft or withdrawn item is a 404 for those who see no drafts."""
    return _read(item)


@router.patch(
    ITEM, response_model=PressItemRead, dependencies=[MANAGE],
    responses={409: {"model": ApiError, "description": "The item is published: withdraw it first; or the event is archived."}},
)
def update_press(db: DbSession, user: CurrentUser, item: PressDep, data: PressUpdate) -> PressItemRead:
    """A new version of `language` (its revision grows and the approvals are withdrawn) when its
    title or body changes; `session_id` changes the session only."""
    session_id = data.session_id if "session_id" in data.model_fields_set else service.UNSET
    item = service.edit(
        db, actor=user, item=item, language=data.language, title=data.title, body=data.body, session_id=session_id
    )
    return _read(item)


@router.delete(ITEM, status_code=204, dependencies=[MANAGE])
def delete_press(db: DbSession, user: CurrentUser, item: PressDep) -> Response:
    """Only a draft that was never published (409 otherwise)."""
    service.delete(db, actor=user, item=item)
    return Response(status_code=204)


@router.get(ITEM + "/versions", response_model=PageOut[PressVersionRead], dependencies=[VIEW])
def list_versions(
    user: CurrentUser, event: EventDep, item: PressDep, page: PageNumber = 1, per_page: PerPage = 50
) -> PageOut[PressVersionRead]:
    """Every version, per language (English first), oldest first."""
    service.check_viewable(viewer=user, event=event)
    versions = [v for vs in service.versions_by_language(item).values() for v in vs]
    start = (page - 1) * per_page
    found = Page(items=versions[start : start + per_page], total=len(versions), page=page, per_page=per_page)
    return PageOut[PressVersionRead].of(found, PressVersionRead)


@router.post(
    ITEM + "/approvals", response_model=PressApprovalRead, status_code=201, dependencies=[APPROVE],
    responses={409: {"model": ApiError, "description": "OutdatedVersion: `revision` is not the current one; "
                                    "or the item is no joint statement, or is published."}},
)
def approve_press(db: DbSession, user: CurrentUser, item: PressDep, data: ApprovalCreate) -> PressApprovalRead:
    """The caller's delegation approves `revision` (the one they read). Approving again what one's
    delegation approved already answers that approval."""
    approval = service.approve(db, actor=user, item=item, revision=data.revision, delegation_id=data.delegation_id)
    return PressApprovalRead.model_validate(approval)


@router.post(
    ITEM + "/publish", response_model=PressItemRead, dependencies=[MANAGE],
    responses={409: {"model": ApiError, "description": "NotApproved: a delegation has not approved the current "
                                    "revision of a joint statement; or it is published already."}},
)
def publish_press(db: DbSession, user: CurrentUser, item: PressDep) -> PressItemRead:
    """Public from now on (a joint statement once every delegation approved its current revision)."""
    return _read(service.publish(db, actor=user, item=item))


@router.post(ITEM + "/withdraw", response_model=PressItemRead, dependencies=[MANAGE])
def withdraw_press(db: DbSession, user: CurrentUser, item: PressDep) -> PressItemRead:
    """No longer public (409 unless published)."""
    return _read(service.withdraw(db, actor=user, item=item))


# --- media coverage -------------------------------------------------------------------------------


@router.get(COVERAGE, response_model=PageOut[CoverageRead], dependencies=[VIEW])
def list_coverage(
    db: DbSession,
    user: CurrentUser,
    event: EventDep,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    language: str | None = Query(None, max_length=3),
    country: str | None = Query(None, max_length=2),
    q: str | None = Query(None, max_length=200, description="In the outlet or the title."),
) -> PageOut[CoverageRead]:
    """The coverage log, latest first."""
    filters, errors = validate_form(CoverageFilterForm, {"language": language, "country": country, "q": q})
    if filters is None:
        name, messages = next(iter(errors.items()))
        raise FieldError(name, messages[0])
    found = service.list_coverage(
        db, viewer=user, event=event, page=page, per_page=per_page,
        filters=service.CoverageFilter(language=filters.language, country=filters.country, q=filters.q),
    )
    return PageOut[CoverageRead].of(found, CoverageRead)


@router.post(COVERAGE, response_model=CoverageRead, status_code=201, dependencies=[MANAGE])
def create_coverage(db: DbSession, user: CurrentUser, event: EventDep, data: CoverageCreate) -> CoverageRead:
    return CoverageRead.model_validate(service.create_coverage(db, actor=user, event=event, fields=data.model_dump()))


@router.get(ONE_COVERAGE, response_model=CoverageRead, dependencies=[VIEW])
def get_coverage(coverage: CoverageDep) -> CoverageRead:
    return CoverageRead.model_validate(coverage)


@router.patch(ONE_COVERAGE, response_model=CoverageRead, dependencies=[MANAGE])
def update_coverage(db: DbSession, user: CurrentUser, coverage: CoverageDep, data: CoverageUpdate) -> CoverageRead:
    """Change the given fields."""
    service.update_coverage(db, actor=user, coverage=coverage, fields=data.model_dump(exclude_unset=True))
    return CoverageRead.model_validate(coverage)


@router.delete(ONE_COVERAGE, status_code=204, dependencies=[MANAGE])
def delete_coverage(db: DbSession, user: CurrentUser, coverage: CoverageDep) -> Response:
    service.delete_coverage(db, actor=user, coverage=coverage)
    return Response(status_code=204)
