"""The administrators' view of the audit log."""

from datetime import date

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.audit import service
from app.audit.service import AuditFilter
from app.deps import CsrfChecked, CurrentUser, DbSession, PageNumber, declare
from app.policy import Action
from app.web import render

router = APIRouter(prefix="/admin", dependencies=[CsrfChecked], include_in_schema=False)


@router.get("/audit", dependencies=[declare(Action.AUDIT_VIEW)])
def audit_log(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    page: PageNumber = 1,
    action: str | None = Query(None, max_length=64),
    object_type: str | None = Query(None, max_length=64),
    actor: str | None = Query(None, max_length=254),
    event_id: int | None = Query(None, ge=1, le=2**31 - 1),
    since: date | None = None,
    until: date | None = None,
) -> Response:
    filters = AuditFilter(
        action=action or None, object_type=object_type or None, actor_email=actor or None,
        event_id=event_id, since=since, until=until,
    )
    entries = service.list_entries(db, viewer=user, filters=filters, page=page)
    actions, types = service.known_values(db, viewer=user)
    query = {
        "action": action or "", "object_type": object_type or "", "actor": actor or "",
        "event_id": event_id or "", "since": since or "", "until": until or "",
    }
    return render(request, "admin/audit.html", {"page": entries, "query": query, "actions": actions, "types": types})
