"""Recommendations of an initiative and their progress updates: every query and write.

A recommendation comes from one of the initiative's events (and a session of it), managed by
that event's organisers, or from the initiative as a whole, managed by administrators. Its
status moves proposed → agreed → in progress → done; anything but done may be dropped, and a
dropped one may be reopened as proposed. Progress updates are dated notes that may move it on.
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, case, cast, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, i18n, policy
from app.accounts.models import User
from app.accounts.service import actor_label
from app.agenda.models import AgendaSession
from app.db import utcnow
from app.delegations.models import Delegation
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.events import service as events_service
from app.events.models import Event
from app.i18n import N_, _
from app.initiatives import service as initiatives_service
from app.initiatives.models import Initiative, InitiativeStatus, RoadmapPhase
from app.pagination import MAX_PER_PAGE, Page
from app.policy import Action
from app.recommendations.models import (
    ProgressUpdate,
    Recommendation,
    RecommendationArea,
    RecommendationStatus,
)
from app.recommendations.schemas import RecommendationFilter

log = logging.getLogger(__name__)

Status = RecommendationStatus

# Where each status may move to; done is final.
NEXT: dict[RecommendationStatus, frozenset[RecommendationStatus]] = {
    Status.PROPOSED: frozenset({Status.AGREED, Status.DROPPED}),
    Status.AGREED: frozenset({Status.IN_PROGRESS, Status.DROPPED}),
    Status.IN_PROGRESS: frozenset({Status.DONE, Status.DROPPED}),
    Status.DONE: frozenset(),
    Status.DROPPED: frozenset({Status.PROPOSED}),
}
# What a new recommendation may be: proposed at the table, or recorded as agreed already.
INITIAL = (Status.PROPOSED, Status.AGREED)
AREA_ORDER = {area: number for number, area in enumerate(RecommendationArea)}


# The words for each area (translated where shown: `_(AREA_LABELS[a])`); a status reads as its
# label (`i18n.label(s)`).
AREA_LABELS: dict[RecommendationArea, str] = {
    RecommendationArea.ECONOMIC: N_("Economic cooperation"),
    RecommendationArea.INFRASTRUCTURE: N_("Infrastructure and transport corridors"),
    RecommendationArea.ENERGY: N_("Energy"),
    RecommendationArea.HUMANITARIAN: N_("Humanitarian"),
    RecommendationArea.SECURITY: N_("Security"),
    RecommendationArea.OTHER: N_("Other"),
}


def area_label(area: RecommendationArea) -> str:
    """The area's English words; `_()` of them is the reader's."""
    return AREA_LABELS[area]


def next_statuses(status: RecommendationStatus) -> list[RecommendationStatus]:
    """Where a recommendation in `status` may move, in the workflow's order."""
    return [s for s in RecommendationStatus if s in NEXT[status]]


def check_transition(current: RecommendationStatus, new: RecommendationStatus) -> None:
    """FieldError on `status` unless the workflow allows current → new (staying is no move)."""
    if new == current or new in NEXT[current]:
        return
    if current == Status.DONE:
        raise FieldError("status", _("This recommendation is done: its status cannot change any more."))
    if current == Status.DROPPED:
        raise FieldError("status", _("A dropped recommendation can only be reopened as proposed."))
    first, second = (i18n.label(s) for s in next_statuses(current))  # two ways on, but from done
    raise FieldError(
        "status",
        _(
            "A recommendation cannot go from “%(current)s” to “%(new)s”; "
            "from “%(current)s” it can move to “%(first)s” or “%(second)s”."
        )
        % {"current": i18n.label(current), "new": i18n.label(new), "first": first, "second": second},
    )


def latest_today() -> date:
    """Today somewhere on Earth: a progress update dated later than this is in the future."""
    return (utcnow() + timedelta(hours=14)).date()


# --- visibility ----------------------------------------------------------------------------------


def _scope(viewer: User | None) -> ColumnElement[bool]:
    """Recommendations the viewer may see, of initiatives the viewer may see (join Initiative)."""
    return policy.visible_recommendations(viewer) & policy.visible_initiatives(viewer)


# --- lists ---------------------------------------------------------------------------------------


def _filtered(query: Select[Any], filters: RecommendationFilter, *, with_status: bool = True) -> Select[Any]:
    if filters.area is not None:
        query = query.where(Recommendation.area == filters.area)
    if with_status and filters.status is not None:
        query = query.where(Recommendation.status == filters.status)
    if filters.phase_id is not None:
        query = query.where(Recommendation.phase_id == filters.phase_id)
    if filters.event_id is not None:
        query = query.where(Recommendation.event_id == filters.event_id)
    if filters.owner:
        # The owners are a JSON list of validated two-letter codes: ["AM", "AZ"].
        query = query.where(cast(Recommendation.owners, String).contains(f'"{filters.owner}"'))
    if filters.q:
        query = query.where(Recommendation.title.icontains(filters.q.strip(), autoescape=True))
    return query


@dataclass(frozen=True)
class Listing:
    page: Page[Recommendation]
    # Of the recommendations matching every filter but the status: the list's counts by status.
    counts: dict[RecommendationStatus, int]

    def count(self, status: RecommendationStatus | str) -> int:
        return self.counts.get(RecommendationStatus(status), 0)


def list_recommendations(
    db: Session,
    *,
    viewer: User | None,
    filters: RecommendationFilter,
    initiative: Initiative | None = None,
    initiative_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Listing:
    """One page of the recommendations the viewer may see, by target date (undated last), with
    their initiative, event and phase; and the counts by status. Two queries: the page's rows,
    and the counts (whose sum, or the filtered status's count, is the total)."""
    if initiative is not None:
        policy.require(viewer, Action.INITIATIVE_VIEW, initiative)
        initiative_id = initiative.id
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = max(page, 1)
    where = [_scope(viewer)]
    if initiative_id is not None:
        where.append(Recommendation.initiative_id == initiative_id)
    rows = _filtered(
        select(Recommendation)
        .join(Recommendation.initiative)
        .options(
            contains_eager(Recommendation.initiative),
            joinedload(Recommendation.event),
            joinedload(Recommendation.phase),
        )
        .where(*where),
        filters,
    ).order_by(
        Recommendation.target_on.is_(None),
        Recommendation.target_on,
        func.lower(Recommendation.title),
        Recommendation.id,
    )
    items = list(db.scalars(rows.limit(per_page).offset((page - 1) * per_page)).unique())
    counted = _filtered(
        select(Recommendation.status, func.count())
        .join(Recommendation.initiative)
        .where(*where)
        .group_by(Recommendation.status),
        filters,
        with_status=False,
    )
    counts = {RecommendationStatus(status): n for status, n in db.execute(counted)}
    total = counts.get(filters.status, 0) if filters.status is not None else sum(counts.values())
    return Listing(Page(items=items, total=total, page=page, per_page=per_page), counts)


def for_roadmap(db: Session, *, viewer: User | None, initiative: Initiative) -> list[Recommendation]:
    """Every recommendation of the initiative the viewer may see, by phase's start and target
    date (undated last), with its phase; one query."""
    policy.require(viewer, Action.INITIATIVE_VIEW, initiative)
    query = (
        select(Recommendation)
        .join(Recommendation.initiative)
        .outerjoin(Recommendation.phase)
        .options(contains_eager(Recommendation.initiative), contains_eager(Recommendation.phase))
        .where(Recommendation.initiative_id == initiative.id, _scope(viewer))
        .order_by(
            RoadmapPhase.id.is_(None),
            RoadmapPhase.starts_on,
            RoadmapPhase.id,
            Recommendation.target_on.is_(None),
            Recommendation.target_on,
            func.lower(Recommendation.title),
            Recommendation.id,
        )
    )
    return list(db.scalars(query).unique())


def agreed_for_event(db: Session, *, event: Event) -> list[Recommendation]:
    """The event's recommendations that the sides agreed to (agreed, in progress or done), by
    area (in the areas' order) and title, with their phase; one query. For the post-event
    summary, which decides itself who may see it."""
    area_order = case(
        {area.value: number for area, number in AREA_ORDER.items()}, value=Recommendation.area, else_=len(AREA_ORDER)
    )
    query = (
        select(Recommendation)
        .options(joinedload(Recommendation.phase))
        .where(
            Recommendation.event_id == event.id,
            Recommendation.status.in_(policy.PUBLIC_RECOMMENDATION_STATUSES),
        )
        .order_by(area_order, func.lower(Recommendation.title), Recommendation.id)
    )
    recommendations = list(db.scalars(query))
    for recommendation in recommendations:
        set_committed_value(recommendation, "event", event)
    return recommendations


# --- one recommendation --------------------------------------------------------------------------


def get_for_viewer(
    db: Session, *, viewer: User | None, recommendation_id: int, initiative_id: int | None = None
) -> Recommendation:
    """The recommendation with its initiative, source, phase and updates (and their authors);
    NotFound when it does not exist, the viewer may not see it, or it is of another initiative."""
    query = (
        select(Recommendation)
        .join(Recommendation.initiative)
        .options(
            contains_eager(Recommendation.initiative),
            joinedload(Recommendation.event),
            joinedload(Recommendation.session),
            joinedload(Recommendation.phase),
            selectinload(Recommendation.updates).joinedload(ProgressUpdate.author),
        )
        .where(Recommendation.id == recommendation_id, _scope(viewer))
    )
    if initiative_id is not None:
        query = query.where(Recommendation.initiative_id == initiative_id)
    recommendation = db.scalar(query)
    if recommendation is None:
        raise NotFound()
    for update in recommendation.updates:
        set_committed_value(update, "recommendation", recommendation)
    return recommendation


def get_update(recommendation: Recommendation, update_id: int) -> ProgressUpdate:
    """A progress update of this recommendation (loaded with it); NotFound under any other."""
    for update in recommendation.updates:
        if update.id == update_id:
            return update
    raise NotFound()


# --- choices for the forms -----------------------------------------------------------------------


def manageable_events(db: Session, *, viewer: User | None, initiative: Initiative) -> list[Event]:
    """The initiative's events for whose recommendations the viewer may answer; one query."""
    events = events_service.list_for_initiative(db, viewer=viewer, initiative=initiative)
    return [event for event in events if policy.can(viewer, Action.RECOMMENDATION_MANAGE, event)]


def session_choices(db: Session, *, events: list[Event]) -> list[AgendaSession]:
    """The sessions of these events, by event and time; one query (none without events)."""
    if not events:
        return []
    by_id = {event.id: event for event in events}
    query = (
        select(AgendaSession)
        .where(AgendaSession.event_id.in_(by_id))
        .order_by(AgendaSession.event_id, AgendaSession.starts_at, AgendaSession.id)
    )
    sessions = list(db.scalars(query))
    for session in sessions:
        set_committed_value(session, "event", by_id[session.event_id])
    return sessions


def delegation_countries(db: Session, *, event_ids: Iterable[int]) -> list[str]:
    """The countries of these events' delegations, each once, sorted; one query (none without)."""
    ids = sorted(set(event_ids))
    if not ids:
        return []
    query = select(Delegation.country).where(Delegation.event_id.in_(ids)).distinct().order_by(Delegation.country)
    return list(db.scalars(query))


def phase_choices(db: Session, *, initiative: Initiative) -> list[RoadmapPhase]:
    """The initiative's roadmap phases in date order (without their milestones); one query."""
    query = (
        select(RoadmapPhase)
        .where(RoadmapPhase.initiative_id == initiative.id)
        .order_by(RoadmapPhase.starts_on, RoadmapPhase.id)
    )
    return list(db.scalars(query))


# --- checks --------------------------------------------------------------------------------------


def _require_active(initiative: Initiative) -> None:
    if initiative.status == InitiativeStatus.ARCHIVED:
        raise Conflict(_("This initiative is archived. Restore it before changing its recommendations."))


def check_may_create(*, actor: User | None, initiative: Initiative, events: list[Event]) -> None:
    """For the new-recommendation page: the actor manages one of `events` (the initiative's, from
    `manageable_events`) or the initiative as a whole."""
    if not events and not policy.can(actor, Action.RECOMMENDATION_MANAGE, initiative):
        raise Forbidden()
    _require_active(initiative)


def check_manageable(*, actor: User | None, recommendation: Recommendation) -> None:
    """For the pages that change a recommendation: may the actor do it now?"""
    policy.require(actor, Action.RECOMMENDATION_MANAGE, recommendation)
    _require_active(recommendation.initiative)


def _source_event(db: Session, actor: User, initiative: Initiative, event_id: int | None) -> Event | None:
    if event_id is None:
        return None
    event = db.scalar(
        select(Event).options(joinedload(Event.initiative)).where(Event.id == event_id, policy.visible_events(actor))
    )
    if event is None or event.initiative_id != initiative.id:
        raise FieldError("event_id", _("Choose an event of this initiative."))
    return event


def _require_source(actor: User, initiative: Initiative, event: Event | None) -> None:
    """Organisers answer for their event's recommendations, administrators for the initiative's."""
    policy.require(actor, Action.RECOMMENDATION_MANAGE, event if event is not None else initiative)


def _session(db: Session, event: Event | None, session_id: int | None) -> AgendaSession | None:
    if session_id is None:
        return None
    if event is None:
        raise FieldError("session_id", _("A session can only be named with its event: choose the event too."))
    session = db.scalar(
        select(AgendaSession).where(AgendaSession.id == session_id, AgendaSession.event_id == event.id)
    )
    if session is None:
        raise FieldError("session_id", _("Choose a session of the source event."))
    set_committed_value(session, "event", event)
    return session


def _phase(db: Session, initiative: Initiative, phase_id: int | None) -> RoadmapPhase | None:
    if phase_id is None:
        return None
    phase = db.scalar(
        select(RoadmapPhase).where(RoadmapPhase.id == phase_id, RoadmapPhase.initiative_id == initiative.id)
    )
    if phase is None:
        raise FieldError("phase_id", _("Choose a phase of this initiative's roadmap."))
    return phase


def _owners(db: Session, event: Event | None, owners: list[str]) -> list[str]:
    """With an event: each owning side is the country of one of its delegations. Without: any
    country (ISO 3166 alpha-2)."""
    unknown = [code for code in owners if not i18n.is_country(code)]
    if unknown:
        raise FieldError("owners", _("“%(code)s” is not a country code (ISO 3166, such as AM or AZ).") % {"code": unknown[0]})
    if event is None or not owners:
        return list(owners)
    countries = delegation_countries(db, event_ids=[event.id])
    outside = [code for code in owners if code not in countries]
    if outside:
        if not countries:
            raise FieldError(
                "owners",
                _("Each owning side must be the country of one of the event's delegations (none yet); “%(code)s” is not.")
                % {"code": outside[0]},
            )
        raise FieldError(
            "owners",
            _("Each owning side must be the country of one of the event's delegations (%(sides)s); “%(code)s” is not.")
            % {"sides": ", ".join(countries), "code": outside[0]},
        )
    return list(owners)


# --- create, edit, delete ------------------------------------------------------------------------


def create(db: Session, *, actor: User, initiative: Initiative, fields: Mapping[str, Any]) -> Recommendation:
    """A new recommendation of `initiative`; `fields` are RecommendationCreate's but the
    initiative (validated by the caller's schema)."""
    event = _source_event(db, actor, initiative, fields.get("event_id"))
    _require_source(actor, initiative, event)
    _require_active(initiative)
    status = RecommendationStatus(fields.get("status") or Status.PROPOSED)
    if status not in INITIAL:
        raise FieldError("status", _("A new recommendation is proposed or agreed; move it on afterwards."))
    recommendation = Recommendation(
        initiative=initiative,
        event=event,
        session=_session(db, event, fields.get("session_id")),
        phase=_phase(db, initiative, fields.get("phase_id")),
        title=fields["title"],
        description=fields.get("description") or "",
        area=fields["area"],
        owners=_owners(db, event, list(fields.get("owners") or [])),
        target_on=fields.get("target_on"),
        status=status,
        updates=[],
    )
    db.add(recommendation)
    db.flush()
    audit.record(db, actor, "recommendation.create", recommendation, initiative_id=initiative.id)
    log.info("recommendation %s created by %s", recommendation.id, actor_label(actor))
    return recommendation


def create_from_api(db: Session, *, actor: User, fields: Mapping[str, Any]) -> Recommendation:
    """`create` with the initiative named in the fields: NotFound when the actor cannot see it."""
    initiative = initiatives_service.get_for_viewer(db, viewer=actor, initiative_id=fields["initiative_id"])
    return create(db, actor=actor, initiative=initiative, fields=fields)


def update(
    db: Session, *, actor: User, recommendation: Recommendation, fields: Mapping[str, Any]
) -> Recommendation:
    """Change the given fields (RecommendationUpdate's). Moving it to another event, or to none,
    needs the right to manage there too; its session then goes unless one is named."""
    check_manageable(actor=actor, recommendation=recommendation)
    initiative = recommendation.initiative
    event = recommendation.event
    moved = "event_id" in fields and fields["event_id"] != recommendation.event_id
    if moved:
        event = _source_event(db, actor, initiative, fields["event_id"])
        _require_source(actor, initiative, event)
    changes: dict[str, Any] = {}
    if moved:
        changes["event"] = event
    if "session_id" in fields or moved:
        session_id = fields.get("session_id")
        if session_id != recommendation.session_id or moved:
            changes["session"] = _session(db, event, session_id)
    if "phase_id" in fields and fields["phase_id"] != recommendation.phase_id:
        changes["phase"] = _phase(db, initiative, fields["phase_id"])
    if "owners" in fields or moved:
        owners = _owners(db, event, list(fields.get("owners", recommendation.owners) or []))
        if owners != recommendation.owners:
            changes["owners"] = owners
    for key in ("title", "description", "area", "target_on"):
        if key in fields and getattr(recommendation, key) != fields[key]:
            changes[key] = fields[key]
    if fields.get("status") is not None and fields["status"] != recommendation.status:
        check_transition(recommendation.status, RecommendationStatus(fields["status"]))
        changes["status"] = RecommendationStatus(fields["status"])
    if not changes:
        return recommendation
    before = recommendation.status
    for key, value in changes.items():
        setattr(recommendation, key, value)
    db.flush()
    details: dict[str, Any] = {"fields": sorted(changes)}
    if "status" in changes:
        details |= {"status_from": before.value, "status_to": recommendation.status.value}
    audit.record(db, actor, "recommendation.update", recommendation, initiative_id=initiative.id, **details)
    log.info("recommendation %s updated by %s", recommendation.id, actor_label(actor))
    return recommendation


def delete(db: Session, *, actor: User, recommendation: Recommendation) -> None:
    """Delete the recommendation with its progress updates."""
    check_manageable(actor=actor, recommendation=recommendation)
    audit.record(
        db,
        actor,
        "recommendation.delete",
        recommendation,
        initiative_id=recommendation.initiative_id,
        title=recommendation.title,
    )
    db.delete(recommendation)
    db.flush()
    log.info("recommendation %s deleted by %s", recommendation.id, actor_label(actor))


# --- progress updates ----------------------------------------------------------------------------


def add_update(
    db: Session,
    *,
    actor: User,
    recommendation: Recommendation,
    text: str,
    reported_on: date | None = None,
    status: RecommendationStatus | None = None,
) -> ProgressUpdate:
    """A dated progress note (today by default, never in the future); with a `status` other
    than the current one, the recommendation moves to it (as the workflow allows)."""
    check_manageable(actor=actor, recommendation=recommendation)
    reported_on = reported_on or utcnow().date()
    if reported_on > latest_today():
        raise FieldError("reported_on", _("The date of an update cannot be in the future."))
    moved_to = status if status is not None and status != recommendation.status else None
    before = recommendation.status
    if moved_to is not None:
        check_transition(recommendation.status, moved_to)
    update = ProgressUpdate(reported_on=reported_on, text=text, status=moved_to, author_id=actor.id)
    update.recommendation = recommendation
    if moved_to is not None:
        recommendation.status = moved_to
    db.add(update)
    db.flush()
    details: dict[str, Any] = {"recommendation_id": recommendation.id}
    if moved_to is not None:
        details |= {"status_from": before.value, "status_to": moved_to.value}
    audit.record(db, actor, "progress_update.create", update, event_id=recommendation.event_id, **details)
    log.info("progress update %s on recommendation %s by %s", update.id, recommendation.id, actor_label(actor))
    return update


def delete_update(db: Session, *, actor: User, recommendation: Recommendation, update: ProgressUpdate) -> None:
    """Delete a progress update; the recommendation keeps its current status."""
    check_manageable(actor=actor, recommendation=recommendation)
    if update.recommendation_id != recommendation.id:
        raise NotFound()
    audit.record(
        db,
        actor,
        "progress_update.delete",
        update,
        event_id=recommendation.event_id,
        recommendation_id=recommendation.id,
    )
    recommendation.updates.remove(update)
    db.delete(update)
    db.flush()
    log.info("progress update %s deleted by %s", update.id, actor_label(actor))
