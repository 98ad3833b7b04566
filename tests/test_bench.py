"""The benchmark harness (bench/): the scenario it builds, and its measuring code, kept fast.

`make bench` itself measures for minutes; here the 1× scenario is built once into a SQLite file
of its own, checked, built again to show it is the same, and measured for a moment.
"""

import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app import db as app_db
from app.accounts import service as accounts_service
from app.accounts.models import User
from app.accounts.schemas import UserCreate
from app.config import get_settings
from app.crossings.models import Crossing, CrossingDirection, ManifestEntry
from app.db import Base, UTCDateTime, get_db, make_engine
from app.delegations.models import Delegation, DelegationSide
from app.events import service as events_service
from app.events.models import Event, EventStaff, EventStatus, StaffRole
from app.initiatives.models import Initiative
from app.main import create_app
from app.registrations.models import Category, Circle, Person, Registration, RegistrationStatus
from bench import run as bench_run
from bench import scenario as bench_scenario
from bench.measure import sign_in
from bench.pages import FLOOR, PAGES, route_exists

# Columns that differ between two builds of the same data: times, salted hashes, nonces, UUIDs.
VOLATILE = {"password_hash", "doc_number", "uid"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def built(folder: Path) -> bench_scenario.Scenario:
    """The 1× scenario, built once for the module; tests that change it work on a copy."""
    return bench_scenario.build(f"sqlite:///{folder}/first.sqlite3", scale=1)


@pytest.fixture
def bench_engine(built: bench_scenario.Scenario) -> Iterator[Engine]:
    engine = make_engine(built.url)
    yield engine
    engine.dispose()


def copy_of(scenario: bench_scenario.Scenario, folder: Path, name: str) -> bench_scenario.Scenario:
    source = Path(scenario.url.removeprefix("sqlite:///"))
    target = folder / f"{name}.sqlite3"
    shutil.copyfile(source, target)
    return replace(scenario, url=f"sqlite:///{target}")


def snapshot(url: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every row of every table, without the columns that no two builds share."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = {}
            for table in Base.metadata.sorted_tables:
                columns = [
                    c for c in table.columns if not isinstance(c.type, UTCDateTime) and c.name not in VOLATILE
                ]
                query = select(*columns).order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(row) for row in conn.execute(query)]
            return rows
    finally:
        engine.dispose()


# --- the scenario ------------------------------------------------------------------------------------


def test_scenario_1x_holds_the_event_its_organiser_and_300_confirmed_registrations(
    built: bench_scenario.Scenario, bench_engine: Engine
) -> None:
    with Session(bench_engine) as db:
        initiative = db.scalars(select(Initiative)).one()
        event = db.scalars(select(Event)).one()
        staff = db.execute(select(User.email, EventStaff.role).join(EventStaff.user)).all()
        delegations = db.execute(select(Delegation.name, Delegation.country, Delegation.side)).all()
        registrations = db.execute(
            select(Person.given_name, Person.family_name, Person.email, Person.organisation,
                   Registration.category, Registration.circle, Registration.status,
                   Registration.doc_number, Registration.doc_number_hint)
            .join(Registration.person)
            .order_by(Registration.id)
        ).all()
        b001_user = db.scalar(select(Person.user_id).where(Person.email == "delegate-b001@example.org"))
        users = db.scalar(select(func.count()).select_from(User))

    assert initiative.name == bench_scenario.INITIATIVE
    assert (event.title, event.city, event.timezone, event.host_country) == (
        "Peace Bridge bilateral roundtable", "Tsaghkadzor", "Asia/Yerevan", "AM"
    )
    assert (event.starts_on, event.ends_on) == (date(2026, 2, 13), date(2026, 2, 15))
    assert event.status == EventStatus.CONCLUDED and event.is_public
    assert staff == [("organiser1@example.org", StaffRole.ORGANISER)]
    assert delegations == [("Armenia", "AM", DelegationSide.HOST), ("Azerbaijan", "AZ", DelegationSide.VISITING)]

    assert len(registrations) == 300
    names = [f"{r.given_name} {r.family_name}" for r in registrations]
    assert names[:2] == ["Delegate A001", "Delegate A002"] and names[149:151] == ["Delegate A150", "Delegate B001"]
    assert names[-1] == "Delegate B150" and len(set(names)) == 300
    assert registrations[150].email == "delegate-b001@example.org"
    assert {r.organisation for r in registrations} == {f"Org {n}" for n in range(1, 31)}
    assert [r.category for r in registrations[:4]] == [
        Category.CIVIL_SOCIETY, Category.EXPERT, Category.MEDIA, Category.CIVIL_SOCIETY
    ]
    assert sum(r.circle == Circle.CORE for r in registrations) == 60  # every 5th of each side
    assert {r.status for r in registrations} == {RegistrationStatus.CONFIRMED}
    # Every travel document is encrypted as usual: the stored value is not the number.
    assert all(r.doc_number.startswith("v1:") and "0000001" not in r.doc_number for r in registrations)
    assert registrations[0].doc_number_hint == "0001"

    assert users == 2 and b001_user is not None
    assert set(built.accounts) == {"organiser", "delegate_b001"}
    assert built.ids.keys() >= {"initiative", "event", "delegation_a", "delegation_b"}


def test_scenario_1x_holds_the_visiting_delegations_two_crossings_with_everyone_on_each_manifest(
    built: bench_scenario.Scenario, bench_engine: Engine
) -> None:
    with Session(bench_engine) as db:
        crossings = db.execute(
            select(Crossing.id, Crossing.direction, Crossing.delegation_id, Crossing.planned_at).order_by(Crossing.id)
        ).all()
        manifests = dict(
            db.execute(select(ManifestEntry.crossing_id, func.count()).group_by(ManifestEntry.crossing_id)).all()
        )
        visitors = set(db.scalars(select(Registration.id).where(Registration.delegation_id == built.ids["delegation_b"])))
        on_arrival = set(
            db.scalars(select(ManifestEntry.registration_id).where(ManifestEntry.crossing_id == built.ids["arrival_crossing"]))
        )

    assert [(c.id, c.direction, c.delegation_id) for c in crossings] == [
        (built.ids["arrival_crossing"], CrossingDirection.ARRIVAL, built.ids["delegation_b"]),
        (built.ids["departure_crossing"], CrossingDirection.DEPARTURE, built.ids["delegation_b"]),
    ]
    assert [c.planned_at.isoformat() for c in crossings] == [
        "2026-02-13T04:00:00+00:00",  # 08:00 in Yerevan on day 1
        "2026-02-15T14:00:00+00:00",  # 18:00 on day 3
    ]
    assert manifests == {built.ids["arrival_crossing"]: 150, built.ids["departure_crossing"]: 150}
    assert on_arrival == visitors


def test_scenario_plan_has_60_sessions_without_room_overlaps_and_two_crossings() -> None:
    sessions = bench_scenario.sessions()
    crossings = bench_scenario.crossings(10)

    assert [s.title for s in (sessions[0], sessions[-1])] == ["Session 01", "Session 60"]
    assert len({(s.room, s.starts_at) for s in sessions}) == 60
    assert sessions[0].starts_at.isoformat() == "2026-02-13T05:00:00+00:00"  # 09:00 in Yerevan
    assert sessions[19].ends_at.isoformat() == "2026-02-13T15:00:00+00:00"  # 19:00
    assert sessions[0].speakers == (("A", 1), ("A", 2), ("A", 3))
    assert sessions[43].speakers == (("A", 2), ("A", 3), ("A", 4))  # 7·43 = 301: mod 300
    assert sum(s.official_meeting for s in sessions) == 6
    assert [(c.direction, len(c.manifest)) for c in crossings] == [("arrival", 1500), ("departure", 1500)]


def test_scenario_built_twice_holds_the_same_data(built: bench_scenario.Scenario, folder: Path) -> None:
    again = bench_scenario.build(f"sqlite:///{folder}/second.sqlite3", scale=1)

    first, second = snapshot(built.url), snapshot(again.url)

    assert first == second
    assert len(first["registration"]) == 300 and len(first["audit_entry"]) > 300
    assert (again.ids, again.accounts) == (built.ids, built.accounts)


def test_scenario_refuses_a_database_that_is_not_a_benchmark(folder: Path) -> None:
    url = f"sqlite:///{folder}/other.sqlite3"
    engine = make_engine(url)
    bench_scenario.migrate(engine)
    with Session(engine) as db:
        db.add(Initiative(name="Somebody's real initiative", description=""))
        db.commit()
    engine.dispose()

    with pytest.raises(bench_scenario.NotABenchDatabase):
        bench_scenario.build(url)

    assert Path(f"{folder}/other.sqlite3").exists()


# --- measuring -----------------------------------------------------------------------------------------


@pytest.fixture
def bench_app(built: bench_scenario.Scenario, folder: Path, request: pytest.FixtureRequest,  # type: ignore[no-untyped-def]
              monkeypatch: pytest.MonkeyPatch):
    """An app on a copy of the scenario's database, as bench.run probes it: the page cache on, as
    in production (the suite turns it off), and the data version read from the copy. The test
    database is left as it is: the copy's engine is handed over for the test only."""
    scenario = copy_of(built, folder, request.node.name)
    engine = make_engine(scenario.url)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    monkeypatch.setenv("PARLEY_PAGE_CACHE_MEGABYTES", "64")  # also for the live server measure() starts
    get_settings.cache_clear()  # and again after the test (conftest)
    monkeypatch.setattr(app_db, "get_engine", lambda: engine)  # app.db.read_data_version's engine
    app = create_app()

    def override() -> Iterator[Session]:
        db = sessions()
        try:
            yield db
            db.commit()
        finally:
            db.close()

    app.dependency_overrides[get_db] = override
    yield scenario, app, engine
    app.dependency_overrides.clear()
    engine.dispose()


def test_probe_counts_the_overview_queries_and_reports_the_pages_without_a_route(bench_app) -> None:  # type: ignore[no-untyped-def]
    scenario, app, engine = bench_app

    found = bench_run.probe_pages(scenario, app, engine)

    assert found["floor"]["status"] == "ready" and found["floor"]["queries"] == found["floor"]["served_queries"] == 0
    overview = found["overview"]
    assert (overview["status"], overview["path"], overview["as"]) == ("ready", f"/events/{scenario.ids['event']}", "organiser")
    # A rendering, as tests/events/test_pages.py counts it: sign-in (session, user, grants, site
    # policy); event; staff; the crossings' overdue checklist steps; delegations with their counts.
    assert overview["queries"] == len(overview["statements"]) == 5
    for page in PAGES:
        if not any(route_exists(app, t.fill(scenario.ids, default=1) or "") for t in page.targets):
            assert found[page.key]["status"] == "missing"
            assert "no route for GET" in found[page.key]["notes"][0]


def test_probe_counts_a_rendering_and_a_page_served_from_memory_apart(bench_app) -> None:  # type: ignore[no-untyped-def]
    scenario, app, engine = bench_app

    found = bench_run.probe_pages(scenario, app, engine)

    overview, itinerary = found["overview"], found["itinerary"]
    assert (overview["queries"], overview["served_queries"]) == (5, 1)  # served: the data version
    assert overview["statements"][0].startswith("SELECT user_session.id")  # the rendering signs in
    assert itinerary["served_queries"] == 1 < itinerary["queries"]
    for key in ("agenda_ics", "manifest_csv"):  # exports are never kept: each request renders
        assert found[key]["status"] == "ready" and found[key]["served_queries"] == found[key]["queries"] > 1


def test_overview_query_count_is_the_same_with_1_and_3_organisers(bench_app) -> None:  # type: ignore[no-untyped-def]
    scenario, app, engine = bench_app
    one = bench_run.probe_pages(scenario, app, engine)["overview"]
    with Session(engine) as db:
        actor = accounts_service.system_actor()
        event = db.get_one(Event, scenario.ids["event"])
        for n in (2, 3):
            account = bench_scenario.organiser_account(n)
            accounts_service.create_user(
                db, actor=actor, data=UserCreate(email=account.email, full_name=account.full_name, password=account.password)
            )
            events_service.add_staff(db, actor=actor, event=event, email=account.email, role=StaffRole.ORGANISER)
        db.commit()

    three = bench_run.probe_pages(scenario, app, engine)["overview"]

    assert three["status"] == one["status"] == "ready"
    assert three["queries"] == one["queries"]
    assert three["served_queries"] == one["served_queries"] == 1
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, scenario.accounts["organiser"])
        page = client.get(three["path"]).text
    assert all(f"Bench Organiser {n}" in page for n in (1, 2, 3))


def test_measuring_against_a_live_server_in_quick_mode(bench_app, folder: Path) -> None:  # type: ignore[no-untyped-def]
    scenario, app, engine = bench_app
    found = bench_run.probe_pages(scenario, app, engine)
    settings = bench_run.Settings(warmup=2, requests=10, clients=4, seconds=0.5, pdf_warmup=1, pdf_requests=2)
    output = io.StringIO()

    some = tuple(page for page in PAGES if page.key in ("overview", "agenda_ics", "manifest_csv"))

    bench_run.measure(scenario, found, settings, folder, Console(file=output, width=120), some)

    floor, overview = found["floor"], found["overview"]
    assert floor["status"] == overview["status"] == "measured"
    for latency, load in (("latency", "throughput"), ("rendered", "rendered_throughput")):
        assert overview[latency]["requests"] == 10 and overview[latency]["median_ms"] > 0
        assert overview[load]["requests"] > 0 and overview[load]["errors"] == 0
    assert overview["floor_fraction"] == round(overview["throughput"]["rps"] / floor["throughput"]["rps"], 3)
    assert overview["rendered_floor_fraction"] == round(
        overview["rendered_throughput"]["rps"] / floor["throughput"]["rps"], 3
    )
    for key in ("agenda_ics", "manifest_csv"):  # never kept: measured once, as they are asked for
        export = found[key]
        assert export["status"] == "measured" and export["throughput"]["requests"] > 0
        assert export.keys().isdisjoint({"rendered", "rendered_throughput", "rendered_floor_fraction"})
    assert "event overview: served" in output.getvalue() and "; rendered" in output.getvalue()
    assert "arrival manifest as CSV: median" in output.getvalue()

    run = {"scale": 1, "per_side": 150, "database": {"dialect": "sqlite"}, "scenario": {"not_built": []},
           "floor": found[FLOOR.key], "pages": [found[page.key] for page in PAGES]}
    comparison, failures, missing = bench_run.judge([run, run])
    assert [row["key"] for row in comparison] == ["floor", "agenda_ics", "overview", "manifest_csv"]
    assert [row["median_of"] for row in comparison] == ["served", "served", "rendered", "served"]
    assert comparison[2]["median_ms"] == [overview["rendered"]["median_ms"]] * 2
    assert comparison[2]["queries_grow"] is False and comparison[2]["median_growth"] == 1.0
    assert len(missing) == sum(found[page.key]["status"] == "missing" for page in PAGES)
    assert not any("SQL statements" in line for line in failures)
    json.dumps(run)  # every figure goes to results.json
    console = Console(file=io.StringIO(), width=120, record=True)
    console.print(bench_run.scale_table(run))
    table = console.export_text()
    assert "rendered" in table and "event overview" in table


def _measured(rps: float, floor_rps: float, queries: int, median_ms: float = 5.0, *, html: bool = False) -> dict:  # type: ignore[type-arg]
    """An HTML page is served from memory (one statement) and rendered 20 times slower."""
    result = {
        "status": "measured", "queries": queries, "served_queries": 1 if html else queries,
        "floor_fraction": round(rps / floor_rps, 3),
        "throughput": {"rps": rps, "errors": 0, "error": None}, "latency": {"median_ms": median_ms},
    }
    if html:
        result.update({
            "rendered": {"median_ms": median_ms * 20},
            "rendered_throughput": {"rps": rps / 20, "errors": 0, "error": None},
            "rendered_floor_fraction": round(rps / 20 / floor_rps, 3),
        })
    return result


def _run(scale: int, rps: float, queries: int) -> dict:  # type: ignore[type-arg]
    """Every page at `rps` against a floor of 1,000/s; a request takes as long as a request/s allows."""
    floor = _measured(1000.0, 1000.0, 0)
    pages = [
        _measured(rps, 1000.0, queries, median_ms=1000.0 / rps * (100 if page.kind == "pdf" else 1), html=page.is_html)
        for page in PAGES
    ]
    return {"scale": scale, "floor": floor, "pages": pages}


def test_speed_targets_are_judged_on_the_scenario_and_statement_counts_at_every_scale() -> None:
    slow_at_10 = bench_run.judge([_run(1, 150.0, 5), _run(10, 50.0, 5)])[1]
    assert slow_at_10 == []

    slow_at_1 = bench_run.judge([_run(1, 50.0, 5), _run(10, 150.0, 5)])[1]
    html_pages = [page for page in PAGES if page.is_html]
    assert len([line for line in slow_at_1 if "of the floor's" in line]) == len(html_pages)
    assert all(line.startswith("×1 ") for line in slow_at_1 if "of the floor's" in line)
    assert any("summary as PDF" in line and "target < 1 s" in line for line in slow_at_1)

    many_at_10 = bench_run.judge([_run(1, 150.0, 5), _run(10, 150.0, 11)])[1]
    assert len([line for line in many_at_10 if "SQL statements a request" in line]) == len(PAGES)
    assert all(line.startswith("×10 ") for line in many_at_10 if "SQL statements a request" in line)


def test_judge_takes_the_served_requests_per_second_and_the_statements_of_a_rendering() -> None:
    # Served at 0.15 of the floor, rendered at 0.0075 of it: the target is the served rate's.
    assert bench_run.judge([_run(1, 150.0, 10), _run(10, 150.0, 10)])[1] == []

    growing = bench_run.judge([_run(1, 150.0, 5), _run(10, 150.0, 6)])  # served: 1 statement at both
    comparison, failures = growing[0], growing[1]

    assert len([line for line in failures if "SQL statements grow with the rows: 5 at ×1, 6 at ×10" in line]) == len(PAGES)
    overview = next(row for row in comparison if row["key"] == "overview")
    assert (overview["median_of"], overview["median_ms"]) == ("rendered", [1000.0 / 150 * 20] * 2)
    assert {row["median_of"] for row in comparison if row["key"] in ("floor", "agenda_ics", "summary_pdf")} == {"served"}
    Console(file=io.StringIO(), width=120).print(bench_run.comparison_table(comparison))


def test_judge_fails_requests_that_fail_under_load_when_rendered_too() -> None:
    run = _run(1, 150.0, 5)
    overview = run["pages"][[page.key for page in PAGES].index("overview")]
    overview["rendered_throughput"].update(errors=3, error="GET /events/1 answered 500 text/html under load")

    failures = bench_run.judge([run])[1]

    assert failures == [
        "×1 4 event overview: 3 failed requests under load (rendered): GET /events/1 answered 500 text/html under load"
    ]
