"""Session outcomes: the rapporteur's notes and key points of each session of an event.

Under the Chatham House Rule what was said may be used, but not who said it: an outcome of such
a session may not name any of its speakers, moderators or guests, nor their organisation or
institution (refused on save, field by field), and no page or export puts a speaker next to an
outcome. `rows_for_event` is what other domains (the post-event summary) read: it carries no
speaker at all.

Breaks have no outcome (their outcome's address is a 404). A cancelled session keeps an outcome
written before it was cancelled (shown, marked cancelled), but takes no new one; the list of the
event's sessions leaves out cancelled sessions without an outcome.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, policy
from app.accounts.models import User
from app.accounts.service import actor_label
from app.agenda.models import AgendaSession, Audience, SessionKind, SessionSpeaker, SessionStatus
from app.errors import Conflict, FieldError, NotFound
from app.events import service as events_service
from app.events.models import Event
from app.i18n import _
from app.outcomes.models import Outcome
from app.outcomes.schemas import OutcomeIn
from app.policy import Action

log = logging.getLogger(__name__)

FIELDS = ("notes", "key_points", "is_public")


# --- what other domains read ---------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    """One outcome with what a summary shows of its session; never a speaker (no attribution)."""

    session_id: int
    session_title: str
    kind: SessionKind
    starts_at: datetime  # UTC
    ends_at: datetime
    chatham_house: bool
    notes: str  # Markdown
    key_points: list[str]
    is_public: bool


def rows_for_event(db: Session, *, event: Event, public_only: bool) -> list[OutcomeRow]:
    """The event's outcomes by their sessions' start, in one query. With `public_only`, only
    those marked public whose session is published, open to everyone and not cancelled.

    No permission is checked here: the caller decides who may read which variant."""
    query = (
        select(
            AgendaSession.id, AgendaSession.title, AgendaSession.kind, AgendaSession.starts_at,
            AgendaSession.ends_at, AgendaSession.chatham_house,
            Outcome.notes, Outcome.key_points, Outcome.is_public,
        )
        .join(Outcome, Outcome.session_id == AgendaSession.id)
        .where(AgendaSession.event_id == event.id)
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    )
    if public_only:
        query = query.where(
            Outcome.is_public.is_(True),
            AgendaSession.is_published.is_(True),
            AgendaSession.audience == Audience.EVERYONE,
            AgendaSession.status != SessionStatus.CANCELLED,
        )
    return [
        OutcomeRow(
            session_id=row.id, session_title=row.title, kind=row.kind, starts_at=row.starts_at,
            ends_at=row.ends_at, chatham_house=row.chatham_house, notes=row.notes or "",
            key_points=list(row.key_points or []), is_public=row.is_public,
        )
        for row in db.execute(query)
    ]


# --- reading -------------------------------------------------------------------------------------


class Show(StrEnum):
    """The list's filter."""

    WITH = "with"
    WITHOUT = "without"


@dataclass(frozen=True)
class SessionOutcome:
    """A session of the event and its outcome, if it has one."""

    session: AgendaSession
    outcome: Outcome | None


def takes_outcome(session: AgendaSession) -> bool:
    """Whether the session has an outcome page at all (breaks have none)."""
    return session.kind != SessionKind.BREAK


def list_for_event(db: Session, *, viewer: User | None, event: Event, show: Show | None = None) -> list[SessionOutcome]:
    """Every session of the event that takes an outcome, by start, with its outcome or None (and
    the session's translations, for its title in the reader's language): two queries. Cancelled
    sessions are left out unless they have one. `show` keeps the sessions with (or without) an
    outcome."""
    policy.require(viewer, Action.OUTCOME_VIEW, event)
    query = (
        select(AgendaSession, Outcome)
        .options(selectinload(AgendaSession.translations))
        .outerjoin(Outcome, Outcome.session_id == AgendaSession.id)
        .where(AgendaSession.event_id == event.id, AgendaSession.kind != SessionKind.BREAK)
        .where((AgendaSession.status != SessionStatus.CANCELLED) | Outcome.id.is_not(None))
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    )
    if show == Show.WITH:
        query = query.where(Outcome.id.is_not(None))
    elif show == Show.WITHOUT:
        query = query.where(Outcome.id.is_(None))
    found = []
    for session, outcome in db.execute(query):
        set_committed_value(session, "event", event)
        if outcome is not None:
            set_committed_value(outcome, "session", session)
        found.append(SessionOutcome(session=session, outcome=outcome))
    return found


def outcomes_of(db: Session, *, viewer: User | None, event: Event) -> list[SessionOutcome]:
    """The event's outcomes (only those that exist), by their sessions' start."""
    return list_for_event(db, viewer=viewer, event=event, show=Show.WITH)


def check_session(session: AgendaSession) -> None:
    """A break has no outcome: as if there were no such page."""
    if not takes_outcome(session):
        raise NotFound()


def find(db: Session, *, viewer: User | None, session: AgendaSession) -> Outcome | None:
    """The session's outcome, or None when nobody has written it yet (with who saved it last)."""
    policy.require(viewer, Action.OUTCOME_VIEW, session.event)
    check_session(session)
    outcome = db.scalar(
        select(Outcome).options(joinedload(Outcome.updated_by)).where(Outcome.session_id == session.id)
    )
    if outcome is not None:
        set_committed_value(outcome, "session", session)
    return outcome


def get(db: Session, *, viewer: User | None, session: AgendaSession) -> Outcome:
    """The session's outcome; NotFound when it has none."""
    outcome = find(db, viewer=viewer, session=session)
    if outcome is None:
        raise NotFound(_("This session has no outcome yet."))
    return outcome


# --- the Chatham House Rule ----------------------------------------------------------------------


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _pattern(words: str) -> re.Pattern[str] | None:
    """The words as a whole-word, case- and spacing-insensitive pattern."""
    parts = _normalised(words).split()
    if not parts:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(p) for p in parts) + r"(?!\w)")


def _name_variants(given: str, family: str) -> list[str]:
    if not (given.strip() and family.strip()):
        return [f"{given} {family}".strip()]
    return [f"{given} {family}", f"{family} {given}", f"{family}, {given}"]


def attributions(session: AgendaSession) -> list[str]:
    """What would attribute something said in the session: each speaker's, moderator's and
    guest's name (Latin and native script, given and family name in either order) and their
    organisation or institution. (The session's speakers must be loaded.)"""
    words: list[str] = []
    for speaker in session.speakers:
        words.extend(_speaker_words(speaker))
    return [w for w in dict.fromkeys(w.strip() for w in words) if w]


def _speaker_words(speaker: SessionSpeaker) -> list[str]:
    if speaker.official is not None:
        official = speaker.official
        return [official.name, official.name_native, official.institution]
    if speaker.registration is None:
        return []
    person = speaker.registration.person
    return [
        *_name_variants(person.given_name, person.family_name),
        *_name_variants(person.given_name_native, person.family_name_native),
        person.organisation,
    ]


def attributed_words(text: str, words: list[str]) -> list[str]:
    """The passages of `text` (as written there) that name one of `words`, each once."""
    haystack = _normalised(text)
    found: list[str] = []
    for word in words:
        pattern = _pattern(word)
        if pattern is None:
            continue
        for match in pattern.finditer(haystack):
            found.append(_original(text, haystack, match))
    return list(dict.fromkeys(found))


def _original(text: str, haystack: str, match: re.Match[str]) -> str:
    """The matched passage as the author wrote it, where normalising kept the length."""
    if len(text) == len(haystack):
        return text[match.start() : match.end()]
    return match.group(0)


def _quote(words: list[str]) -> str:
    return ", ".join(f"“{w}”" for w in words)


def check_attribution(session: AgendaSession, data: OutcomeIn) -> None:
    """Under the Chatham House Rule: refuse notes or key points that name a speaker or their
    organisation (FieldError on the field, naming the words to remove)."""
    if not session.chatham_house:
        return
    words = attributions(session)
    if not words:
        return
    in_notes = attributed_words(data.notes, words)
    if in_notes:
        raise FieldError(
            "notes",
            _(
                "This session was held under the Chatham House Rule: nothing may be attributed to anyone. "
                "Remove %(words)s from the notes."
            )
            % {"words": _quote(in_notes)},
        )
    in_points = attributed_words("\n".join(data.key_points), words)
    if in_points:
        raise FieldError(
            "key_points",
            _(
                "This session was held under the Chatham House Rule: nothing may be attributed to anyone. "
                "Remove %(words)s from the key points."
            )
            % {"words": _quote(in_points)},
        )


# --- writing -------------------------------------------------------------------------------------


def check_manageable(*, actor: User | None, session: AgendaSession) -> None:
    """For the pages that change an outcome: may the actor do it now?"""
    policy.require(actor, Action.OUTCOME_MANAGE, session.event)
    events_service.require_open(session.event)
    check_session(session)


def save(db: Session, *, actor: User, session: AgendaSession, data: OutcomeIn) -> Outcome:
    """Create the session's outcome or replace it. A cancelled session takes no new outcome
    (Conflict); under the Chatham House Rule nothing may be attributed (FieldError). The
    session's speakers must be loaded (the agenda's session loader does)."""
    check_manageable(actor=actor, session=session)
    outcome = db.scalar(select(Outcome).where(Outcome.session_id == session.id))
    if outcome is None and session.status == SessionStatus.CANCELLED:
        raise Conflict(_("This session was cancelled: it takes no outcome."))
    check_attribution(session, data)
    fields: dict[str, Any] = data.model_dump(include=set(FIELDS))
    if outcome is None:
        outcome = Outcome(session=session, updated_by_id=actor.id, **fields)
        db.add(outcome)
        db.flush()
        audit.record(db, actor, "outcome.create", outcome, event_id=session.event_id, session_id=session.id)
        log.info("outcome %s of session %s created by %s", outcome.id, session.id, actor_label(actor))
        return outcome
    set_committed_value(outcome, "session", session)
    changed = sorted(k for k in FIELDS if getattr(outcome, k) != fields[k])
    if not changed:
        return outcome
    for key in changed:
        setattr(outcome, key, fields[key])
    outcome.updated_by_id = actor.id
    db.flush()
    audit.record(db, actor, "outcome.update", outcome, event_id=session.event_id, session_id=session.id, fields=changed)
    log.info("outcome %s of session %s updated by %s", outcome.id, session.id, actor_label(actor))
    return outcome


def delete(db: Session, *, actor: User, session: AgendaSession) -> None:
    """Delete the session's outcome (NotFound when it has none)."""
    check_manageable(actor=actor, session=session)
    outcome = db.scalar(select(Outcome).where(Outcome.session_id == session.id))
    if outcome is None:
        raise NotFound(_("This session has no outcome."))
    audit.record(db, actor, "outcome.delete", outcome, event_id=session.event_id, session_id=session.id)
    db.delete(outcome)
    db.flush()
    log.info("outcome %s of session %s deleted by %s", outcome.id, session.id, actor_label(actor))
