"""Officials of an event: the office holders its participants meet, and their meetings."""

import logging

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, i18n, policy
from app.accounts.models import User
from app.accounts.service import actor_label
from app.agenda.models import AgendaSession, SessionSpeaker
from app.errors import Conflict, NotFound
from app.events import service as events_service
from app.events.models import Event
from app.i18n import ngettext
from app.officials.models import Official
from app.pagination import MAX_PER_PAGE, Page
from app.policy import Action
from app.registrations.models import Registration

log = logging.getLogger(__name__)

FIELDS = ("name", "name_native", "title", "institution", "country", "notes")


# --- reading -------------------------------------------------------------------------------------


def _of(event: Event) -> Select[tuple[Official]]:
    return select(Official).where(Official.event_id == event.id)


def _name_key(name: str, name_native: str, language: str) -> tuple[str, str]:
    return i18n.collation_key(i18n.display_name(name, name_native, language), language)


def list_for_event(
    db: Session, *, viewer: User | None, event: Event, page: int = 1, per_page: int = 50
) -> Page[Official]:
    """The event's officials by name (in the reader's script and collation), one page of them:
    the names of all are read and sorted, then the page's officials loaded (two queries)."""
    policy.require(viewer, Action.AGENDA_VIEW, event)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = max(page, 1)
    language = i18n.current_language()
    names = db.execute(select(Official.id, Official.name, Official.name_native).where(Official.event_id == event.id))
    ids = [row.id for row in sorted(names, key=lambda r: (_name_key(r.name, r.name_native, language), r.id))]
    chosen = ids[(page - 1) * per_page : page * per_page]
    position = {id_: i for i, id_ in enumerate(chosen)}
    officials = sorted(db.scalars(_of(event).where(Official.id.in_(chosen))), key=lambda o: position[o.id])
    for official in officials:
        set_committed_value(official, "event", event)
    return Page(items=officials, total=len(ids), page=page, per_page=per_page)


def choices(db: Session, *, viewer: User | None, event: Event) -> list[Official]:
    """Every official of the event by name, in the reader's collation (for pickers); one query."""
    policy.require(viewer, Action.AGENDA_VIEW, event)
    language = i18n.current_language()
    officials = sorted(db.scalars(_of(event)), key=lambda o: (_name_key(o.name, o.name_native, language), o.id))
    for official in officials:
        set_committed_value(official, "event", event)
    return officials


def get_for_viewer(db: Session, *, viewer: User | None, event: Event, official_id: int) -> Official:
    """The official of this event; Forbidden for whoever may not see the agenda (whatever the id),
    NotFound for an official of another event or none."""
    policy.require(viewer, Action.AGENDA_VIEW, event)
    official = db.scalar(select(Official).where(Official.id == official_id, Official.event_id == event.id))
    if official is None:
        raise NotFound()
    set_committed_value(official, "event", event)
    return official


def meetings(db: Session, *, viewer: User | None, official: Official) -> list[AgendaSession]:
    """The sessions the official takes part in, in time order, with their rooms and speakers."""
    policy.require(viewer, Action.AGENDA_VIEW, official.event)
    query = (
        select(AgendaSession)
        .join(SessionSpeaker, SessionSpeaker.session_id == AgendaSession.id)
        .where(SessionSpeaker.official_id == official.id, AgendaSession.event_id == official.event_id)
        .options(
            joinedload(AgendaSession.room),
            selectinload(AgendaSession.speakers).options(
                joinedload(SessionSpeaker.official),
                joinedload(SessionSpeaker.registration).joinedload(Registration.person),
            ),
        )
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    )
    sessions = list(db.scalars(query).unique())
    for session in sessions:
        set_committed_value(session, "event", official.event)
    return sessions


# --- create, edit, delete ------------------------------------------------------------------------


def check_manageable(*, actor: User | None, event: Event) -> None:
    """For the pages that change officials: may the actor do it now?"""
    policy.require(actor, Action.AGENDA_MANAGE, event)
    events_service.require_open(event)


def create(db: Session, *, actor: User, event: Event, fields: dict[str, object]) -> Official:
    """A new official; `fields` are OfficialCreate's (validated by the caller's schema)."""
    check_manageable(actor=actor, event=event)
    official = Official(event=event, **fields)
    db.add(official)
    db.flush()
    audit.record(db, actor, "official.create", official)
    log.info("official %s created by %s", official.id, actor_label(actor))
    return official


def update(db: Session, *, actor: User, official: Official, fields: dict[str, object]) -> Official:
    """Change the given fields."""
    check_manageable(actor=actor, event=official.event)
    changed = sorted(k for k, v in fields.items() if k in FIELDS and getattr(official, k) != v)
    if not changed:
        return official
    for key in changed:
        setattr(official, key, fields[key])
    db.flush()
    audit.record(db, actor, "official.update", official, fields=changed)
    log.info("official %s updated by %s", official.id, actor_label(actor))
    return official


def session_count(db: Session, official: Official) -> int:
    return db.scalar(select(func.count()).where(SessionSpeaker.official_id == official.id)) or 0


def delete(db: Session, *, actor: User, official: Official) -> None:
    """Only an official on no session of the agenda can be deleted (Conflict otherwise)."""
    check_manageable(actor=actor, event=official.event)
    if n := session_count(db, official):
        message = ngettext(
            "This official takes part in %(num)s session of the agenda. Remove them from that session first.",
            "This official takes part in %(num)s sessions of the agenda. Remove them from those sessions first.",
            n,
        )
        raise Conflict(message % {"num": n})
    audit.record(db, actor, "official.delete", official, name=official.name)
    db.delete(official)
    db.flush()
    log.info("official %s deleted by %s", official.id, actor_label(actor))
