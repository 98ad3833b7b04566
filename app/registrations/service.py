"""People and their registrations: decisions about places, travel documents, check-in, purge."""

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import EllipsisType
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, String, and_, func, or_, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, crypto, i18n, policy
from app.accounts.models import User
from app.audit.models import AuditEntry
from app.config import get_settings
from app.db import utcnow
from app.delegations import service as delegations
from app.delegations.models import Delegation
from app.errors import Conflict, FieldError, NotFound
from app.events import service as events_service
from app.events.models import Event, EventStatus
from app.i18n import N_, _
from app.invitations.models import Invitation
from app.mail import service as mail
from app.pagination import MAX_PER_PAGE, Page, paginate
from app.policy import Action
from app.registrations.models import (
    HOLDS_PLACE,
    REASON_FULL,
    REASON_PLACE_FREED,
    Category,
    Circle,
    Consent,
    ConsentKind,
    Person,
    Registration,
    RegistrationStatus,
)
from app.registrations.schemas import (
    CONSENT_TEXT_VERSION,
    NeedsFields,
    PersonFields,
    RegistrationCreate,
    RegistrationUpdate,
    TravelDocumentIn,
)
from app.security import keyed_hash

log = logging.getLogger(__name__)

S = RegistrationStatus
# Whichever delegation the person is in: a coordinator must not learn of the other side's people.
ALREADY_REGISTERED = N_("This person is already registered at this event.")
# Which decisions may follow which status.
APPROVABLE = frozenset({S.INVITED, S.REGISTERED, S.WAITLISTED, S.DECLINED})
DECLINABLE = frozenset({S.INVITED, S.REGISTERED, S.WAITLISTED, S.CONFIRMED})
CANCELLABLE = frozenset({S.INVITED, S.REGISTERED, S.WAITLISTED, S.CONFIRMED})
CHECKABLE = frozenset({S.CONFIRMED, S.ATTENDED, S.NO_SHOW})

SORTS = {
    "name": (Person.family_name, Person.given_name),
    "organisation": (Person.organisation, Person.family_name),
    "status": (Registration.status, Person.family_name),
    "registered": (Registration.created_at,),
}


def _loaded():  # type: ignore[no-untyped-def]
    return (
        joinedload(Registration.person),
        joinedload(Registration.delegation),
        joinedload(Registration.event),
        selectinload(Registration.consents),
    )


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantFilter:
    delegation_id: int | None = None
    circle: Circle | None = None
    category: Category | None = None
    status: RegistrationStatus | None = None
    q: str | None = None
    sort: str = "name"

    @property
    def narrows(self) -> bool:
        """Whether it leaves some participants out (an order does not)."""
        return bool(self.delegation_id or self.circle or self.category or self.status or (self.q and self.q.strip()))


def _visible(viewer: User | None, event: Event) -> Select[tuple[Registration]]:
    return (
        select(Registration)
        .join(Registration.person)
        .where(Registration.event_id == event.id, policy.visible_registrations(viewer))
    )


def list_for_event(
    db: Session, *, viewer: User | None, event: Event, filters: ParticipantFilter, page: int, per_page: int = 50
) -> Page[Registration]:
    """The participants a viewer may see: all for organisers, their delegation for coordinators;
    by name (in the reader's script and collation, see `sort_name`) unless another order is asked."""
    policy.require(viewer, Action.PARTICIPANT_LIST, event)
    query = _visible(viewer, event).options(
        contains_eager(Registration.person), joinedload(Registration.delegation)
    )
    if _by_name(filters):
        ids, chosen, page, per_page = _page_of_ids(db, _named(viewer, event, filters), page, per_page)
        found = list(db.scalars(query.where(Registration.id.in_(chosen))).unique())
        result = Page(items=_in_order(found, chosen, lambda r: r.id), total=len(ids), page=page, per_page=per_page)
    else:
        result = paginate(db, _filtered(query, filters), page=page, per_page=per_page)
    for registration in result.items:  # the policy reads the event: it is this one
        set_committed_value(registration, "event", event)
    return result


# --- the order by name ---------------------------------------------------------------------------

# What a participant is sorted by in the order by name: the id, then both spellings of the name.
NAME_COLUMNS = (
    Registration.id,
    Person.family_name,
    Person.given_name,
    Person.family_name_native,
    Person.given_name_native,
)


def sort_name(
    family_name: str, given_name: str, family_name_native: str = "", given_name_native: str = "",
    language: str | None = None,
) -> str:
    """A participant as lists show and sort them, "Family, Given", in the reader's script: the
    native spelling for a reader of that script (Armenian for hy, Cyrillic for ru), else the Latin."""
    native = ", ".join(part for part in (family_name_native, given_name_native) if part)
    return i18n.display_name(f"{family_name}, {given_name}", native, language)


@lru_cache(maxsize=65536)
def _name_key(
    family_name: str, given_name: str, family_name_native: str, given_name_native: str, language: str
) -> tuple[str, str]:
    """The collation key of a participant's name for a language (the same names come back on
    every page of a list: the key is worked out once)."""
    shown = sort_name(family_name, given_name, family_name_native, given_name_native, language)
    return i18n.collation_key(shown, language)


def name_order(rows: list[Any]) -> list[Any]:
    """Rows that begin with NAME_COLUMNS, sorted by name in the reader's language."""
    language = i18n.current_language()
    return sorted(rows, key=lambda r: (_name_key(r[1], r[2], r[3] or "", r[4] or "", language), r[0]))


def _by_name(filters: ParticipantFilter) -> bool:
    return filters.sort not in SORTS or filters.sort == "name"


def _named(viewer: User | None, event: Event, filters: ParticipantFilter) -> Select:  # type: ignore[type-arg]
    """NAME_COLUMNS of the participants the viewer may see that the filters keep."""
    query = (
        select(*NAME_COLUMNS)
        .join(Registration.person)
        .where(Registration.event_id == event.id, policy.visible_registrations(viewer))
    )
    return _narrowed(query, filters)


def _page_of_ids(db: Session, named: Select, page: int, per_page: int) -> tuple[list[int], list[int], int, int]:  # type: ignore[type-arg]
    """Every id that `named` finds, by name; the ids of the page asked for; the page; its size.

    Names sort by the reader's language (Azerbaijani ç after c, Armenian names for an Armenian
    reader), which the database cannot do: the names of the whole list are read, sorted here,
    and only the page's registrations are then loaded."""
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = max(page, 1)
    ids = [row[0] for row in name_order(list(db.execute(named)))]
    return ids, ids[(page - 1) * per_page : page * per_page], page, per_page


def _in_order(items: list[Any], ids: list[int], id_of: Any) -> list[Any]:
    position = {id_: i for i, id_ in enumerate(ids)}
    return sorted(items, key=lambda item: position[id_of(item)])


def _narrowed(query: Select, filters: ParticipantFilter) -> Select:  # type: ignore[type-arg]
    """The list's filters, on a query of registrations joined with their people."""
    if filters.delegation_id:
        query = query.where(Registration.delegation_id == filters.delegation_id)
    if filters.circle:
        query = query.where(Registration.circle == filters.circle)
    if filters.category:
        query = query.where(Registration.category == filters.category)
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.q and filters.q.strip():
        query = query.where(_matches(filters.q.strip(), with_organisation=True))
    return query


def _filtered(query: Select, filters: ParticipantFilter) -> Select:  # type: ignore[type-arg]
    """The list's filters and an order other than by name, which the database can sort."""
    return _narrowed(query, filters).order_by(*SORTS[filters.sort], Registration.id)


# What a line of the participant list shows, read as plain values (in this order). The circle,
# category and status are read as the text they are stored as, their enums' values, by which the
# page looks up their labels: making an enum member of each is work that the page does not need.
LINE_COLUMNS = (
    Registration.id,
    Person.family_name,
    Person.given_name,
    Person.given_name_native,
    Person.family_name_native,
    Delegation.name,
    type_coerce(Registration.circle, String).label("circle"),
    type_coerce(Registration.category, String).label("category"),
    Person.organisation,
    type_coerce(Registration.status, String).label("status"),
    Registration.doc_number_hint,
    Registration.created_at,
)


@dataclass(frozen=True)
class ParticipantLines:
    page: Page[Row[Any]]  # rows of LINE_COLUMNS
    counts: dict[RegistrationStatus, int]  # status_counts


def list_lines_for_event(
    db: Session, *, viewer: User | None, event: Event, filters: ParticipantFilter, page: int, per_page: int = 50
) -> ParticipantLines:
    """`list_for_event` for the page that shows it: the same participants in the same order, as
    rows of LINE_COLUMNS rather than objects, with the page's counts by status. Loading hundreds
    of registrations with their people and delegations costs several times what reading these
    columns does; the page only prints them (and the encrypted document numbers are not read).

    The counts by status are those of every registration the viewer may see: an unfiltered
    list's total is their sum, so only a filtered list has its total counted. In the order by
    name, which the database cannot sort (see `_page_of_ids`), the lines of the whole list are
    read in one statement, sorted here and cut to the page: the lines are few columns, and one
    statement costs less than reading the names first and the page's lines by id after."""
    policy.require(viewer, Action.PARTICIPANT_LIST, event)
    counts = status_counts(db, viewer=viewer, event=event)
    lines = (
        select(*LINE_COLUMNS)
        .join(Registration.person)
        .join(Registration.delegation)
        .where(Registration.event_id == event.id, policy.visible_registrations(viewer))
    )
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = max(page, 1)
    if _by_name(filters):
        language = i18n.current_language()
        everyone = list(db.execute(_narrowed(lines, filters)))
        everyone.sort(key=lambda r: (_name_key(r[1], r[2], r[4] or "", r[3] or "", language), r[0]))
        rows = everyone[(page - 1) * per_page : page * per_page]
        return ParticipantLines(Page(items=rows, total=len(everyone), page=page, per_page=per_page), counts)
    query = _filtered(lines, filters)
    rows = list(db.execute(query.limit(per_page).offset((page - 1) * per_page)))
    if filters.narrows:
        total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    else:
        total = sum(counts.values())
    return ParticipantLines(Page(items=rows, total=total, page=page, per_page=per_page), counts)


def _matches(q: str, *, with_organisation: bool = False) -> ColumnElement[bool]:
    """Names (either script, either order, or whole), and the organisation and e-mail."""
    columns = [Person.given_name, Person.family_name, Person.given_name_native, Person.family_name_native]
    if with_organisation:
        columns += [Person.organisation, Person.email]
    return or_(
        *(column.icontains(q, autoescape=True) for column in columns),
        (Person.given_name + " " + Person.family_name).icontains(q, autoescape=True),
        (Person.family_name + " " + Person.given_name).icontains(q, autoescape=True),
    )


def status_counts(db: Session, *, viewer: User | None, event: Event) -> dict[RegistrationStatus, int]:
    policy.require(viewer, Action.PARTICIPANT_LIST, event)
    query = (
        select(Registration.status, func.count())
        .where(Registration.event_id == event.id, policy.visible_registrations(viewer))
        .group_by(Registration.status)
    )
    return {status: n for status, n in db.execute(query)}


def get_for_viewer(db: Session, *, viewer: User | None, event: Event, registration_id: int) -> Registration:
    """A registration of this event the viewer may see, or NotFound (never 403: no existence leak)."""
    registration = db.scalar(
        select(Registration).options(*_loaded()).where(Registration.id == registration_id, Registration.event_id == event.id)
    )
    if registration is None or not policy.can(viewer, Action.REGISTRATION_VIEW, registration):
        raise NotFound()
    return registration


def own_registrations(db: Session, *, user: User) -> list[Registration]:
    """The signed-in delegate's registrations, newest event first."""
    if user.person is None:
        return []
    query = (
        select(Registration)
        .options(*_loaded())
        .join(Registration.event)
        .where(Registration.person_id == user.person.id)
        .order_by(Event.starts_on.desc())
    )
    return list(db.scalars(query))


def person_history(
    db: Session, *, viewer: User, person_id: int, event: Event | None = None
) -> tuple[Person, list[Registration]]:
    """A person and the registrations of theirs the viewer may see, across events, newest first.

    With `event`: the person must have a registration the viewer may see at that event, and the
    history is that of the event's initiative (or of the event alone, when it has none).
    """
    query = (
        select(Registration)
        .options(*_loaded())
        .join(Event, Registration.event_id == Event.id)
        .where(Registration.person_id == person_id, policy.visible_registrations(viewer))
        .order_by(Event.starts_on.desc(), Registration.id.desc())
    )
    if event is not None:
        if event.initiative_id is None:
            query = query.where(Registration.event_id == event.id)
        else:
            query = query.where(Event.initiative_id == event.initiative_id)
    registrations = list(db.scalars(query))
    if not registrations or (event is not None and not any(r.event_id == event.id for r in registrations)):
        raise NotFound()
    return registrations[0].person, registrations


def history(db: Session, *, viewer: User, registration: Registration) -> list[AuditEntry]:
    """What happened to a registration, oldest first, from the audit log (for staff)."""
    policy.require(viewer, Action.REGISTRATION_DECIDE, registration)
    query = (
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .where(
            or_(
                and_(AuditEntry.object_type == "registration", AuditEntry.object_id == registration.id),
                and_(
                    AuditEntry.object_type == "person",
                    AuditEntry.object_id == registration.person_id,
                    AuditEntry.event_id == registration.event_id,
                ),
            )
        )
        .order_by(AuditEntry.id)
        .limit(200)
    )
    return list(db.scalars(query))


def check_in_search(db: Session, *, viewer: User, event: Event, q: str, limit: int = 50) -> list[Registration]:
    """The confirmed participants (and those checked in or not) whose name matches `q`."""
    policy.require(viewer, Action.CHECK_IN, event)
    q = q.strip()
    if not q:
        return []
    query = (
        _visible(viewer, event)
        .options(contains_eager(Registration.person), joinedload(Registration.delegation))
        .where(Registration.status.in_(CHECKABLE), _matches(q))
        .order_by(Person.family_name, Person.given_name, Registration.id)
        .limit(limit)
    )
    found = list(db.scalars(query))
    for registration in found:
        set_committed_value(registration, "event", event)
    return by_name(found)


def by_name(registrations: list[Registration]) -> list[Registration]:
    """Registrations (their people loaded) by name, in the reader's script and collation."""
    language = i18n.current_language()

    def key(registration: Registration) -> tuple[tuple[str, str], int]:
        p = registration.person
        return _name_key(p.family_name, p.given_name, p.family_name_native, p.given_name_native, language), registration.id

    return sorted(registrations, key=key)


# --- people and registrations --------------------------------------------------------------------


def find_person(db: Session, email: str | None) -> Person | None:
    if not email:
        return None
    return db.scalar(select(Person).where(Person.email == email.strip().lower()))


def upsert_person(db: Session, *, email: str | None, fields: PersonFields, user: User | None = None) -> Person:
    """The person with this e-mail (updated), or a new one.

    Two requests creating the same new person at once: the second waits for the first (unique
    e-mail) and then updates the person the first created.
    """
    values = fields.model_dump(include=set(PersonFields.model_fields))
    person = find_person(db, email)
    if person is None:
        person = Person(email=email.strip().lower() if email else None, **values)
        try:
            with db.begin_nested():
                db.add(person)
                db.flush()
        except IntegrityError:
            person = find_person(db, email)
            if person is None:
                raise
    _assign(person, values)
    if user is not None and person.user_id is None:
        person.user = user
    db.flush()
    return person


def _registered(db: Session, event: Event, person: Person) -> bool:
    query = select(Registration.id).where(Registration.event_id == event.id, Registration.person_id == person.id)
    return db.scalar(query) is not None


def _require_open(event: Event) -> None:
    events_service.require_open(event)
    if event.personal_data_purged_at is not None:
        raise Conflict(_("The personal data of this event has been erased."))


class RegistrationClosed(Conflict):
    """Self-registration needs the event to be open for registration; staff may add people to an
    event that is planned or under way (anything but archived)."""

    default_message = N_("Registration for this event is not open.")
    sign_in_helps = False


def require_registration_open(event: Event) -> None:
    """A delegate registers themselves only while the event's registration is open."""
    if event.status != EventStatus.REGISTRATION_OPEN:
        raise RegistrationClosed()


def add(
    db: Session,
    *,
    actor: User,
    event: Event,
    delegation: Delegation,
    data: RegistrationCreate,
    person: Person | None = None,
    invitation: Invitation | None = None,
    status: RegistrationStatus = S.REGISTERED,
) -> Registration:
    """Add a person to a delegation: staff do it directly; a delegate does it by accepting an
    invitation (checked by app.invitations.service), which stands in for the permission, and
    only while the event's registration is open."""
    if invitation is None:
        policy.require(actor, Action.PARTICIPANT_MANAGE, delegation)
    elif invitation.delegation_id != delegation.id or not invitation.is_usable(utcnow()):
        raise Conflict(_("This invitation cannot be used."))
    else:
        require_registration_open(event)
    if delegation.event_id != event.id:
        raise FieldError("delegation_id", _("Choose a delegation of this event."))
    _require_open(event)
    if person is None:
        # Refused before anything is written: the person's record is not touched.
        existing = find_person(db, data.email)
        if existing is not None and _registered(db, event, existing):
            raise FieldError("email", _(ALREADY_REGISTERED))
        person = upsert_person(db, email=data.email, fields=data)
    if _registered(db, event, person):
        raise FieldError("email", _(ALREADY_REGISTERED))
    registration = Registration(
        event=event,
        delegation=delegation,
        person=person,
        circle=data.circle,
        category=data.category,
        status=status,
        consents=[],
        **data.model_dump(include=set(NeedsFields.model_fields)),
    )
    db.add(registration)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:  # the same person registered at the same moment
        raise FieldError("email", _(ALREADY_REGISTERED)) from exc
    audit.record(db, actor, "registration.create", registration, delegation_id=delegation.id)
    log.info("registration %s created by %s", registration.id, actor.id)
    return registration


def add_to_event(db: Session, *, actor: User, event: Event, data: RegistrationCreate) -> Registration:
    """Staff add a person to one of the event's delegations, named by `data.delegation_id`."""
    policy.require(actor, Action.PARTICIPANT_LIST, event)
    _require_open(event)
    delegation = db.scalar(
        select(Delegation)
        .options(joinedload(Delegation.event))
        .where(Delegation.id == data.delegation_id, Delegation.event_id == event.id)
    )
    if delegation is None or not policy.can(actor, Action.PARTICIPANT_MANAGE, delegation):
        raise FieldError("delegation_id", _("Choose a delegation of this event."))
    return add(db, actor=actor, event=event, delegation=delegation, data=data)


def check_addable(*, actor: User, event: Event) -> None:
    """For the "add a participant" page: may the actor add anyone to this event now?"""
    policy.require(actor, Action.PARTICIPANT_LIST, event)
    _require_open(event)


def update_person(db: Session, *, actor: User, registration: Registration, data: PersonFields) -> Registration:
    policy.require(actor, Action.REGISTRATION_EDIT, registration)
    _require_open(registration.event)
    changed = _assign(registration.person, data.model_dump(include=set(PersonFields.model_fields)))
    if not changed:
        return registration
    db.flush()
    audit.record(db, actor, "person.update", registration.person, event_id=registration.event_id, fields=changed)
    return registration


def update_needs(db: Session, *, actor: User, registration: Registration, data: NeedsFields) -> Registration:
    policy.require(actor, Action.REGISTRATION_EDIT, registration)
    _require_open(registration.event)
    changed = _assign(registration, data.model_dump(include=set(NeedsFields.model_fields)))
    if not changed:
        return registration
    db.flush()
    audit.record(db, actor, "registration.update", registration, fields=changed)
    return registration


def check_editable(*, actor: User, registration: Registration) -> None:
    """For the edit pages: may the actor change this registration now?"""
    policy.require(actor, Action.REGISTRATION_EDIT, registration)
    _require_open(registration.event)


EMAIL_OF_AN_ACCOUNT = N_(
    "This person signs in to Parley with this address, so it cannot be changed here: "
    "it is their account's address."
)
EMAIL_TAKEN = N_("Another person has this e-mail address.")


def change_email(db: Session, *, actor: User, registration: Registration, email: str | None) -> Registration:
    """Staff (organisers, the delegation's coordinators) change the address of a person who has
    no account: where the person's invitations and notices go. It stays unique among people. The
    address of a person with an account is the one they sign in with: refused here."""
    policy.require(actor, Action.REGISTRATION_DECIDE, registration)
    _require_open(registration.event)
    person = registration.person
    email = email.strip().lower() if email else None
    if email == person.email:
        return registration
    if person.user_id is not None:
        raise FieldError("email", _(EMAIL_OF_AN_ACCOUNT))
    if email is not None and db.scalar(select(Person.id).where(Person.email == email, Person.id != person.id)):
        raise FieldError("email", _(EMAIL_TAKEN))
    person.email = email
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError as exc:  # the same address given to another person at the same moment
        raise FieldError("email", _(EMAIL_TAKEN)) from exc
    audit.record(db, actor, "person.update", person, event_id=registration.event_id, fields=["email"])
    log.info("person %s: e-mail changed by %s", person.id, actor.id)
    return registration


def update_profile(
    db: Session,
    *,
    actor: User,
    registration: Registration,
    person: PersonFields,
    needs: NeedsFields,
    email: str | None | EllipsisType = ...,
) -> Registration:
    """The edit page: the person's own fields and the registration's needs, together; and the
    e-mail address when one is given (`...`: not part of the form) and differs from the person's
    (staff only, see `change_email`)."""
    update_person(db, actor=actor, registration=registration, data=person)
    if email is not ... and (email.strip().lower() if email else None) != registration.person.email:
        change_email(db, actor=actor, registration=registration, email=email)
    return update_needs(db, actor=actor, registration=registration, data=needs)


def update(db: Session, *, actor: User, registration: Registration, data: RegistrationUpdate) -> Registration:
    """PATCH: what is given of the person, the needs, the placement and the person's e-mail, each
    with its own permission (a delegate who sends a circle or an e-mail address is refused, and
    nothing changes)."""
    given = data.model_dump(exclude_unset=True)
    person_keys = set(PersonFields.model_fields) & given.keys()
    needs_keys = set(NeedsFields.model_fields) & given.keys()
    if "circle" in given or "category" in given or "email" in given:
        policy.require(actor, Action.REGISTRATION_DECIDE, registration)
    if "email" in given:
        change_email(db, actor=actor, registration=registration, email=given["email"])
    if person_keys:
        current = {k: getattr(registration.person, k) for k in PersonFields.model_fields}
        fields = PersonFields.model_validate({**current, **{k: given[k] for k in person_keys}})
        update_person(db, actor=actor, registration=registration, data=fields)
    if needs_keys:
        current = {k: getattr(registration, k) for k in NeedsFields.model_fields}
        needs = NeedsFields.model_validate({**current, **{k: given[k] for k in needs_keys}})
        update_needs(db, actor=actor, registration=registration, data=needs)
    if "circle" in given or "category" in given:
        change_placement(
            db, actor=actor, registration=registration, circle=given.get("circle"), category=given.get("category")
        )
    return registration


def change_placement(
    db: Session, *, actor: User, registration: Registration, circle: Circle | None, category: Category | None
) -> Registration:
    """Move a registration to the other circle or category (staff only; places are re-checked)."""
    policy.require(actor, Action.REGISTRATION_DECIDE, registration)
    _require_open(registration.event)
    fields = {k: v for k, v in (("circle", circle), ("category", category)) if v is not None}
    if registration.status in HOLDS_PLACE and circle is not None and circle != registration.circle:
        delegations.lock(db, registration.delegation)
        if delegations.places_taken(db, registration.delegation, circle) >= delegations.capacity(registration.delegation, circle):
            raise FieldError("circle", _("That circle of the delegation is full."))
    old_circle = registration.circle
    changed = _assign(registration, fields)
    if not changed:
        return registration
    db.flush()
    audit.record(db, actor, "registration.update", registration, fields=changed)
    if "circle" in changed:
        promote_waitlist(db, actor=actor, delegation=registration.delegation, circle=old_circle)
        if registration.status == S.WAITLISTED:
            promote_waitlist(db, actor=actor, delegation=registration.delegation, circle=registration.circle)
    return registration


def set_consents(db: Session, *, actor: User, registration: Registration, kinds: list[ConsentKind]) -> None:
    """Record what the delegate agrees to now (with the text version); withdrawn ones go."""
    policy.require(actor, Action.REGISTRATION_EDIT, registration)
    wanted = set(kinds)
    for consent in list(registration.consents):
        if consent.kind not in wanted:
            registration.consents.remove(consent)
    present = {c.kind for c in registration.consents}
    for kind in sorted(wanted - present):
        registration.consents.append(Consent(kind=kind, text_version=CONSENT_TEXT_VERSION))
    db.flush()
    audit.record(db, actor, "registration.consents", registration, kinds=sorted(wanted))


def _assign(obj: object, values: dict[str, object]) -> list[str]:
    changed = sorted(k for k, v in values.items() if getattr(obj, k) != v)
    for key in changed:
        setattr(obj, key, values[key])
    return changed


# --- travel documents ----------------------------------------------------------------------------


DOCUMENT_TAKEN = N_("Another participant of this event has this document number.")


def normalise_document_number(number: str) -> str:
    return re.sub(r"[\s\-]", "", number).upper()


def document_hash(number: str) -> str:
    return keyed_hash("travel-document", normalise_document_number(number))


def set_travel_document(db: Session, *, actor: User, registration: Registration, data: TravelDocumentIn) -> None:
    policy.require(actor, Action.REGISTRATION_EDIT, registration)
    _require_open(registration.event)
    number = normalise_document_number(data.doc_number)
    digest = document_hash(number)
    clash = db.scalar(
        select(Registration.id).where(
            Registration.event_id == registration.event_id,
            Registration.doc_number_hash == digest,
            Registration.id != registration.id,
        )
    )
    if clash is not None:
        raise FieldError("doc_number", _(DOCUMENT_TAKEN))
    registration.doc_type = data.doc_type
    registration.doc_number = crypto.encrypt(number, table="registration", column="doc_number", row_id=registration.id)
    registration.doc_number_hash = digest
    registration.doc_number_hint = number[-4:]
    registration.doc_issuing_country = data.doc_issuing_country
    registration.doc_nationality = data.doc_nationality
    registration.doc_expires_on = data.doc_expires_on
    db.flush()
    audit.record(db, actor, "document.update", registration)


def reveal_document(db: Session, *, actor: User, registration: Registration, client: str | None = None) -> str:
    """The full number, for those allowed, by an explicit action that is written to the audit log."""
    policy.require(actor, Action.DOCUMENT_REVEAL, registration)
    if registration.doc_number is None:
        raise NotFound(_("This participant has no travel document on file."))
    number = crypto.decrypt(registration.doc_number, table="registration", column="doc_number", row_id=registration.id)
    audit.record(db, actor, "document.reveal", registration, client=client)
    return number


def reencrypt_documents(db: Session) -> int:
    """Re-encrypt every travel-document number under the newest key; returns how many changed."""
    current = crypto.keyring().current
    count = 0
    for registration in db.scalars(select(Registration).where(Registration.doc_number.is_not(None))):
        assert registration.doc_number is not None
        if crypto.key_id(registration.doc_number) == current:
            continue
        plain = crypto.decrypt(registration.doc_number, table="registration", column="doc_number", row_id=registration.id)
        registration.doc_number = crypto.encrypt(plain, table="registration", column="doc_number", row_id=registration.id)
        count += 1
    db.flush()
    return count


# --- decisions about places ----------------------------------------------------------------------


# The subjects of the e-mails that tell a person of a decision (written in their language).
SUBJECT_CONFIRMED = N_("Your place is confirmed")
SUBJECT_WAITLISTED = N_("You are on the waiting list")
SUBJECT_DECLINED = N_("Your registration has been declined")
SUBJECT_CANCELLED = N_("Your registration has been cancelled")
SUBJECT_PROMOTED = N_("A place became free: you are confirmed")
# Why a decision cannot be made, by the decision.
NOT_APPROVABLE = N_("A registration with the status “%(status)s” cannot be approved.")
NOT_DECIDABLE = {
    S.DECLINED: N_("A registration with the status “%(status)s” cannot be declined."),
    S.CANCELLED: N_("A registration with the status “%(status)s” cannot be cancelled."),
}


def _notify(
    db: Session, registration: Registration, subject: str, languages: dict[str, str | None] | None = None
) -> None:
    """E-mail the person about their registration, in their language (`subject` is a message;
    `languages`, from mail.recipients_languages, when several are told at once)."""
    address = registration.person.email
    if address:
        with mail.in_recipients_language(db, address, known=languages):
            mail.queue(
                db,
                to=address,
                subject=_(subject),
                template="emails/registration_status.html",
                context={"registration": registration, "base_url": get_settings().base_url.rstrip("/")},
            )


def _refusal(message: str, registration: Registration) -> Conflict:
    return Conflict(_(message) % {"status": i18n.label(registration.status)})


def _transition(db: Session, actor: User, registration: Registration, status: RegistrationStatus, reason: str) -> None:
    previous = registration.status
    registration.status = status
    registration.status_reason = reason
    if status == S.CONFIRMED:
        registration.confirmed_at = utcnow()
    db.flush()
    audit.record(db, actor, f"registration.{status.value}", registration, previous=previous.value)
    log.info("registration %s: %s -> %s by %s", registration.id, previous, status, actor.id)


def _lock_and_reload(db: Session, registration: Registration) -> None:
    """Take the delegation's lock, then re-read the status another request may have changed."""
    delegations.lock(db, registration.delegation)
    db.refresh(registration, attribute_names=["status", "circle"])


def approve(db: Session, *, actor: User, registration: Registration, reason: str = "") -> Registration:
    """Confirm the registration if its circle has a free place, else put it on the waiting list."""
    policy.require(actor, Action.REGISTRATION_DECIDE, registration)
    _require_open(registration.event)
    _lock_and_reload(db, registration)
    if registration.status not in APPROVABLE:
        raise _refusal(NOT_APPROVABLE, registration)
    delegation = registration.delegation
    free = delegations.places_taken(db, delegation, registration.circle) < delegations.capacity(delegation, registration.circle)
    if free:
        _transition(db, actor, registration, S.CONFIRMED, reason)
        _notify(db, registration, SUBJECT_CONFIRMED)
    else:
        _transition(db, actor, registration, S.WAITLISTED, reason or REASON_FULL)
        _notify(db, registration, SUBJECT_WAITLISTED)
    return registration


def check_decision(*, actor: User, registration: Registration, status: RegistrationStatus) -> None:
    """For the confirmation pages: may the actor decline or cancel this registration now?"""
    action, allowed = (
        (Action.REGISTRATION_CANCEL, CANCELLABLE) if status == S.CANCELLED else (Action.REGISTRATION_DECIDE, DECLINABLE)
    )
    policy.require(actor, action, registration)
    _require_open(registration.event)
    if registration.status not in allowed:
        raise _refusal(NOT_DECIDABLE[status], registration)


def decline(db: Session, *, actor: User, registration: Registration, reason: str) -> Registration:
    policy.require(actor, Action.REGISTRATION_DECIDE, registration)
    return _release(db, actor, registration, S.DECLINED, DECLINABLE, reason, SUBJECT_DECLINED)


def cancel(db: Session, *, actor: User, registration: Registration, reason: str) -> Registration:
    policy.require(actor, Action.REGISTRATION_CANCEL, registration)
    return _release(db, actor, registration, S.CANCELLED, CANCELLABLE, reason, SUBJECT_CANCELLED)


def _release(
    db: Session,
    actor: User,
    registration: Registration,
    status: RegistrationStatus,
    allowed: frozenset[RegistrationStatus],
    reason: str,
    subject: str,
) -> Registration:
    if not reason.strip():
        raise FieldError("reason", _("Give a reason: the participant is told it."))
    _require_open(registration.event)
    _lock_and_reload(db, registration)
    if registration.status not in allowed:
        raise _refusal(NOT_DECIDABLE[status], registration)
    held_place = registration.status in HOLDS_PLACE
    _transition(db, actor, registration, status, reason.strip())
    _notify(db, registration, subject)
    if held_place:
        promote_waitlist(db, actor=actor, delegation=registration.delegation, circle=registration.circle)
    return registration


def promote_waitlist(db: Session, *, actor: User, delegation: Delegation, circle: Circle) -> list[Registration]:
    """Confirm waiting registrations, oldest first, while the circle has free places."""
    delegations.lock(db, delegation)
    free = delegations.capacity(delegation, circle) - delegations.places_taken(db, delegation, circle)
    if free <= 0:
        return []
    waiting = list(
        db.scalars(
            select(Registration)
            .options(*_loaded())
            .where(
                Registration.delegation_id == delegation.id,
                Registration.circle == circle,
                Registration.status == S.WAITLISTED,
            )
            .order_by(Registration.created_at, Registration.id)
            .limit(free)
        )
    )
    languages = mail.recipients_languages(db, [r.person.email for r in waiting if r.person.email])
    for registration in waiting:
        _transition(db, actor, registration, S.CONFIRMED, REASON_PLACE_FREED)
        _notify(db, registration, SUBJECT_PROMOTED, languages)
    return waiting


def check_in(db: Session, *, actor: User, registration: Registration, attended: bool) -> Registration:
    policy.require(actor, Action.CHECK_IN, registration.event)
    if registration.status not in CHECKABLE:
        raise Conflict(_("Only confirmed participants can be checked in."))
    if registration.status == (S.ATTENDED if attended else S.NO_SHOW):
        return registration  # a second tap changes nothing
    registration.checked_in_at = utcnow() if attended else None
    _transition(db, actor, registration, S.ATTENDED if attended else S.NO_SHOW, "")
    return registration


# --- retention -----------------------------------------------------------------------------------

SENSITIVE_BLANKS = {
    "doc_type": None,
    "doc_number": None,
    "doc_number_hash": None,
    "doc_number_hint": None,
    "doc_issuing_country": None,
    "doc_nationality": None,
    "doc_expires_on": None,
    "dietary_needs": "",
    "accessibility_needs": "",
    "emergency_contact_name": "",
    "emergency_contact_phone": "",
}


def purge_due_on(event: Event) -> date:
    return event.ends_on + timedelta(days=get_settings().retention_days)


def check_purge(*, actor: User, event: Event) -> date:
    """For the purge page: the day from which the event's personal data may be erased."""
    policy.require(actor, Action.EVENT_PURGE_PERSONAL_DATA, event)
    return purge_due_on(event)


def purge_event(db: Session, *, actor: User, event: Event, today: date | None = None) -> int:
    """Erase the travel documents and other sensitive fields of an event's registrations.

    Allowed once the event has ended and its retention period has passed; a second run
    changes nothing. Returns how many registrations were erased.
    """
    policy.require(actor, Action.EVENT_PURGE_PERSONAL_DATA, event)
    today = today or date.today()
    if today < purge_due_on(event):
        day = i18n.format_day(purge_due_on(event), fmt="long")
        raise Conflict(_("Personal data of this event is kept until %(day)s.") % {"day": day})
    registrations = list(
        db.scalars(select(Registration).where(Registration.event_id == event.id, Registration.purged_at.is_(None)))
    )
    for registration in registrations:
        for key, blank in SENSITIVE_BLANKS.items():
            setattr(registration, key, blank)
        registration.purged_at = utcnow()
    if event.personal_data_purged_at is None:
        event.personal_data_purged_at = utcnow()
    db.flush()
    audit.record(db, actor, "event.purge_personal_data", event, registrations=len(registrations))
    return len(registrations)


def events_due_for_purge(db: Session, *, today: date | None = None) -> list[Event]:
    today = today or date.today()
    cutoff = today - timedelta(days=get_settings().retention_days)
    query = select(Event).where(Event.ends_on <= cutoff, Event.personal_data_purged_at.is_(None))
    return list(db.scalars(query))

