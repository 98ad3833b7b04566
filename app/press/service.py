"""Press releases and joint statements with their versions and approvals; the media-coverage log.

An item's text is kept in versions, per language; every edit of any language writes a new
version, makes the item's `revision` grow and withdraws the approvals given so far. A joint
statement is published only when every delegation of the event has approved its current
revision; a press release is published by the press officers directly. Published items are
public (on a public event); changing one means withdrawing it first.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, policy
from app.accounts.models import User
from app.accounts.service import actor_label
from app.agenda.models import AgendaSession
from app.db import utcnow
from app.delegations.models import Delegation
from app.errors import Conflict, FieldError, Forbidden, NotFound
from app.events import service as events_service
from app.events.models import Event
from app.i18n import N_, _, format_moment
from app.pagination import Page, paginate
from app.policy import Action
from app.press.models import (
    MediaCoverage,
    PressApproval,
    PressItem,
    PressKind,
    PressStatus,
    PressVersion,
)
from app.press.schemas import LANGUAGE_ORDER, Language

log = logging.getLogger(__name__)
T = TypeVar("T", PressItem, MediaCoverage)

COVERAGE_FIELDS = ("outlet", "url", "title", "published_on", "language", "country")


class OutdatedVersion(Conflict):
    """The revision approved is not the item's current one: someone changed the text since."""

    default_message = N_("This version is outdated: the text has changed since. Read the current version and approve it.")


class NotApproved(Conflict):
    default_message = N_("This joint statement has not been approved by every delegation.")


class _Unset:
    pass


UNSET: Any = _Unset()


# --- reading a loaded item ------------------------------------------------------------------------


def _language_key(code: str) -> tuple[int, str]:
    return (LANGUAGE_ORDER.get(code, len(LANGUAGE_ORDER)), code)


def versions_by_language(item: PressItem) -> dict[str, list[PressVersion]]:
    """Every version, per language (English first), oldest first."""
    found: dict[str, list[PressVersion]] = {}
    for version in sorted(item.versions, key=lambda v: (_language_key(v.language), v.number)):
        found.setdefault(version.language, []).append(version)
    return found


def latest_texts(item: PressItem) -> list[PressVersion]:
    """The latest version of each language, English first."""
    return [versions[-1] for versions in versions_by_language(item).values()]


def latest_of(item: PressItem, language: str) -> PressVersion | None:
    versions = versions_by_language(item).get(language)
    return versions[-1] if versions else None


def headline(item: PressItem) -> PressVersion | None:
    """The text that names the item in lists: English when there is one."""
    texts = latest_texts(item)
    return texts[0] if texts else None


def is_current(item: PressItem, approval: PressApproval) -> bool:
    return approval.withdrawn_at is None and approval.revision == item.revision


def current_approvals(item: PressItem) -> list[PressApproval]:
    return [a for a in item.approvals if is_current(item, a)]


def approval_of(item: PressItem, delegation: Delegation) -> PressApproval | None:
    """The delegation's approval of the current revision, if it gave one."""
    return next((a for a in current_approvals(item) if a.delegation_id == delegation.id), None)


def missing_approvals(item: PressItem, delegations: list[Delegation]) -> list[Delegation]:
    approved = {a.delegation_id for a in current_approvals(item)}
    return [d for d in delegations if d.id not in approved]


def sees_drafts(viewer: User | None, event: Event) -> bool:
    """Organisers, press officers and coordinators of the event (and administrators)."""
    return policy.can(viewer, Action.PRESS_VIEW, event)


# --- reading --------------------------------------------------------------------------------------


def _item_options():  # type: ignore[no-untyped-def]
    return (
        selectinload(PressItem.versions).joinedload(PressVersion.author),
        selectinload(PressItem.approvals).joinedload(PressApproval.approved_by),
        joinedload(PressItem.session),
    )


def _with_event(items: list[T], event: Event) -> list[T]:
    for item in items:
        set_committed_value(item, "event", event)
    return items


@dataclass(frozen=True)
class PressFilter:
    status: PressStatus | None = None
    kind: PressKind | None = None


def list_for_event(
    db: Session,
    *,
    viewer: User | None,
    event: Event,
    filters: PressFilter | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[PressItem]:
    """The event's press items with their versions and approvals: all of them, newest first,
    for those who see drafts; the published ones, last published first, for everyone else."""
    policy.require(viewer, Action.EVENT_VIEW, event)
    query = select(PressItem).options(selectinload(PressItem.versions), selectinload(PressItem.approvals))
    query = query.where(PressItem.event_id == event.id)
    if sees_drafts(viewer, event):
        filters = filters or PressFilter()
        if filters.status is not None:
            query = query.where(PressItem.status == filters.status)
        if filters.kind is not None:
            query = query.where(PressItem.kind == filters.kind)
        query = query.order_by(PressItem.created_at.desc(), PressItem.id.desc())
    else:
        query = query.where(PressItem.status == PressStatus.PUBLISHED)
        query = query.order_by(PressItem.published_at.desc(), PressItem.id.desc())
    found = paginate(db, query, page=page, per_page=per_page)
    _with_event(found.items, event)
    return found


def delegations_of(db: Session, *, event: Event) -> list[Delegation]:
    """The delegations whose approval a joint statement of the event needs, in the order they
    were made (one query)."""
    delegations = list(db.scalars(select(Delegation).where(Delegation.event_id == event.id).order_by(Delegation.id)))
    for delegation in delegations:
        set_committed_value(delegation, "event", event)
    return delegations


def approvable(viewer: User | None, item: PressItem, delegations: list[Delegation]) -> list[Delegation]:
    """The delegations the viewer may approve this item for now (their own, as coordinator)."""
    if (
        item.kind != PressKind.JOINT_STATEMENT
        or item.status == PressStatus.PUBLISHED
        or not policy.can(viewer, Action.PRESS_APPROVE, item.event)
    ):
        return []
    return [d for d in delegations if policy.can(viewer, Action.PRESS_APPROVE, d)]


def get_for_viewer(db: Session, *, viewer: User | None, event: Event, press_id: int) -> PressItem:
    """The item of this event with its versions, approvals and session; NotFound for an item of
    another event or none, and for a draft or withdrawn item to whoever sees no drafts."""
    policy.require(viewer, Action.EVENT_VIEW, event)
    item = db.scalar(
        select(PressItem).options(*_item_options()).where(PressItem.id == press_id, PressItem.event_id == event.id)
    )
    if item is None or (item.status != PressStatus.PUBLISHED and not sees_drafts(viewer, event)):
        raise NotFound()
    set_committed_value(item, "event", event)
    return item


def check_approver(*, actor: User | None, event: Event) -> None:
    """For the approval form: coordinators of the event's delegations (and administrators); each
    approval is then checked against the delegation it is for."""
    policy.require(actor, Action.PRESS_APPROVE, event)


def check_viewable(*, viewer: User | None, event: Event) -> None:
    """For the internal pages (versions, differences): may the viewer see drafts?"""
    policy.require(viewer, Action.PRESS_VIEW, event)


def session_choices(db: Session, *, viewer: User | None, event: Event) -> list[tuple[int, str]]:
    """The event's sessions (for the item's session picker), in time order: (id, label)."""
    policy.require(viewer, Action.PRESS_MANAGE, event)
    rows = db.execute(
        select(AgendaSession.id, AgendaSession.title, AgendaSession.starts_at)
        .where(AgendaSession.event_id == event.id)
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    )
    return [(id_, f"{title} ({format_moment(starts_at, event.timezone, fmt='short')})") for id_, title, starts_at in rows]


def feed_items(db: Session, *, viewer: User | None, event: Event, limit: int = 50) -> list[PressItem]:
    """The latest published items, newest first, for the Atom feed."""
    policy.require(viewer, Action.EVENT_VIEW, event)
    query = (
        select(PressItem)
        .options(selectinload(PressItem.versions))
        .where(PressItem.event_id == event.id, PressItem.status == PressStatus.PUBLISHED)
        .order_by(PressItem.published_at.desc(), PressItem.id.desc())
        .limit(limit)
    )
    return _with_event(list(db.scalars(query)), event)


# --- writing items --------------------------------------------------------------------------------


def check_manageable(*, actor: User | None, event: Event) -> None:
    """For the pages that change press items and coverage: may the actor do it now?"""
    policy.require(actor, Action.PRESS_MANAGE, event)
    events_service.require_open(event)


def _session(db: Session, event: Event, session_id: int | None) -> AgendaSession | None:
    if session_id is None:
        return None
    session = db.scalar(select(AgendaSession).where(AgendaSession.id == session_id, AgendaSession.event_id == event.id))
    if session is None:
        raise FieldError("session_id", _("Choose a session of this event."))
    return session


def _lock(db: Session, item: PressItem) -> None:
    """Take the item's row lock (PostgreSQL; on SQLite a writing request holds the database's
    write lock already), so that an edit, an approval and a publication of the same item happen
    one after the other. An item changed by another request since this one read it is refused:
    what the actor saw is no longer what is there."""
    db.flush()
    row = db.execute(
        select(PressItem.revision, PressItem.status).where(PressItem.id == item.id).with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound()
    if (row.revision, row.status) != (item.revision, item.status):
        raise Conflict(_("This item has just been changed by someone else. Reload the page and try again."))


def create(
    db: Session,
    *,
    actor: User,
    event: Event,
    kind: PressKind,
    language: Language | str,
    title: str,
    body: str,
    session_id: int | None = None,
) -> PressItem:
    """A draft with its first version."""
    check_manageable(actor=actor, event=event)
    session = _session(db, event, session_id)
    item = PressItem(
        event=event, kind=kind, status=PressStatus.DRAFT, revision=1, session=session,
        created_by_id=actor.id, versions=[], approvals=[],
    )
    PressVersion(item=item, language=Language(language).value, number=1, revision=1, title=title, body=body, author_id=actor.id)
    db.add(item)
    db.flush()
    audit.record(db, actor, "press.create", item, kind=kind.value, language=Language(language).value)
    log.info("press item %s created by %s", item.id, actor_label(actor))
    return item


def edit(
    db: Session,
    *,
    actor: User,
    item: PressItem,
    language: Language | str,
    title: str | None = None,
    body: str | None = None,
    session_id: Any = UNSET,
) -> PressItem:
    """A new version of one language when its title or body changes (the one not given stays as
    it is): the revision grows and every approval given so far is withdrawn. `session_id`
    (None: none) changes the session only. A published item is refused: withdraw it first; a
    withdrawn item that is changed is a draft again."""
    check_manageable(actor=actor, event=item.event)
    _lock(db, item)
    if item.status == PressStatus.PUBLISHED:
        raise Conflict(_("This item is published: withdraw it before you change it."))
    language = Language(language).value
    latest = latest_of(item, language)
    new_title = title if title is not None else (latest.title if latest else None)
    new_body = body if body is not None else (latest.body if latest else None)
    text_given = title is not None or body is not None
    if text_given and new_title is None:
        raise FieldError("title", _("A new language needs a title as well as a body."))
    if text_given and new_body is None:
        raise FieldError("body", _("A new language needs a body as well as a title."))
    changed: list[str] = []
    if session_id is not UNSET and session_id != item.session_id:
        item.session = _session(db, item.event, session_id)
        changed.append("session_id")
    new_version: PressVersion | None = None
    withdrawn: list[PressApproval] = []
    text_changed = latest is None or (new_title, new_body) != (latest.title, latest.body)
    if text_given and new_title is not None and new_body is not None and text_changed:
        item.revision += 1
        new_version = PressVersion(
            item=item, language=language, number=latest.number + 1 if latest else 1,
            revision=item.revision, title=new_title, body=new_body, author_id=actor.id,
        )
        db.add(new_version)
        now = utcnow()
        withdrawn = [a for a in item.approvals if a.withdrawn_at is None]
        for approval in withdrawn:
            approval.withdrawn_at = now
        changed.append("text")
    if not changed:
        return item
    was = item.status
    if item.status == PressStatus.WITHDRAWN:
        item.status = PressStatus.DRAFT
    db.flush()
    details: dict[str, Any] = {"fields": changed, "revision": item.revision}
    if new_version is not None:
        details |= {"language": language, "version": new_version.number}
    if was != item.status:
        details["status"] = item.status.value
    audit.record(db, actor, "press.edit", item, **details)
    if withdrawn:
        audit.record(
            db, actor, "press.approvals_withdrawn", item, revision=item.revision,
            delegation_ids=sorted(a.delegation_id for a in withdrawn),
        )
    log.info("press item %s edited by %s (revision %s)", item.id, actor_label(actor), item.revision)
    return item


def _approving_delegation(actor: User, delegations: list[Delegation], delegation_id: int | None) -> Delegation:
    allowed = [d for d in delegations if policy.can(actor, Action.PRESS_APPROVE, d)]
    if delegation_id is not None:
        chosen = next((d for d in delegations if d.id == delegation_id), None)
        if chosen is None:
            raise NotFound(_("This event has no such delegation."))
        if chosen not in allowed:
            raise Forbidden(_("You may approve only for your own delegation."))
        return chosen
    if not allowed:
        raise Forbidden(_("Only a coordinator of one of the event's delegations may approve its joint statements."))
    if len(allowed) > 1:
        raise FieldError("delegation_id", _("Choose the delegation you approve for."))
    return allowed[0]


def approve(
    db: Session, *, actor: User, item: PressItem, revision: int, delegation_id: int | None = None
) -> PressApproval:
    """The actor's delegation approves `revision`, which must be the current one (OutdatedVersion
    otherwise). Approving again what one's delegation approved already changes nothing."""
    event = item.event
    policy.require(actor, Action.PRESS_APPROVE, event)
    delegation = _approving_delegation(actor, delegations_of(db, event=event), delegation_id)
    events_service.require_open(event)
    if item.kind != PressKind.JOINT_STATEMENT:
        raise Conflict(_("Only joint statements are approved by the delegations; a press release is published by the press officers."))
    _lock(db, item)
    if item.status == PressStatus.PUBLISHED:
        raise Conflict(_("This joint statement is published already."))
    if revision != item.revision:
        raise OutdatedVersion(
            _(
                "You approved revision %(approved)s, but the text has changed since: the current revision is "
                "%(current)s. Read it and approve it if your delegation agrees."
            )
            % {"approved": revision, "current": item.revision}
        )
    if (existing := approval_of(item, delegation)) is not None:
        return existing
    approval = PressApproval(item=item, delegation=delegation, revision=item.revision, approved_by_id=actor.id)
    db.add(approval)
    db.flush()
    audit.record(db, actor, "press.approve", item, delegation_id=delegation.id, revision=item.revision)
    log.info("press item %s revision %s approved for delegation %s by %s", item.id, item.revision, delegation.id, actor_label(actor))
    return approval


def publish(db: Session, *, actor: User, item: PressItem) -> PressItem:
    """Public from now on. A joint statement needs every delegation's approval of the current
    revision (NotApproved names the ones missing)."""
    check_manageable(actor=actor, event=item.event)
    _lock(db, item)
    if item.status == PressStatus.PUBLISHED:
        raise Conflict(_("This item is published already."))
    if item.kind == PressKind.JOINT_STATEMENT:
        delegations = delegations_of(db, event=item.event)
        if not delegations:
            raise NotApproved(_("This event has no delegations to approve the joint statement."))
        if missing := missing_approvals(item, delegations):
            names = ", ".join(d.name for d in missing)
            raise NotApproved(
                _(
                    "Revision %(revision)s has not been approved yet by: %(names)s. "
                    "Each delegation's coordinator must approve the current text before it is published."
                )
                % {"revision": item.revision, "names": names}
            )
    item.status = PressStatus.PUBLISHED
    item.published_at = utcnow()
    item.published_by_id = actor.id
    db.flush()
    audit.record(db, actor, "press.publish", item, revision=item.revision)
    log.info("press item %s published by %s", item.id, actor_label(actor))
    return item


def withdraw(db: Session, *, actor: User, item: PressItem) -> PressItem:
    """No longer public; it can be changed (it is a draft again then) or published again."""
    check_manageable(actor=actor, event=item.event)
    _lock(db, item)
    if item.status != PressStatus.PUBLISHED:
        raise Conflict(_("Only a published item can be withdrawn."))
    item.status = PressStatus.WITHDRAWN
    db.flush()
    audit.record(db, actor, "press.withdraw", item, revision=item.revision)
    log.info("press item %s withdrawn by %s", item.id, actor_label(actor))
    return item


def delete(db: Session, *, actor: User, item: PressItem) -> None:
    """Only a draft that was never published can be deleted; the others stay on record."""
    check_manageable(actor=actor, event=item.event)
    _lock(db, item)
    if item.status != PressStatus.DRAFT or item.published_at is not None:
        raise Conflict(_("Only a draft that was never published can be deleted. A published item can be withdrawn."))
    audit.record(db, actor, "press.delete", item, kind=item.kind.value)
    db.delete(item)
    db.flush()
    log.info("press item %s deleted by %s", item.id, actor_label(actor))


# --- media coverage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageFilter:
    language: str | None = None
    country: str | None = None
    q: str | None = None

    @property
    def used(self) -> bool:
        return any((self.language, self.country, self.q))


@dataclass
class CoverageCounts:
    """How many entries, by language, by country and by outlet (most first)."""

    total: int = 0
    by_language: list[tuple[str, int]] = field(default_factory=list)
    by_country: list[tuple[str, int]] = field(default_factory=list)
    by_outlet: list[tuple[str, int]] = field(default_factory=list)


def _coverage(event: Event, filters: CoverageFilter | None) -> Select[tuple[MediaCoverage]]:
    query = select(MediaCoverage).where(MediaCoverage.event_id == event.id)
    filters = filters or CoverageFilter()
    if filters.language:
        query = query.where(MediaCoverage.language == filters.language)
    if filters.country:
        query = query.where(MediaCoverage.country == filters.country)
    if filters.q:
        q = filters.q.strip()
        query = query.where(
            or_(MediaCoverage.outlet.icontains(q, autoescape=True), MediaCoverage.title.icontains(q, autoescape=True))
        )
    return query


def list_coverage(
    db: Session,
    *,
    viewer: User | None,
    event: Event,
    filters: CoverageFilter | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[MediaCoverage]:
    """The coverage log, latest first, one page of it."""
    policy.require(viewer, Action.PRESS_VIEW, event)
    query = _coverage(event, filters).order_by(MediaCoverage.published_on.desc(), MediaCoverage.id.desc())
    found = paginate(db, query, page=page, per_page=per_page)
    _with_event(found.items, event)
    return found


def coverage_rows(
    db: Session, *, viewer: User | None, event: Event, filters: CoverageFilter | None = None
) -> list[MediaCoverage]:
    """Every entry the log shows with these filters, latest first (for the CSV export)."""
    policy.require(viewer, Action.PRESS_VIEW, event)
    query = _coverage(event, filters).order_by(MediaCoverage.published_on.desc(), MediaCoverage.id.desc())
    return list(db.scalars(query))


def coverage_counts(
    db: Session, *, viewer: User | None, event: Event, filters: CoverageFilter | None = None
) -> CoverageCounts:
    """Counts of the entries with these filters, by language, country and outlet (one query)."""
    policy.require(viewer, Action.PRESS_VIEW, event)
    inner = _coverage(event, filters).subquery()
    rows = db.execute(
        select(inner.c.language, inner.c.country, inner.c.outlet, func.count()).group_by(
            inner.c.language, inner.c.country, inner.c.outlet
        )
    )
    languages: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    outlets: Counter[str] = Counter()
    for language, country, outlet, n in rows:
        languages[language] += n
        countries[country] += n
        outlets[outlet] += n

    def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda item: (-item[1], item[0].lower()))

    return CoverageCounts(sum(languages.values()), ranked(languages), ranked(countries), ranked(outlets))


def coverage_for_event(db: Session, *, event: Event) -> list[MediaCoverage]:
    """The event's whole coverage log, by the day it appeared (for the post-event summary; the
    caller decides who may see it)."""
    query = (
        select(MediaCoverage)
        .where(MediaCoverage.event_id == event.id)
        .order_by(MediaCoverage.published_on, MediaCoverage.id)
    )
    return _with_event(list(db.scalars(query)), event)


def get_coverage(db: Session, *, viewer: User | None, event: Event, coverage_id: int) -> MediaCoverage:
    """The entry of this event; Forbidden for whoever may not see the log (whatever the id),
    NotFound for an entry of another event or none."""
    policy.require(viewer, Action.PRESS_VIEW, event)
    coverage = db.scalar(
        select(MediaCoverage).where(MediaCoverage.id == coverage_id, MediaCoverage.event_id == event.id)
    )
    if coverage is None:
        raise NotFound()
    set_committed_value(coverage, "event", event)
    return coverage


def create_coverage(db: Session, *, actor: User, event: Event, fields: dict[str, Any]) -> MediaCoverage:
    """An entry of the log; `fields` are CoverageCreate's (validated by the caller's schema)."""
    check_manageable(actor=actor, event=event)
    coverage = MediaCoverage(event=event, created_by_id=actor.id, **{k: fields[k] for k in COVERAGE_FIELDS})
    db.add(coverage)
    db.flush()
    audit.record(db, actor, "coverage.create", coverage)
    log.info("coverage %s created by %s", coverage.id, actor_label(actor))
    return coverage


def update_coverage(db: Session, *, actor: User, coverage: MediaCoverage, fields: dict[str, Any]) -> MediaCoverage:
    """Change the given fields."""
    check_manageable(actor=actor, event=coverage.event)
    changed = sorted(k for k, v in fields.items() if k in COVERAGE_FIELDS and getattr(coverage, k) != v)
    if not changed:
        return coverage
    for key in changed:
        setattr(coverage, key, fields[key])
    db.flush()
    audit.record(db, actor, "coverage.update", coverage, fields=changed)
    log.info("coverage %s updated by %s", coverage.id, actor_label(actor))
    return coverage


def delete_coverage(db: Session, *, actor: User, coverage: MediaCoverage) -> None:
    check_manageable(actor=actor, event=coverage.event)
    audit.record(db, actor, "coverage.delete", coverage)
    db.delete(coverage)
    db.flush()
    log.info("coverage %s deleted by %s", coverage.id, actor_label(actor))
