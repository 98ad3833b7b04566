"""The demonstration: the "Peace Bridge" initiative and its Tsaghkadzor roundtable (DESIGN.md).

Loaded through the services, as the command line's system actor; loading twice changes nothing.
"""

import logging
import secrets
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.schemas import UserCreate
from app.accounts.service import system_actor
from app.agenda import service as agenda
from app.agenda.models import Audience, SessionKind, SpeakerRole
from app.agenda.schemas import SessionIn, SpeakerIn
from app.crossings import points as crossing_points
from app.crossings import service as crossings
from app.crossings.models import CrossingDirection, ResponsibleSide
from app.crossings.points_schemas import CrossingPointCreate, ProcedureCreate
from app.crossings.schemas import CrossingIn, VehicleIn
from app.delegations import service as delegations
from app.delegations.models import DelegationSide
from app.events import service as events
from app.events.models import EventKind, EventStatus, StaffRole
from app.events.schemas import EventCreate
from app.initiatives import service as initiatives
from app.initiatives.models import RoadmapStatus
from app.initiatives.schemas import InitiativeCreate, MilestoneCreate, PhaseCreate
from app.invitations import service as invitations
from app.invitations.schemas import InvitationCreate
from app.officials import service as officials
from app.outcomes import service as outcomes
from app.outcomes.schemas import OutcomeIn
from app.press import service as press
from app.press.models import PressKind
from app.recommendations import service as recommendations
from app.recommendations.models import RecommendationArea, RecommendationStatus
from app.registrations import service as registrations
from app.registrations.models import Category, Circle, DocumentType, Sector
from app.registrations.schemas import RegistrationCreate, TravelDocumentIn
from app.summaries import service as summaries

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
    phases = {}
    for name, description, starts, ends, status, milestones in ROADMAP:
        phases[name] = phase = initiatives.add_phase(
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
    password, people = _staff_and_people(db, actor, roundtable)
    sessions = _agenda(db, actor, roundtable, people)
    _crossings(db, actor, roundtable)
    _invitations(db, actor, roundtable)
    for event, spec in zip(created, EVENTS, strict=True):
        target = spec["status"]
        for status in WORKFLOW[: WORKFLOW.index(target) + 1] if target in WORKFLOW else []:
            events.change_status(db, actor=actor, event=event, status=status)
    _record(db, actor, initiative, roundtable, sessions, {name: phase.id for name, phase in phases.items()})
    db.flush()
    log.info("demo loaded: initiative %s", initiative.id)
    return password


# Invited and not answered yet: one or two people per delegation (fictional addresses).
PENDING_INVITATIONS = (
    ("AM", "mariam.sahakyan@example.org", Circle.BROADER, Category.EXPERT),
    ("AM", "davit.melkonyan@example.org", Circle.BROADER, Category.MEDIA),
    ("AZ", "aysel.huseynova@example.org", Circle.BROADER, Category.CIVIL_SOCIETY),
)


def _invitations(db: Session, actor, event) -> None:  # type: ignore[no-untyped-def]
    """A few invitations still pending, sent through the outbox like any other."""
    by_country = {d.country: d for d in delegations.list_for_event(db, viewer=actor, event=event)}
    for country, email, circle, category in PENDING_INVITATIONS:
        invitations.invite(
            db,
            actor=actor,
            event=event,
            data=InvitationCreate(email=email, delegation_id=by_country[country].id, circle=circle, category=category),
        )


def _passport(country: str, index: int) -> str:
    return f"{country}{4_200_000 + 37 * index:07d}"


def _staff_and_people(db: Session, actor, event) -> tuple[str, dict[str, list]]:  # type: ignore[no-untyped-def,type-arg]
    """The roundtable's staff, its two delegations and twenty participants on each side (the
    registrations by country, in the order of the names)."""
    password = "-".join(secrets.token_hex(3) for _ in range(4))
    people: dict[str, list] = {}  # type: ignore[type-arg]
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
            people.setdefault(country, []).append(registration)
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
    return password, people


# --- the roundtable's agenda -------------------------------------------------------------------------

ROOMS = [("Main hall", 60), ("Working room A", 20), ("Garden terrace", 80)]

# Fictional office holders, met by the participants (DESIGN.md).
OFFICIALS = {
    "secretary": dict(
        name="Hrant Tadevosyan", name_native="Հրանտ Թադևոսյան", title="Secretary of the Security Council",
        institution="Security Council of the Republic of Armenia", country="AM",
        notes="Protocol: the office confirms the list of participants the day before.",
    ),
    "deputy_minister": dict(
        name="Ruzanna Melkonyan", name_native="Ռուզաննա Մելքոնյան", title="Deputy Minister of Foreign Affairs",
        institution="Ministry of Foreign Affairs of the Republic of Armenia", country="AM", notes="",
    ),
}

# Speakers: ("AM" | "AZ", index into the side's names, role) or ("official", key, role).
M, S, G = SpeakerRole.MODERATOR, SpeakerRole.SPEAKER, SpeakerRole.GUEST
PROGRAMME = [
    # day, start, end, kind, title, room, topics, speakers, extra fields
    (1, "09:30", "10:00", SessionKind.PLENARY, "Opening of the roundtable", "Main hall", [],
     [("AM", 0, S), ("AZ", 0, S)], {"description": "Welcome by the heads of both delegations."}),
    (1, "10:00", "11:30", SessionKind.THEMATIC,
     "Armenia–Azerbaijan relations: the current stage and future trajectories", "Main hall",
     ["relations", "trajectories"], [("AM", 3, M), ("AZ", 1, S), ("AM", 6, S)],
     {"chatham_house": True,
      "description": "Where relations stand after the agreements of 2025, and the paths ahead for both "
                     "societies.\n\n*Held under the Chatham House Rule.*"}),
    (1, "11:30", "12:00", SessionKind.BREAK, "Coffee break", "Garden terrace", [], [], {}),
    (1, "12:00", "13:30", SessionKind.THEMATIC,
     "Implementing the peace agenda endorsed at the Washington Summit of 8 August 2025", "Main hall",
     ["peace agenda", "Washington Summit"], [("AZ", 3, M), ("AM", 1, S), ("AZ", 6, S)],
     {"chatham_house": True,
      "description": "What civil society can do to carry the peace agenda from the summit into practice."}),
    (1, "13:30", "14:30", SessionKind.BREAK, "Lunch", "Garden terrace", [], [], {}),
    (1, "14:30", "16:00", SessionKind.WORKING_GROUP,
     "Cooperation between participants: joint projects, public communication, intersocietal mechanisms",
     "Working room A", ["joint projects", "public communication", "intersocietal mechanisms"],
     [("AM", 9, M), ("AZ", 9, M), ("AM", 12, S), ("AZ", 12, S)],
     {"description": "Working group: proposals for joint projects and a shared public-communication channel."}),
    (1, "16:00", "16:30", SessionKind.BREAK, "Coffee break", "Garden terrace", [], [], {}),
    (1, "16:30", "18:00", SessionKind.THEMATIC, "Regional security, borders and connectivity", "Main hall",
     ["security", "borders", "connectivity"], [("AZ", 15, M), ("AM", 15, S), ("AZ", 18, S)],
     {"chatham_house": True,
      "description": "Delimitation and demarcation, border crossings such as Voskepar / Ashaghi Askipara, "
                     "and transport links in the region."}),
    (1, "18:15", "19:15", SessionKind.OFFICIAL_MEETING,
     "Meeting with the Secretary of the Security Council", "Working room A", ["security"],
     [("official", "secretary", G), ("AM", 0, M), ("AZ", 0, S)],
     {"audience": Audience.CORE, "notes": "Core members of both delegations; no recording."}),
    (1, "19:30", "22:00", SessionKind.CULTURAL, "Informal dinner and cultural evening", "Garden terrace", [],
     [], {"description": "Music and food of both countries."}),
    (2, "09:30", "11:00", SessionKind.THEMATIC,
     "The benefits of sustainable peace and public expectations in both societies", "Main hall",
     ["sustainable peace", "public expectations"], [("AM", 18, M), ("AZ", 4, S), ("AM", 4, S), ("AZ", 7, S)],
     {"chatham_house": True,
      "description": "What people in Armenia and Azerbaijan expect from peace, and how to share its benefits."}),
    (2, "11:00", "11:30", SessionKind.BREAK, "Coffee break", "Garden terrace", [], [], {}),
    (2, "11:30", "12:30", SessionKind.OFFICIAL_MEETING,
     "Meeting with the Deputy Minister of Foreign Affairs", "Working room A", ["peace agenda"],
     [("official", "deputy_minister", G), ("AZ", 0, M), ("AM", 0, S)],
     {"audience": Audience.CORE, "notes": "Core members of both delegations."}),
    (2, "12:30", "13:30", SessionKind.BREAK, "Lunch", "Garden terrace", [], [], {}),
    (2, "13:30", "15:00", SessionKind.CULTURAL, "Walk through Tsaghkadzor and visit to Kecharis Monastery",
     None, [], [], {"description": "An informal walk; comfortable shoes recommended."}),
    (2, "15:30", "16:30", SessionKind.PRESS_CONFERENCE, "Closing press conference", "Main hall", [],
     [("AM", 0, S), ("AZ", 0, S), ("AM", 2, M)],
     {"description": "The heads of both delegations present the roundtable's conclusions."}),
    (2, "16:45", "17:30", SessionKind.WORKING_GROUP, "Coordinators' debrief", "Working room A", [], [],
     {"is_published": False, "notes": "Internal: lessons for the next roundtable."}),
]


# The sessions' titles (and some descriptions) in Armenian, Azerbaijani and Russian, by English
# title: readers who use Parley in those languages see them (app.agenda.models.SessionTranslation).
SESSION_TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "Opening of the roundtable": {
        "hy": {"title": "Կլոր սեղանի բացում",
               "description": "Ողջույնի խոսք երկու պատվիրակությունների ղեկավարների կողմից։"},
        "az": {"title": "Dəyirmi masanın açılışı",
               "description": "Hər iki nümayəndə heyətinin rəhbərlərinin salamlama nitqi."},
        "ru": {"title": "Открытие круглого стола", "description": "Приветственное слово глав обеих делегаций."},
    },
    "Armenia–Azerbaijan relations: the current stage and future trajectories": {
        "hy": {"title": "Հայաստան–Ադրբեջան հարաբերություններ․ ներկա փուլը և զարգացման ապագա ուղիները"},
        "az": {"title": "Ermənistan–Azərbaycan münasibətləri: hazırkı mərhələ və gələcək perspektivlər"},
        "ru": {"title": "Армяно-азербайджанские отношения: текущий этап и траектории развития"},
    },
    "Implementing the peace agenda endorsed at the Washington Summit of 8 August 2025": {
        "hy": {"title": "2025 թվականի օգոստոսի 8-ի Վաշինգտոնի գագաթնաժողովում հավանության արժանացած "
                        "խաղաղության օրակարգի իրականացումը"},
        "az": {"title": "8 avqust 2025-ci il Vaşinqton sammitində təsdiqlənmiş sülh gündəliyinin icrası"},
        "ru": {"title": "Реализация мирной повестки, одобренной на Вашингтонском саммите 8 августа 2025 года"},
    },
    "Cooperation between participants: joint projects, public communication, intersocietal mechanisms": {
        "hy": {"title": "Մասնակիցների համագործակցություն․ համատեղ ծրագրեր, հանրային հաղորդակցություն, "
                        "միջհասարակական մեխանիզմներ"},
        "az": {"title": "İştirakçılar arasında əməkdaşlıq: birgə layihələr, ictimai kommunikasiya, "
                        "cəmiyyətlərarası mexanizmlər"},
        "ru": {"title": "Сотрудничество участников: совместные проекты, публичная коммуникация, "
                        "межобщественные механизмы"},
    },
    "Regional security, borders and connectivity": {
        "hy": {"title": "Տարածաշրջանային անվտանգություն, սահմաններ և հաղորդակցություններ",
               "description": "Սահմանազատում և սահմանագծում, սահմանային անցակետեր, ինչպիսին է "
                              "Ոսկեպար / Աշաղի Ասկիպարան, և տարածաշրջանի տրանսպորտային կապերը։"},
        "az": {"title": "Regional təhlükəsizlik, sərhədlər və kommunikasiyalar",
               "description": "Delimitasiya və demarkasiya, Voskepar / Aşağı Əskipara kimi sərhəd keçidləri "
                              "və regionda nəqliyyat əlaqələri."},
        "ru": {"title": "Региональная безопасность, границы и коммуникации",
               "description": "Делимитация и демаркация, пункты пропуска, такие как Воскепар / Ашагы Аскипара, "
                              "и транспортное сообщение в регионе."},
    },
    "Meeting with the Secretary of the Security Council": {
        "hy": {"title": "Հանդիպում Անվտանգության խորհրդի քարտուղարի հետ"},
        "az": {"title": "Təhlükəsizlik Şurasının katibi ilə görüş"},
        "ru": {"title": "Встреча с секретарём Совета безопасности"},
    },
    "Informal dinner and cultural evening": {
        "hy": {"title": "Ոչ պաշտոնական ընթրիք և մշակութային երեկո"},
        "az": {"title": "Qeyri-rəsmi şam yeməyi və mədəniyyət axşamı"},
        "ru": {"title": "Неформальный ужин и культурный вечер"},
    },
    "The benefits of sustainable peace and public expectations in both societies": {
        "hy": {"title": "Կայուն խաղաղության օգուտները և հանրային սպասումները երկու հասարակություններում"},
        "az": {"title": "Davamlı sülhün faydaları və hər iki cəmiyyətdə ictimai gözləntilər"},
        "ru": {"title": "Преимущества устойчивого мира и общественные ожидания в обоих обществах"},
    },
    "Meeting with the Deputy Minister of Foreign Affairs": {
        "hy": {"title": "Հանդիպում արտաքին գործերի փոխնախարարի հետ"},
        "az": {"title": "Xarici işlər nazirinin müavini ilə görüş"},
        "ru": {"title": "Встреча с заместителем министра иностранных дел"},
    },
    "Walk through Tsaghkadzor and visit to Kecharis Monastery": {
        "hy": {"title": "Զբոսանք Ծաղկաձորում և այց Կեչառիսի վանք",
               "description": "Ոչ պաշտոնական զբոսանք․ խորհուրդ է տրվում հագնել հարմար կոշիկներ։"},
        "az": {"title": "Tsaxkadzorda gəzinti və Keçaris monastırına səfər",
               "description": "Qeyri-rəsmi gəzinti; rahat ayaqqabı geyinməyiniz tövsiyə olunur."},
        "ru": {"title": "Прогулка по Цахкадзору и посещение монастыря Кечарис",
               "description": "Неформальная прогулка; рекомендуется удобная обувь."},
    },
    "Closing press conference": {
        "hy": {"title": "Եզրափակիչ մամուլի ասուլիս"},
        "az": {"title": "Yekun mətbuat konfransı"},
        "ru": {"title": "Итоговая пресс-конференция"},
    },
    "Coffee break": {"hy": {"title": "Սուրճի ընդմիջում"}, "az": {"title": "Kofe fasiləsi"}, "ru": {"title": "Кофе-брейк"}},
    "Lunch": {"hy": {"title": "Ճաշ"}, "az": {"title": "Nahar"}, "ru": {"title": "Обед"}},
}


def _agenda(db: Session, actor, event, people: dict[str, list]) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The roundtable's rooms, officials and its two days of sessions (DESIGN.md), published;
    returns the sessions by title."""
    rooms = {
        name: agenda.create_room(db, actor=actor, event=event, data={"name": name, "capacity": capacity, "position": n})
        for n, (name, capacity) in enumerate(ROOMS)
    }
    met = {key: officials.create(db, actor=actor, event=event, fields=fields) for key, fields in OFFICIALS.items()}
    zone = ZoneInfo(event.timezone)
    sessions = {}
    for day, start, end, kind, title, room, topics, speakers, extra in PROGRAMME:
        on = date.fromordinal(event.starts_on.toordinal() + day - 1)
        fields = {"is_published": True, **extra}
        data = SessionIn(
            kind=kind, title=title, topics=topics,
            starts_at=datetime.combine(on, time.fromisoformat(start), zone),
            ends_at=datetime.combine(on, time.fromisoformat(end), zone),
            room_id=rooms[room].id if room else None,
            speakers=[
                SpeakerIn(official_id=met[who].id, role=role) if side == "official"
                else SpeakerIn(registration_id=people[side][who].id, role=role)
                for side, who, role in speakers
            ],
            translations=SESSION_TRANSLATIONS.get(title, {}),
            **fields,
        )
        sessions[title] = agenda.create_session(db, actor=actor, event=event, data=data)
    return sessions


# --- the visiting delegation's crossings ---------------------------------------------------------

CROSSING_POINT = dict(
    name_a="Voskepar", country_a="AM", name_b="Ashaghi Askipara", country_b="AZ",
    latitude="41.0787", longitude="45.0420", status="delimited and demarcated",
    opening_hours="By arrangement with both border services",
    notes="A section of the border delimited and demarcated in 2024; crossings are agreed in advance.",
)
# (title, description, lead days, responsible side)
PROCEDURES = [
    ("Submit the passenger list to the border services",
     "Names, dates of birth and travel documents of everyone crossing, to both border services.",
     10, ResponsibleSide.BOTH),
    ("Register the vehicles", "Plates, drivers and seats of every vehicle.", 5, ResponsibleSide.VISITING),
    ("Receive clearance", "Written clearance of the passenger list from both border services.", 3, ResponsibleSide.BOTH),
    ("Brief the escort", "Route, timing and contacts with the escort on the host side.", 1, ResponsibleSide.HOST),
]
# (label, plate, driver, phone, seats): the visiting delegation's transport, both ways.
VEHICLES = [
    ("Bus 1", "10-BR-204", "Elchin Mammadli", "+994 50 000 0101", 16),
    ("Minivan", "10-VN-318", "Ramil Hasanli", "+994 50 000 0102", 7),
]


def _crossings(db: Session, actor, event) -> None:  # type: ignore[no-untyped-def]
    """The Voskepar / Ashaghi Askipara point with its procedures, and the Azerbaijani
    delegation's arrival on 13 February in the morning (completed, every step done) and
    departure on 14 February in the evening (submitted, half of its checklist done), each with
    the delegation's confirmed people on the manifest, seated in two vehicles."""
    point = crossing_points.create(db, actor=actor, data=CrossingPointCreate(**CROSSING_POINT))
    for title, description, lead_days, side in PROCEDURES:
        crossing_points.add_procedure(
            db, actor=actor, point=point,
            data=ProcedureCreate(title=title, description=description, lead_days=lead_days, responsible_side=side),
        )
    visiting = next(d for d in delegations.list_for_event(db, viewer=actor, event=event) if d.country == "AZ")
    zone = ZoneInfo(event.timezone)
    first, second = event.starts_on, date.fromordinal(event.starts_on.toordinal() + 1)
    plans = [
        (CrossingDirection.ARRIVAL, datetime.combine(first, time(6, 30), zone), datetime.combine(first, time(6, 0), zone),
         "Ashaghi Askipara, car park before the border post"),
        (CrossingDirection.DEPARTURE, datetime.combine(second, time(19, 0), zone),
         datetime.combine(second, time(18, 0), zone), "Tsaghkadzor conference centre, main entrance"),
    ]
    for direction, planned_at, meeting_at, meeting_point in plans:
        crossing = crossings.create(
            db, actor=actor, event=event,
            data=CrossingIn(
                delegation_id=visiting.id, crossing_point_id=point.id, direction=direction,
                planned_at=planned_at, meeting_at=meeting_at, meeting_point=meeting_point,
                host_escort="Border guard escort of Armenia", host_contact="+374 10 000 0201",
                visiting_escort="Delegation coordinator", visiting_contact="+994 12 000 0202",
            ),
        )
        vehicles = [
            crossings.add_vehicle(
                db, actor=actor, crossing=crossing,
                data=VehicleIn(label=label, plate=plate, driver_name=driver, driver_phone=phone, seats=seats),
            )
            for label, plate, driver, phone, seats in VEHICLES
        ]
        entries = crossings.add_all_confirmed(db, actor=actor, crossing=crossing)
        free = [(vehicle, vehicle.seats) for vehicle in vehicles]
        for entry in entries:
            while free and free[0][1] == 0:
                free.pop(0)
            if not free:
                break
            vehicle, seats = free[0]
            free[0] = (vehicle, seats - 1)
            crossings.assign_vehicle(db, actor=actor, entry=entry, vehicle_id=vehicle.id)
        done = crossing.steps if direction == CrossingDirection.ARRIVAL else crossing.steps[:2]
        for step in done:
            crossings.set_step_done(db, actor=actor, step=step, done=True)
        crossings.submit(db, actor=actor, crossing=crossing)
        if direction == CrossingDirection.ARRIVAL:
            crossings.clear(db, actor=actor, crossing=crossing)
            crossings.complete(db, actor=actor, crossing=crossing, actual_at=planned_at.replace(minute=45))


# --- what the roundtable left behind -----------------------------------------------------------

# Rapporteurs' notes, unattributed (most sessions were under the Chatham House Rule), by title.
OUTCOMES = {
    "Armenia–Azerbaijan relations: the current stage and future trajectories": (
        "Participants took stock of relations after the agreements of 2025. There was broad agreement "
        "that the normalisation process has opened a window that civil society should use, and concern "
        "that public opinion in both countries lags behind the official process.",
        [
            "Relations are at their most promising stage in three decades, but remain fragile.",
            "Civil society should accompany, not replace, the official track.",
            "Regular bilateral contacts between experts and media are needed to sustain trust.",
        ],
    ),
    "Implementing the peace agenda endorsed at the Washington Summit of 8 August 2025": (
        "The discussion focused on what civil society can do to make the summit's agenda tangible for "
        "people: monitoring, explaining and proposing practical steps.",
        [
            "Set up a joint civil-society monitoring of the peace agenda's implementation.",
            "Publish plain-language explainers of the agreed texts in Armenian, Azerbaijani and Russian.",
        ],
    ),
    "Cooperation between participants: joint projects, public communication, intersocietal mechanisms": (
        "The working group drafted proposals for joint projects and agreed to create a shared "
        "public-communication channel of both networks.",
        [
            "A joint public-communication channel, run by both networks, launched by June 2026.",
            "Three pilot joint projects: youth exchange, journalists' fellowship, academic working papers.",
            "An intersocietal contact group meeting every quarter.",
        ],
    ),
    "Regional security, borders and connectivity": (
        "Participants discussed the delimitation and demarcation of the border, the experience of "
        "crossing at Voskepar / Ashaghi Askipara, and the regional transport links under discussion.",
        [
            "The Voskepar / Ashaghi Askipara crossing shows that agreed procedures work in practice.",
            "Transport links should be planned with the communities living along them.",
        ],
    ),
    "The benefits of sustainable peace and public expectations in both societies": (
        "Participants compared recent surveys of public expectations in both societies and discussed how "
        "the benefits of peace could reach border communities first.",
        [
            "Expectations of peace are high, but trust in the other society remains low.",
            "Early, visible benefits for border communities would build support for peace.",
        ],
    ),
    "Closing press conference": (
        "The heads of both delegations presented the roundtable's conclusions and the joint statement.",
        ["The joint statement was presented in English, Armenian and Azerbaijani."],
    ),
}

# (title, area, owners, phase name, target, status, description, updates: (date, text, status))
RECOMMENDATIONS = [
    ("Joint public-communication channel of both networks", RecommendationArea.OTHER, ["AM", "AZ"],
     "Initial confidence-building", date(2026, 6, 30), RecommendationStatus.DONE,
     "A channel run by both civil-society networks that publishes the initiative's work in three languages.",
     [(date(2026, 3, 16), "Editorial board of both networks appointed.", RecommendationStatus.IN_PROGRESS),
      (date(2026, 6, 22), "The channel is live, publishing in Armenian, Azerbaijani and English.", RecommendationStatus.DONE)]),
    ("Exchange of information on missing persons through the humanitarian framework",
     RecommendationArea.HUMANITARIAN, ["AM", "AZ"], "Initial confidence-building", date(2026, 7, 31),
     RecommendationStatus.IN_PROGRESS,
     "Support families of missing persons of both sides with a joint civil-society appeal and referrals.",
     [(date(2026, 4, 10), "Joint appeal of the families' associations published.", RecommendationStatus.IN_PROGRESS)]),
    ("Civil-society monitoring of the peace agenda's implementation", RecommendationArea.SECURITY, ["AM", "AZ"],
     "Dialogue and negotiation", date(2027, 3, 31), RecommendationStatus.AGREED,
     "A joint monitoring report every six months on the implementation of the agenda endorsed in Washington.", []),
    ("Study of passenger transport links through the Voskepar / Ashaghi Askipara section",
     RecommendationArea.INFRASTRUCTURE, ["AM", "AZ"], "Dialogue and negotiation", date(2027, 5, 31),
     RecommendationStatus.AGREED,
     "Experts of both sides study a regular bus link for border communities, with the communities.", []),
    ("Cross-border fair for small businesses", RecommendationArea.ECONOMIC, ["AM", "AZ"],
     "Implementation and monitoring", date(2027, 10, 31), RecommendationStatus.PROPOSED,
     "A first fair where small producers of both countries meet buyers, at a border location.", []),
    ("Expert exchange on a regional electricity interconnection", RecommendationArea.ENERGY, ["AZ"],
     "Implementation and monitoring", date(2028, 6, 30), RecommendationStatus.PROPOSED,
     "Energy experts of both countries compare the options for interconnecting the grids.", []),
]

JOINT_STATEMENT = {
    "en": ("Joint statement of the Peace Bridge roundtable in Tsaghkadzor",
           "Civil society, experts and media of Armenia and Azerbaijan met in Tsaghkadzor on 13–14 February "
           "2026.\n\nWe **welcome** the peace agenda endorsed at the Washington Summit of 8 August 2025 and "
           "commit to:\n\n- a joint public-communication channel of both networks;\n- a civil-society "
           "monitoring of the agenda's implementation;\n- regular roundtables, the next in Gabala.\n"),
    "hy": ("Ծաղկաձորի «Խաղաղության կամուրջ» կլոր սեղանի համատեղ հայտարարություն",
           "Հայաստանի և Ադրբեջանի քաղաքացիական հասարակության, փորձագետների և լրատվամիջոցների "
           "ներկայացուցիչները հանդիպեցին Ծաղկաձորում 2026 թ. փետրվարի 13–14-ը։\n"),
    "az": ("Tsaghkadzorda keçirilən «Sülh körpüsü» dəyirmi masasının birgə bəyanatı",
           "Ermənistan və Azərbaycanın vətəndaş cəmiyyəti, ekspertləri və mediası 13–14 fevral 2026-cı il "
           "tarixində Tsaghkadzorda görüşdülər.\n"),
}
PRESS_RELEASE = (
    "Peace Bridge roundtable closes with a joint statement",
    "The bilateral roundtable of the Peace Bridge initiative closed in Tsaghkadzor with a press conference "
    "of the heads of both delegations, who presented a joint statement.",
)
# (outlet, url, title, date, language, country)
COVERAGE = [
    ("Yerevan Daily", "https://yerevan-daily.example.org/2026/02/14/peace-bridge",
     "Civil society of Armenia and Azerbaijan meet in Tsaghkadzor", date(2026, 2, 14), "en", "AM"),
    ("Caucasus Media Network", "https://caucasus-media.example.org/peace-bridge-tsaghkadzor",
     "Peace Bridge: a roundtable across the border", date(2026, 2, 15), "en", "AZ"),
    ("Baku Herald", "https://baku-herald.example.org/news/2026-02-14-roundtable",
     "Azerbaijani delegation returns from Tsaghkadzor", date(2026, 2, 14), "az", "AZ"),
    ("Armenian Press Club", "https://press-club.example.org/2026/peace-bridge",
     "Խաղաղության կամուրջ. կլոր սեղան Ծաղկաձորում", date(2026, 2, 16), "hy", "AM"),
    ("Regional Review", "https://regional-review.example.org/2026/02/roundtable",
     "Мост мира: круглый стол в Цахкадзоре", date(2026, 2, 18), "ru", "GE"),
]
SUMMARY_INTRODUCTION = (
    "On 13–14 February 2026 the Peace Bridge initiative held its bilateral roundtable in Tsaghkadzor, "
    "Armenia, bringing together civil society, experts and media of Armenia and Azerbaijan. The "
    "Azerbaijani delegation arrived and departed by land through the Voskepar / Ashaghi Askipara section."
)
SUMMARY_CONCLUSION = (
    "The roundtable agreed a joint statement and a set of recommendations now tracked on the initiative's "
    "roadmap. The next engagement is the working group on regional connectivity and borders in Gabala."
)


def _record(db: Session, actor, initiative, event, sessions: dict, phases: dict[str, int]) -> None:  # type: ignore[no-untyped-def,type-arg]
    """The roundtable's outcomes, its recommendations on the roadmap, the joint statement
    approved by both delegations and published with the press release, the coverage it got and
    its summary, published."""
    for title, (notes, key_points) in OUTCOMES.items():
        outcomes.save(db, actor=actor, session=sessions[title], data=OutcomeIn(notes=notes, key_points=key_points))
    source = sessions["Cooperation between participants: joint projects, public communication, intersocietal mechanisms"]
    for title, area, owners, phase, target, status, description, updates in RECOMMENDATIONS:
        recommendation = recommendations.create(
            db, actor=actor, initiative=initiative,
            fields=dict(
                event_id=event.id, session_id=source.id if area == RecommendationArea.OTHER else None,
                phase_id=phases[phase], title=title, description=description, area=area, owners=owners,
                target_on=target, status=RecommendationStatus.AGREED if status != RecommendationStatus.PROPOSED else status,
            ),
        )
        for reported_on, text, moved_to in updates:
            recommendations.add_update(
                db, actor=actor, recommendation=recommendation, text=text, reported_on=reported_on, status=moved_to
            )
    conference = sessions["Closing press conference"]
    languages = iter(JOINT_STATEMENT.items())
    language, (title, body) = next(languages)
    statement = press.create(
        db, actor=actor, event=event, kind=PressKind.JOINT_STATEMENT, language=language, title=title, body=body,
        session_id=conference.id,
    )
    for language, (title, body) in languages:
        press.edit(db, actor=actor, item=statement, language=language, title=title, body=body)
    for delegation in press.delegations_of(db, event=event):
        press.approve(db, actor=actor, item=statement, revision=statement.revision, delegation_id=delegation.id)
    press.publish(db, actor=actor, item=statement)
    title, body = PRESS_RELEASE
    release = press.create(
        db, actor=actor, event=event, kind=PressKind.RELEASE, language="en", title=title, body=body,
        session_id=conference.id,
    )
    press.publish(db, actor=actor, item=release)
    for outlet, url, title, published_on, language, country in COVERAGE:
        press.create_coverage(
            db, actor=actor, event=event,
            fields=dict(outlet=outlet, url=url, title=title, published_on=published_on, language=language, country=country),
        )
    summaries.update(db, actor=actor, event=event, introduction=SUMMARY_INTRODUCTION, conclusion=SUMMARY_CONCLUSION)
    summaries.publish(db, actor=actor, event=event)
