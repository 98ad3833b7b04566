"""What the outcome tests share: a Chatham House session with named speakers."""

from dataclasses import dataclass
from datetime import timedelta

from app.agenda.models import AgendaSession, SessionSpeaker, SpeakerRole
from app.events.models import Event
from app.officials.models import Official
from app.registrations.models import Registration
from tests.factories import (
    AgendaSessionFactory,
    DelegationFactory,
    OfficialFactory,
    PersonFactory,
    RegistrationFactory,
)


@dataclass
class Panel:
    session: AgendaSession
    moderator: Registration
    speaker: Registration
    official: Official


def panel(event: Event, *, chatham_house: bool = True, hours_later: int = 0, **kwargs) -> Panel:  # type: ignore[no-untyped-def]
    """A session with a moderator and a speaker (participants with organisations, names in both
    scripts) and an official as guest."""
    session = AgendaSessionFactory(event=event, chatham_house=chatham_house, title="Regional security", **kwargs)
    if hours_later:
        session.starts_at += timedelta(hours=hours_later)
        session.ends_at += timedelta(hours=hours_later)
    delegation = DelegationFactory(event=event)
    moderator = RegistrationFactory(
        delegation=delegation,
        person=PersonFactory(given_name="Anahit", family_name="Sargsyan", given_name_native="Անահիտ",
                             family_name_native="Սարգսյան", organisation="Yerevan Peace Institute"),
    )
    speaker = RegistrationFactory(
        delegation=DelegationFactory(event=event),
        person=PersonFactory(given_name="Leyla", family_name="Mammadova", organisation="Baku Dialogue Centre"),
    )
    official = OfficialFactory(event=event, name="Tigran Example", name_native="Տիգրան Օրինակ",
                               institution="Security Council Office")
    session.speakers.extend([
        SessionSpeaker(registration=moderator, role=SpeakerRole.MODERATOR, position=0),
        SessionSpeaker(registration=speaker, role=SpeakerRole.SPEAKER, position=1),
        SessionSpeaker(official=official, role=SpeakerRole.GUEST, position=2),
    ])
    return Panel(session=session, moderator=moderator, speaker=speaker, official=official)


# Every name and organisation of `panel`'s people, as they must never appear next to an outcome.
PANEL_WORDS = [
    "Anahit", "Sargsyan", "Անահիտ", "Սարգսյան", "Yerevan Peace Institute",
    "Leyla", "Mammadova", "Baku Dialogue Centre",
    "Tigran Example", "Տիգրան Օրինակ", "Security Council Office",
]
