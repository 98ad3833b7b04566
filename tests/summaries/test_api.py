"""/api/v1/events/{event_id}/summary: the record as JSON, the organisers' words, publication."""

import jsonschema
import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.events.models import EventStatus
from app.summaries.models import EventSummary
from app.summaries.schemas import SummaryOut
from tests.factories import (
    AdminFactory,
    DelegationFactory,
    EventFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
)
from tests.summaries.helpers import INTRODUCTION, held_event


def path(event, suffix=""):
    return f"/api/v1/events/{event.id}/summary{suffix}"


def test_get_gives_the_internal_summary_to_its_organiser_and_audits_it(api, db):
    world = held_event()
    user = organiser(world.event)

    r = api(user).get(path(world.event))

    assert r.status_code == 200
    data = r.json()
    jsonschema.validate(data, SummaryOut.model_json_schema())
    assert data["variant"] == "internal" and data["introduction"] == INTRODUCTION
    assert [t["registered"] for t in data["participation"]["by_delegation"]] == [2, 2]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "summary.export"))
    assert (entry.actor_id, entry.details) == (user.id, {"format": "api", "variant": "internal"})


def test_get_gives_the_public_summary_to_others_once_published(api, client, db):
    world = held_event(published=True)

    anonymous = client.get(path(world.event))
    as_delegate = api(delegate(world.objects["speaker"])).get(path(world.event))

    for r in (anonymous, as_delegate):
        assert r.status_code == 200 and r.json()["variant"] == "public"
        assert "Anahit" not in r.text
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "summary.export")) is None


def test_get_answers_404_before_publication_and_403_for_the_internal_variant(api, client, db):
    world = held_event()

    assert client.get(path(world.event)).status_code == 404
    caller = api(coordinator(world.delegations[0]))
    assert caller.get(path(world.event)).status_code == 404
    r = caller.get(path(world.event, "?variant=internal"))
    assert r.status_code == 403 and r.json()["error"] == "Forbidden"
    assert api(press_officer(world.event)).get(path(world.event, "?variant=public")).json()["variant"] == "public"


def test_get_refuses_an_unknown_variant_with_a_field_error(api, db):
    event = EventFactory()

    r = api(organiser(event)).get(path(event, "?variant=everything"))

    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "variant"]


def test_an_organiser_of_another_event_cannot_read_a_draft_events_summary(api, db):
    event = EventFactory(status=EventStatus.DRAFT)

    assert api(organiser(EventFactory())).get(path(event)).status_code == 404


def test_put_sets_both_texts(api, db):
    event = EventFactory()
    caller = api(organiser(event))

    r = caller.put(path(event), json={"introduction": "  In *Tsaghkadzor*.  ", "conclusion": ""})

    assert r.status_code == 200
    assert r.json() == {"event_id": event.id, "introduction": "In *Tsaghkadzor*.", "conclusion": "",
                        "published_at": None, "updated_at": r.json()["updated_at"]}
    summary = db.scalar(select(EventSummary).where(EventSummary.event_id == event.id))
    assert summary.introduction == "In *Tsaghkadzor*."


@pytest.mark.parametrize("body", [{"introduction": "x"}, {"introduction": "x" * 20_001, "conclusion": ""},
                                  {"introduction": "", "conclusion": "", "published_at": "2026-01-01"}])
def test_put_refuses_bad_bodies_with_field_errors(api, db, body):
    event = EventFactory()

    r = api(organiser(event)).put(path(event), json=body)

    assert r.status_code == 422 and r.json()["error"] == "ValidationError"


@pytest.mark.parametrize("who", ["press officer", "coordinator", "stranger"])
def test_put_and_publish_are_refused_to_whoever_does_not_manage_the_summary(api, db, who):
    event = EventFactory(status=EventStatus.CONCLUDED)
    user = {"press officer": lambda: press_officer(event),
            "coordinator": lambda: coordinator(DelegationFactory(event=event)),
            "stranger": UserFactory}[who]()
    caller = api(user)

    assert caller.put(path(event), json={"introduction": "x", "conclusion": "y"}).status_code == 403
    assert caller.post(path(event, "/publish")).status_code == 403
    assert caller.post(path(event, "/unpublish")).status_code == 403
    assert db.scalar(select(EventSummary).where(EventSummary.event_id == event.id)) is None


def test_publish_then_unpublish(api, client, db):
    event = EventFactory(status=EventStatus.CONCLUDED)
    caller = api(AdminFactory())

    published = caller.post(path(event, "/publish"))
    client.headers.pop("Authorization")
    public = client.get(path(event))
    unpublished = api(AdminFactory()).post(path(event, "/unpublish"))

    assert published.status_code == 200 and published.json()["published_at"] is not None
    assert public.status_code == 200 and public.json()["variant"] == "public"
    assert unpublished.json()["published_at"] is None


def test_publishing_before_the_event_begins_is_a_conflict(api, db):
    event = EventFactory(status=EventStatus.REGISTRATION_OPEN)

    r = api(organiser(event)).post(path(event, "/publish"))

    assert r.status_code == 409 and r.json()["error"] == "Conflict"


def test_unpublishing_what_was_never_written_answers_the_empty_state(api, db):
    event = EventFactory(status=EventStatus.CONCLUDED)

    r = api(organiser(event)).post(path(event, "/unpublish"))

    assert r.status_code == 200 and r.json()["published_at"] is None and r.json()["introduction"] == ""


def test_the_api_documents_the_summary_schema(client):
    schema = client.get("/openapi.json").json()

    operation = schema["paths"]["/api/v1/events/{event_id}/summary"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/SummaryOut")
    assert {"put"} <= set(schema["paths"]["/api/v1/events/{event_id}/summary"])
    assert "SummaryOut" in schema["components"]["schemas"]
