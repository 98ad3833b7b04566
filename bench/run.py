"""`make bench`: the "Tsaghkadzor-300" benchmark (BENCH.md) at scale 1× and 10×.

The server keeps rendered HTML pages in memory and answers them again while nothing they show
can have changed (app.page_cache), so an HTML page is measured twice:
- *served*: asked for as a browser asks; once kept, the page is answered from memory after one
  statement (the data version). What users get, and what the throughput target judges.
- *rendered*: asked for with `Cache-Control: no-cache` (bench.measure.RENDER, a browser's hard
  reload): the sign-in, the page's statements and its template, the work that grows with the
  rows. What the statement targets judge.
Exports and the PDF are never kept: they are rendered for every request, and measured once.

For each scale: build the scenario in a fresh database (bench/scenario.py); in-process (a
TestClient on the same database, signed in through the login form, after a warm-up) count the
SQL statements of a rendered request to each page, and of a served one right after; start the
server as in production (uvicorn, 1 worker, loopback) and measure each page: median and p95 of
200 sequential keep-alive requests after 20 warm-ups and requests/s with 8 concurrent clients
for 10 s, served and (HTML pages) rendered; and the same for GET /livez, the floor. Pages the app
does not have yet are reported as missing. Then compare the scales (the rendered medians where
there are, and the statement counts) and check the targets: at 1× (the scenario BENCH.md
defines) an HTML page served at ≥ 1/10 of the floor's requests/s and the summary PDF under 1 s;
at every scale ≤ 10 SQL statements a rendered request, and no page whose rendered statement
count grows with the rows.

    python -m bench.run [--quick] [--scales 1,10] [--database-url URL] [--output FILE]

Exit status 0: every page that exists meets its targets; 1: some FAIL line; 2: cannot run.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from app.config import ROOT
from bench import scenario as bench_scenario
from bench.measure import (
    RENDER,
    PageError,
    Server,
    SignInFailed,
    check,
    recording_queries,
    sequential,
    sign_in,
    throughput,
)
from bench.pages import ANONYMOUS, CONTENT_TYPES, FLOOR, PAGES, Page, route_exists
from bench.scenario import ENVIRONMENT, NotABenchDatabase, Scenario

FLOOR_FRACTION = 0.1  # an HTML page answers at least a tenth of the floor's requests/s
MAX_QUERIES = 10  # SQL statements per request, whatever the page and the scale
PDF_SECONDS = 1.0  # the summary PDF's median
# The speed targets are for the scenario itself (300 participants); the larger scales show
# growth, and are judged on statement counts only.
TARGET_SCALE = 1

DEFAULT_OUTPUT = bench_scenario.BENCH_DIR / "results.json"


@dataclass(frozen=True)
class Settings:
    warmup: int = 20
    requests: int = 200
    clients: int = 8
    seconds: float = 10.0
    pdf_warmup: int = 2
    pdf_requests: int = 20
    max_requests: int = 500_000  # a bound on the concurrent phase besides its duration


FULL = Settings()
QUICK = Settings(warmup=3, requests=30, seconds=1.0, pdf_warmup=1, pdf_requests=3)


# --- step 1: which pages exist, and their SQL statements, in-process ---------------------------------


def _app_on(url: str):  # type: ignore[no-untyped-def]
    """A fresh app whose engine (app.db.get_engine) is the scenario's database."""
    from app import crypto, db
    from app.config import get_settings
    from app.main import create_app

    os.environ["PARLEY_DATABASE_URL"] = url
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    for cached in (get_settings, db.get_engine, db.session_factory, crypto.keyring):
        cached.cache_clear()
    return create_app(), db.get_engine()


def probe(scenario: Scenario) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Each page: where it is, whether it answers, and the statements of one request."""
    app, engine = _app_on(scenario.url)
    try:
        with engine.connect() as conn:
            version = conn.dialect.server_version_info
        database = {
            "dialect": engine.dialect.name,
            "version": ".".join(str(v) for v in version) if version else None,
        }
        return probe_pages(scenario, app, engine), database
    finally:
        engine.dispose()


def probe_pages(scenario: Scenario, app, engine) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """probe_page for the floor and every page, with one TestClient per identity."""
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

    clients: dict[str, TestClient] = {}

    def client_for(identity: str) -> TestClient:
        if identity not in clients:
            # A page that fails answers 500 here, as on the server, instead of raising.
            client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
            if identity != ANONYMOUS:
                sign_in(client, scenario.accounts[identity])
            clients[identity] = client
        return clients[identity]

    try:
        return {page.key: probe_page(page, scenario, app, engine, client_for) for page in (FLOOR, *PAGES)}
    finally:
        for client in clients.values():
            client.close()


def probe_page(page: Page, scenario: Scenario, app, engine, client_for: Callable) -> dict[str, Any]:  # type: ignore[no-untyped-def,type-arg]
    result: dict[str, Any] = {
        "number": page.number,
        "key": page.key,
        "label": page.label,
        "kind": page.kind,
        "status": "missing",
        "path": None,
        "as": None,
        "notes": [],
    }
    content_type = CONTENT_TYPES[page.kind]
    for target in page.targets:
        route_path = target.fill(scenario.ids, default=1)
        assert route_path is not None
        if not route_exists(app, route_path):
            answer = client_for(ANONYMOUS).get(route_path).status_code
            result["notes"].append(f"no route for GET {target.path} (GET {route_path} answers {answer})")
            continue
        path = target.fill(scenario.ids)
        lacking = [key for key in target.placeholders() if key not in scenario.ids]
        if target.identity != ANONYMOUS and target.identity not in scenario.accounts:
            lacking.append(f"account {target.identity!r}")
        if path is None or lacking:
            result["status"] = "incomplete"
            result["notes"].append(
                f"GET {target.path} exists but the scenario has no {', '.join(lacking)}: "
                "extend bench/scenario.py"
            )
            continue
        try:
            client = client_for(target.identity)
            check(client.get(path, headers=RENDER), content_type)  # the warm-up
            with recording_queries(engine) as statements:
                response = client.get(path, headers=RENDER)
            check(response, content_type)
            # Only HTML pages are kept: anything else is rendered again, as counted above.
            served = served_statements(client, path, content_type, engine) if page.is_html else statements
        except (PageError, SignInFailed) as exc:
            result["status"] = "error"
            result["notes"].append(f"as {target.identity}: {exc}")
            continue
        result.update(
            {"status": "ready", "path": path, "as": target.identity, "queries": len(statements),
             "statements": statements, "served_queries": len(served)}
        )
        return result
    return result


def served_statements(client, path: str, content_type: str, engine) -> list[str]:  # type: ignore[no-untyped-def]
    """The statements of a request as a browser sends it, right after the same one: an HTML page
    that the first rendered and kept (it wrote nothing, set no cookie) answers the second from
    memory. A kept page is answered only within the second it was rendered in (app.page_cache,
    on this process's clock): if the second turned in between, once more."""
    for _ in range(3):
        second = int(time.time())
        check(client.get(path), content_type)
        with recording_queries(engine) as statements:
            response = client.get(path)
        check(response, content_type)
        if int(time.time()) == second:
            break
    return statements


# --- step 2: the server, as in production ------------------------------------------------------------


def measure(
    scenario: Scenario,
    found: dict[str, dict[str, Any]],
    settings: Settings,
    workdir: Path,
    console: Console,
    pages: tuple[Page, ...] = PAGES,
) -> None:
    """Measure the floor and each of `pages` that probe() found ready, on a server of its own."""
    import httpx

    # The keys are the environment's, as when the scenario was built (main() sets ENVIRONMENT).
    env = {**os.environ, "PARLEY_DATABASE_URL": scenario.url}
    with Server(env=env, log_path=workdir / f"server-{scenario.scale}x.log") as server:
        clients: dict[str, httpx.Client] = {}
        try:
            for page in (FLOOR, *pages):
                result = found[page.key]
                if result["status"] != "ready":
                    continue
                identity = result["as"]
                content_type = CONTENT_TYPES[page.kind]
                try:
                    if identity not in clients:
                        clients[identity] = httpx.Client(base_url=server.base_url, timeout=60)
                        if identity != ANONYMOUS:
                            sign_in(clients[identity], scenario.accounts[identity])
                    client = clients[identity]
                    if page.median_only:
                        result["latency"] = sequential(
                            client, result["path"], content_type=content_type,
                            warmup=settings.pdf_warmup, requests=settings.pdf_requests,
                        )
                    else:
                        # Served as a browser asks; an HTML page also rendered (exports always are).
                        phases = [("latency", "throughput", None)]
                        if page.is_html:
                            phases.append(("rendered", "rendered_throughput", RENDER))
                        for latency_key, throughput_key, headers in phases:
                            result[latency_key] = sequential(
                                client, result["path"], content_type=content_type,
                                warmup=settings.warmup, requests=settings.requests, headers=headers,
                            )
                            result[throughput_key] = throughput(
                                server.base_url, client.cookies, result["path"], content_type=content_type,
                                clients=settings.clients, seconds=settings.seconds,
                                max_requests=settings.max_requests,
                                server_pid=server.process.pid if server.process else None,
                                headers=headers,
                            )
                except (PageError, SignInFailed, httpx.HTTPError) as exc:
                    result["status"] = "error"
                    result["notes"].append(f"on the server: {exc}")
                    continue
                result["status"] = "measured"
                console.print(f"  {page.label}: {_figures(page, result)}")
        finally:
            for client in clients.values():
                client.close()
    floor_rps = found[FLOOR.key].get("throughput", {}).get("rps")
    for page in pages:
        result = found[page.key]
        for source, fraction in (("throughput", "floor_fraction"), ("rendered_throughput", "rendered_floor_fraction")):
            rps = result.get(source, {}).get("rps")
            if rps is not None and floor_rps:
                result[fraction] = round(rps / floor_rps, 3)


def _figures(page: Page, result: dict[str, Any]) -> str:
    """The console line of a measured page: served, and rendered where it was measured too."""
    rps = result.get("throughput", {}).get("rps")
    per_second = f", {rps:,.0f} req/s" if rps is not None else ""
    if "rendered" in result:
        rendered_rps = result["rendered_throughput"]["rps"]
        return (
            f"served {result['latency']['median_ms']:.2f} ms{per_second}; "
            f"rendered {result['rendered']['median_ms']:.2f} ms, {rendered_rps:,.0f} req/s"
        )
    first = result["latency"].get("first_ms")
    return (
        f"median {result['latency']['median_ms']:.2f} ms{per_second}"
        # The summary PDF keeps what it printed: say what the first print cost.
        + (f" (first request {first:,.0f} ms)" if page.median_only and first is not None else "")
    )


def run_scale(
    scale: int, url: str, settings: Settings, workdir: Path, console: Console
) -> dict[str, Any]:
    console.print(f"[bold]×{scale}[/bold]: building {bench_scenario.NAME} in {bench_scenario.redact(url)}")
    began = time.perf_counter()
    scenario = bench_scenario.build(url, scale=scale)
    built = time.perf_counter() - began
    console.print(f"  built in {built:.1f} s; counting SQL statements, then measuring on the server")
    found, database = probe(scenario)
    measure(scenario, found, settings, workdir, console)
    return {
        "scale": scale,
        "per_side": scenario.per_side,
        "build_seconds": round(built, 2),
        "database": database,
        "scenario": bench_scenario.summary(scenario),
        "floor": found[FLOOR.key],
        "pages": [found[page.key] for page in PAGES],
    }


# --- step 3: targets and growth ----------------------------------------------------------------------


def judge(scales: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The comparison of the smallest and largest scale, the FAIL lines and the MISSING lines."""
    failures: list[str] = []
    missing: dict[str, str] = {}
    for run in scales:
        tag = f"×{run['scale']}"
        floor = run["floor"]
        if floor["status"] != "measured":
            failures.append(f"{tag} the floor /livez could not be measured: {'; '.join(floor['notes'])}")
        for page, result in zip(PAGES, run["pages"], strict=True):
            name = f"{tag} {page.number} {page.label}"
            status = result["status"]
            if status == "missing":
                missing.setdefault(page.key, f"{page.number} {page.label}: {'; '.join(result['notes'])}")
                continue
            if status != "measured":
                failures.append(f"{name}: {status}: {'; '.join(result['notes'])}")
                continue
            if result["queries"] > MAX_QUERIES:
                failures.append(f"{name}: {result['queries']} SQL statements a request (target ≤ {MAX_QUERIES})")
            speed_judged = run["scale"] == TARGET_SCALE
            fraction = result.get("floor_fraction")
            if speed_judged and page.is_html and fraction is not None and fraction < FLOOR_FRACTION:
                failures.append(
                    f"{name}: {result['throughput']['rps']:,.0f} req/s is {fraction:.3f} of the floor's "
                    f"(target ≥ {FLOOR_FRACTION})"
                )
            for phase, load in (("served", "throughput"), ("rendered", "rendered_throughput")):
                if result.get(load, {}).get("errors"):
                    failures.append(f"{name}: {result[load]['errors']} failed requests under load ({phase}): "
                                    f"{result[load]['error']}")
            if speed_judged and page.kind == "pdf" and result["latency"]["median_ms"] >= PDF_SECONDS * 1000:
                failures.append(
                    f"{name}: median {result['latency']['median_ms'] / 1000:.2f} s (target < {PDF_SECONDS:g} s)"
                )

    comparison: list[dict[str, Any]] = []
    if len(scales) >= 2:
        small, large = scales[0], scales[-1]
        pairs = [(FLOOR, small["floor"], large["floor"])] + [
            (page, a, b) for page, a, b in zip(PAGES, small["pages"], large["pages"], strict=True)
        ]
        for page, a, b in pairs:
            if a["status"] != "measured" or b["status"] != "measured":
                continue
            # The work that grows with the rows is the rendering's: a page served from memory
            # costs the same at any scale.
            latency = "rendered" if "rendered" in a and "rendered" in b else "latency"
            row = {
                "key": page.key,
                "label": page.label,
                "scales": [small["scale"], large["scale"]],
                "median_of": "rendered" if latency == "rendered" else "served",
                "median_ms": [a[latency]["median_ms"], b[latency]["median_ms"]],
                "median_growth": round(b[latency]["median_ms"] / a[latency]["median_ms"], 2),
                "queries": [a["queries"], b["queries"]],
                "queries_grow": b["queries"] > a["queries"],
            }
            comparison.append(row)
            if row["queries_grow"]:
                failures.append(
                    f"{page.number} {page.label}: SQL statements grow with the rows: {a['queries']} at "
                    f"×{small['scale']}, {b['queries']} at ×{large['scale']} (an N+1 query?)"
                )
    return comparison, failures, list(missing.values())


# --- reporting ---------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _rps(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _table(title: str, caption: str | None = None) -> Table:
    # Lines only under the heading, two spaces between columns: 11 columns in 120.
    return Table(
        title=title, title_justify="left", caption=caption, caption_justify="left",
        box=box.SIMPLE_HEAD, collapse_padding=True, show_edge=False, pad_edge=False,
    )


def scale_table(run: dict[str, Any]) -> Table:
    """A row a page: served (as a browser asks; from memory once kept), rendered (HTML pages
    asked to render afresh), and the statements of a rendering."""
    table = _table(
        f"{bench_scenario.NAME} ×{run['scale']} ({run['per_side']:,} a side; {run['database']['dialect']})",
        "served: as a browser asks (HTML from memory once kept); rendered: Cache-Control: no-cache; "
        "SQL: a rendering's statements",
    )
    for name, justify in (("#", "right"), ("page", "left"), ("as", "left"), ("status", "left"),
                          ("served\nms", "right"), ("p95\nms", "right"), ("served\nreq/s", "right"),
                          ("×\nfloor", "right"), ("rendered\nms", "right"), ("rendered\nreq/s", "right"),
                          ("SQL", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for page, result in [(FLOOR, run["floor"]), *zip(PAGES, run["pages"], strict=True)]:
        latency = result.get("latency", {})
        status = result["status"]
        style = {"measured": "green", "missing": "yellow"}.get(status, "red")
        table.add_row(
            str(page.number) if page.number else "",
            page.label,
            result["as"] or "",
            f"[{style}]{status}[/{style}]",
            _ms(latency.get("median_ms")),
            "—" if page.median_only else _ms(latency.get("p95_ms")),
            _rps(result.get("throughput", {}).get("rps")),
            "—" if result.get("floor_fraction") is None else f"{result['floor_fraction']:.3f}",
            _ms(result.get("rendered", {}).get("median_ms")),
            _rps(result.get("rendered_throughput", {}).get("rps")),
            "—" if result.get("queries") is None else str(result["queries"]),
        )
    return table


def comparison_table(rows: list[dict[str, Any]]) -> Table:
    """The median of the rendered requests where there are (the work that grows with the rows),
    else of the served ones, and the statements of a rendering."""
    small, large = rows[0]["scales"]
    table = _table(f"Growth from ×{small} to ×{large}")
    for name, justify in (("page", "left"), ("median of", "left"), (f"ms ×{small}", "right"),
                          (f"ms ×{large}", "right"), ("growth", "right"), ("SQL", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        a, b = row["queries"]
        table.add_row(
            row["label"], row["median_of"], _ms(row["median_ms"][0]), _ms(row["median_ms"][1]),
            f"×{row['median_growth']:.2f}",
            f"[red]{a} → {b}[/red]" if row["queries_grow"] else f"{a} → {b}",
        )
    return table


def machine() -> dict[str, Any]:
    model = platform.processor()
    try:
        with open("/proc/cpuinfo") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), model)
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "cpu": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def _load() -> list[float] | None:
    """The 1, 5 and 15-minute load averages: other work on the machine skews every figure."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def git_commit() -> dict[str, Any]:
    git = shutil.which("git")
    if git is None:
        return {"commit": None, "dirty": None}
    head = subprocess.run([git, "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    status = subprocess.run([git, "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    return {
        "commit": head.stdout.strip() or None,
        "dirty": bool(status.stdout.strip()) if status.returncode == 0 else None,
    }


# --- the command -------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="few requests and 1 s of concurrency: a smoke test, not figures")
    parser.add_argument("--scales", default="1,10", help="comma-separated scale factors (default 1,10)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="a PostgreSQL database of its own, emptied and rebuilt for each scale "
                             "(default: SQLite files in --workdir)")
    parser.add_argument("--workdir", type=Path, default=bench_scenario.WORKDIR,
                        help="where the SQLite files and server logs go (default bench/var)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help="the results file (default bench/results.json)")
    args = parser.parse_args(argv)
    try:
        args.scales = [int(s) for s in args.scales.split(",") if s.strip()]
    except ValueError:
        parser.error("--scales takes whole numbers, e.g. 1,10")
    if not args.scales or min(args.scales) < 1:
        parser.error("--scales takes whole numbers of at least 1, e.g. 1,10")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.update(ENVIRONMENT)  # before anything of the app reads its settings
    console = Console() if sys.stdout.isatty() else Console(width=132)
    settings = QUICK if args.quick else FULL
    began = time.perf_counter()
    started_at = datetime.now(UTC)
    load_before = _load()
    args.workdir.mkdir(parents=True, exist_ok=True)

    scales = []
    try:
        for scale in args.scales:
            url = args.database_url or bench_scenario.default_url(scale, args.workdir)
            scales.append(run_scale(scale, url, settings, args.workdir, console))
    except NotABenchDatabase as exc:
        console.print(f"[red]Cannot run: {exc}[/red]")
        return 2

    comparison, failures, missing = judge(scales)
    load_after = _load()
    results = {
        "benchmark": bench_scenario.NAME,
        "date": started_at.isoformat(timespec="seconds"),
        **git_commit(),
        "machine": {**machine(), "load_before": load_before, "load_after": load_after},
        "quick": args.quick,
        "settings": asdict(settings),
        "targets": {"floor_fraction_min": FLOOR_FRACTION, "queries_max": MAX_QUERIES, "pdf_seconds_max": PDF_SECONDS},
        "scales": scales,
        "comparison": comparison,
        "missing": missing,
        "failures": failures,
        "seconds": round(time.perf_counter() - began, 1),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")

    console.print()
    for run in scales:
        console.print(scale_table(run))
        not_built = run["scenario"]["not_built"]
        if not_built:
            console.print(f"[dim]Scenario ×{run['scale']} lacks what the app cannot hold yet: {'; '.join(not_built)}.[/dim]")
        console.print()
    if comparison:
        console.print(comparison_table(comparison))
        console.print()
    info = results["machine"]
    console.print(
        f"{info['cores']} cores ({info['cpu']}), commit {(results['commit'] or '?')[:10]}"
        f"{' + changes' if results['dirty'] else ''}, {results['seconds']:.0f} s"
        f"{' (--quick: not figures to compare)' if args.quick else ''}; "
        f"every figure in {args.output}"
    )
    cores = info["usable_cores"] or 1
    if load_before and load_after and (load_before[0] > cores / 2 or load_after[0] > cores + 0.5):
        console.print(
            f"[yellow]WARNING[/yellow] the machine was busy with other work (load average "
            f"{load_before[0]:.1f} before, {load_after[0]:.1f} after, on {cores} cores): "
            "these figures are not comparable; run again on a quiet machine",
            highlight=False,
        )
    for line in missing:
        console.print(f"[yellow]MISSING[/yellow] {line}", highlight=False)
    for line in failures:
        console.print(f"[red]FAIL[/red] {line}", highlight=False)
    measured = sum(1 for page in scales[-1]["pages"] if page["status"] == "measured")
    verdict = "FAIL" if failures else "PASS"
    console.print(
        f"[bold]{verdict}[/bold]: {measured} of {len(PAGES)} pages measured, {len(missing)} missing, "
        f"{len(failures)} target(s) missed",
        highlight=False,
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
