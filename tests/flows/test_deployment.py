"""prefect.yaml for real: a Prefect server, a process pool, `prefect deploy --all`, a worker.

docs/operations.md's "Run it nightly" commands, in order, against two blogs on 127.0.0.1; then
headless Chromium opens the run in the Prefect UI and screenshots it, into a temporary
folder, or into docs/ (operations.md's pictures) with NEWSFLOW_REFRESH_DOCS=1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from newsflow.chart import chart_path
from newsflow.demo.run import POSTS
from newsflow.demo.site import Post, SiteServer, blogger_site
from storage.reports import articles_per_day
from tests.support import REPO
from tests.support.flows import write_sources
from tests.support.posts import NATO_POST
from tests.support.prefect_server import PrefectServer, prefect_server
from tests.support.required import unavailable
from tests.support.screenshots import rendering_problems

pytestmark = pytest.mark.e2e

POOL = "newsflow-pool"
DOCS = REPO / "docs"
REFRESH_DOCS = "NEWSFLOW_REFRESH_DOCS"
WINDOW = (1400, 1000)


def _harbour_post(slug: str, title: str, days: int, hours: int, topic: str) -> Post:
    return Post(
        slug=slug,
        title=title,
        author="Harbour Notes Desk",
        lang="en",
        labels=("Harbour",),
        published=POSTS[0].published + timedelta(days=days, hours=hours),
        paragraphs=(
            f"The harbour board met on Tuesday to discuss {topic}, a question that has divided "
            "the fishing cooperatives and the ferry operators for most of the year.",
            "Board members said a decision would follow a public consultation in the spring, "
            "after engineers deliver their survey of the old breakwater and the north quay.",
            f"Residents who want to comment on {topic} can write to the board or attend the "
            "open evening at the maritime museum, where the plans will be on display.",
        ),
    )


# A second blog, so the run has two sources and the chart two series.
HARBOUR_POSTS = [
    _harbour_post(
        "new-ferry-timetable",
        "A New Ferry Timetable for the Winter",
        1,
        2,
        "the winter ferry timetable",
    ),
    _harbour_post(
        "breakwater-repairs", "Breakwater Repairs Start in March", 2, 1, "repairs to the breakwater"
    ),
    _harbour_post(
        "quay-lighting", "Brighter Lights on the North Quay", 2, 5, "new lighting on the north quay"
    ),
    _harbour_post(
        "fish-market-hours",
        "Fish Market Opening Hours Extended",
        4,
        3,
        "longer opening hours at the fish market",
    ),
]


@dataclass
class NightlyRun:
    server: PrefectServer
    flow_run: dict
    bad_db_run: dict
    db: Path
    blogs: dict[str, list[Post]]
    seconds: float
    due_run: dict | None = None  # ingest/frequent, run right after the night
    due_requests: int = 0  # what it asked of the blogs


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`prefect server start` on a free port of 127.0.0.1, with its own home and SQLite."""
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as running:
        yield running


@pytest.fixture(scope="module")
def nightly_run(server, tmp_path_factory, request):
    """docs/operations.md's commands: pool, deploy, a run of each deployment, one worker pass."""
    work = tmp_path_factory.mktemp("nightly")
    blogs = {"kabar-dunia": [NATO_POST, *POSTS], "harbour-notes": HARBOUR_POSTS}
    with (
        SiteServer(lambda base: blogger_site("Kabar Dunia", blogs["kabar-dunia"], base)) as kabar,
        SiteServer(lambda base: blogger_site("Harbour Notes", HARBOUR_POSTS, base, "en")) as har,
    ):
        sources = write_sources(
            work / "sources.toml",
            [
                ("kabar-dunia", kabar.base_url + "/", "auto"),
                ("harbour-notes", har.base_url + "/", "auto"),
            ],
        )
        db = work / "data" / "news.duckdb"
        (work / "not-a-directory").write_text("")
        bad_db = work / "not-a-directory" / "news.duckdb"

        server.prefect("work-pool", "create", POOL, "--type", "process")
        started = time.monotonic()
        server.prefect("deploy", "--all")
        deployed = time.monotonic()
        # Its runs every 15 minutes would read the checkout's own sources.toml: held, and
        # run once below with this test's sources.
        _hold_schedule(server, "frequent")
        run_id = server.deployment_run("ingest/nightly", sources=sources, db=db)
        bad_id = _create_run(server, "reextract", {"db": str(bad_db)})
        # The worker runs elsewhere than the checkout: NEWSFLOW_HOME says where the code is
        # (tests/flows/test_sharded_night.py starts workers in the checkout, with nothing set).
        worker_env = {**server.env, "NEWSFLOW_HOME": str(REPO)}
        server.prefect(
            "worker",
            "start",
            "--pool",
            POOL,
            "--run-once",
            env=worker_env,
            cwd=work,
            timeout=300,
        )
        flow_run = server.wait_final(run_id, 60)
        seconds = time.monotonic() - started
        kabar.requests.clear()
        har.requests.clear()
        due_id = server.deployment_run("ingest/frequent", sources=sources, db=db)
        server.prefect("worker", "start", "--pool", POOL, "--run-once", env=worker_env,
                       cwd=work, timeout=300)  # fmt: skip
        due_run = server.wait_final(due_id, 60)
        due_requests = len(kabar.requests) + len(har.requests)
    # Shown in every pytest run, output captured or not.
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print(
            f"\nprefect deploy --all to finished nightly run: {seconds:.1f} s "
            f"(of which deploy {deployed - started:.1f} s)"
        )
    bad_run = server.wait_final(bad_id, 60)
    return NightlyRun(server, flow_run, bad_run, db, blogs, seconds, due_run, due_requests)


def _hold_schedule(server: PrefectServer, deployment: str) -> None:
    """Pauses the deployment's schedule and deletes the runs it scheduled already."""
    (found,) = server.api(
        "POST", "/deployments/filter", {"deployments": {"name": {"any_": [deployment]}}}
    ).json()
    server.api("PATCH", f"/deployments/{found['id']}", {"paused": True})
    scheduled = server.api(
        "POST",
        "/flow_runs/filter",
        {"flow_runs": {"deployment_id": {"any_": [found["id"]]},
                       "state": {"type": {"any_": ["SCHEDULED"]}}}},
    ).json()  # fmt: skip
    for run in scheduled:
        server.api("DELETE", f"/flow_runs/{run['id']}")


def _create_run(server: PrefectServer, deployment: str, parameters: dict) -> str:
    (found,) = server.api(
        "POST", "/deployments/filter", {"deployments": {"name": {"any_": [deployment]}}}
    ).json()
    created = server.api(
        "POST", f"/deployments/{found['id']}/create_flow_run", {"parameters": parameters}
    )
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_deployed_nightly_run_completes_on_a_worker_and_stores_both_blogs(nightly_run):
    run, server = nightly_run.flow_run, nightly_run.server
    assert run["state"]["type"] == "COMPLETED", run["state"]["message"]
    deployment = server.api("GET", f"/deployments/{run['deployment_id']}").json()
    assert deployment["name"] == "nightly"
    assert deployment["path"] is None  # no directory of this machine in the deployment
    assert deployment["pull_steps"] == [{"flows.checkout.use_checkout": {}}]
    with duckdb.connect(str(nightly_run.db), read_only=True) as con:
        per_source = dict(
            con.execute("SELECT source, count(*) FROM articles GROUP BY 1").fetchall()
        )
        runs = con.execute("SELECT run_id, state, articles_new FROM runs").fetchall()
    assert per_source == {name: len(posts) for name, posts in nightly_run.blogs.items()}
    assert (run["id"], "COMPLETED", sum(per_source.values())) in runs  # and the due run's


def test_deployed_frequent_run_right_after_the_night_finds_nothing_due(nightly_run):
    run, server = nightly_run.due_run, nightly_run.server
    assert run["state"]["type"] == "COMPLETED", run["state"]["message"]
    deployment = server.api("GET", f"/deployments/{run['deployment_id']}").json()
    assert deployment["name"] == "frequent"
    assert deployment["parameters"]["due_only"] is True
    assert "2 not due" in run["state"]["message"]
    assert nightly_run.due_requests == 0  # nothing due: not one request
    with duckdb.connect(str(nightly_run.db), read_only=True) as con:
        states = con.execute("SELECT state FROM runs ORDER BY started_at").fetchall()
    assert states == [("COMPLETED",), ("COMPLETED",)]  # the empty run is recorded too


def test_run_has_summary_with_chart_per_source_table_failures_and_progress(nightly_run):
    artifacts = nightly_run.server.artifacts(nightly_run.flow_run["id"])

    assert set(artifacts) == {"ingest-summary", "ingest-sources", "ingest-failures", "progress"}
    summary = artifacts["ingest-summary"]["data"]
    assert "**COMPLETED**" in summary and "2 sources (0 failed): 8 new" in summary
    assert "![articles per day per source](data:image/svg+xml;base64," in summary
    rows = {r["source"]: r for r in json.loads(artifacts["ingest-sources"]["data"])}
    assert {name: r["new"] for name, r in rows.items()} == {"kabar-dunia": 4, "harbour-notes": 4}
    assert all(r["failed"] == 0 and r["error"] == "" for r in rows.values())
    assert json.loads(artifacts["ingest-failures"]["data"])[0]["reason"] == "no failures"
    assert artifacts["progress"]["data"] == 100.0


def test_chart_beside_the_database_counts_what_the_database_holds(nightly_run):
    svg = chart_path(nightly_run.db).read_text(encoding="utf-8")
    with duckdb.connect(str(nightly_run.db), read_only=True) as con:
        rows = articles_per_day(con)

    assert {source for _, source, _ in rows} == {"kabar-dunia", "harbour-notes"}
    for _, source, n in rows:
        assert f"{source}: {n}</title>" in svg


def test_bad_parameters_fail_fast_naming_the_parameter(nightly_run):
    server, bad = nightly_run.server, nightly_run.bad_db_run
    # A database path the worker cannot create: the run fails, its message says why.
    assert bad["state"]["type"] == "FAILED"
    assert bad["state"]["message"].startswith("parameter 'db': ")
    assert "not-a-directory" in bad["state"]["message"]
    # A value of the wrong type never becomes a run: the server checks the flow's signature.
    refused = server.api(
        "POST",
        f"/deployments/{nightly_run.flow_run['deployment_id']}/create_flow_run",
        {"parameters": {"sources": 5}},
    )
    assert refused.status_code == 409
    assert "'sources'" in refused.json()["detail"]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    unavailable("chromium is not installed; `apt-get install -y chromium` to run this test")


def _browse(url: str, profile: Path, screenshot: Path) -> str:
    """Returns the page's DOM once its scripts have run, after saving a screenshot of it."""
    done = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            "--hide-scrollbars",
            "--virtual-time-budget=15000",
            "--dump-dom",
            f"--screenshot={screenshot}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where the UI screenshots go: docs/ when asked to refresh the docs' pictures,
    otherwise a temporary folder (a test run leaves the checkout as it was)."""
    return DOCS if os.environ.get(REFRESH_DOCS) == "1" else tmp_path


def test_prefect_ui_shows_the_run_its_state_and_its_artifacts(nightly_run, tmp_path, screenshots):
    run, server = nightly_run.flow_run, nightly_run.server
    # The single-page app routes from the server's root; its newer UI honours `?tab=`.
    page = f"{server.url}/v2/runs/flow-run/{run['id']}?tab=Artifacts"

    dom = _browse(page, tmp_path / "chromium", screenshots / "prefect-ui-run.png")
    for text in (
        run["name"],
        "Completed",
        "nightly",
        POOL,
        "ingest-summary",
        "ingest-sources",
        "ingest-failures",
    ):
        assert text in dom, f"{text!r} not on the flow run page"

    summary_id = server.artifacts(run["id"])["ingest-summary"]["id"]
    summary = f"{server.url}/v2/artifacts/artifact/{summary_id}"
    dom = _browse(summary, tmp_path / "chromium", screenshots / "prefect-ui-summary.png")
    assert "Articles per day" in dom and 'src="data:image/svg+xml;base64,' in dom
    # The pictures show the drawn pages, not a blank or half-drawn window.
    for name in ("prefect-ui-run.png", "prefect-ui-summary.png"):
        assert rendering_problems(screenshots / name, WINDOW) == [], name
