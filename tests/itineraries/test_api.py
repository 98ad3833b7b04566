from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.agenda.models import SessionSpeaker, SpeakerRole
from app.registrations.models import RegistrationStatus
from tests.factories import (
    AgendaSessionFactory,
    CrossingFactory,
    DelegationFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
)

YEREVAN = ZoneInfo("Asia/Yerevan")


@pytest.fixture
def person(db):  # type: ignore[no-untyped-def]
    return RegistrationFactory(status=RegistrationStatus.CONFIRMED)


def test_own_itinerary_as_json_by_local_day(api, db, person):
    session = AgendaSessionFactory(event=person.event, title="Plenary",
                                   starts_at=datetime(2026, 2, 13, 23, 30, tzinfo=YEREVAN),
                                   ends_at=datetime(2026, 2, 13, 23, 55, tzinfo=YEREVAN))
    db.add(SessionSpeaker(session=session, registration=person, role=SpeakerRole.MODERATOR))
    CrossingFactory(delegation=person.delegation, meeting_point="Hotel lobby")
    db.flush()

    r = api(delegate(person)).get("/api/v1/me/itinerary")

    body = r.json()
    assert (body["registration_id"], body["timezone"]) == (person.id, "Asia/Yerevan")
    first_day = body["days"][0]
    assert first_day["date"] == "2026-02-13"
    by_type = {e["type"]: e for e in first_day["entries"]}
    assert by_type["crossing"]["crossing"]["meeting_point"] == "Hotel lobby"
    assert (by_type["session"]["role"], by_type["session"]["starts_at"]) == ("moderator", "2026-02-13T23:30:00+04:00")


def test_own_itinerary_of_another_persons_registration_is_404(api, db, person):
    stranger = RegistrationFactory(event=person.event, delegation=person.delegation)

    r = api(delegate(person)).get(f"/api/v1/me/itinerary?registration_id={stranger.id}")

    assert (r.status_code, r.json()["error"]) == (404, "NotFound")


def test_staff_itinerary_in_scope_only(api, db, person):
    url = f"/api/v1/events/{person.event_id}/registrations/{person.id}/itinerary"
    viewers = [organiser(person.event), coordinator(person.delegation)]
    refused = [coordinator(DelegationFactory(event=person.event)), press_officer(person.event)]

    assert [api(v).get(url).json().get("registration_id") for v in viewers] == [person.id, person.id]
    assert [api(v).get(url).status_code for v in refused] == [404, 404]


def test_own_itinerary_without_registrations_is_empty(api, db):
    body = api(UserFactory()).get("/api/v1/me/itinerary").json()

    assert (body["registration_id"], body["days"], bool(body["explanation"])) == (None, [], True)
