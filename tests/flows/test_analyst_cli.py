"""The analyst's commands as users run them: `newsflow ...` in a subprocess, on a database
filled by a real `newsflow ingest` of a multilingual blog served on 127.0.0.1, and the
live progress display on a pseudo-terminal and on a pipe."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import sys
import time
from types import SimpleNamespace

import duckdb
import pytest

from newsflow.demo.site import SiteServer, blogger_site
from tests.support.cli import newsflow
from tests.support.docs import newsflow_commands
from tests.support.flows import write_sources
from tests.support.prefect_server import api_request
from tests.support.search_samples import ARABIC, CHINESE, GERMAN, INDONESIAN, POSTS

ANALYST_COMMANDS = re.compile(
    r"^newsflow (search|export|index|sources import|sources export|watch|query --db \S+search)"
)
OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Reader export</title></head><body>
<outline text="Deutsch" title="Deutsch">
  <outline type="rss" text="Tagesschau" xmlUrl="https://www.tagesschau.example/xml/rss2"
    htmlUrl="https://www.tagesschau.example/"/>
</outline></body></opml>
"""


@pytest.fixture(scope="module")
def cli_env(prefect_server):
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "COLUMNS": "160"}


@pytest.fixture(scope="module")
def blog():
    with SiteServer(lambda base: blogger_site("Dunia", list(POSTS), base)) as server:
        yield server


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, blog, cli_env):
    """A working folder laid out as the docs assume: sources.toml, data/news.duckdb,
    filled by `newsflow ingest` writing to a pipe."""
    home = tmp_path_factory.mktemp("analyst")
    write_sources(home / "sources.toml", [("dunia", blog.base_url + "/", "auto")])
    run = newsflow("ingest", env=cli_env, cwd=home)
    assert run.returncode == 0, run.stdout + run.stderr
    return SimpleNamespace(home=home, output=run.stdout)


def test_ingest_on_a_pipe_prints_plain_progress_lines(ingested):
    out = ingested.output
    assert "\x1b" not in out  # no control codes in a file or a pipe
    lines = [line for line in out.splitlines() if line.startswith("ingest: ")]
    assert lines[0].startswith("ingest: 1/1 sources read, 0 pages planned")
    assert any(f"{len(POSTS)} pages planned, {len(POSTS)} fetched" in line for line in lines)
    assert re.search(rf"{len(POSTS)} stored, 0 failed, \d+:\d\d elapsed \(done\)", lines[-1])


def test_ingest_on_a_terminal_shows_a_live_display(tmp_path, blog, cli_env):
    sources = write_sources(tmp_path / "sources.toml", [("dunia", blog.base_url + "/", "auto")])
    args = ["ingest", "--sources", str(sources), "--db", str(tmp_path / "news.duckdb")]
    output, code = _run_on_a_terminal(args, {**cli_env, "TERM": "xterm-256color"})
    assert code == 0, output
    assert "\x1b[" in output  # rich drew and redrew the display
    assert re.search(rf"{len(POSTS)} stored, 0 failed, \d+:\d\d elapsed", output)
    assert "━" in output  # the progress bar


def test_reextract_on_a_pipe_prints_progress_and_keeps_categories(ingested, tmp_path, cli_env):
    db = tmp_path / "news.duckdb"
    shutil.copy(ingested.home / "data" / "news.duckdb", db)
    with duckdb.connect(str(db)) as con:  # as if the feed had declared one more label
        con.execute("UPDATE articles SET categories = list_append(categories, 'Feed only')")
    count = "SELECT count(*) AS n FROM article_tags WHERE kind = 'category'"
    before = newsflow("query", count, "--db", str(db), "--format", "csv").stdout
    run = newsflow("reextract", "--db", str(db), "--all", env=cli_env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "\x1b" not in run.stdout
    assert f"reextract: {len(POSTS)} pages planned, {len(POSTS)} extracted" in run.stdout
    assert "(done)" in run.stdout.splitlines()[-2]  # then the flow's final state
    # The feed's categories are kept in the article, so re-tagging does not lose them.
    after = newsflow("query", count, "--db", str(db), "--format", "csv").stdout
    assert int(after.splitlines()[1]) == int(before.splitlines()[1]) + len(POSTS)
    assert (tmp_path / "news.search.duckdb").exists()  # the index stage ran


def _run_on_a_terminal(args: list[str], env: dict) -> tuple[str, int]:
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "newsflow.cli", *args], stdin=terminal,
                            stdout=terminal, stderr=terminal, env=env, close_fds=True)  # fmt: skip
    os.close(terminal)
    chunks, deadline = [], time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if ready:
            try:
                data = os.read(controller, 65536)
            except OSError:  # EIO: the command closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(controller)
    return b"".join(chunks).decode("utf-8", "replace"), proc.wait(timeout=60)


def test_the_index_is_updated_as_a_stage_of_the_flow(ingested, cli_env):
    index = ingested.home / "data" / "news.search.duckdb"
    with duckdb.connect(str(index), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchall() == [(len(POSTS),)]
    found = api_request(
        cli_env["PREFECT_API_URL"],
        "POST",
        "/task_runs/filter",
        {"task_runs": {"name": {"like_": "update search index"}}},
    ).json()
    assert found and {run["state_type"] for run in found} == {"COMPLETED"}


def test_search_finds_each_language_and_marks_the_words(ingested):
    def titles(query: str, *options: str) -> list[str]:
        run = newsflow("search", query, "--format", "json", *options, cwd=ingested.home)
        assert run.returncode == 0, run.stderr
        return [hit["title"] for hit in json.loads(run.stdout)]

    assert titles("Stoltenberg Brussel") == [INDONESIAN.title]
    assert titles("Hochwassers") == [GERMAN.title]
    assert titles("المياه") == [ARABIC.title]
    assert titles("电影节") == [CHINESE.title]
    assert titles("STOLTENBERG", "--lang", "de") == []
    run = newsflow("search", "Hochwassers", "--format", "json", cwd=ingested.home)
    hit = json.loads(run.stdout)[0]
    assert "**Hochwasser**" in hit["snippet"] and hit["language"] == "de"
    assert hit["url"].endswith(f"{GERMAN.slug}.html") and hit["source"] == "dunia"


def test_search_says_when_nothing_matches(ingested):
    run = newsflow("search", "Quetzalcoatl", cwd=ingested.home)
    assert run.returncode == 0 and "no article matches 'Quetzalcoatl'" in run.stderr


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["--since", "yesterday"], "--since"),
        (["--limit", "0"], "--limit"),
        (["--lang", "german!"], "--lang"),
        (["--source", "nobody"], "--source"),
        (["--format", "xml"], "--format"),
    ],
)
def test_a_bad_search_option_is_named(ingested, options, named):
    run = newsflow("search", "Brussel", *options, cwd=ingested.home)
    assert run.returncode == 2 and named in run.stderr, run.stderr


def test_export_cli_writes_partitions_read_back_by_pyarrow(ingested, tmp_path):
    import pyarrow.dataset as ds

    out = tmp_path / "exports"
    for _ in range(2):  # the rerun replaces
        run = newsflow("export", "--out", str(out), "--with-tags", cwd=ingested.home)
        assert run.returncode == 0, run.stderr
    table = ds.dataset(out, format="parquet", partitioning="hive").to_table()
    assert table.num_rows == len(POSTS)
    tags = table.filter(ds.field("title") == GERMAN.title).column("tags").to_pylist()[0]
    assert {"kind": "category", "value": "Wetter"} in [
        {"kind": t["kind"], "value": t["value"]} for t in tags
    ]


def test_sources_import_leaves_the_file_untouched_on_error(tmp_path):
    sources = write_sources(tmp_path / "sources.toml", [("a", "https://a.example/", "auto")])
    before = sources.read_text()
    (tmp_path / "bad.opml").write_text(OPML.replace("https://www.tagesschau", "gopher://x"))
    run = newsflow("sources", "import", "bad.opml", cwd=tmp_path)
    # Skipped and named, not a failed import (issue 24): here nothing else was to add.
    assert run.returncode == 0 and "gopher://x" in run.stderr, run.stderr
    assert "not an http(s) feed URL" in run.stderr
    assert sources.read_text() == before
    missing = newsflow("sources", "import", "nope.opml", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.opml" in missing.stderr


def documented_analyst_commands() -> list[str]:
    """Returns the analyst commands of README.md and docs/ (`uv run newsflow ...` in sh
    blocks), as `newsflow ...`."""
    return list(dict.fromkeys(c for c in newsflow_commands() if ANALYST_COMMANDS.match(c)))


def test_every_documented_analyst_command_runs(ingested, tmp_path, cli_env):
    home = tmp_path / "home"
    shutil.copytree(ingested.home, home)
    (home / "feeds.opml").write_text(OPML)
    commands = documented_analyst_commands()
    assert {c.split()[1] for c in commands} >= {"search", "export", "index", "sources", "query"}
    outputs = {}
    for command in commands:
        run = newsflow(*shlex.split(command)[1:], env=cli_env, cwd=home)
        assert run.returncode == 0, (command, run.stdout, run.stderr)
        outputs[command] = run.stdout
    sql = [out for c, out in outputs.items() if c.startswith("newsflow query")]
    assert sql and all(INDONESIAN.title in out for out in sql)  # the SQL route finds it
    assert "tagesschau" in (home / "sources.toml").read_text()
    assert 'name = "nato-talks"' in (home / "sources.toml").read_text()  # `watch add`
