"""Crossing points (kept by administrators) and the procedures each requires: every query and write.

Organisers and coordinators read them (`Action.CROSSING_POINT_VIEW`) to choose where a crossing
goes; only administrators change them (`Action.CROSSING_POINT_MANAGE`). A crossing copies the
point's procedures into its own checklist when it is planned, so changing a template later does
not change the checklists of crossings already planned.
"""

import logging

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, policy
from app.accounts.models import User
from app.accounts.service import actor_label
from app.crossings.models import Crossing, CrossingPoint, ProcedureTemplate
from app.crossings.points_schemas import (
    CrossingPointCreate,
    CrossingPointUpdate,
    ProcedureCreate,
    ProcedureUpdate,
)
from app.errors import Conflict, FieldError, NotFound
from app.i18n import N_, _, ngettext
from app.pagination import Page, paginate
from app.policy import Action

log = logging.getLogger(__name__)

POINT_FIELDS = (
    "name_a", "country_a", "name_b", "country_b", "latitude", "longitude", "status", "opening_hours", "notes",
)
PROCEDURE_FIELDS = ("title", "description", "lead_days", "responsible_side")

SAME_COUNTRY = N_("The two sides must be in different countries.")
HALF_COORDINATES = N_("Give both the latitude and the longitude, or neither.")


# --- reading -------------------------------------------------------------------------------------


def _points() -> Select[tuple[CrossingPoint]]:
    return select(CrossingPoint).options(selectinload(CrossingPoint.procedures))


def _by_name(query: Select[tuple[CrossingPoint]]) -> Select[tuple[CrossingPoint]]:
    return query.order_by(func.lower(CrossingPoint.name_a), func.lower(CrossingPoint.name_b), CrossingPoint.id)


def _contains(text: str):  # type: ignore[no-untyped-def]
    """Points whose place names, countries or status contain `text` (any case, ASCII folded)."""
    pattern = text.strip().lower()
    columns = (CrossingPoint.name_a, CrossingPoint.name_b, CrossingPoint.status)
    matches = [func.lower(column).contains(pattern, autoescape=True) for column in columns]
    if len(pattern) == 2:
        code = pattern.upper()
        matches += [CrossingPoint.country_a == code, CrossingPoint.country_b == code]
    return or_(*matches)


def list_points(
    db: Session,
    *,
    viewer: User | None,
    active: bool | None = True,
    q: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[CrossingPoint]:
    """Crossing points by name with their procedures, one page of them; `active`: True the
    points in use, False the deactivated ones, None all; `q`: a piece of a name or status, or a
    country code."""
    policy.require(viewer, Action.CROSSING_POINT_VIEW)
    query = _points()
    if active is not None:
        query = query.where(CrossingPoint.is_active.is_(active))
    if q and q.strip():
        query = query.where(_contains(q))
    return paginate(db, _by_name(query), page=page, per_page=per_page)


def choices(db: Session, *, viewer: User | None, include_id: int | None = None) -> list[CrossingPoint]:
    """The active crossing points by name, each with its procedures in order (two queries), for
    the pickers of crossing forms; `include_id` adds that point even if deactivated (the one a
    crossing being edited already uses)."""
    policy.require(viewer, Action.CROSSING_POINT_VIEW)
    where = CrossingPoint.is_active.is_(True)
    if include_id is not None:
        where = or_(where, CrossingPoint.id == include_id)
    return list(db.scalars(_by_name(_points().where(where))))


def get_for_viewer(db: Session, *, viewer: User | None, crossing_point_id: int) -> CrossingPoint:
    """The crossing point with its procedures; Forbidden for whoever may not see crossing points
    (whatever the id), NotFound for none."""
    policy.require(viewer, Action.CROSSING_POINT_VIEW)
    point = db.scalar(_points().where(CrossingPoint.id == crossing_point_id))
    if point is None:
        raise NotFound()
    return point


def get_procedure(
    db: Session, *, viewer: User | None, point: CrossingPoint, procedure_id: int
) -> ProcedureTemplate:
    """A procedure of this point (loaded with it); NotFound under any other point."""
    policy.require(viewer, Action.CROSSING_POINT_VIEW)
    for procedure in point.procedures:
        if procedure.id == procedure_id:
            return procedure
    raise NotFound()


def list_procedures(
    db: Session, *, viewer: User | None, point: CrossingPoint, page: int = 1, per_page: int = 50
) -> Page[ProcedureTemplate]:
    """The point's procedures in order, one page of them."""
    policy.require(viewer, Action.CROSSING_POINT_VIEW)
    query = (
        select(ProcedureTemplate)
        .where(ProcedureTemplate.crossing_point_id == point.id)
        .order_by(ProcedureTemplate.position, ProcedureTemplate.id)
    )
    found = paginate(db, query, page=page, per_page=per_page)
    for procedure in found.items:
        set_committed_value(procedure, "crossing_point", point)
    return found


def crossing_count(db: Session, point: CrossingPoint) -> int:
    """How many crossings, of any event, go through the point."""
    return db.scalar(select(func.count()).where(Crossing.crossing_point_id == point.id)) or 0


# --- create, edit, deactivate, delete ------------------------------------------------------------


def check_manageable(*, actor: User | None) -> None:
    """For the pages that change crossing points: may the actor do it? (Before reading a form.)"""
    policy.require(actor, Action.CROSSING_POINT_MANAGE)


def _check_point(db: Session, values: dict[str, object], *, other_than: int | None = None) -> None:
    """The rules on the whole point, on its values after the change (PATCH sends a part)."""
    if values["country_a"] == values["country_b"]:
        raise FieldError("country_b", _(SAME_COUNTRY))
    latitude, longitude = values["latitude"], values["longitude"]
    if latitude is None and longitude is not None:
        raise FieldError("latitude", _(HALF_COORDINATES))
    if longitude is None and latitude is not None:
        raise FieldError("longitude", _(HALF_COORDINATES))
    # The same two places, either way round, are one crossing point. Lowered by the database on
    # both sides: Python's lower() and SQLite's (ASCII only) differ.
    a, b = func.lower(str(values["name_a"])), func.lower(str(values["name_b"]))
    name_a, name_b = func.lower(CrossingPoint.name_a), func.lower(CrossingPoint.name_b)
    query = select(CrossingPoint.id).where(
        or_((name_a == a) & (name_b == b), (name_a == b) & (name_b == a))
    )
    if other_than is not None:
        query = query.where(CrossingPoint.id != other_than)
    if db.scalar(query.limit(1)) is not None:
        raise FieldError("name_a", _("A crossing point between these two places exists already."))


def create(db: Session, *, actor: User, data: CrossingPointCreate) -> CrossingPoint:
    """A new, active crossing point without procedures."""
    check_manageable(actor=actor)
    fields = data.model_dump(include=set(POINT_FIELDS))
    _check_point(db, fields)
    point = CrossingPoint(**fields, is_active=True, procedures=[])
    db.add(point)
    db.flush()
    audit.record(db, actor, "crossing_point.create", point)
    log.info("crossing point %s created by %s", point.id, actor_label(actor))
    return point


def update(db: Session, *, actor: User, point: CrossingPoint, data: CrossingPointUpdate) -> CrossingPoint:
    """Change the given fields (`is_active` deactivates or reactivates the point)."""
    check_manageable(actor=actor)
    given = data.model_dump(exclude_unset=True)
    changed = {k: given[k] for k in POINT_FIELDS if k in given and getattr(point, k) != given[k]}
    if changed:
        values = {k: changed.get(k, getattr(point, k)) for k in POINT_FIELDS}
        _check_point(db, values, other_than=point.id)
        for key, value in changed.items():
            setattr(point, key, value)
        db.flush()
        audit.record(db, actor, "crossing_point.update", point, fields=sorted(changed))
        log.info("crossing point %s updated by %s", point.id, actor_label(actor))
    if "is_active" in given and given["is_active"] != point.is_active:
        _set_active(db, actor=actor, point=point, active=bool(given["is_active"]))
    return point


def _set_active(db: Session, *, actor: User, point: CrossingPoint, active: bool) -> CrossingPoint:
    check_manageable(actor=actor)
    if point.is_active == active:
        raise Conflict(_("This crossing point is active already.") if active else _("This crossing point is inactive already."))
    point.is_active = active
    db.flush()
    action = "crossing_point.reactivate" if active else "crossing_point.deactivate"
    audit.record(db, actor, action, point)
    log.info("%s %s by %s", action, point.id, actor_label(actor))
    return point


def deactivate(db: Session, *, actor: User, point: CrossingPoint) -> CrossingPoint:
    """No longer offered for new crossings; those planned through it keep it."""
    return _set_active(db, actor=actor, point=point, active=False)


def reactivate(db: Session, *, actor: User, point: CrossingPoint) -> CrossingPoint:
    return _set_active(db, actor=actor, point=point, active=True)


def delete(db: Session, *, actor: User, point: CrossingPoint) -> None:
    """Delete a point and its procedures; Conflict while any crossing goes through it."""
    check_manageable(actor=actor)
    if n := crossing_count(db, point):
        raise Conflict(ngettext(
            "%(n)s crossing goes through this crossing point, so it cannot be deleted. "
            "Deactivate it instead: it will no longer be offered for new crossings.",
            "%(n)s crossings go through this crossing point, so it cannot be deleted. "
            "Deactivate it instead: it will no longer be offered for new crossings.",
            n,
        ) % {"n": n})
    procedures = len(point.procedures)
    audit.record(db, actor, "crossing_point.delete", point, procedures=procedures)
    db.delete(point)
    db.flush()
    log.info("crossing point %s deleted by %s", point.id, actor_label(actor))


# --- procedure templates -------------------------------------------------------------------------


def _renumber(procedures: list[ProcedureTemplate]) -> None:
    """Positions 1, 2, 3… in the list's order (ties and gaps, e.g. from older data, resolved)."""
    for place, procedure in enumerate(procedures, start=1):
        if procedure.position != place:
            procedure.position = place


def _in_order(point: CrossingPoint) -> list[ProcedureTemplate]:
    return sorted(point.procedures, key=lambda p: (p.position, p.id))


def add_procedure(db: Session, *, actor: User, point: CrossingPoint, data: ProcedureCreate) -> ProcedureTemplate:
    """A new step at the end of the point's list."""
    check_manageable(actor=actor)
    ordered = _in_order(point)
    _renumber(ordered)
    procedure = ProcedureTemplate(**data.model_dump(include=set(PROCEDURE_FIELDS)), position=len(ordered) + 1)
    procedure.crossing_point = point  # joins point.procedures (back_populates), no query
    db.add(procedure)
    db.flush()
    audit.record(db, actor, "procedure_template.create", procedure, crossing_point_id=point.id)
    log.info("procedure template %s added to crossing point %s by %s", procedure.id, point.id, actor_label(actor))
    return procedure


def _move_to(point: CrossingPoint, procedure: ProcedureTemplate, place: int) -> bool:
    """Put the procedure at `place` (1 = first, clamped to the list); True if it moved."""
    ordered = _in_order(point)
    old = ordered.index(procedure) + 1
    new = min(max(place, 1), len(ordered))
    ordered.remove(procedure)
    ordered.insert(new - 1, procedure)
    _renumber(ordered)
    point.procedures.sort(key=lambda p: p.position)
    return new != old


def _require_own(point: CrossingPoint, procedure: ProcedureTemplate) -> None:
    if procedure.crossing_point_id != point.id:
        raise NotFound()


def update_procedure(
    db: Session, *, actor: User, point: CrossingPoint, procedure: ProcedureTemplate, data: ProcedureUpdate
) -> ProcedureTemplate:
    """Change the given fields; `position` moves the step to that place (1 = first)."""
    check_manageable(actor=actor)
    _require_own(point, procedure)
    given = data.model_dump(exclude_unset=True)
    changed = sorted(k for k in PROCEDURE_FIELDS if k in given and getattr(procedure, k) != given[k])
    for key in changed:
        setattr(procedure, key, given[key])
    if "position" in given and _move_to(point, procedure, int(given["position"])):
        changed.append("position")
    if not changed:
        return procedure
    db.flush()
    audit.record(db, actor, "procedure_template.update", procedure, crossing_point_id=point.id, fields=changed)
    log.info("procedure template %s updated by %s", procedure.id, actor_label(actor))
    return procedure


def move_procedure(
    db: Session, *, actor: User, point: CrossingPoint, procedure: ProcedureTemplate, up: bool
) -> ProcedureTemplate:
    """One place up or down the list (nothing happens at its top or bottom)."""
    check_manageable(actor=actor)
    _require_own(point, procedure)
    place = _in_order(point).index(procedure) + 1
    if _move_to(point, procedure, place - 1 if up else place + 1):
        db.flush()
        audit.record(
            db, actor, "procedure_template.move", procedure, crossing_point_id=point.id, position=procedure.position
        )
        log.info("procedure template %s moved by %s", procedure.id, actor_label(actor))
    return procedure


def delete_procedure(db: Session, *, actor: User, point: CrossingPoint, procedure: ProcedureTemplate) -> None:
    """Remove a step; those after it move up. Crossings already planned keep their copy."""
    check_manageable(actor=actor)
    _require_own(point, procedure)
    audit.record(db, actor, "procedure_template.delete", procedure, crossing_point_id=point.id)
    point.procedures.remove(procedure)  # delete-orphan: deleted at the flush
    _renumber(_in_order(point))
    db.flush()
    log.info("procedure template %s deleted by %s", procedure.id, actor_label(actor))
