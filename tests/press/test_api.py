from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.press.models import MediaCoverage, PressApproval, PressItem, PressKind, PressStatus
from tests.factories import (
    AgendaSessionFactory,
    DelegationFactory,
    EventFactory,
    MediaCoverageFactory,
    PressItemFactory,
    PressVersionFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
)
from tests.support import settle

STATEMENT = {"kind": "joint_statement", "language": "en", "title": "Joint statement", "body": "We agreed to meet again."}
COVERAGE = {"outlet": "APA", "url": "https://apa.az/en/1", "title": "Roundtable in Tsaghkadzor",
            "published_on": "2026-02-14", "language": "az", "country": "az"}


def error_fields(r) -> set[str]:
    return {e["loc"][-1] for e in r.json()["detail"]}


def published(event, title="Published", when=datetime(2026, 2, 14, 17, tzinfo=UTC)):
    item = PressItemFactory(event=event, status=PressStatus.PUBLISHED, published_at=when)
    PressVersionFactory(item=item, title=title)
    return item


def draft(event, title="Draft", kind=PressKind.JOINT_STATEMENT):
    item = PressItemFactory(event=event, kind=kind)
    PressVersionFactory(item=item, title=title)
    return item


# --- press items ----------------------------------------------------------------------------------


def test_a_joint_statement_goes_from_draft_to_published_through_the_api(api, db):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event, name="Armenia"), DelegationFactory(event=event, name="Azerbaijan")
    officer, coord_am, coord_az = press_officer(event), coordinator(armenia), coordinator(azerbaijan)
    session = AgendaSessionFactory(event=event, title="Press conference")
    settle(db)
    base = f"/api/v1/events/{event.id}/press"

    client = api(officer)
    created = client.post(base, json={**STATEMENT, "session_id": session.id})
    item_id = created.json()["id"]
    patched = client.patch(f"{base}/{item_id}", json={"language": "hy", "title": "Համատեղ հայտարարություն", "body": "Տեքստ"})
    early = client.post(f"{base}/{item_id}/publish")

    outdated = api(coord_am).post(f"{base}/{item_id}/approvals", json={"revision": 1})
    approved_am = api(coord_am).post(f"{base}/{item_id}/approvals", json={"revision": 2})
    again = api(coord_am).post(f"{base}/{item_id}/approvals", json={"revision": 2})
    approved_az = api(coord_az).post(f"{base}/{item_id}/approvals", json={"revision": 2})

    client = api(officer)
    done = client.post(f"{base}/{item_id}/publish")
    versions = client.get(f"{base}/{item_id}/versions")

    assert created.status_code == 201
    assert (created.json()["status"], created.json()["revision"], created.json()["session_id"]) == ("draft", 1, session.id)
    assert [t["language"] for t in patched.json()["texts"]] == ["en", "hy"] and patched.json()["revision"] == 2
    assert (early.status_code, early.json()["error"]) == (409, "NotApproved")
    assert "Armenia, Azerbaijan" in early.json()["detail"]
    assert (outdated.status_code, outdated.json()["error"]) == (409, "OutdatedVersion")
    assert approved_am.status_code == 201 and approved_am.json()["delegation_id"] == armenia.id
    assert again.json()["id"] == approved_am.json()["id"]
    assert approved_az.status_code == 201
    assert done.status_code == 200 and done.json()["status"] == "published" and done.json()["published_at"]
    assert {a["delegation_id"] for a in done.json()["approvals"]} == {armenia.id, azerbaijan.id}
    assert [(v["language"], v["number"], v["revision"]) for v in versions.json()["items"]] == [("en", 1, 1), ("hy", 1, 2)]


def test_the_public_lists_and_reads_published_items_only(client, api, db):
    event = EventFactory()
    out = published(event, title="Out")
    hidden = draft(event, title="Hidden")
    settle(db)
    base = f"/api/v1/events/{event.id}/press"

    listed = client.get(base)
    read = client.get(f"{base}/{out.id}")
    secret = client.get(f"{base}/{hidden.id}")
    versions = client.get(f"{base}/{out.id}/versions")
    staff = api(press_officer(event)).get(base)

    assert [i["texts"][0]["title"] for i in listed.json()["items"]] == ["Out"]
    assert read.status_code == 200 and read.json()["texts"][0]["title"] == "Out"
    assert secret.status_code == 404
    assert versions.status_code == 401
    assert staff.json()["total"] == 2


def test_the_list_filters_and_paginates_for_the_staff(api, db):
    event = EventFactory()
    for i in range(3):
        draft(event, title=f"Draft {i}")
    published(event)
    draft(event, title="Release", kind=PressKind.RELEASE)
    client = api(organiser(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/press"

    drafts = client.get(base, params={"status": "draft", "per_page": 2})
    releases = client.get(base, params={"kind": "press_release"})

    assert (drafts.json()["total"], len(drafts.json()["items"])) == (4, 2)
    assert [i["texts"][0]["title"] for i in releases.json()["items"]] == ["Release", "Published"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "t" * 301}, "title"),
        ({"body": ""}, "body"),
        ({"language": "fr"}, "language"),
        ({"kind": "rumour"}, "kind"),
        ({"session_id": 0}, "session_id"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_create_refuses_invalid_fields_with_422(api, db, change, field):
    event = EventFactory()
    client = api(press_officer(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/press", json={**STATEMENT, **change})

    assert r.status_code == 422 and field in error_fields(r)
    assert db.scalar(select(PressItem).where(PressItem.event_id == event.id)) is None


def test_a_session_of_another_event_is_refused(api, db):
    event = EventFactory()
    other = AgendaSessionFactory()
    client = api(press_officer(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/press", json={**STATEMENT, "session_id": other.id})

    assert r.status_code == 422 and error_fields(r) == {"session_id"}


def test_a_published_item_is_immutable_and_can_be_withdrawn(api, db):
    event = EventFactory()
    item = published(event)
    client = api(press_officer(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/press/{item.id}"

    patched = client.patch(base, json={"body": "Quietly changed."})
    deleted = client.delete(base)
    withdrawn = client.post(f"{base}/withdraw")
    again = client.post(f"{base}/withdraw")
    edited = client.patch(base, json={"body": "Corrected."})

    assert (patched.status_code, deleted.status_code) == (409, 409)
    assert withdrawn.json()["status"] == "withdrawn"
    assert again.status_code == 409
    assert (edited.json()["status"], edited.json()["revision"]) == ("draft", 2)


def test_patch_of_the_session_only_makes_no_new_version(api, db):
    event = EventFactory()
    item = draft(event)
    session = AgendaSessionFactory(event=event)
    client = api(press_officer(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/press/{item.id}"

    linked = client.patch(base, json={"session_id": session.id})
    unlinked = client.patch(base, json={"session_id": None})

    assert (linked.json()["session_id"], linked.json()["revision"]) == (session.id, 1)
    assert unlinked.json()["session_id"] is None


def test_a_draft_is_deleted(api, db):
    event = EventFactory()
    item = draft(event)
    client = api(press_officer(event))
    settle(db)

    r = client.delete(f"/api/v1/events/{event.id}/press/{item.id}")

    assert r.status_code == 204
    assert db.get(PressItem, item.id) is None


def test_a_coordinator_approves_only_for_their_own_side(api, db):
    event = EventFactory()
    armenia, azerbaijan = DelegationFactory(event=event), DelegationFactory(event=event)
    item = draft(event)
    client = api(coordinator(armenia))
    settle(db)
    url = f"/api/v1/events/{event.id}/press/{item.id}/approvals"

    other_side = client.post(url, json={"revision": 1, "delegation_id": azerbaijan.id})
    other_event = client.post(url, json={"revision": 1, "delegation_id": DelegationFactory().id})

    assert (other_side.status_code, other_side.json()["error"]) == (403, "Forbidden")
    assert other_event.status_code == 404
    assert db.scalar(select(PressApproval)) is None


def test_writes_are_refused_to_coordinators_delegates_and_outsiders(api, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    item = draft(event)
    coord = coordinator(delegation)
    participant = delegate(RegistrationFactory(delegation=delegation))
    outsider = UserFactory()
    settle(db)
    base = f"/api/v1/events/{event.id}/press"

    for user, on_item in ((coord, 403), (participant, 404), (outsider, 404)):
        client = api(user)
        answers = [
            client.post(base, json=STATEMENT).status_code,
            client.patch(f"{base}/{item.id}", json={"title": "x"}).status_code,
            client.delete(f"{base}/{item.id}").status_code,
            client.post(f"{base}/{item.id}/publish").status_code,
        ]
        assert answers == [403, on_item, on_item, on_item], user
    participant_approval = api(participant).post(f"{base}/{item.id}/approvals", json={"revision": 1})
    assert participant_approval.status_code in (403, 404)


def test_an_item_of_another_event_is_404(api, db):
    event = EventFactory()
    other = published(EventFactory())
    client = api(organiser(event))
    settle(db)

    read = client.get(f"/api/v1/events/{event.id}/press/{other.id}")
    patched = client.patch(f"/api/v1/events/{event.id}/press/{other.id}", json={"title": "x"})

    assert (read.status_code, patched.status_code) == (404, 404)


# --- media coverage -------------------------------------------------------------------------------


def test_coverage_is_created_read_updated_listed_and_deleted(api, db):
    event = EventFactory()
    MediaCoverageFactory(event=event, language="hy", country="AM")
    client = api(press_officer(event))
    settle(db)
    base = f"/api/v1/events/{event.id}/coverage"

    created = client.post(base, json=COVERAGE)
    coverage_id = created.json()["id"]
    read = client.get(f"{base}/{coverage_id}")
    patched = client.patch(f"{base}/{coverage_id}", json={"title": "Roundtable ends"})
    filtered = client.get(base, params={"country": "AZ"})
    deleted = client.delete(f"{base}/{coverage_id}")

    assert created.status_code == 201 and (created.json()["country"], created.json()["language"]) == ("AZ", "az")
    assert read.json()["url"] == "https://apa.az/en/1"
    assert patched.json()["title"] == "Roundtable ends" and patched.json()["outlet"] == "APA"
    assert [c["id"] for c in filtered.json()["items"]] == [coverage_id]
    assert deleted.status_code == 204 and db.get(MediaCoverage, coverage_id) is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"published_on": (date.today() + timedelta(days=400)).isoformat()}, "published_on"),
        ({"published_on": "1900-01-01"}, "published_on"),
        ({"country": "XX"}, "country"),
        ({"language": "xx"}, "language"),
        ({"outlet": ""}, "outlet"),
    ],
)
def test_invalid_coverage_is_refused_with_422(api, db, change, field):
    event = EventFactory()
    client = api(press_officer(event))
    settle(db)

    r = client.post(f"/api/v1/events/{event.id}/coverage", json={**COVERAGE, **change})

    assert r.status_code == 422 and field in error_fields(r)


def test_an_invalid_coverage_filter_is_a_422(api, db):
    event = EventFactory()
    client = api(press_officer(event))
    settle(db)

    r = client.get(f"/api/v1/events/{event.id}/coverage", params={"language": "xx"})

    assert r.status_code == 422


def test_coverage_is_refused_to_the_public_and_written_by_press_staff_only(client, api, db):
    event = EventFactory()
    coverage = MediaCoverageFactory(event=event)
    coord = coordinator(DelegationFactory(event=event))
    settle(db)
    base = f"/api/v1/events/{event.id}/coverage"

    anonymous = client.get(base)
    outsider = api(UserFactory()).get(base)
    coord_client = api(coord)
    reads = coord_client.get(f"{base}/{coverage.id}")
    writes = [coord_client.post(base, json=COVERAGE).status_code,
              coord_client.patch(f"{base}/{coverage.id}", json={"title": "x"}).status_code,
              coord_client.delete(f"{base}/{coverage.id}").status_code]

    assert anonymous.status_code == 401
    assert outsider.status_code == 403
    assert reads.status_code == 200
    assert writes == [403, 403, 403]


def test_coverage_of_another_event_is_404(api, db):
    event = EventFactory()
    other = MediaCoverageFactory()
    client = api(press_officer(event))
    settle(db)

    assert client.get(f"/api/v1/events/{event.id}/coverage/{other.id}").status_code == 404
