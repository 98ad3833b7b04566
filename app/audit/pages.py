"""The administrators' view of the audit log."""

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.audit import service
from app.audit.schemas import AuditFilterForm
from app.audit.service import AuditFilter
from app.deps import CsrfChecked, CurrentUser, DbSession, PageNumber, declare
from app.forms import validate_form
from app.policy import Action
from app.web import render

router = APIRouter(prefix="/admin", dependencies=[CsrfChecked], include_in_schema=False)


@router.get("/audit", dependencies=[declare(Action.AUDIT_VIEW)])
def audit_log(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    page: PageNumber = 1,
    # Strings, validated by the form: the page's filter form sends its blank fields as "".
    action: str | None = Query(None, max_length=64),
    object_type: str | None = Query(None, max_length=64),
    actor: str | None = Query(None, max_length=254),
    event_id: str | None = Query(None, max_length=12),
    since: str | None = Query(None, max_length=10),
    until: str | None = Query(None, max_length=10),
) -> Response:
    query = {
        "action": action or "", "object_type": object_type or "", "actor": actor or "",
        "event_id": event_id or "", "since": since or "", "until": until or "",
    }
    form, errors = validate_form(AuditFilterForm, query)
    form = form or AuditFilterForm()
    filters = AuditFilter(
        action=form.action, object_type=form.object_type, actor_email=form.actor,
        event_id=form.event_id, since=form.since, until=form.until,
    )
    entries = service.list_entries(db, viewer=user, filters=filters, page=page)
    actions, types = service.known_values(db, viewer=user)
    context = {
        "page": entries, "query": query, "values": query, "errors": errors,
        "actions": [(a, a) for a in actions], "types": [(t, t) for t in types],
    }
    return render(request, "admin/audit.html", context, status_code=422 if errors else 200)
