"""Change notices: what moved in a delegate's itinerary, recorded when it happens and told in
one e-mail per delegate for the changes of a short window.

The agenda and the crossings call `record_session_change`, `record_session_deleted` and
`record_crossing_change` after a write; each finds the registrations concerned and inserts
their ItineraryChange rows in one INSERT … SELECT (no query per person). `send_due_notices`,
run by the outbox worker and by `parley mail send`, claims the pending changes of the
registrations whose oldest pending change is older than PARLEY_ITINERARY_NOTICE_MINUTES and
queues one e-mail per registration.
"""

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, false, func, insert, inspect, literal, or_, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from app.agenda.models import (
    AgendaSession,
    Audience,
    Room,
    SessionInvitee,
    SessionSpeaker,
    SessionStatus,
)
from app.config import get_settings
from app.crossings.models import Crossing, CrossingDirection, ManifestEntry, ManifestStatus
from app.db import UTCDateTime, utcnow
from app.events.models import Event
from app.i18n import _, current_language, format_day, ngettext
from app.itineraries.models import ChangeKind, ItineraryChange
from app.mail import service as mail
from app.registrations.models import Circle, Registration, RegistrationStatus

log = logging.getLogger(__name__)

# The registrations whose holders come to the event (the audience of a session, a crossing).
ATTENDING = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED})
# What a session's notice depends on, as it was before a write (see `session_before`).
SESSION_SNAPSHOT = ("starts_at", "ends_at", "room_id", "status", "is_published")
SUMMARY_LENGTH = ItineraryChange.__table__.c.summary.type.length


def session_before(session: AgendaSession) -> dict[str, Any]:
    """What `record_session_change` compares with: taken before the session is changed."""
    return {key: getattr(session, key) for key in SESSION_SNAPSHOT}


def crossing_before(crossing: Crossing) -> dict[str, Any]:
    return {"planned_at": crossing.planned_at, "meeting_at": crossing.meeting_at}


# --- words, on the event's clock -----------------------------------------------------------------


def _clock(event: Event, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(event.timezone))


def _day(moment: datetime) -> str:
    return format_day(moment.date(), current_language(), fmt="EEE d MMM")  # "Fri 13 Feb"


def _moment(event: Event, moment: datetime, *, since: datetime | None = None) -> str:
    """"Fri 13 Feb 16:30", or "17:00" alone when it is the same day as `since`."""
    at = _clock(event, moment)
    if since is not None and _clock(event, since).date() == at.date():
        return f"{at:%H:%M}"
    return f"{_day(at)} {at:%H:%M}"


def _room_name(db: Session, session: AgendaSession) -> str:
    if session.room_id is None:
        return ""
    room = db.get(Room, session.room_id)  # the identity map has it after a write
    return room.name if room is not None else ""


# --- what changed: details recorded when it happens, worded when read ------------------------------
#
# A change keeps what it says as details (JSON): times as ISO moments, the room, the session's
# title as written ("") and in each language it is translated into. `describe` words them in the
# reader's language (the page's, or the e-mail's recipient's); `summary` keeps the writer's words.


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _moment_of(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _titles(session: AgendaSession) -> dict[str, str]:
    titles = {"": session.title}
    if "translations" not in inspect(session).unloaded:
        titles.update({t.language: t.title for t in session.translations if t.title})
    return titles


def _session_details(db: Session, session: AgendaSession, kind: ChangeKind, before: Mapping[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {
        "titles": _titles(session), "starts_at": _iso(session.starts_at), "ends_at": _iso(session.ends_at),
    }
    if kind == ChangeKind.SESSION_MOVED:
        details["old_starts_at"] = _iso(before.get("starts_at", session.starts_at))
        details["old_ends_at"] = _iso(before.get("ends_at", session.ends_at))
    if kind != ChangeKind.SESSION_CANCELLED and before.get("room_id", session.room_id) != session.room_id:
        details["room"] = _room_name(db, session)  # "": no room any more
    return details


def _session_summary(event: Event, kind: ChangeKind, details: Mapping[str, Any]) -> str:
    titles = details["titles"]
    title = titles.get(current_language()) or titles[""]
    starts_at, ends_at = _moment_of(details["starts_at"]), _moment_of(details["ends_at"])
    assert starts_at is not None and ends_at is not None  # noqa: S101 (recorded by _session_details)
    if kind == ChangeKind.SESSION_CANCELLED:
        return _("“%(title)s” on %(when)s is cancelled") % {"title": title, "when": _moment(event, starts_at)}
    parts = []
    if kind == ChangeKind.SESSION_MOVED:
        old_start = _moment_of(details.get("old_starts_at")) or starts_at
        old_end = _moment_of(details.get("old_ends_at")) or ends_at
        if old_start != starts_at:
            parts.append(_("“%(title)s” moves from %(old)s to %(new)s (%(zone)s)") % {
                "title": title, "old": _moment(event, old_start),
                "new": _moment(event, starts_at, since=old_start), "zone": event.timezone,
            })
        else:
            parts.append(_("“%(title)s” on %(day)s now ends at %(new)s instead of %(old)s (%(zone)s)") % {
                "title": title, "day": _moment(event, starts_at),
                "new": _moment(event, ends_at, since=starts_at),
                "old": _moment(event, old_end, since=starts_at), "zone": event.timezone,
            })
    if "room" in details:
        room = details["room"]
        if kind == ChangeKind.SESSION_ROOM:
            parts.append(
                _("“%(title)s” moves to the room %(room)s") % {"title": title, "room": room} if room
                else _("“%(title)s” has no room any more; it will be announced") % {"title": title}
            )
        else:
            parts.append(_("in the room %(room)s") % {"room": room} if room else _("room to be announced"))
    return ", ".join(parts)


def _crossing_place(crossing: Crossing) -> str:
    point, country = crossing.crossing_point, crossing.delegation.country
    return point.name_b if country == point.country_b and country != point.country_a else point.name_a


def _crossing_details(crossing: Crossing, before: Mapping[str, Any]) -> dict[str, Any]:
    details: dict[str, Any] = {
        "direction": crossing.direction.value, "place": _crossing_place(crossing),
        "planned_at": _iso(crossing.planned_at),
    }
    old_planned = before.get("planned_at", crossing.planned_at)
    if old_planned != crossing.planned_at:
        details["old_planned_at"] = _iso(old_planned)
    old_meeting = before.get("meeting_at", crossing.meeting_at)
    if old_meeting != crossing.meeting_at:
        details["meeting"] = {
            "old": _iso(old_meeting), "new": _iso(crossing.meeting_at), "place": crossing.meeting_point,
        }
    return details


def _crossing_summary(event: Event, details: Mapping[str, Any]) -> str:
    what = (
        _("Your delegation's arrival through %(place)s") if details["direction"] == CrossingDirection.ARRIVAL
        else _("Your delegation's departure through %(place)s")
    ) % {"place": details["place"]}
    planned_at = _moment_of(details["planned_at"])
    assert planned_at is not None  # noqa: S101 (recorded by _crossing_details)
    parts = []
    if old_planned := _moment_of(details.get("old_planned_at")):
        parts.append(_("moves from %(old)s to %(new)s") % {
            "old": _moment(event, old_planned), "new": _moment(event, planned_at, since=old_planned),
        })
    if meeting := details.get("meeting"):
        new_meeting = _moment_of(meeting["new"])
        if new_meeting is None:
            parts.append(_("has no gathering time any more"))
        else:
            place = meeting["place"]
            at = _moment(event, new_meeting, since=_moment_of(meeting["old"]) or planned_at)
            parts.append(
                _("now gathers at %(when)s at %(place)s") % {"when": at, "place": place} if place
                else _("now gathers at %(when)s") % {"when": at}
            )
    return f"{what} {' '.join([parts[0], *(_('and') + ' ' + p for p in parts[1:])])} ({event.timezone})"


def summary_of(event: Event, kind: ChangeKind, details: Mapping[str, Any]) -> str:
    """A change in words, in the current language."""
    if kind == ChangeKind.CROSSING_MOVED:
        return _crossing_summary(event, details)
    return _session_summary(event, kind, details)


def describe(change: Any, event: Event) -> str:
    """What a change (an ItineraryChange, or a row of its `id`, `kind`, `summary` and `details`)
    says, in the reader's language; the words written when it happened for one without details."""
    if not change.details:
        return change.summary
    try:
        return summary_of(event, change.kind, json.loads(change.details))
    except (ValueError, KeyError, TypeError):
        log.warning("itinerary change %s: details cannot be read", change.id)
        return change.summary


# --- who is concerned ----------------------------------------------------------------------------


def _session_audience(session: AgendaSession, *, published: bool) -> ColumnElement[bool]:
    """Which registrations of the event a session is in the itinerary of: its speakers, its
    invited list (for an audience of invitees) and, once published, its audience."""
    speakers = select(SessionSpeaker.registration_id).where(
        SessionSpeaker.session_id == session.id, SessionSpeaker.registration_id.is_not(None)
    )
    who: list[ColumnElement[bool]] = [Registration.id.in_(speakers)]
    if session.audience == Audience.INVITED:
        who.append(Registration.id.in_(select(SessionInvitee.registration_id).where(SessionInvitee.session_id == session.id)))
    if published:
        if session.audience == Audience.EVERYONE:
            who.append(literal(True))
        elif session.audience == Audience.CORE:
            who.append(Registration.circle == Circle.CORE)
        elif session.audience == Audience.DELEGATION:
            who.append(Registration.delegation_id == session.audience_delegation_id
                       if session.audience_delegation_id is not None else false())
    return and_(Registration.event_id == session.event_id, Registration.status.in_(ATTENDING), or_(*who))


def _crossing_people(crossing: Crossing) -> ColumnElement[bool]:
    """The people on the manifest (not refused); with an empty manifest, the delegation's
    confirmed registrations."""
    on_manifest = select(ManifestEntry.registration_id).where(
        ManifestEntry.crossing_id == crossing.id, ManifestEntry.status != ManifestStatus.REFUSED
    )
    any_entry = exists().where(ManifestEntry.crossing_id == crossing.id)
    return or_(
        Registration.id.in_(on_manifest),
        and_(
            ~any_entry,
            Registration.event_id == crossing.event_id,
            Registration.delegation_id == crossing.delegation_id,
            Registration.status.in_(ATTENDING),
        ),
    )


def _insert(
    db: Session, *, event: Event, kind: ChangeKind, subject_id: int, details: Mapping[str, Any],
    who: ColumnElement[bool],
) -> int:
    """One change for each registration `who` selects, in one INSERT … SELECT; its summary in
    the writer's language, its details as JSON (text, as the summary: both back ends take it)."""
    rows = select(
        Registration.id,
        literal(kind, ItineraryChange.__table__.c.kind.type),
        literal(subject_id),
        literal(summary_of(event, kind, details)[:SUMMARY_LENGTH]),
        literal(json.dumps(details, ensure_ascii=False)),
        literal(utcnow(), UTCDateTime),
    ).where(who)
    columns = ["registration_id", "kind", "subject_id", "summary", "details", "created_at"]
    result = db.execute(insert(ItineraryChange).from_select(columns, rows))
    return max(result.rowcount or 0, 0)  # type: ignore[attr-defined]


# --- recording -----------------------------------------------------------------------------------


def _session_kind(session: AgendaSession, changed: set[str], before: Mapping[str, Any]) -> ChangeKind | None:
    was_cancelled = before.get("status", session.status) == SessionStatus.CANCELLED
    if session.status == SessionStatus.CANCELLED:
        return ChangeKind.SESSION_CANCELLED if not was_cancelled and "status" in changed else None
    if was_cancelled:  # reinstated: its people have it in their itinerary again
        return None
    if changed & {"starts_at", "ends_at"} and (
        before.get("starts_at") != session.starts_at or before.get("ends_at") != session.ends_at
    ):
        return ChangeKind.SESSION_MOVED
    if "room_id" in changed and before.get("room_id") != session.room_id:
        return ChangeKind.SESSION_ROOM
    return None


def record_session_change(
    db: Session, *, session: AgendaSession, changed_fields: Iterable[str], before: Mapping[str, Any]
) -> int:
    """After a session was saved: a change for each registration concerned when its time or
    room changed or it was cancelled (`before` from `session_before`). Returns how many."""
    kind = _session_kind(session, set(changed_fields), before)
    if kind is None:
        return 0
    # A session published by this very save was never in its audience's itineraries.
    published = session.is_published and bool(before.get("is_published", True))
    count = _insert(
        db, event=session.event, kind=kind, subject_id=session.id,
        details=_session_details(db, session, kind, before), who=_session_audience(session, published=published),
    )
    log.info("session %s: %s change(s) %s recorded", session.id, count, kind.value)
    return count


def record_session_deleted(db: Session, *, session: AgendaSession) -> int:
    """Before a session is deleted: to its people, it is cancelled (unless it was already)."""
    if session.status == SessionStatus.CANCELLED:
        return 0
    count = _insert(
        db, event=session.event, kind=ChangeKind.SESSION_CANCELLED, subject_id=session.id,
        details=_session_details(db, session, ChangeKind.SESSION_CANCELLED, {}),
        who=_session_audience(session, published=session.is_published),
    )
    log.info("session %s: %s change(s) session_cancelled recorded on deletion", session.id, count)
    return count


def record_crossing_change(db: Session, *, crossing: Crossing, before: Mapping[str, Any]) -> int:
    """After a crossing was saved: a change for each person crossing when its planned or
    gathering time changed (`before` from `crossing_before`). Returns how many."""
    if before.get("planned_at", crossing.planned_at) == crossing.planned_at and (
        before.get("meeting_at", crossing.meeting_at) == crossing.meeting_at
    ):
        return 0
    count = _insert(
        db, event=crossing.event, kind=ChangeKind.CROSSING_MOVED, subject_id=crossing.id,
        details=_crossing_details(crossing, before), who=_crossing_people(crossing),
    )
    log.info("crossing %s: %s change(s) recorded", crossing.id, count)
    return count


# --- telling -------------------------------------------------------------------------------------


def send_due_notices(db: Session, *, now: datetime | None = None) -> int:
    """Queue one e-mail per registration whose oldest unnotified change is older than the
    window, listing all its unnotified changes; returns how many e-mails. The changes are
    claimed with one UPDATE … WHERE notified_at IS NULL … RETURNING, so two workers never tell
    the same change twice; a registration without an e-mail address has its changes marked
    without an e-mail (they still show on the itinerary page). The caller commits."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=get_settings().itinerary_notice_minutes)
    due = (
        select(ItineraryChange.registration_id)
        .where(ItineraryChange.notified_at.is_(None))
        .group_by(ItineraryChange.registration_id)
        .having(func.min(ItineraryChange.created_at) <= cutoff)
    )
    claimed = db.execute(
        update(ItineraryChange)
        .where(
            ItineraryChange.notified_at.is_(None),
            ItineraryChange.created_at <= now,
            ItineraryChange.registration_id.in_(due.scalar_subquery()),
        )
        .values(notified_at=now)
        .returning(ItineraryChange.registration_id, ItineraryChange.kind, ItineraryChange.summary,
                   ItineraryChange.details, ItineraryChange.created_at, ItineraryChange.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return 0
    changes: dict[int, list[Any]] = defaultdict(list)  # the claimed rows, worded per recipient below
    for row in sorted(claimed, key=lambda row: (row.created_at, row.id)):
        changes[row.registration_id].append(row)
    registrations = list(db.scalars(
        select(Registration)
        .options(joinedload(Registration.person), joinedload(Registration.event))
        .where(Registration.id.in_(changes))
    ))
    languages = mail.recipients_languages(db, [r.person.email for r in registrations if r.person.email])
    base_url = get_settings().base_url.rstrip("/")
    sent = 0
    for registration in registrations:
        if not registration.person.email:
            continue
        with mail.in_recipients_language(db, registration.person.email, known=languages):
            summaries = [describe(change, registration.event) for change in changes[registration.id]]
            mail.queue(
                db,
                to=registration.person.email,
                subject=ngettext(
                    "A change to your itinerary for %(event)s", "%(n)s changes to your itinerary for %(event)s",
                    len(summaries),
                ) % {"event": registration.event.title, "n": len(summaries)},
                template="emails/itinerary_changes.html",
                context={"registration": registration, "changes": summaries, "base_url": base_url},
            )
        sent += 1
    db.flush()
    log.info("itinerary notices: %s change(s) claimed, %s e-mail(s) queued", len(claimed), sent)
    return sent
