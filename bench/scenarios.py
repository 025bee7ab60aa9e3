"""The benchmark's runs: newsflow's CLI, the naive script, the extraction limit, each in a
subprocess measured as a process tree (bench.measure)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.measure import measure
from bench.site import REPO, write_sources
from storage.search_index import index_path

_TIMINGS = re.compile(r"run timings (\{.*\})")
_COUNTS = re.compile(r"articles_new=(\d+).*?fetches=(\d+)")


@dataclass
class Bench:
    """Where the benchmark works and the environment its subprocesses get."""

    workdir: Path
    env: dict
    before: dict | None = None  # an earlier run's results, shown beside this one's

    @classmethod
    def create(cls, workdir: Path, api_url: str | None = None) -> Bench:
        workdir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        # Bytecode is cached (in the work folder, not the shared venv) as on any installed
        # system: PYTHONDONTWRITEBYTECODE would make every run compile Prefect anew.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("PREFECT_API_URL", None)
        env.update(
            PYTHONPYCACHEPREFIX=str(workdir / "pycache"),
            PREFECT_HOME=str(workdir / "prefect-home"),  # its own Prefect database
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="180",
        )
        if api_url:
            env["PREFECT_API_URL"] = api_url
        return cls(workdir, env)

    def fresh_db(self, name: str, template: Path | None = None) -> Path:
        """Returns the path of a database that does not exist yet (or a copy of template),
        and of its search index: none, or a copy of the template's. A night updates the
        index beside its database, so one left from an earlier run would change its work."""
        db = self.workdir / f"{name}.duckdb"
        for path in [*self.workdir.glob(f"{name}.duckdb*"), index_path(db)]:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        if template is not None:
            shutil.copyfile(template, db)
            if index_path(template).exists():
                shutil.copyfile(index_path(template), index_path(db))
        return db


def newsflow(bench: Bench, sources: Path, db: Path) -> dict:
    """Returns the cost of `newsflow ingest` and the counts and timings it reported."""
    cmd = [
        sys.executable,
        "-m",
        "newsflow.cli",
        "ingest",
        "--sources",
        str(sources),
        "--db",
        str(db),
    ]
    run = measure(cmd, bench.env, REPO)
    result = run.as_dict()
    timings = _TIMINGS.findall(run.output)
    counts = _COUNTS.search(run.output)
    result["timings"] = json.loads(timings[-1]) if timings else {}
    result["articles_new"], result["fetches"] = map(int, counts.groups()) if counts else (-1, -1)
    if run.returncode != 0 or not counts:
        _complain("newsflow ingest", run.output)
    return result


def naive(bench: Bench, feeds: list[str], db: Path) -> dict:
    """Returns the cost of the naive script and how many pages it stored."""
    run = measure([sys.executable, "bench/naive.py", "--db", str(db), *feeds], bench.env, REPO)
    if run.returncode != 0:
        _complain("naive script", run.output)
    return {**run.as_dict(), **_last_json(run.output)}


def extraction_limit(bench: Bench, pages: int) -> dict:
    """Returns the CPU seconds of trafilatura.extract alone over `pages` pages."""
    cmd = [sys.executable, "bench/extraction_limit.py", "--pages", str(pages)]
    run = measure(cmd, bench.env, REPO)
    if run.returncode != 0:
        _complain("extraction limit", run.output)
    return {**run.as_dict(), **_last_json(run.output)}


def empty_run(bench: Bench) -> dict:
    """Returns the cost of `newsflow ingest` with a sources file listing no source."""
    sources = write_sources(bench.workdir / "empty.toml", [])
    return newsflow(bench, sources, bench.fresh_db("empty"))


def round_of_pairs(bench: Bench, n: int, sources: Path, feeds: list[str], pages: int) -> dict:
    """Returns one round: newsflow (then its unchanged rerun), the naive script and the
    extraction limit, in an order that alternates from round to round."""
    out: dict = {}
    order = ("newsflow", "naive", "limit") if n % 2 == 0 else ("limit", "naive", "newsflow")
    for name in order:
        if name == "newsflow":
            db = bench.fresh_db("newsflow")
            out["newsflow"] = newsflow(bench, sources, db)
            out["rerun"] = newsflow(bench, sources, db)
        elif name == "naive":
            out["naive"] = naive(bench, feeds, bench.fresh_db("naive"))
        else:
            out["limit"] = extraction_limit(bench, pages)
    return out


def pair(bench: Bench, n: int, sources: Path, feeds: list[str]) -> dict:
    """Returns newsflow and the naive script on the same pages, in alternating order."""
    out: dict = {}
    for name in ("newsflow", "naive") if n % 2 == 0 else ("naive", "newsflow"):
        if name == "newsflow":
            out["newsflow"] = newsflow(bench, sources, bench.fresh_db("large"))
        else:
            out["naive"] = naive(bench, feeds, bench.fresh_db("large-naive"))
    return out


def _last_json(output: str) -> dict:
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {}


def _complain(what: str, output: str) -> None:
    tail = "\n".join(output.splitlines()[-30:])
    raise RuntimeError(f"{what} failed:\n{tail}")
