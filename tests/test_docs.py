"""Every shell command of README.md and docs/*.md is exercised: run here when cheap and
offline (lint, `--help` of each documented option), and otherwise by a test named below.

A command added to the docs that matches no entry of EXERCISED fails
`test_every_documented_command_is_exercised`: add the test that runs it, then its entry.
"""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys

import pytest

from tests.support import REPO
from tests.support.docs import doc_pages, documented_commands, newsflow_commands

# (command pattern, tests that run it, how). Patterns match the command as one line.
EXERCISED = [
    (
        r"uv run newsflow query (?!--db \S*search\.duckdb)",
        (
            "tests/storage/test_schema.py::test_every_documented_query_and_report_runs_on_each_backend",
            "tests/flows/test_cli.py::test_every_documented_query_runs",
            "tests/storage/test_sandbox.py::test_the_documented_queries_still_run_in_the_sandbox",
        ),
        "each query's SQL on a DuckDB file and on DuckLake (SQLite, PostgreSQL catalogs),"
        " through the command on an ingested file, and in the query sandbox",
    ),
    (
        r"uv run newsflow (search|index|export|sources import|sources export|watch"
        r"|query --db \S+search)",
        ("tests/flows/test_analyst_cli.py::test_every_documented_analyst_command_runs",),
        "run as written, in a folder laid out as the docs assume, after a real ingest",
    ),
    (
        r"uv run newsflow ingest$",
        ("tests/flows/test_analyst_cli.py::test_ingest_on_a_pipe_prints_plain_progress_lines",),
        "run as written (default sources.toml and data/news.duckdb) in a working folder",
    ),
    (
        r"uv run newsflow ingest --db \S*ducklake:postgres",
        (
            "tests/flows/test_lake_ingest.py::test_a_night_into_a_lake_then_a_night_that_adds_nothing",
            "tests/flows/test_sharded_night.py::test_every_page_is_stored_exactly_once",
        ),
        "the ingest flow into a DuckLake, on SQLite and on a throwaway PostgreSQL catalog",
    ),
    (
        r"uv run newsflow copy-db --from \S+ --to \S*ducklake:postgres",
        (
            "tests/storage/test_copy.py::test_the_copy_command_puts_the_files_where_sources_toml_says",
            "tests/storage/test_copy.py::test_a_file_copied_to_a_lake_twice_has_every_row_once",
        ),
        "the command into a lake, and the copy into SQLite and PostgreSQL catalogs",
    ),
    (
        r"createdb ",
        ("tests/storage/test_copy.py::test_a_file_copied_to_a_lake_twice_has_every_row_once",),
        "tests/support/postgres.py runs createdb on a throwaway cluster for each lake",
    ),
    (
        r"uv run newsflow ingest --due$",
        (
            "tests/flows/test_due.py::test_a_due_run_reads_only_what_is_due_and_with_nothing_due_sends_nothing",
        ),
        "the ingest flow with due_only=True, the parameter the option sets",
    ),
    (
        r"uv run newsflow backfill --source \S+ --since \S+$",
        (
            "tests/flows/test_cli.py::test_backfill_command_walks_back_an_age_and_refuses_a_bad_one",
            "tests/flows/test_backfill_run.py::test_backfill_walks_back_to_the_date_in_bounded_runs_fetching_nothing_twice",
        ),
        "run as written on a busy site; the flow run three times to show it bounded",
    ),
    (
        r"uv run newsflow demo$",
        ("tests/flows/test_cli.py::test_demo_runs_offline_and_prints_queries",),
        "run as written",
    ),
    (
        r"uv run newsflow serve$",
        ("tests/flows/test_cli.py::test_serve_registers_the_nightly_schedule_and_the_due_runs",),
        "started, its schedule read back from the Prefect server, stopped",
    ),
    (
        r"(export PREFECT_API_URL=\S+|uv run prefect (server start|work-pool create \S+ --type"
        r" process|deploy --all|worker start --pool \S+|deployment run ingest/nightly))$",
        (
            "tests/flows/test_deployment.py::test_deployed_nightly_run_completes_on_a_worker_and_stores_both_blogs",
            "tests/flows/test_prefect_yaml.py::test_operations_nightly_section_uses_this_pool_and_deploys_everything",
        ),
        "in order, against a Prefect server on 127.0.0.1 (its API URL in each process)",
    ),
    (
        r"uv run prefect (worker start --pool \S+ --limit \d|deployment run ingest/nightly"
        r" --param shards=\d)",
        ("tests/flows/test_sharded_night.py::test_shards_ran_on_at_least_two_workers",),
        "three workers, a night with shards on a DuckLake on PostgreSQL",
    ),
    (
        r"uv run pytest( -m 'not e2e')?$",
        ("tests/test_docs.py::test_the_suite_commands_select_what_they_say",),
        "the command running this suite; the e2e marker it deselects is declared and used",
    ),
    (
        r"NEWSFLOW_REFRESH_DOCS=1 uv run pytest tests/flows/test_deployment.py$",
        (
            "tests/flows/test_deployment.py::test_prefect_ui_shows_the_run_its_state_and_its_artifacts",
        ),
        "the screenshot test, writing to a temporary folder unless the variable is set",
    ),
    (
        r"uv run ruff ",
        ("tests/test_docs.py::test_the_lint_commands_pass",),
        "run here",
    ),
    (
        r"uv run python (bench/\w+\.py|-m bench\.\w+)",
        ("tests/test_docs.py::test_documented_benchmarks_exist_with_their_options",),
        "not run (they take minutes): the script and each documented option exist",
    ),
]


def _all_commands() -> list[tuple[str, str]]:
    return [(page, c) for page, commands in documented_commands().items() for c in commands]


def _one_line(command: str) -> str:
    return " ".join(command.split())


def _defines(node_id: str) -> bool:
    """Returns whether the file of `path::name` defines a function of that name."""
    path, name = node_id.split("::")
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in ast.walk(tree))


def test_every_documented_command_is_exercised():
    commands = _all_commands()
    assert len(commands) >= 40  # the parser still finds the docs' commands
    unknown = [
        (page, command)
        for page, command in commands
        if not any(re.match(p, _one_line(command)) for p, _, _ in EXERCISED)
    ]
    assert not unknown, f"documented commands no test exercises (see EXERCISED): {unknown}"


def test_each_entry_names_tests_that_exist_and_matches_a_documented_command():
    lines = [_one_line(command) for _, command in _all_commands()]
    for pattern, tests, _ in EXERCISED:
        assert any(re.match(pattern, line) for line in lines), f"stale entry: {pattern}"
        missing = [node for node in tests if not _defines(node)]
        assert not missing, f"{pattern}: no such test {missing}"


def _help(words: list[str]) -> str:
    """Returns `newsflow WORDS --help` for the deepest subcommand among the words."""
    depth = 2 if len(words) > 1 and re.fullmatch(r"[a-z-]+", words[1]) else 1
    for n in range(depth, 0, -1):
        run = subprocess.run(
            [sys.executable, "-m", "newsflow.cli", *words[:n], "--help"],
            capture_output=True, text=True, cwd=REPO, timeout=60,
        )  # fmt: skip
        if run.returncode == 0:
            return run.stdout
    raise AssertionError(f"newsflow {words[0]}: no such command ({run.stderr})")


@pytest.mark.parametrize("command", sorted(set(newsflow_commands())))
def test_each_documented_newsflow_option_is_one_the_command_takes(command):
    words = shlex.split(command)[1:]
    text = _help(words)
    options = {w.split("=", 1)[0] for w in words if w.startswith("--")}
    assert all(re.search(rf"{re.escape(o)}\b", text) for o in options), (command, text)


def _anchors(path) -> set[str]:
    """Returns the anchors GitHub makes of a page's headings."""
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    headings = re.findall(r"^#+ (.+)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_every_link_between_pages_reaches_a_file_and_heading():
    for page in doc_pages():
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # another site
            name, _, anchor = target.partition("#")
            path = (page.parent / name).resolve() if name else page
            assert path.exists(), (page.name, target)
            assert not anchor or anchor in _anchors(path), (page.name, target)


# Pages bench/ writes: their file names are the benchmark's, rewritten when it runs.
WRITTEN_BY_BENCH = {"benchmarks.md", "lake-writes.md", "scaling.md"}
REPO_PATH = r"`((?:bench|extractors|fetchers|flows|newsflow|storage|tests)/[\w/.]+)(?:::(\w+))?`"


def test_every_file_and_test_the_pages_name_exists():
    for page in doc_pages():
        if page.name in WRITTEN_BY_BENCH:
            continue
        for path, test in re.findall(REPO_PATH, page.read_text(encoding="utf-8")):
            assert (REPO / path).exists(), (page.name, path)
            assert not test or _defines(f"{path}::{test}"), (page.name, path, test)


def test_the_lint_commands_pass():
    for args in (["check", "."], ["format", "--check", "."]):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *args], capture_output=True, text=True, cwd=REPO
        )
        assert run.returncode == 0, run.stdout + run.stderr


def test_the_suite_commands_select_what_they_say():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^\s*"e2e: ', pyproject, re.M)  # the marker `-m 'not e2e'` leaves out
    deployment = (REPO / "tests/flows/test_deployment.py").read_text(encoding="utf-8")
    assert "pytestmark = pytest.mark.e2e" in deployment


def test_documented_benchmarks_exist_with_their_options():
    for _, command in _all_commands():
        words = shlex.split(command)
        if words[:3] != ["uv", "run", "python"] or "bench" not in command:
            continue
        module = words[4] if words[3] == "-m" else words[3]
        path = REPO / (module.replace(".", "/") + ".py" if words[3] == "-m" else module)
        source = path.read_text(encoding="utf-8")
        assert 'if __name__ == "__main__":' in source, path
        for option in (w for w in words if w.startswith("--")):
            assert f'"{option}"' in source, (command, option)


def test_the_changelog_has_unreleased_on_top_then_dated_versions():
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## (.+)$", text, re.M)
    assert sections[0] == "[Unreleased]"
    for section in sections[1:]:
        assert re.fullmatch(r"\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}", section), section
    dates = [s.split(" - ")[1] for s in sections[1:]]
    assert dates == sorted(dates, reverse=True)  # newest first
