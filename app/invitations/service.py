"""Invitations: single-use, expiring links for one address to register into a delegation.

Only the hash of a link's token is stored; the token itself exists in the e-mail alone. Every
change of an invitation's state is a compare-and-set UPDATE (`WHERE status = 'pending'`), so that
a link used by many requests at once registers one person, and a revoke cannot undo an acceptance.
"""

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from app import audit, i18n, policy
from app.accounts import service as accounts
from app.accounts.models import User
from app.accounts.schemas import UserCreate
from app.config import get_settings
from app.db import utcnow
from app.delegations.models import Delegation, DelegationCoordinator
from app.errors import Conflict, DomainError, FieldError, Forbidden, NotFound
from app.events.models import Event, EventStaff, EventStatus, StaffRole
from app.forms import errors_by_field
from app.i18n import N_, _
from app.invitations.models import Invitation, InvitationStatus
from app.invitations.schemas import (
    BATCH_MAX,
    DOCUMENT_FIELDS,
    InvitationCreate,
    InvitationFilter,
    InvitationState,
    InvitationUpdate,
    RegistrationFields,
    state_of,
)
from app.mail import service as mail
from app.pagination import Page, paginate
from app.policy import Action
from app.registrations import service as registrations
from app.registrations.models import Category, Circle, ConsentKind, Person, Registration
from app.registrations.schemas import (
    NeedsFields,
    PersonFields,
    RegistrationCreate,
    TravelDocumentIn,
)
from app.security import new_token, password_problem, token_hash

log = logging.getLogger(__name__)

PENDING = InvitationStatus.PENDING


class LinkUnusable(DomainError):
    """The link of an invitation cannot be used: unknown, expired, used or revoked."""

    status_code = 410
    sign_in_helps = False
    MESSAGES = {
        "unknown": N_("This invitation link is not valid. Check that you copied all of it."),
        "expired": N_("This invitation link has expired. Ask the organisers to send you a new one."),
        "used": N_("This invitation has been used already."),
        "revoked": N_("This invitation has been withdrawn."),
    }

    def __init__(self, reason: str) -> None:
        self.reason = reason
        if reason == "unknown":
            self.status_code = 404
        super().__init__(_(self.MESSAGES[reason]))


class WrongAddress(Forbidden):
    """The link was sent to another address than the signed-in account's."""

    default_message = N_(
        "This invitation was sent to another e-mail address. Sign in with that address, or ask the "
        "organisers to send the invitation to yours."
    )
    sign_in_helps = False


@dataclass(frozen=True)
class InvitationList:
    """One page of invitations, with the delegations the viewer manages and counts per state."""

    delegations: list[Delegation]
    counts: dict[InvitationState, int]
    page: Page[Invitation]


@dataclass(frozen=True)
class Skipped:
    index: int
    email: str
    reason: str


@dataclass
class BatchResult:
    created: list[Invitation] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class BatchLine:
    """One line of a batch, validated: `index` is its line (pages) or position (API)."""

    index: int
    data: InvitationCreate


@dataclass(frozen=True)
class LineError:
    index: int
    field: str
    message: str


class BatchInvalid(DomainError):
    """Some lines of a batch are invalid: nothing has been created."""

    status_code = 422
    default_message = N_("Some lines are not valid. Nothing has been sent.")

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__()


def link_for(token: str) -> str:
    """The address of an invitation's link, always from the configured base URL."""
    return f"{get_settings().base_url.rstrip('/')}/invitations/{token}"


# --- who manages which invitations ---------------------------------------------------------------


def _delegations(db: Session, event: Event) -> list[Delegation]:
    query = (
        select(Delegation)
        .options(joinedload(Delegation.event))
        .where(Delegation.event_id == event.id)
        .order_by(Delegation.id)
    )
    return list(db.scalars(query))


def manageable_delegations(db: Session, *, viewer: User | None, event: Event) -> list[Delegation]:
    """The delegations of the event whose invitations the viewer manages: all of them for
    organisers, their own for coordinators. Forbidden for anyone else (press officers)."""
    mine = [d for d in _delegations(db, event) if policy.can(viewer, Action.INVITATION_MANAGE, d)]
    if not mine and not policy.can(viewer, Action.INVITATION_MANAGE, event):
        raise Forbidden()
    return mine


def _delegation_for(actor: User, delegations: list[Delegation], delegation_id: int) -> Delegation:
    delegation = next((d for d in delegations if d.id == delegation_id), None)
    if delegation is None:
        raise FieldError("delegation_id", _("Choose a delegation of this event."))
    policy.require(actor, Action.INVITATION_MANAGE, delegation)
    return delegation


def _require_open(event: Event) -> None:
    if event.status == EventStatus.ARCHIVED:
        raise Conflict(_("This event is archived. Restore it before inviting anyone."))
    if event.personal_data_purged_at is not None:
        raise Conflict(_("The personal data of this event has been erased."))


# --- reading -------------------------------------------------------------------------------------


def _state_condition(state: InvitationState, now: datetime):  # type: ignore[no-untyped-def]
    if state == InvitationState.PENDING:
        return (Invitation.status == PENDING) & (Invitation.expires_at > now)
    if state == InvitationState.EXPIRED:
        return (Invitation.status == PENDING) & (Invitation.expires_at <= now)
    return Invitation.status == InvitationStatus(state.value)


def list_for_event(
    db: Session, *, viewer: User | None, event: Event, filters: InvitationFilter, page: int, per_page: int = 50
) -> InvitationList:
    """The invitations of the delegations the viewer manages, newest first."""
    delegations = manageable_delegations(db, viewer=viewer, event=event)
    ids = [d.id for d in delegations]
    now = utcnow()
    scope = (Invitation.event_id == event.id, Invitation.delegation_id.in_(ids))
    query = select(Invitation).options(joinedload(Invitation.delegation)).where(*scope)
    if filters.state is not None:
        query = query.where(_state_condition(filters.state, now))
    if filters.delegation_id is not None:
        query = query.where(Invitation.delegation_id == filters.delegation_id)
    if filters.q:
        query = query.where(Invitation.email.icontains(filters.q.strip(), autoescape=True))
    result = paginate(db, query.order_by(Invitation.created_at.desc(), Invitation.id.desc()), page=page, per_page=per_page)

    counts = dict.fromkeys(InvitationState, 0)
    expired = func.sum(case((Invitation.expires_at <= now, 1), else_=0))
    for status, n, n_expired in db.execute(
        select(Invitation.status, func.count(), expired).where(*scope).group_by(Invitation.status)
    ):
        counts[InvitationState(status.value)] += n
        if status == PENDING:
            counts[InvitationState.PENDING] -= n_expired or 0
            counts[InvitationState.EXPIRED] += n_expired or 0
    return InvitationList(delegations=delegations, counts=counts, page=result)


def get_for_viewer(db: Session, *, viewer: User | None, event: Event, invitation_id: int) -> Invitation:
    """An invitation of this event that the viewer manages, or NotFound (never 403)."""
    invitation = db.scalar(
        select(Invitation)
        .options(joinedload(Invitation.event), joinedload(Invitation.delegation))
        .where(Invitation.id == invitation_id, Invitation.event_id == event.id)
    )
    if invitation is None or not policy.can(viewer, Action.INVITATION_MANAGE, invitation):
        raise NotFound()
    return invitation


def state(invitation: Invitation) -> InvitationState:
    return state_of(invitation.status, invitation.expires_at)


# --- inviting ------------------------------------------------------------------------------------


def _taken(db: Session, event: Event, emails: set[str], *, other_than: int | None = None) -> dict[str, str]:
    """The addresses that must not be invited again, with the reason (in the reader's language)."""
    if not emails:
        return {}
    reasons: dict[str, str] = {}
    pending = select(Invitation.email).where(
        Invitation.event_id == event.id, Invitation.email.in_(emails), Invitation.status == PENDING
    )
    if other_than is not None:
        pending = pending.where(Invitation.id != other_than)
    for email in db.scalars(pending):
        reasons[email] = _("This address has an invitation already; resend it instead.")
    registered = (
        select(Person.email, User.email)
        .select_from(Registration)
        .join(Person, Registration.person_id == Person.id)
        .outerjoin(User, Person.user_id == User.id)
        .where(Registration.event_id == event.id, or_(Person.email.in_(emails), User.email.in_(emails)))
    )
    for person_email, user_email in db.execute(registered):
        for email in {person_email, user_email} & emails:
            reasons[email] = _(registrations.ALREADY_REGISTERED)
    return reasons


def _issue(invitation: Invitation) -> str:
    """A new token and expiry for the invitation; returns the token (for the e-mail only)."""
    token = new_token()
    invitation.token_hash = token_hash(token)
    invitation.expires_at = utcnow() + timedelta(days=get_settings().invitation_days)
    invitation.sent_at = utcnow()
    invitation.send_count = (invitation.send_count or 0) + 1
    return token


def _send(db: Session, invitation: Invitation, event: Event, delegation: Delegation, token: str) -> None:
    """The link, by e-mail, in the language of the address's account (else the sender's)."""
    with mail.in_recipients_language(db, invitation.email):
        mail.queue(
            db,
            to=invitation.email,
            subject=_("Invitation: %(event)s") % {"event": event.title},
            template="emails/invitation.html",
            context={
                "event": event,
                "delegation": delegation,
                "invitation": invitation,
                "link": link_for(token),
                "expires": i18n.format_moment(invitation.expires_at, event.timezone),
            },
        )


def _create(db: Session, actor: User, event: Event, delegation: Delegation, data: InvitationCreate) -> Invitation:
    invitation = Invitation(
        event=event,
        delegation=delegation,
        email=data.email,
        circle=data.circle,
        category=data.category,
        created_by_id=actor.id,
        send_count=0,
    )
    token = _issue(invitation)
    db.add(invitation)
    db.flush()
    _send(db, invitation, event, delegation, token)
    audit.record(db, actor, "invitation.create", invitation, delegation_id=delegation.id, send_count=1)
    log.info("invitation %s created by %s", invitation.id, actor.id)
    return invitation


def invite(db: Session, *, actor: User, event: Event, data: InvitationCreate) -> Invitation:
    """Invite one address into a delegation and send it the link."""
    delegation = _delegation_for(actor, _delegations(db, event), data.delegation_id)
    _require_open(event)
    reason = _taken(db, event, {data.email}).get(data.email)
    if reason:
        raise FieldError("email", reason)
    return _create(db, actor, event, delegation, data)


def invite_many(db: Session, *, actor: User, event: Event, lines: list[BatchLine]) -> BatchResult:
    """Invite many addresses at once. Every line is checked first: if any is invalid, nothing is
    created (BatchInvalid). Addresses invited or registered already are skipped and reported."""
    _require_open(event)
    delegations = _delegations(db, event)
    errors: list[LineError] = []
    if not lines:
        errors.append(LineError(0, "emails", _("Give at least one e-mail address.")))
    if len(lines) > BATCH_MAX:
        at_most = i18n.ngettext("Give at most %(n)s address at once.", "Give at most %(n)s addresses at once.", BATCH_MAX)
        errors.append(LineError(0, "emails", at_most % {"n": BATCH_MAX}))
    seen: dict[str, int] = {}
    allowed: dict[int, Delegation] = {}
    for line in lines:
        email = line.data.email
        if email in seen:
            errors.append(LineError(line.index, "email", _("%(email)s appears twice in the list.") % {"email": email}))
        seen.setdefault(email, line.index)
        delegation_id = line.data.delegation_id
        if delegation_id not in allowed:
            delegation = next((d for d in delegations if d.id == delegation_id), None)
            if delegation is None:
                errors.append(LineError(line.index, "delegation_id", _("Choose a delegation of this event.")))
                continue
            policy.require(actor, Action.INVITATION_MANAGE, delegation)
            allowed[delegation_id] = delegation
    if errors:
        raise BatchInvalid(errors)

    taken = _taken(db, event, set(seen))
    result = BatchResult()
    for line in lines:
        email = line.data.email
        if email in taken:
            result.skipped.append(Skipped(line.index, email, taken[email]))
            continue
        result.created.append(_create(db, actor, event, allowed[line.data.delegation_id], line.data))
    return result


def _choice(raw: str) -> str:
    """"Civil society", "civil-society" and "civil_society" name the same choice."""
    return raw.strip().lower().replace(" ", "_").replace("-", "_")


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else ""


# A line's problem, by the column it is in.
LINE_PROBLEMS = {
    "email": N_("E-mail address “%(value)s”: %(message)s"),
    "circle": N_("Circle “%(value)s”: %(message)s"),
    "category": N_("Category “%(value)s”: %(message)s"),
}


def parse_batch(text: str, *, delegation_id: int, circle: Circle, category: Category) -> list[BatchLine]:
    """Lines of `email[,circle,category]` (comma or semicolon; an optional header row naming the
    columns, other columns ignored) to validated lines; BatchInvalid lists every bad line."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    first = next((line for line in text.split("\n") if line.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True))
    except csv.Error as exc:
        raise BatchInvalid([LineError(0, "emails", _("The list cannot be read as CSV: %(error)s.") % {"error": exc})]) from exc
    columns = {"email": 0, "circle": 1, "category": 2}
    positional = True
    lines: list[BatchLine] = []
    errors: list[LineError] = []
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        names = [cell.lower().replace("-", "") for cell in cells]
        if not lines and not errors and positional and "email" in names:
            columns = {name: names.index(name) for name in ("email", "circle", "category") if name in names}
            positional = False
            continue
        if positional and len(cells) > 3:
            errors.append(LineError(number, "emails", _("Give at most three columns: e-mail, circle, category.")))
            continue
        values = {
            "email": _cell(cells, columns, "email"),
            "delegation_id": delegation_id,
            "circle": _choice(_cell(cells, columns, "circle")) or circle,
            "category": _choice(_cell(cells, columns, "category")) or category,
        }
        try:
            lines.append(BatchLine(number, InvitationCreate.model_validate(values)))
        except ValidationError as exc:
            for name, messages in errors_by_field(exc).items():
                wording = _(LINE_PROBLEMS.get(name, LINE_PROBLEMS["email"]))
                for message in messages:
                    shown = values.get(name) if name in values else ""
                    errors.append(LineError(number, name, wording % {"value": shown, "message": message}))
    if errors:
        raise BatchInvalid(errors)
    return lines


def decode_upload(raw: bytes) -> str:
    """An uploaded CSV as text: UTF-8, with or without a byte-order mark."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FieldError("file", _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")) from exc


# --- changing an invitation ----------------------------------------------------------------------


def _compare_and_set(db: Session, invitation: Invitation, **values: object) -> bool:
    """Change a pending invitation, unless another request changed its state first."""
    result = db.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status == PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        db.refresh(invitation, attribute_names=["status"])
        return False
    db.refresh(invitation, attribute_names=list(values))
    return True


# Why an invitation cannot be changed, by its state.
NOT_PENDING = {
    InvitationState.EXPIRED: N_("This invitation has expired: it cannot be changed any more."),
    InvitationState.ACCEPTED: N_("This invitation has been used: it cannot be changed any more."),
    InvitationState.REVOKED: N_("This invitation has been withdrawn: it cannot be changed any more."),
}


def _not_pending(invitation: Invitation) -> Conflict:
    reason = NOT_PENDING.get(state(invitation), N_("This invitation cannot be changed any more."))
    return Conflict(_(reason))


def resend(db: Session, *, actor: User, invitation: Invitation) -> Invitation:
    """A new link (the old one stops working), a new expiry, sent again."""
    policy.require(actor, Action.INVITATION_MANAGE, invitation)
    _require_open(invitation.event)
    token = new_token()
    values = {
        "token_hash": token_hash(token),
        "expires_at": utcnow() + timedelta(days=get_settings().invitation_days),
        "sent_at": utcnow(),
        "send_count": Invitation.send_count + 1,
    }
    if not _compare_and_set(db, invitation, **values):
        raise _not_pending(invitation)
    _send(db, invitation, invitation.event, invitation.delegation, token)
    audit.record(db, actor, "invitation.resend", invitation, send_count=invitation.send_count)
    log.info("invitation %s sent again by %s", invitation.id, actor.id)
    return invitation


def revoke(db: Session, *, actor: User, invitation: Invitation) -> Invitation:
    policy.require(actor, Action.INVITATION_MANAGE, invitation)
    _require_open(invitation.event)
    if not _compare_and_set(db, invitation, status=InvitationStatus.REVOKED):
        raise _not_pending(invitation)
    audit.record(db, actor, "invitation.revoke", invitation)
    log.info("invitation %s revoked by %s", invitation.id, actor.id)
    return invitation


def update_invitation(db: Session, *, actor: User, invitation: Invitation, data: InvitationUpdate) -> Invitation:
    """Change the address, circle or category of a pending invitation. The link stays the same:
    a new address is the organisers' consent that the link's holder registers with it."""
    policy.require(actor, Action.INVITATION_MANAGE, invitation)
    _require_open(invitation.event)
    values = {k: v for k, v in data.model_dump(exclude_none=True).items() if getattr(invitation, k) != v}
    if "email" in values:
        email = str(values["email"])
        reason = _taken(db, invitation.event, {email}, other_than=invitation.id).get(email)
        if reason:
            raise FieldError("email", reason)
    if not values:
        return invitation
    if not _compare_and_set(db, invitation, **values):
        raise _not_pending(invitation)
    audit.record(db, actor, "invitation.update", invitation, fields=sorted(values))
    return invitation


# --- the link ------------------------------------------------------------------------------------


def _why_unusable(invitation: Invitation) -> str:
    if invitation.status == InvitationStatus.ACCEPTED:
        return "used"
    if invitation.status == InvitationStatus.REVOKED:
        return "revoked"
    return "expired"


def open_link(db: Session, *, token: str) -> Invitation:
    """The invitation of a link that can still be used, or LinkUnusable saying why not."""
    invitation = db.scalar(
        select(Invitation)
        .options(joinedload(Invitation.event), joinedload(Invitation.delegation))
        .where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None:
        raise LinkUnusable("unknown")
    if not invitation.is_usable(utcnow()):
        raise LinkUnusable(_why_unusable(invitation))
    return invitation


RegistrationClosed = registrations.RegistrationClosed


def registration_open(invitation: Invitation) -> bool:
    """Whether the link's holder may register now: only while the event's registration is open
    (an invitation sent while the event is planned waits for it)."""
    return invitation.event.status == EventStatus.REGISTRATION_OPEN


def registration_not_open_yet(invitation: Invitation) -> bool:
    """Closed because it has not opened yet (the link will work later), not because it is over."""
    return invitation.event.status in (EventStatus.DRAFT, EventStatus.PLANNED)


def expires_label(invitation: Invitation) -> str:
    return i18n.format_moment(invitation.expires_at, invitation.event.timezone)


def mask_email(email: str) -> str:
    """Enough of an address to recognise it, not to learn it: "a•••@example.org"."""
    local, domain = email.rsplit("@", 1) if "@" in email else (email, "")
    return f"{local[:1]}•••@{domain}"


def is_invited(user: User, invitation: Invitation) -> bool:
    return accounts.normalise_email(user.email) == invitation.email


def account_exists(db: Session, *, invitation: Invitation) -> bool:
    return accounts.get_by_email(db, invitation.email) is not None


def create_account(db: Session, *, invitation: Invitation, full_name: str, password: str) -> User:
    """An account for the invited address, made by the holder of the link (only while the
    event's registration is open: the account is for registering)."""
    registrations.require_registration_open(invitation.event)
    # Serialise the link's requests (row lock on PostgreSQL; SQLite's writes queue already).
    db.execute(select(Invitation.id).where(Invitation.id == invitation.id).with_for_update())
    if accounts.get_by_email(db, invitation.email) is not None:
        raise FieldError("__all__", _("An account with this e-mail address exists already. Sign in instead."))
    problem = password_problem(password, email=invitation.email)
    if problem:
        raise FieldError("password", problem)
    data = UserCreate(email=invitation.email, full_name=full_name, password=password)
    user = accounts.create_user(db, actor=accounts.system_actor(), data=data)
    audit.record(db, user, "invitation.account_create", invitation)
    log.info("account %s created from invitation %s", user.id, invitation.id)
    return user


def prefill(user: User) -> dict[str, object]:
    """The registration form's first values: the person's, or the account's name."""
    if user.person is not None:
        return {name: getattr(user.person, name) for name in PersonFields.model_fields}
    given, family = [*user.full_name.split(" ", 1), ""][:2]
    return {"given_name": given, "family_name": family}


def document_of(form: RegistrationFields) -> TravelDocumentIn | None:
    if not form.document_given():
        return None
    return TravelDocumentIn.model_validate({name: getattr(form, name) for name in DOCUMENT_FIELDS})


def consents_of(form: RegistrationFields) -> list[ConsentKind]:
    return [kind for kind in ConsentKind if getattr(form, f"consent_{kind.value}")]


def _person_for(db: Session, user: User, invitation: Invitation, form: RegistrationFields) -> Person:
    fields = PersonFields.model_validate(form.model_dump(include=set(PersonFields.model_fields)))
    person = user.person
    if person is None or person.email is not None:
        return registrations.upsert_person(
            db, email=person.email if person is not None else invitation.email, fields=fields, user=user
        )
    for key, value in fields.model_dump().items():  # the account's person has no address of its own
        setattr(person, key, value)
    return person


def accept(db: Session, *, actor: User, invitation: Invitation, form: RegistrationFields) -> Registration:
    """Register the signed-in, invited person from the link: a registration in status
    "registered", their consents and travel document, and the invitation used up.

    Many requests with one link: the first to change the invitation from pending wins; the others
    wait for it (row lock, or SQLite's write lock) and then find the link used.
    """
    if not is_invited(actor, invitation):
        raise WrongAddress()
    registrations.require_registration_open(invitation.event)
    missing = form.document_missing()
    if missing:
        name, messages = next(iter(missing.items()))
        raise FieldError(name, messages[0])
    now = utcnow()
    claimed = db.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status == PENDING, Invitation.expires_at > now)
        .values(status=InvitationStatus.ACCEPTED, accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.refresh(invitation, attribute_names=["status", "expires_at"])
        raise LinkUnusable(_why_unusable(invitation))
    # The claim is made; `invitation` in memory is still the pending one the visitor opened, which
    # is what registrations.add checks before it adds the person.
    person = _person_for(db, actor, invitation, form)
    data = RegistrationCreate.model_validate(
        {
            **form.model_dump(include=set(PersonFields.model_fields) | set(NeedsFields.model_fields)),
            "email": invitation.email,
            "delegation_id": invitation.delegation_id,
            "circle": invitation.circle,
            "category": invitation.category,
        }
    )
    try:
        registration = registrations.add(
            db,
            actor=actor,
            event=invitation.event,
            delegation=invitation.delegation,
            data=data,
            person=person,
            invitation=invitation,
        )
    except FieldError as exc:
        if exc.field == "email":  # the person is registered already: not a field of this form
            raise FieldError("__all__", exc.message) from exc
        raise
    registrations.set_consents(db, actor=actor, registration=registration, kinds=consents_of(form))
    document = document_of(form)
    if document is not None:
        registrations.set_travel_document(db, actor=actor, registration=registration, data=document)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = now
    invitation.registration_id = registration.id
    db.flush()
    audit.record(db, actor, "invitation.accept", invitation, registration_id=registration.id)
    log.info("invitation %s accepted: registration %s", invitation.id, registration.id)
    _tell_about_registration(db, invitation, registration)
    return registration


def _staff_addresses(db: Session, invitation: Invitation) -> list[tuple[str, str | None]]:
    """The delegation's coordinators and the event's organisers, to be told of a registration,
    with the language each chose (None: none chosen)."""
    coordinators = (
        select(User.email, User.language)
        .join(DelegationCoordinator, DelegationCoordinator.user_id == User.id)
        .where(DelegationCoordinator.delegation_id == invitation.delegation_id, User.is_active.is_(True))
    )
    organisers = (
        select(User.email, User.language)
        .join(EventStaff, EventStaff.user_id == User.id)
        .where(
            EventStaff.event_id == invitation.event_id,
            EventStaff.role == StaffRole.ORGANISER,
            User.is_active.is_(True),
        )
    )
    found = {email: language for email, language in [*db.execute(coordinators), *db.execute(organisers)]}
    return sorted((email, language) for email, language in found.items() if email != invitation.email)


def _tell_about_registration(db: Session, invitation: Invitation, registration: Registration) -> None:
    base_url = get_settings().base_url.rstrip("/")
    event = invitation.event
    context = {"registration": registration, "event": event, "delegation": invitation.delegation, "base_url": base_url}
    with mail.in_recipients_language(db, invitation.email):
        mail.queue(
            db,
            to=invitation.email,
            subject=_("You are registered: %(event)s") % {"event": event.title},
            template="emails/invitation_registered.html",
            context=context,
        )
    for address, language in _staff_addresses(db, invitation):
        with i18n.use_language(language):  # as mail.in_recipients_language, read with the address
            mail.queue(
                db,
                to=address,
                subject=_("New registration: %(event)s") % {"event": event.title},
                template="emails/invitation_notice.html",
                context=context,
            )
