"""The demonstration: the "Peace Bridge" initiative and its Tsaghkadzor roundtable (DESIGN.md).

Loaded through the services, as the command line's system actor; loading twice changes nothing.
"""

import logging
from datetime import date

from sqlalchemy.orm import Session

from app.accounts.service import system_actor
from app.events import service as events
from app.events.models import EventKind, EventStatus
from app.events.schemas import EventCreate
from app.initiatives import service as initiatives
from app.initiatives.models import RoadmapStatus
from app.initiatives.schemas import InitiativeCreate, MilestoneCreate, PhaseCreate

log = logging.getLogger(__name__)

INITIATIVE = "Peace Bridge"

ROADMAP = [
    (
        "Initial confidence-building",
        "Contacts between civil societies, experts and media; first bilateral roundtable.",
        date(2026, 2, 1), date(2026, 7, 31), RoadmapStatus.COMPLETED,
        [
            ("Bilateral roundtable in Tsaghkadzor", date(2026, 2, 13), date(2026, 2, 14), RoadmapStatus.COMPLETED),
            ("Joint public-communication channel of both networks", date(2026, 3, 1), date(2026, 6, 30), RoadmapStatus.COMPLETED),
            ("Review point: first phase", date(2026, 7, 1), date(2026, 7, 31), RoadmapStatus.COMPLETED),
        ],
    ),
    (
        "Dialogue and negotiation",
        "Working groups on the peace agenda endorsed at the Washington Summit of 8 August 2025.",
        date(2026, 8, 1), date(2027, 7, 31), RoadmapStatus.IN_PROGRESS,
        [
            ("Working-group mandates agreed", date(2026, 9, 1), date(2026, 12, 31), RoadmapStatus.IN_PROGRESS),
            ("Intersocietal mechanisms proposed", date(2027, 1, 1), date(2027, 5, 31), RoadmapStatus.PLANNED),
            ("Review point: mid-term review", date(2027, 7, 1), date(2027, 7, 31), RoadmapStatus.PLANNED),
        ],
    ),
    (
        "Implementation and monitoring",
        "Joint projects under way; recommendations tracked to completion.",
        date(2027, 8, 1), date(2029, 1, 31), RoadmapStatus.PLANNED,
        [
            ("Monitoring mechanism in place", date(2027, 8, 1), date(2027, 12, 31), RoadmapStatus.PLANNED),
            ("Review point: final review", date(2028, 12, 1), date(2029, 1, 31), RoadmapStatus.PLANNED),
        ],
    ),
]

ROUNDTABLE_DESCRIPTION = (
    "A bilateral roundtable of the Peace Bridge initiative, bringing together civil society, experts "
    "and media of Armenia and Azerbaijan: core members of the initiative and a broader circle of "
    "participants. The Azerbaijani delegation arrives by land through the Voskepar / Ashaghi Askipara "
    "border section. Sessions cover the current stage and future trajectories of relations, the "
    "peace agenda endorsed at the Washington Summit of 8 August 2025, cooperation between "
    "participants, regional security, borders and connectivity, and the benefits of sustainable peace."
)

EVENTS = [
    dict(
        title="Peace Bridge bilateral roundtable", kind=EventKind.ROUNDTABLE, host_country="AM",
        city="Tsaghkadzor", venue="Tsaghkadzor conference centre", starts_on=date(2026, 2, 13),
        ends_on=date(2026, 2, 14), timezone="Asia/Yerevan", description=ROUNDTABLE_DESCRIPTION,
        status=EventStatus.CONCLUDED,
    ),
    dict(
        title="Working group on regional connectivity and borders", kind=EventKind.WORKING_GROUP,
        host_country="AZ", city="Gabala", venue="", starts_on=date(2027, 7, 14), ends_on=date(2027, 7, 15),
        timezone="Asia/Baku", description="Planned engagement: transport corridors, border regime, connectivity.",
        status=EventStatus.PLANNED,
    ),
    dict(
        title="Humanitarian forum", kind=EventKind.FORUM, host_country="AM", city="Yerevan", venue="",
        starts_on=date(2027, 8, 18), ends_on=date(2027, 8, 19), timezone="Asia/Yerevan",
        description="Planned engagement: missing persons, families divided by the conflict, demining.",
        status=EventStatus.PLANNED,
    ),
    dict(
        title="High-level talks", kind=EventKind.TALKS, host_country="GE", city="Tbilisi", venue="",
        starts_on=date(2027, 9, 22), ends_on=date(2027, 9, 23), timezone="Asia/Tbilisi",
        description="Planned engagement: civil-society input to the high-level talks.",
        status=EventStatus.DRAFT,
    ),
]

# The status workflow, walked step by step as an organiser would.
WORKFLOW = [
    EventStatus.PLANNED, EventStatus.REGISTRATION_OPEN, EventStatus.ONGOING, EventStatus.CONCLUDED,
]


def load(db: Session) -> bool:
    """Put the demonstration in; False if it is there already."""
    if initiatives.get_by_name(db, INITIATIVE) is not None:
        return False
    actor = system_actor()
    initiative = initiatives.create(
        db,
        actor=actor,
        data=InitiativeCreate(
            name=INITIATIVE,
            description=(
                "A civil-society dialogue initiative between Armenia and Azerbaijan: roundtables, "
                "working groups and forums that accompany the peace process."
            ),
        ),
    )
    for name, description, starts, ends, status, milestones in ROADMAP:
        phase = initiatives.add_phase(
            db, actor=actor, initiative=initiative,
            data=PhaseCreate(name=name, description=description, starts_on=starts, ends_on=ends, status=status),
        )
        for m_name, m_starts, m_ends, m_status in milestones:
            initiatives.add_milestone(
                db, actor=actor, phase=phase,
                data=MilestoneCreate(name=m_name, starts_on=m_starts, ends_on=m_ends, status=m_status),
            )
    for spec in EVENTS:
        target = spec["status"]
        fields = {k: v for k, v in spec.items() if k != "status"}
        event = events.create(db, actor=actor, data=EventCreate(initiative_id=initiative.id, **fields))
        for status in WORKFLOW[: WORKFLOW.index(target) + 1] if target in WORKFLOW else []:
            events.change_status(db, actor=actor, event=event, status=status)
    db.flush()
    log.info("demo loaded: initiative %s", initiative.id)
    return True
