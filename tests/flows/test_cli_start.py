"""The CLI's early start: the extraction fork server (and its models) only when the sources
file names something to fetch; an empty night pays for Prefect's start-up alone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from newsflow.cli.main import lists_sources
from tests.support import REPO
from tests.support.flows import write_sources

# Runs the CLI's early start in a fresh process (a fork server is one per process) with
# an API URL configured, so no Prefect server is launched; prints the fork server's pid.
EARLY_START = """
import sys
from multiprocessing import forkserver
from newsflow.cli.main import _parser, _start_early
from newsflow.cli.temporary_server import TemporaryServer
_start_early(_parser().parse_args(sys.argv[1:]), TemporaryServer())
print(forkserver._forkserver._forkserver_pid)
"""


def early_start(*args: str) -> str:
    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    done = subprocess.run(
        [sys.executable, "-c", EARLY_START, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_lists_sources(tmp_path):
    one = write_sources(tmp_path / "one.toml", [("blog", "http://127.0.0.1:9/", "auto")])
    none = write_sources(tmp_path / "none.toml", [])
    broken = tmp_path / "broken.toml"
    broken.write_text("[[sources]\n")

    assert lists_sources(str(one))
    assert not lists_sources(str(none))
    assert not lists_sources(str(broken))  # the flow reports it; nothing to extract
    assert not lists_sources(str(tmp_path / "missing.toml"))


@pytest.mark.parametrize(
    ("sources", "starts"), [([], False), ([("b", "http://127.0.0.1:9/", "feed")], True)]
)
def test_fork_server_starts_only_when_there_is_a_source(tmp_path, sources, starts):
    path = write_sources(tmp_path / "sources.toml", sources)

    pid = early_start("ingest", "--sources", str(path), "--db", str(tmp_path / "n.duckdb"))

    assert (pid != "None") is starts
