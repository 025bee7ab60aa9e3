"""Every documented command, run as a user runs it: `newsflow ...` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from tests.support.busy_site import BusySite, SiteShape
from tests.support.cli import newsflow
from tests.support.docs import all_text
from tests.support.flows import LOCAL_SETTINGS, write_sources
from tests.support.prefect_server import api_request


@pytest.fixture
def cli_env(prefect_server):
    from prefect.settings import PREFECT_API_URL

    # The subprocess talks to the session's test server instead of starting its own.
    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}


def test_ingest_query_and_sources_commands(tmp_path, blog, cli_env):
    sources = write_sources(
        tmp_path / "sources.toml", [("kabar-dunia", blog.base_url + "/", "auto")]
    )
    db = tmp_path / "news.duckdb"

    ingest = newsflow("ingest", "--sources", str(sources), "--db", str(db), env=cli_env)
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    assert "Completed" in ingest.stdout and f"articles_new={len(blog.posts)}" in ingest.stdout

    query = newsflow(
        "query",
        "SELECT title, language FROM articles ORDER BY title",
        "--db",
        str(db),
        "--format",
        "json",
    )
    rows = json.loads(query.stdout)
    assert {"title": "Rusia dan NATO Bertemu di Brussel", "language": "id"} in rows

    csv = newsflow(
        "query", "SELECT count(*) AS n FROM articles", "--db", str(db), "--format", "csv"
    )
    assert csv.stdout.splitlines() == ["n", str(len(blog.posts))]

    wide = {**os.environ, "COLUMNS": "400"}  # one line per source: no wrapped cells
    listing = newsflow("sources", "--sources", str(sources), "--db", str(db), env=wide)
    assert listing.returncode == 0
    assert "kabar-dunia" in listing.stdout and "healthy" in listing.stdout
    assert "every " in listing.stdout  # its pace; its next due time beside it

    due = newsflow("ingest", "--due", "--sources", str(sources), "--db", str(db), env=cli_env)
    assert due.returncode == 0, due.stdout + due.stderr
    assert "1 not due" in " ".join(due.stdout.split())  # read a moment ago: not yet


def test_query_refuses_writes_and_reports_bad_sql(tmp_path, blog, cli_env):
    db = tmp_path / "news.duckdb"
    sources = write_sources(tmp_path / "sources.toml", [("b", blog.base_url + "/", "auto")])
    assert (
        newsflow("ingest", "--sources", str(sources), "--db", str(db), env=cli_env).returncode == 0
    )
    write = newsflow("query", "DELETE FROM articles", "--db", str(db))
    assert write.returncode == 2 and "read-only" in write.stderr.lower()
    bad = newsflow("query", "SELEKT 1", "--db", str(db))
    assert bad.returncode == 2 and "query failed" in bad.stderr


def test_ingest_exits_non_zero_when_it_cannot_run(tmp_path, cli_env):
    result = newsflow(
        "ingest",
        "--sources",
        str(tmp_path / "nope.toml"),
        "--db",
        str(tmp_path / "x.duckdb"),
        env=cli_env,
    )
    assert result.returncode == 1
    assert "nope.toml" in result.stdout + result.stderr


def test_ingest_with_shards_on_a_database_file_says_they_need_ducklake(tmp_path, blog, cli_env):
    sources = write_sources(
        tmp_path / "sources.toml", [("kabar-dunia", blog.base_url + "/", "auto")]
    )
    db = tmp_path / "news.duckdb"

    result = newsflow("ingest", "--sources", str(sources), "--db", str(db), "--shards", "2",
                      env=cli_env)  # fmt: skip

    assert result.returncode == 1
    assert "needs DuckLake" in " ".join((result.stdout + result.stderr).split())
    assert not db.exists()


def test_backfill_command_walks_back_an_age_and_refuses_a_bad_one(tmp_path, cli_env):
    with BusySite("busy", SiteShape(paging="wordpress", window=10)) as site:
        site.publish(30, at=datetime.now(UTC) - timedelta(days=5))
        sources = write_sources(
            tmp_path / "sources.toml", [("busy", site.feed_url, "feed")], LOCAL_SETTINGS
        )
        db = tmp_path / "news.duckdb"
        where = ("--sources", str(sources), "--db", str(db))

        bad = newsflow("backfill", "--source", "busy", "--since", "banana", *where, env=cli_env)
        assert bad.returncode == 2
        assert bad.stderr.strip().count("\n") == 0 and "banana" in bad.stderr  # one line
        assert not site.requests and not db.exists()  # nothing asked, nothing written

        done = newsflow("backfill", "--source", "busy", "--since", "30d", *where, env=cli_env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert any("paged=" in path for path in site.requests)  # past the feed's window
    with duckdb.connect(str(db), read_only=True) as con:
        stored = {url for (url,) in con.execute("SELECT url FROM articles").fetchall()}
    assert stored == {site.url_of(post) for post in site.posts}


def test_demo_runs_offline_and_prints_queries(cli_env):
    result = newsflow("demo", env=cli_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Menteri Energi ASEAN" in result.stdout
    assert "uv run newsflow query" in result.stdout


def _documented_queries() -> list[str]:
    import re

    text = all_text()
    found = [m.group(1) for m in re.finditer(r'uv run newsflow query "(.+?)"', text, re.S)]
    return list(dict.fromkeys(found))  # a query on two pages runs once


def test_every_documented_query_runs(tmp_path, blog, cli_env):
    sources = write_sources(
        tmp_path / "sources.toml", [("kabar-dunia", blog.base_url + "/", "auto")]
    )
    db = tmp_path / "news.duckdb"
    assert (
        newsflow("ingest", "--sources", str(sources), "--db", str(db), env=cli_env).returncode == 0
    )
    queries = _documented_queries()
    assert len(queries) >= 8
    for sql in queries:
        result = newsflow("query", sql, "--db", str(db), "--format", "json")
        assert result.returncode == 0, (sql, result.stderr)
        json.loads(result.stdout)


def test_serve_registers_the_nightly_schedule_and_the_due_runs(tmp_path, cli_env):
    import time

    sources = write_sources(tmp_path / "sources.toml", [])
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsflow.cli",
            "serve",
            "--sources",
            str(sources),
            "--db",
            str(tmp_path / "news.duckdb"),
            "--timezone",
            "Asia/Jakarta",
            "--shards",
            "2",
        ],
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        api = cli_env["PREFECT_API_URL"]
        deadline, found = time.monotonic() + 120, []
        while len(found) < 2 and time.monotonic() < deadline:  # the night and the due runs
            time.sleep(1)
            found = api_request(
                api,
                "POST",
                "/deployments/filter",
                {"deployments": {"name": {"any_": ["nightly-serve", "frequent-serve"]}}},
            ).json()
        assert found, "newsflow serve did not register its deployment"
        frequent = next((d for d in found if d["name"] == "frequent-serve"), None)
        assert frequent, "newsflow serve did not register its due runs"
        found = [d for d in found if d["name"] == "nightly-serve"]
        schedule = found[0]["schedules"][0]["schedule"]
        assert schedule["cron"] == "0 2 * * *" and schedule["timezone"] == "Asia/Jakarta"
        assert found[0]["parameters"]["shards"] == 2
        # Beside the night, the due sources every 15 minutes.
        assert frequent["schedules"][0]["schedule"]["interval"] == 15 * 60
        assert frequent["parameters"]["due_only"] is True
        assert frequent["parameters"]["db"] == found[0]["parameters"]["db"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
