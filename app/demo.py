"""The demonstration: the "Peace Bridge" initiative and its Tsaghkadzor roundtable (DESIGN.md).

Loaded through the services, as the command line's system actor; loading twice changes nothing.
"""

import logging
import secrets
from datetime import date

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.schemas import UserCreate
from app.accounts.service import system_actor
from app.delegations import service as delegations
from app.delegations.models import DelegationSide
from app.events import service as events
from app.events.models import EventKind, EventStatus, StaffRole
from app.events.schemas import EventCreate
from app.initiatives import service as initiatives
from app.initiatives.models import RoadmapStatus
from app.initiatives.schemas import InitiativeCreate, MilestoneCreate, PhaseCreate
from app.registrations import service as registrations
from app.registrations.models import Category, Circle, DocumentType, Sector
from app.registrations.schemas import RegistrationCreate, TravelDocumentIn

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


# Fictional participants: (given, family, given native, family native) per side.
ARMENIAN_NAMES = [
    ("Anahit", "Petrosyan", "Անահիտ", "Պետրոսյան"), ("Armen", "Grigoryan", "Արմեն", "Գրիգորյան"),
    ("Lusine", "Hakobyan", "Լուսինե", "Հակոբյան"), ("Tigran", "Sargsyan", "Տիգրան", "Սարգսյան"),
    ("Gayane", "Avetisyan", "Գայանե", "Ավետիսյան"), ("Narek", "Harutyunyan", "Նարեկ", "Հարությունյան"),
    ("Siranush", "Karapetyan", "Սիրանուշ", "Կարապետյան"), ("Davit", "Mkrtchyan", "Դավիթ", "Մկրտչյան"),
    ("Mariam", "Vardanyan", "Մարիամ", "Վարդանյան"), ("Hayk", "Stepanyan", "Հայկ", "Ստեփանյան"),
    ("Ani", "Khachatryan", "Անի", "Խաչատրյան"), ("Aram", "Manukyan", "Արամ", "Մանուկյան"),
    ("Lilit", "Hovhannisyan", "Լիլիթ", "Հովհաննիսյան"), ("Vahe", "Ghazaryan", "Վահե", "Ղազարյան"),
    ("Nune", "Martirosyan", "Նունե", "Մարտիրոսյան"), ("Gor", "Sahakyan", "Գոռ", "Սահակյան"),
    ("Armine", "Davtyan", "Արմինե", "Դավթյան"), ("Karen", "Poghosyan", "Կարեն", "Պողոսյան"),
    ("Tatevik", "Arakelyan", "Տաթևիկ", "Առաքելյան"), ("Samvel", "Zakaryan", "Սամվել", "Զաքարյան"),
]
AZERBAIJANI_NAMES = [
    ("Leyla", "Aliyeva", "Leyla", "Əliyeva"), ("Rashad", "Mammadov", "Rəşad", "Məmmədov"),
    ("Aygun", "Huseynova", "Aygün", "Hüseynova"), ("Elvin", "Guliyev", "Elvin", "Quliyev"),
    ("Nigar", "Hasanova", "Nigar", "Həsənova"), ("Tural", "Ismayilov", "Tural", "İsmayılov"),
    ("Gunel", "Abbasova", "Günel", "Abbasova"), ("Farid", "Jafarov", "Fərid", "Cəfərov"),
    ("Sevinj", "Babayeva", "Sevinc", "Babayeva"), ("Orkhan", "Karimov", "Orxan", "Kərimov"),
    ("Aysel", "Mammadli", "Aysel", "Məmmədli"), ("Kamran", "Aghayev", "Kamran", "Ağayev"),
    ("Narmin", "Rzayeva", "Nərmin", "Rzayeva"), ("Ilkin", "Novruzov", "İlkin", "Novruzov"),
    ("Shahla", "Valiyeva", "Şəhla", "Vəliyeva"), ("Javid", "Safarov", "Cavid", "Səfərov"),
    ("Lala", "Najafova", "Lalə", "Nəcəfova"), ("Emin", "Zeynalov", "Emin", "Zeynalov"),
    ("Zarifa", "Musayeva", "Zərifə", "Musayeva"), ("Vugar", "Rustamov", "Vüqar", "Rüstəmov"),
]
ARMENIAN_ORGANISATIONS = ["Yerevan Dialogue Centre", "Institute for Regional Studies", "Armenian Press Club", "Gyumri Civic Forum"]
AZERBAIJANI_ORGANISATIONS = ["Baku Civic Initiative", "Caucasus Media Network", "Centre for Peace Research", "Ganja Youth Forum"]
CATEGORIES = [Category.CIVIL_SOCIETY, Category.EXPERT, Category.MEDIA]
SECTORS = {Category.CIVIL_SOCIETY: Sector.CIVIL_SOCIETY, Category.EXPERT: Sector.ACADEMIA, Category.MEDIA: Sector.MEDIA}

# Demo accounts for each role (their shared password is printed once, when they are created).
DEMO_STAFF = {
    "organiser": "organiser@example.org",
    "press": "press@example.org",
    "coordinator-am": "coordinator.am@example.org",
    "coordinator-az": "coordinator.az@example.org",
}


def load(db: Session) -> str | None:
    """Put the demonstration in; returns the demo accounts' password, or None if it was there."""
    if initiatives.get_by_name(db, INITIATIVE) is not None:
        return None
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
    created = []
    for spec in EVENTS:
        fields = {k: v for k, v in spec.items() if k != "status"}
        created.append(events.create(db, actor=actor, data=EventCreate(initiative_id=initiative.id, **fields)))
    roundtable = created[0]
    password = _staff_and_people(db, actor, roundtable)
    for event, spec in zip(created, EVENTS, strict=True):
        target = spec["status"]
        for status in WORKFLOW[: WORKFLOW.index(target) + 1] if target in WORKFLOW else []:
            events.change_status(db, actor=actor, event=event, status=status)
    db.flush()
    log.info("demo loaded: initiative %s", initiative.id)
    return password


def _passport(country: str, index: int) -> str:
    return f"{country}{4_200_000 + 37 * index:07d}"


def _staff_and_people(db: Session, actor, event) -> str:  # type: ignore[no-untyped-def]
    """The roundtable's staff, its two delegations and twenty participants on each side."""
    password = "-".join(secrets.token_hex(3) for _ in range(4))
    users = {
        key: accounts.create_user(
            db, actor=actor,
            data=UserCreate(email=email, full_name=f"Demo {key.replace('-', ' ')}", password=password),
        )
        for key, email in DEMO_STAFF.items()
    }
    events.add_staff(db, actor=actor, event=event, email=users["organiser"].email, role=StaffRole.ORGANISER)
    events.add_staff(db, actor=actor, event=event, email=users["press"].email, role=StaffRole.PRESS_OFFICER)
    sides = [
        ("Armenia", "AM", DelegationSide.HOST, ARMENIAN_NAMES, ARMENIAN_ORGANISATIONS, "coordinator-am", "hy"),
        ("Azerbaijan", "AZ", DelegationSide.VISITING, AZERBAIJANI_NAMES, AZERBAIJANI_ORGANISATIONS, "coordinator-az", "az"),
    ]
    for name, country, side, names, organisations, coordinator, tag in sides:
        delegation = delegations.create(
            db, actor=actor, event=event,
            fields={
                "name": name, "country": country, "side": side, "head_name": f"{names[0][0]} {names[0][1]}",
                "capacity_core": 8, "capacity_broader": 16,
            },
        )
        delegations.add_coordinator(db, actor=actor, delegation=delegation, email=users[coordinator].email)
        for i, (given, family, given_native, family_native) in enumerate(names):
            category = CATEGORIES[i % 3]
            registration = registrations.add(
                db, actor=actor, event=event, delegation=delegation,
                data=RegistrationCreate(
                    email=f"{given}.{family}@example.org".lower(), given_name=given, family_name=family,
                    given_name_native=given_native, family_name_native=family_native,
                    organisation=organisations[i % len(organisations)], position="Programme director" if i % 4 == 0 else "",
                    sector=SECTORS[category], delegation_id=delegation.id,
                    circle=Circle.CORE if i % 3 == 0 else Circle.BROADER, category=category,
                    languages=f"{tag},ru,en", dietary_needs="Vegetarian" if i % 7 == 3 else "",
                ),
            )
            registrations.set_travel_document(
                db, actor=actor, registration=registration,
                data=TravelDocumentIn(
                    doc_type=DocumentType.PASSPORT, doc_number=_passport(country, i),
                    doc_issuing_country=country, doc_nationality=country, doc_expires_on=date(2030, 1 + i % 12, 1 + i),
                ),
            )
            if i == len(names) - 1:
                continue  # the last one's registration is still to be decided
            registrations.approve(db, actor=actor, registration=registration)
            if registration.status.value == "confirmed":
                registrations.check_in(db, actor=actor, registration=registration, attended=i != 5)
    return password
