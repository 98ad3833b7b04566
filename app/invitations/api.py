"""/api/v1/events/{event_id}/invitations: invite one address or many, resend, revoke, change;
and /api/v1/invitations/{token}/registration: the invited person registers from their link."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import Field

from app.deps import PUBLIC, CsrfChecked, CurrentUser, DbSession, PageNumber, declare
from app.errors import API_ERRORS, ApiError
from app.events.deps import EventDep
from app.invitations import service
from app.invitations.deps import InvitationDep
from app.invitations.schemas import (
    BATCH_MAX,
    MAX_ID,
    TOKEN_MAX,
    InvitationBatchRead,
    InvitationCreate,
    InvitationFilter,
    InvitationRead,
    InvitationState,
    InvitationUpdate,
    RegistrationIn,
    SkippedRead,
)
from app.me.schemas import OwnRegistrationRead
from app.pagination import PageOut, PerPage
from app.policy import Action

router = APIRouter(
    prefix="/api/v1", tags=["invitations"], dependencies=[CsrfChecked], responses=API_ERRORS
)
MANAGE = declare(Action.INVITATION_MANAGE)
BASE = "/events/{event_id}/invitations"
Token = Annotated[str, Path(max_length=TOKEN_MAX)]

InvitationsIn = Annotated[
    InvitationCreate | Annotated[list[InvitationCreate], Field(min_length=1, max_length=BATCH_MAX)],
    Body(),
]


@router.get(BASE, response_model=PageOut[InvitationRead], dependencies=[MANAGE])
def list_invitations(
    db: DbSession,
    user: CurrentUser,
    event: EventDep,
    page: PageNumber = 1,
    per_page: PerPage = 50,
    state: InvitationState | None = None,
    delegation_id: int | None = Query(None, ge=1, le=MAX_ID),
    q: str | None = Query(None, max_length=200),
) -> PageOut[InvitationRead]:
    """The invitations of the delegations the caller manages, newest first. `state=pending` lists
    who has not answered; `expired` those whose link ran out unused."""
    filters = InvitationFilter(state=state, delegation_id=delegation_id, q=q)
    result = service.list_for_event(db, viewer=user, event=event, filters=filters, page=page, per_page=per_page)
    return PageOut[InvitationRead].of(result.page, InvitationRead)


@router.post(
    BASE,
    response_model=InvitationRead | InvitationBatchRead,
    status_code=201,
    dependencies=[MANAGE],
)
def invite(db: DbSession, user: CurrentUser, event: EventDep, data: InvitationsIn) -> InvitationRead | InvitationBatchRead:
    """Invite one address (an object) or many (a list). A list is checked in full first: if any
    item is invalid, nothing is created; addresses invited or registered already are skipped and
    listed in `skipped`. Each address is sent its link by e-mail; the link is never returned."""
    if isinstance(data, InvitationCreate):
        return InvitationRead.model_validate(service.invite(db, actor=user, event=event, data=data))
    lines = [service.BatchLine(index, item) for index, item in enumerate(data)]
    try:
        result = service.invite_many(db, actor=user, event=event, lines=lines)
    except service.BatchInvalid as exc:
        raise RequestValidationError(
            [
                {"loc": ("body", e.index, e.field), "msg": e.message, "type": "value_error"}
                for e in exc.errors
            ]
        ) from exc
    return InvitationBatchRead(
        created=[InvitationRead.model_validate(i) for i in result.created],
        skipped=[SkippedRead(index=s.index, email=s.email, reason=s.reason) for s in result.skipped],
    )


@router.get(BASE + "/{invitation_id}", response_model=InvitationRead, dependencies=[MANAGE])
def get_invitation(invitation: InvitationDep) -> InvitationRead:
    return InvitationRead.model_validate(invitation)


@router.patch(BASE + "/{invitation_id}", response_model=InvitationRead, dependencies=[MANAGE])
def update_invitation(
    db: DbSession, user: CurrentUser, invitation: InvitationDep, data: InvitationUpdate
) -> InvitationRead:
    """Change the address, circle or category of a pending invitation; the link stays the same.
    A new address is how organisers let someone else register with a forwarded link."""
    return InvitationRead.model_validate(
        service.update_invitation(db, actor=user, invitation=invitation, data=data)
    )


@router.post(BASE + "/{invitation_id}/resend", response_model=InvitationRead, dependencies=[MANAGE])
def resend(db: DbSession, user: CurrentUser, invitation: InvitationDep) -> InvitationRead:
    """A new link with a new expiry is sent; the previous link stops working."""
    return InvitationRead.model_validate(service.resend(db, actor=user, invitation=invitation))


@router.post(BASE + "/{invitation_id}/revoke", response_model=InvitationRead, dependencies=[MANAGE])
def revoke(db: DbSession, user: CurrentUser, invitation: InvitationDep) -> InvitationRead:
    """Withdraw a pending invitation: its link stops working."""
    return InvitationRead.model_validate(service.revoke(db, actor=user, invitation=invitation))


@router.post(
    "/invitations/{token}/registration",
    response_model=OwnRegistrationRead,
    status_code=201,
    dependencies=[declare(PUBLIC)],
    responses={410: {"model": ApiError, "description": "The link has expired, been used or been withdrawn."}},
)
def register(db: DbSession, user: CurrentUser, token: Token, data: RegistrationIn) -> OwnRegistrationRead:
    """The invited person, signed in with the invited address, registers from the link's token:
    their profile, needs, languages, consents (`consent_data_processing` is required) and,
    optionally, the whole travel document. Circle, category and delegation are the invitation's.

    Refusals: 404 for an unknown token, 410 for an expired, used or withdrawn one, 403 for another
    account than the invited address, 409 when the event is not open for registration, 422 when
    the person is registered at the event already. A refused call changes nothing."""
    invitation = service.open_link(db, token=token)
    registration = service.accept(db, actor=user, invitation=invitation, form=data)
    return OwnRegistrationRead.model_validate(registration)
