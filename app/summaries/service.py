"""The post-event summary: who reads which variant, and the organisers' edits and publication.

Reading: the internal variant is for SUMMARY_VIEW (organisers, press officers, administrators);
the public variant is for whoever may see the event (EVENT_VIEW) once it is published, and for
SUMMARY_VIEW at any time (a preview). Without a published summary everyone else gets a 404, as
if there were none. The record itself is assembled by `app.summaries.record`.

Writing: SUMMARY_MANAGE (organisers, administrators) edits the introduction and the conclusion
and publishes or unpublishes the public variant; each is audited.
"""

import logging

from sqlalchemy.orm import Session

from app import audit, policy
from app.accounts.models import User
from app.accounts.service import actor_label
from app.db import utcnow
from app.errors import Conflict, NotFound
from app.events import service as events_service
from app.events.models import Event, EventStatus
from app.i18n import _
from app.policy import Action
from app.summaries import record as records
from app.summaries.models import EventSummary
from app.summaries.record import SummaryRecord, Variant

log = logging.getLogger(__name__)

FIELDS = ("introduction", "conclusion")
# A summary sums up what happened: it goes public once the event is under way or over.
PUBLISHABLE = frozenset({EventStatus.ONGOING, EventStatus.CONCLUDED})


# --- reading -----------------------------------------------------------------------------------


def sees_internal(viewer: User | None, event: Event) -> bool:
    return policy.can(viewer, Action.SUMMARY_VIEW, event)


def variant_for(viewer: User | None, event: Event, asked: Variant | None) -> Variant:
    """The variant asked for, or the fullest the viewer may read; Forbidden for the internal
    variant without SUMMARY_VIEW."""
    policy.require(viewer, Action.EVENT_VIEW, event)
    if asked is None:
        return Variant.INTERNAL if sees_internal(viewer, event) else Variant.PUBLIC
    if asked == Variant.INTERNAL:
        policy.require(viewer, Action.SUMMARY_VIEW, event)
    return asked


def record_for_viewer(
    db: Session, *, viewer: User | None, event: Event, variant: Variant | None = None
) -> SummaryRecord:
    """The summary in the variant the viewer asked for (or may read); NotFound for the public
    variant before it is published, except for SUMMARY_VIEW (their preview)."""
    chosen = variant_for(viewer, event, variant)
    words, participation = records.words_and_participation(db, event)
    if chosen == Variant.PUBLIC and not words.is_published and not sees_internal(viewer, event):
        raise NotFound()
    return records.assemble(db, event=event, variant=chosen, words=words, participation=participation)


def record_for_download(
    db: Session, *, viewer: User | None, event: Event, variant: Variant | None, fmt: str, client: str | None = None
) -> SummaryRecord:
    """The summary as `record_for_viewer` reads it, for a file or the API: taking away the
    internal variant (it names people) is written to the audit log."""
    record = record_for_viewer(db, viewer=viewer, event=event, variant=variant)
    if record.variant == Variant.INTERNAL:
        audit.record(db, viewer, "summary.export", event, client=client, format=fmt, variant=record.variant.value)
        log.info("summary of event %s taken as %s by %s", event.id, fmt, actor_label(viewer) if viewer else None)
    return record


def get_state(db: Session, *, viewer: User | None, event: Event) -> EventSummary | None:
    """The organisers' words and publication state (None: nothing written yet)."""
    policy.require(viewer, Action.SUMMARY_VIEW, event)
    return records.summary_row(db, event)


# --- writing -----------------------------------------------------------------------------------


def check_manageable(*, actor: User | None, event: Event) -> None:
    """For the pages that change the summary: may the actor do it now?"""
    policy.require(actor, Action.SUMMARY_MANAGE, event)
    events_service.require_open(event)


def _row(db: Session, event: Event) -> EventSummary:
    summary = records.summary_row(db, event)
    if summary is None:
        summary = EventSummary(event=event, introduction="", conclusion="")
        db.add(summary)
    return summary


def update(db: Session, *, actor: User, event: Event, introduction: str, conclusion: str) -> EventSummary:
    """Set the introduction and the conclusion (Markdown; validated by the caller's schema)."""
    check_manageable(actor=actor, event=event)
    summary = _row(db, event)
    wanted = {"introduction": introduction, "conclusion": conclusion}
    changed = sorted(k for k in FIELDS if getattr(summary, k) != wanted[k])
    if not changed and summary.id is not None:
        return summary
    for key in changed:
        setattr(summary, key, wanted[key])
    summary.updated_by_id = actor.id
    db.flush()
    audit.record(db, actor, "summary.update", summary, event_id=event.id, fields=changed)
    log.info("summary of event %s updated by %s", event.id, actor_label(actor))
    return summary


def publish(db: Session, *, actor: User, event: Event) -> EventSummary:
    """Make the public variant public (from now on; publishing again changes nothing)."""
    check_manageable(actor=actor, event=event)
    if event.status not in PUBLISHABLE:
        raise Conflict(_("The public summary can be published once the event is under way or concluded."))
    summary = _row(db, event)
    if summary.published_at is not None:
        return summary
    summary.published_at = utcnow()
    summary.updated_by_id = actor.id
    db.flush()
    audit.record(db, actor, "summary.publish", summary, event_id=event.id)
    log.info("summary of event %s published by %s", event.id, actor_label(actor))
    return summary


def unpublish(db: Session, *, actor: User, event: Event) -> EventSummary | None:
    """Take the public variant down (it can be published again)."""
    check_manageable(actor=actor, event=event)
    summary = records.summary_row(db, event)
    if summary is None or summary.published_at is None:
        return summary
    summary.published_at = None
    summary.updated_by_id = actor.id
    db.flush()
    audit.record(db, actor, "summary.unpublish", summary, event_id=event.id)
    log.info("summary of event %s unpublished by %s", event.id, actor_label(actor))
    return summary
