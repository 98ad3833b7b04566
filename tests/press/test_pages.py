import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.events.models import EventStatus
from app.press import service
from app.press.models import MediaCoverage, PressApproval, PressItem, PressKind, PressStatus
from tests.factories import (
    DelegationFactory,
    EventFactory,
    MediaCoverageFactory,
    PressApprovalFactory,
    PressItemFactory,
    PressVersionFactory,
    RegistrationFactory,
    UserFactory,
    coordinator,
    delegate,
    organiser,
    press_officer,
    with_document,
)
from tests.support import read_in, settle

ATOM = "{http://www.w3.org/2005/Atom}"
FORM = {"kind": "joint_statement", "language": "en", "title": "Joint statement of the roundtable",
        "body": "The participants **agreed** to meet again."}
COVERAGE = {"outlet": "Armenpress", "url": "https://armenpress.am/eng/news/1", "title": "Peace Bridge roundtable",
            "published_on": "2026-02-14", "language": "hy", "country": "AM"}


def joint_statement(event, *, title="Joint statement", body="We met.", status=PressStatus.DRAFT, **kwargs):
    item = PressItemFactory(event=event, kind=PressKind.JOINT_STATEMENT, status=status, **kwargs)
    PressVersionFactory(item=item, title=title, body=body)
    return item


def published(event, title="Published statement", when=datetime(2026, 2, 14, 17, tzinfo=UTC), **kwargs):
    return joint_statement(event, title=title, status=PressStatus.PUBLISHED, published_at=when, **kwargs)


def sides(event):
    return DelegationFactory(event=event, name="Armenia"), DelegationFactory(event=event, name="Azerbaijan", country="AZ")


# --- the board and the public list ----------------------------------------------------------------


def test_the_board_shows_drafts_and_each_sides_approval_to_the_press_officer(client, login, db):
    event = EventFactory()
    armenia, azerbaijan = sides(event)
    item = joint_statement(event, title="Draft statement")
    PressApprovalFactory(item=item, delegation=armenia)
    published(event, title="Out already")
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}/press")

    assert r.status_code == 200
    assert r.text.count('class="press-item"') == 2
    assert "Draft statement" in r.text and "Out already" in r.text
    assert "Armenia: <strong>approved</strong>" in r.text and "Azerbaijan: not yet" in r.text
    assert f'href="/events/{event.id}/press/new?kind=joint_statement"' in r.text


def test_the_public_sees_only_published_items_on_the_press_page(client, login, db):
    event = EventFactory()
    joint_statement(event, title="Secret draft")
    published(event, title="Public statement")
    PressItemFactory(event=event, status=PressStatus.WITHDRAWN)
    settle(db)

    anonymous = client.get(f"/events/{event.id}/press")
    login(delegate(RegistrationFactory(delegation=DelegationFactory(event=event))))
    participant = client.get(f"/events/{event.id}/press")

    for r in (anonymous, participant):
        assert r.status_code == 200
        assert r.text.count('class="press-published card"') == 1
        assert "Public statement" in r.text and "Secret draft" not in r.text
        assert "/press/new" not in r.text
        assert f'href="/events/{event.id}/press.atom"' in r.text


def test_the_press_page_of_a_draft_event_is_hidden_from_the_public(client, db):
    event = EventFactory(status=EventStatus.DRAFT)
    settle(db)

    assert client.get(f"/events/{event.id}/press").status_code == 404


@pytest.mark.parametrize("n", [1, 3])
def test_the_board_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    armenia, azerbaijan = sides(event)
    for i in range(n):
        item = joint_statement(event, title=f"Statement {i}")
        PressVersionFactory(item=item, language="hy", title=f"Հայտարարություն {i}")
        PressApprovalFactory(item=item, delegation=armenia)
    login(press_officer(event))
    settle(db)
    url = f"/events/{event.id}/press"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="press-item"') == n
    # the session with its user and grants, event, count, items, versions, approvals, delegations
    assert count() == 7


@pytest.mark.parametrize("n", [1, 3])
def test_the_public_list_query_count_is_constant(client, db, count_queries, n):
    event = EventFactory()
    for i in range(n):
        published(event, title=f"Statement {i}")
    settle(db)
    url = f"/events/{event.id}/press"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="press-published card"') == n
    # event, count, items, versions, approvals
    assert count() == 5


# --- one item -------------------------------------------------------------------------------------


def test_a_drafts_page_is_a_404_to_the_public_and_shown_to_the_staff(client, login, db):
    event = EventFactory()
    item = joint_statement(event, title="Draft statement")
    settle(db)

    anonymous = client.get(f"/events/{event.id}/press/{item.id}")
    login(UserFactory())
    outsider = client.get(f"/events/{event.id}/press/{item.id}")
    login(coordinator(DelegationFactory(event=event)))
    staff = client.get(f"/events/{event.id}/press/{item.id}")

    assert (anonymous.status_code, outsider.status_code, staff.status_code) == (404, 404, 200)
    assert "Draft statement" in staff.text


def test_a_published_item_shows_every_language_to_the_public(client, db):
    event = EventFactory()
    item = published(event, title="Joint statement", body="Text in *English*.")
    PressVersionFactory(item=item, language="hy", title="Համատեղ հայտարարություն", body="Հայերեն տեքստ")
    PressVersionFactory(item=item, language="az", title="Birgə bəyanat", body="Köhnə mətn")
    PressVersionFactory(item=item, language="az", number=2, title="Birgə bəyanat", body="Azərbaycan dilində mətn")
    settle(db)

    r = client.get(f"/events/{event.id}/press/{item.id}")

    assert r.status_code == 200
    assert "<em>English</em>" in r.text
    assert 'lang="hy"' in r.text and "Հայերեն տեքստ" in r.text
    assert "Azərbaycan dilində mətn" in r.text and "Köhnə mətn" not in r.text  # the latest version only
    assert "Versions" not in r.text and "/edit" not in r.text


def test_the_staff_page_lists_versions_with_links_to_their_changes(client, login, db):
    event = EventFactory()
    item = joint_statement(event, title="First title", revision=2)
    PressVersionFactory(item=item, number=2, revision=2, title="Second title")
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}/press/{item.id}")

    assert r.text.count('class="press-version"') == 2
    assert f"/press/{item.id}/diff?language=en&amp;from=1&amp;to=2" in r.text
    assert f'href="/events/{event.id}/press/{item.id}/edit"' in r.text
    assert "Add the text in Armenian" in r.text


def test_an_item_of_another_event_is_404(client, login, db):
    event = EventFactory()
    other = published(EventFactory())
    login(organiser(event))
    settle(db)

    assert client.get(f"/events/{event.id}/press/{other.id}").status_code == 404
    assert client.get(f"/events/{event.id}/press/{other.id}/edit").status_code == 404


@pytest.mark.parametrize("n", [1, 3])
def test_the_staff_page_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    armenia, _ = sides(event)
    item = joint_statement(event, revision=n)
    for number in range(2, n + 1):
        PressVersionFactory(item=item, number=number, revision=number)
    PressApprovalFactory(item=item, delegation=armenia)
    login(press_officer(event))
    settle(db)
    url = f"/events/{event.id}/press/{item.id}"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="press-version"') == n
    # the session with its user and grants, event, item with its session, versions with
    # authors, approvals with their authors, delegations
    assert count() == 6


# --- new and edit ---------------------------------------------------------------------------------


def test_a_press_officer_drafts_a_joint_statement(client, login, form, db):
    event = EventFactory()
    officer = login(press_officer(event))
    settle(db)

    page = client.get(f"/events/{event.id}/press/new?kind=joint_statement")
    r = form(f"/events/{event.id}/press/new", FORM)

    item = db.scalar(select(PressItem).where(PressItem.event_id == event.id))
    assert '<option value="joint_statement" selected>' in page.text
    assert r.status_code == 303 and r.headers["location"] == f"/events/{event.id}/press/{item.id}"
    assert (item.kind, item.status, item.created_by_id) == (PressKind.JOINT_STATEMENT, PressStatus.DRAFT, officer.id)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"body": " "}, "body", "This field is required."),
        ({"language": "fr"}, "language", "Choose one of the options."),
        ({"kind": "rumour"}, "kind", "Choose one of the options."),
    ],
)
def test_an_invalid_draft_is_shown_again_with_the_errors(client, login, form, db, change, field, message):
    event = EventFactory()
    login(press_officer(event))
    settle(db)

    r = form(f"/events/{event.id}/press/new", {**FORM, **change})

    assert r.status_code == 422
    assert f'<p class="field-error" id="e-{field}">{message}</p>' in r.text
    assert db.scalar(select(PressItem).where(PressItem.event_id == event.id)) is None


def test_an_edit_writes_a_new_version_and_withdraws_the_approvals(client, login, form, db):
    event = EventFactory()
    armenia, _ = sides(event)
    item = joint_statement(event, title="Title", body="Old text.")
    PressApprovalFactory(item=item, delegation=armenia)
    login(press_officer(event))
    settle(db)
    url = f"/events/{event.id}/press/{item.id}/edit"

    page = client.get(url)
    r = form(url, {"language": "en", "title": "Title", "body": "New text.", "session_id": ""})

    assert "Old text." in page.text and "withdraws every approval" in page.text
    assert r.status_code == 303
    db.expire_all()
    item = db.get(PressItem, item.id)
    assert item.revision == 2
    assert db.scalar(select(PressApproval)).withdrawn_at is not None


def test_the_text_of_a_new_language_is_added(client, login, form, db):
    event = EventFactory()
    item = joint_statement(event)
    login(press_officer(event))
    settle(db)
    url = f"/events/{event.id}/press/{item.id}/edit"

    page = client.get(url, params={"language": "az"})
    r = form(url, {"language": "az", "title": "Birgə bəyanat", "body": "Mətn", "session_id": ""})

    assert "There is no text in this language yet." in page.text
    assert r.status_code == 303
    db.expire_all()
    assert db.get(PressItem, item.id).revision == 2


def test_a_published_item_cannot_be_edited(client, login, form, db):
    event = EventFactory()
    item = published(event, body="Published text.")
    login(press_officer(event))
    settle(db)
    url = f"/events/{event.id}/press/{item.id}/edit"

    page = client.get(url)
    r = form(url, {"language": "en", "title": "Changed", "body": "Changed.", "session_id": ""})

    assert page.status_code == 200 and "withdraw it before you change it" in page.text
    assert '<textarea' not in page.text
    assert r.status_code == 409 and "withdraw it before you change it" in r.text
    db.expire_all()
    assert db.get(PressItem, item.id).revision == 1


def test_writes_are_refused_to_coordinators_and_participants(client, login, form, db):
    event = EventFactory()
    delegation = DelegationFactory(event=event)
    item = joint_statement(event)
    coord = coordinator(delegation)
    participant = delegate(RegistrationFactory(delegation=delegation))
    base = f"/events/{event.id}/press"

    for user, refused in ((coord, 403), (participant, 404)):
        login(user)
        settle(db)
        answers = [
            client.get(f"{base}/new").status_code,
            form(f"{base}/new", FORM).status_code,
            client.get(f"{base}/{item.id}/edit").status_code,
            form(f"{base}/{item.id}/edit", {**FORM, "title": "Hijacked"}).status_code,
            form(f"{base}/{item.id}/publish").status_code,
            form(f"{base}/{item.id}/delete").status_code,
        ]
        assert answers[:2] == [403, 403]
        assert answers[2:] == [refused] * 4
    db.expire_all()
    assert db.get(PressItem, item.id).revision == 1


# --- approve and publish --------------------------------------------------------------------------


def test_each_coordinator_approves_and_the_press_officer_publishes(client, login, form, db):
    event = EventFactory()
    armenia, azerbaijan = sides(event)
    item = joint_statement(event, title="Joint statement of the roundtable")
    coord_am, coord_az, officer = coordinator(armenia), coordinator(azerbaijan), press_officer(event)
    url = f"/events/{event.id}/press/{item.id}"

    login(officer)
    settle(db)
    early = form(f"{url}/publish")
    assert early.status_code == 409
    assert "has not been approved yet by: Armenia, Azerbaijan" in early.text

    for coord, delegation in ((coord_am, armenia), (coord_az, azerbaijan)):
        login(coord)
        settle(db)
        page = client.get(url)
        assert f"Approve revision 1 for {delegation.name}" in page.text
        other = azerbaijan if delegation is armenia else armenia
        assert f"Approve revision 1 for {other.name}" not in page.text
        r = form(f"{url}/approve", {"revision": "1", "delegation_id": str(delegation.id)})
        assert r.status_code == 303

    login(officer)
    settle(db)
    r = form(f"{url}/publish")

    assert r.status_code == 303
    db.expire_all()
    assert db.get(PressItem, item.id).status == PressStatus.PUBLISHED
    client.cookies.clear()
    public = client.get(f"/events/{event.id}/press")
    assert "Joint statement of the roundtable" in public.text


def test_an_approval_of_an_outdated_version_is_refused_on_the_page(client, login, form, db):
    event = EventFactory()
    armenia, _ = sides(event)
    item = joint_statement(event, revision=2)
    login(coordinator(armenia))
    settle(db)

    r = form(f"/events/{event.id}/press/{item.id}/approve", {"revision": "1", "delegation_id": str(armenia.id)})

    assert r.status_code == 409
    assert 'id="press-refused"' in r.text and "the current revision is 2" in r.text
    assert db.scalar(select(PressApproval)) is None


def test_a_coordinator_of_side_a_cannot_approve_for_side_b(client, login, form, db):
    event = EventFactory()
    armenia, azerbaijan = sides(event)
    item = joint_statement(event)
    login(coordinator(armenia))
    settle(db)

    r = form(f"/events/{event.id}/press/{item.id}/approve", {"revision": "1", "delegation_id": str(azerbaijan.id)})

    assert r.status_code == 403
    assert db.scalar(select(PressApproval)) is None


def test_approving_is_refused_to_the_press_officer(client, login, form, db):
    event = EventFactory()
    armenia, _ = sides(event)
    item = joint_statement(event)
    login(press_officer(event))
    settle(db)

    page = client.get(f"/events/{event.id}/press/{item.id}")
    r = form(f"/events/{event.id}/press/{item.id}/approve", {"revision": "1", "delegation_id": str(armenia.id)})

    assert "Approve revision" not in page.text
    assert r.status_code == 403


def test_withdraw_asks_then_withdraws(client, login, form, db):
    event = EventFactory()
    item = published(event, title="To be withdrawn")
    login(press_officer(event))
    settle(db)
    url = f"/events/{event.id}/press/{item.id}/withdraw"

    confirm = client.get(url)
    r = form(url)

    assert "Withdraw this item?" in confirm.text and "To be withdrawn" in confirm.text
    assert r.status_code == 303
    db.expire_all()
    assert db.get(PressItem, item.id).status == PressStatus.WITHDRAWN
    client.cookies.clear()
    assert client.get(f"/events/{event.id}/press/{item.id}").status_code == 404


def test_delete_asks_then_deletes_a_draft_and_refuses_a_published_item(client, login, form, db):
    event = EventFactory()
    draft = joint_statement(event, title="Scrapped draft")
    out = published(event)
    login(press_officer(event))
    settle(db)

    confirm = client.get(f"/events/{event.id}/press/{draft.id}/delete")
    deleted = form(f"/events/{event.id}/press/{draft.id}/delete")
    refused = form(f"/events/{event.id}/press/{out.id}/delete")

    assert "Delete this draft?" in confirm.text
    assert deleted.status_code == 303 and deleted.headers["location"] == f"/events/{event.id}/press"
    assert refused.status_code == 409
    assert db.get(PressItem, draft.id) is None and db.get(PressItem, out.id) is not None


# --- differences ----------------------------------------------------------------------------------


def test_the_diff_shows_added_and_removed_words_escaped(client, login, db):
    event = EventFactory()
    item = joint_statement(event, title="Statement", body="The sides agreed <b>today</b> to meet.", revision=2)
    PressVersionFactory(item=item, number=2, revision=2, title="Statement",
                        body="The sides agreed <script>alert(1)</script> to meet again.")
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}/press/{item.id}/diff", params={"language": "en", "from": 1, "to": 2})

    assert r.status_code == 200
    assert "<del>&lt;b&gt;today&lt;/b&gt;</del>" in r.text
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in r.text
    assert "<ins>again.</ins>" in r.text or "<ins>meet again.</ins>" in r.text
    assert "<script>alert(1)</script>" not in r.text
    assert '<option value="1" selected>' in r.text


def test_the_diff_of_a_single_version_says_so_and_is_internal(client, login, db):
    event = EventFactory()
    item = published(event)
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}/press/{item.id}/diff", params={"language": "<script>"})
    login(UserFactory())
    outsider = client.get(f"/events/{event.id}/press/{item.id}/diff")

    assert "There is only one version in this language so far." in r.text
    assert outsider.status_code == 403


# --- the Atom feed --------------------------------------------------------------------------------


def test_the_atom_feed_lists_only_published_items_newest_first_with_sanitised_content(client, db):
    event = EventFactory(title="Tsaghkadzor roundtable")
    published(event, title="Older", when=datetime(2026, 2, 13, 12, tzinfo=UTC))
    newer = published(event, title="Newer", body="Hello <script>alert(1)</script> **world**",
                      when=datetime(2026, 2, 14, 12, tzinfo=UTC))
    PressVersionFactory(item=newer, language="hy", title="Նոր", body="Բարև")
    joint_statement(event, title="Draft")
    settle(db)

    r = client.get(f"/events/{event.id}/press.atom")

    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(r.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Newer", "Older"]
    assert feed.findtext(f"{ATOM}title") == "Tsaghkadzor roundtable: press releases and joint statements"
    content = entries[0].find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "<strong>world</strong>" in content.text and "Բարև" in content.text
    assert "<script>" not in content.text
    assert entries[0].find(f"{ATOM}link").get("href") == f"http://parley.test/events/{event.id}/press/{newer.id}"


def test_the_feed_of_an_invisible_event_is_a_404(client, db):
    event = EventFactory(status=EventStatus.DRAFT)
    settle(db)

    assert client.get(f"/events/{event.id}/press.atom").status_code == 404


# --- media coverage -------------------------------------------------------------------------------


def test_the_coverage_log_shows_counts_filters_and_entries(client, login, db):
    event = EventFactory()
    MediaCoverageFactory(event=event, outlet="Armenpress", language="hy", country="AM", title="Հոդված")
    MediaCoverageFactory(event=event, outlet="Armenpress", language="en", country="AM")
    MediaCoverageFactory(event=event, outlet="APA", language="az", country="AZ", title="Məqalə")
    MediaCoverageFactory(outlet="Of another event")
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}/coverage")
    filtered = client.get(f"/events/{event.id}/coverage", params={"country": "AZ"})

    assert r.text.count('class="coverage"') == 3
    assert '<span class="stat" id="coverage-total">3</span>' in r.text
    assert "Armenpress: <strong>2</strong>" in r.text and "Azerbaijani (Azərbaycan dili): <strong>1</strong>" in r.text
    assert "Of another event" not in r.text
    assert filtered.text.count('class="coverage"') == 1 and "Məqalə" in filtered.text


def test_the_coverage_log_is_paginated(client, login, db):
    event = EventFactory()
    MediaCoverageFactory.create_batch(52, event=event)
    login(press_officer(event))
    settle(db)

    first = client.get(f"/events/{event.id}/coverage")
    second = client.get(f"/events/{event.id}/coverage", params={"page": 2})

    assert first.text.count('class="coverage"') == 50 and second.text.count('class="coverage"') == 2
    assert 'rel="next"' in first.text


@pytest.mark.parametrize("n", [1, 3])
def test_the_coverage_log_query_count_is_constant(client, login, db, count_queries, n):
    event = EventFactory()
    MediaCoverageFactory.create_batch(n, event=event)
    login(press_officer(event))
    settle(db)
    url = f"/events/{event.id}/coverage"

    with count_queries() as count:
        r = client.get(url)

    assert r.text.count('class="coverage"') == n
    # the session with its user and grants, event, count, entries, counts
    assert count() == 5


def test_coverage_is_added_edited_and_deleted(client, login, form, db):
    event = EventFactory()
    login(press_officer(event))
    settle(db)
    base = f"/events/{event.id}/coverage"

    created = form(f"{base}/new", COVERAGE)
    coverage = db.scalar(select(MediaCoverage).where(MediaCoverage.event_id == event.id))
    edited = form(f"{base}/{coverage.id}/edit", {**COVERAGE, "title": "Roundtable ends"})
    confirm = client.get(f"{base}/{coverage.id}/delete")
    deleted = form(f"{base}/{coverage.id}/delete")

    assert (created.status_code, created.headers["location"]) == (303, base)
    assert edited.status_code == 303
    assert "Delete this coverage?" in confirm.text and "Roundtable ends" in confirm.text
    assert deleted.status_code == 303
    assert db.get(MediaCoverage, coverage.id) is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"url": "javascript:alert(1)"}, "url", "Enter a web address starting with http:// or https://."),
        ({"url": "ftp://example.org/x"}, "url", "Enter a web address starting with http:// or https://."),
        ({"published_on": (date.today() + timedelta(days=400)).isoformat()}, "published_on",
         "This date is too far in the future: enter the day it appeared."),
        ({"country": "XX"}, "country", "Choose a country from the list."),
        ({"language": "xx"}, "language", "Choose a language from the list."),
        ({"outlet": ""}, "outlet", "This field is required."),
    ],
)
def test_invalid_coverage_is_shown_again_with_the_errors(client, login, form, db, change, field, message):
    event = EventFactory()
    login(press_officer(event))
    settle(db)

    r = form(f"/events/{event.id}/coverage/new", {**COVERAGE, **change})

    assert r.status_code == 422
    assert f'<p class="field-error" id="e-{field}">{message}</p>' in r.text
    assert db.scalar(select(MediaCoverage).where(MediaCoverage.event_id == event.id)) is None


def test_the_coverage_csv_is_safe_to_open_in_a_spreadsheet(client, login, db):
    event = EventFactory()
    MediaCoverageFactory(event=event, outlet="=HYPERLINK(\"//x.test\")", title="@SUM(1+1)", language="ru", country="AZ")
    MediaCoverageFactory(event=event, outlet="Filtered out", language="en")
    login(press_officer(event))
    settle(db)

    r = client.get(f"/events/{event.id}/coverage.csv", params={"language": "ru"})

    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Date,Outlet,Title,Address,Language,Country"
    assert len(lines) == 2
    assert "'=HYPERLINK" in lines[1] and ",'@SUM(1+1)," in lines[1]


def test_coverage_is_internal_and_written_by_press_officers_only(client, login, form, db):
    event = EventFactory()
    coverage = MediaCoverageFactory(event=event)
    coord = coordinator(DelegationFactory(event=event))
    settle(db)
    base = f"/events/{event.id}/coverage"

    anonymous = client.get(base)
    login(UserFactory())
    outsider = [client.get(base).status_code, client.get(f"{base}.csv").status_code]
    login(coord)
    reads = client.get(base)
    writes = [form(f"{base}/new", COVERAGE).status_code, form(f"{base}/{coverage.id}/delete").status_code]

    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert outsider == [403, 403]
    assert reads.status_code == 200 and f"{base}/new" not in reads.text
    assert writes == [403, 403]


# --- the press officer sees no personal documents -------------------------------------------------


def test_a_press_officer_manages_press_but_sees_no_travel_document(client, login, db):
    event = EventFactory()
    registration = with_document(RegistrationFactory(delegation=DelegationFactory(event=event)))
    login(press_officer(event))
    settle(db)

    document = client.get(f"/events/{event.id}/participants/{registration.id}/document")
    board = client.get(f"/events/{event.id}/press/new")

    assert document.status_code in (403, 404)
    assert "AB1234567" not in document.text
    assert board.status_code == 200


# --- the event's page -----------------------------------------------------------------------------


def test_the_event_page_links_to_the_press_for_everyone_and_to_the_coverage_for_the_staff(client, login, db):
    event = EventFactory()
    settle(db)

    public = client.get(f"/events/{event.id}")
    login(press_officer(event))
    staff = client.get(f"/events/{event.id}")

    assert f'href="/events/{event.id}/press"' in public.text and f"/events/{event.id}/coverage" not in public.text
    assert f'href="/events/{event.id}/coverage"' in staff.text


def test_service_headline_prefers_english(db):
    item = PressItemFactory()
    PressVersionFactory(item=item, language="hy", title="Հայերեն")
    PressVersionFactory(item=item, language="en", title="English")

    assert service.headline(item).title == "English"


# --- in the reader's language ------------------------------------------------------------------


@pytest.mark.parametrize("code", ["hy", "az", "ru"])
def test_the_feed_and_the_coverage_csv_speak_the_readers_language(client, login, db, code):
    from app import i18n

    event = EventFactory(title="Tsaghkadzor roundtable")
    item = published(event, title="Statement", when=datetime(2026, 2, 13, 12, tzinfo=UTC))
    MediaCoverageFactory(event=event, language="ru", country="AZ")
    user = login(press_officer(event))
    user.language = None  # the cookie decides
    settle(db)
    read_in(client, code)

    feed = ET.fromstring(client.get(f"/events/{event.id}/press.atom").content)
    csv = client.get(f"/events/{event.id}/coverage.csv").content.decode("utf-8-sig").splitlines()
    page = client.get(f"/events/{event.id}/coverage")

    with i18n.use_language(code):
        title = i18n.gettext("%(event)s: press releases and joint statements") % {"event": event.title}
        kind = i18n.gettext("Press release" if item.kind == PressKind.RELEASE else "Joint statement")
        headings = ",".join(i18n.gettext(h) for h in ("Date", "Outlet", "Title", "Address", "Language", "Country"))
        russian = i18n.gettext("Russian (Русский)")
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == code
    assert feed.findtext(f"{ATOM}title") == title
    assert feed.find(f"{ATOM}entry/{ATOM}category").get("label") == kind
    assert csv[0] == headings
    assert f"<td>{russian}</td>" in page.text
