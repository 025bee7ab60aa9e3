"""`newsflow query` reads the database and nothing else: every way out found by probing it
(files written, files read, settings changed, extensions installed) is refused, and the
documented queries still run. Staged batches merge only when their checksums match."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from argparse import Namespace
from datetime import UTC, datetime

import pytest

from newsflow.cli.commands import query
from storage.db import connect
from storage.manifests import REFUSED
from storage.staging import PARTS, merge_staged, stage_batch, staging_dir
from storage.writes import batch_tables
from tests.support import REPO
from tests.support.batches import page_results, stored_article

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "news.duckdb"
    with connect(path):
        pass  # creates the schema
    return path


def _query(db, sql: str, capsys) -> tuple[int, str]:
    code = query(Namespace(sql=sql, db=str(db), format="json"))
    out = capsys.readouterr()
    return code, out.out + out.err


FILES = "Permission Error"  # DuckDB's refusal of file access
LOCKED = "the configuration has been locked"


def _escapes(tmp_path) -> dict[str, tuple[str, object, str]]:
    """Each escape: (SQL, the file it would create or None, how DuckDB refuses it)."""
    staged = staging_dir(tmp_path / "news.duckdb")
    staged.mkdir()  # as after a busy night: a planted batch here would be merged next
    profile = tmp_path / "profile.json"
    return {
        "COPY TO a file": (
            f"COPY (SELECT 1 AS a) TO '{tmp_path}/out.csv'", tmp_path / "out.csv", FILES,
        ),
        "COPY TO the staging folder": (
            f"COPY (SELECT * FROM articles) TO '{staged}/planted.articles.parquet'",
            staged / "planted.articles.parquet", FILES,
        ),
        "EXPORT DATABASE": (f"EXPORT DATABASE '{tmp_path}/export'", tmp_path / "export", FILES),
        "PRAGMA profiling_output": (
            f"PRAGMA enable_profiling = 'json'; PRAGMA profiling_output = '{profile}'; SELECT 1",
            profile, LOCKED,
        ),
        "read_text": ("SELECT content FROM read_text('/etc/passwd')", None, FILES),
        "glob": ("SELECT file FROM glob('/etc/*')", None, FILES),
        "ATTACH": (f"ATTACH '{tmp_path}/other.duckdb' AS other", tmp_path / "other.duckdb",
                   FILES),
        "SET": ("SET threads = 1", None, LOCKED),
        "SET enable_external_access back on": ("SET enable_external_access = true", None, LOCKED),
        "custom extension repository": (
            "SET custom_extension_repository = 'http://127.0.0.1:9/'", None, LOCKED,
        ),
        # From loopback, so that even without the sandbox no request leaves the machine.
        "INSTALL": ("INSTALL httpfs FROM 'http://127.0.0.1:9/'", None, FILES),
        "LOAD": ("LOAD httpfs", None, FILES),
    }  # fmt: skip


@pytest.mark.parametrize(
    "escape",
    ["COPY TO a file", "COPY TO the staging folder", "EXPORT DATABASE",
     "PRAGMA profiling_output", "read_text", "glob", "ATTACH", "SET",
     "SET enable_external_access back on", "custom extension repository", "INSTALL", "LOAD"],
)  # fmt: skip
def test_query_refuses_every_way_out_of_the_database(db, tmp_path, capsys, escape):
    sql, creates, refusal = _escapes(tmp_path)[escape]
    code, output = _query(db, sql, capsys)
    assert code == 2 and refusal in output, output
    assert "root:" not in output
    if creates is not None:
        assert not creates.exists()


def test_install_after_pointing_at_another_repository_downloads_nothing(db, capsys):
    # Both in one statement list: the SET is refused first, INSTALL never runs.
    sql = "SET custom_extension_repository = 'http://127.0.0.1:9/'; INSTALL httpfs"
    code, output = _query(db, sql, capsys)
    assert code == 2 and "configuration has been locked" in output


def test_the_real_command_line_refuses_too(db, tmp_path):
    target = tmp_path / "via-cli.csv"
    sql = f"COPY (SELECT 1) TO '{target}'"
    result = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "query", sql, "--db", str(db)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2 and "Permission Error" in result.stderr
    assert not target.exists()


def test_the_readme_queries_still_run_in_the_sandbox(db, capsys):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    queries = [m.group(1) for m in re.finditer(r'uv run newsflow query "(.+?)"', text, re.S)]
    assert len(queries) >= 8
    for sql in queries:
        code, output = _query(db, sql, capsys)
        assert code == 0, (sql, output)
        json.loads(output)


def _stage(tmp_path, batch_id: str = "run-1-00001"):
    fetches, results = page_results([stored_article("https://blog.example/a", "Story.")])
    tables = batch_tables("run-1", fetches, results, {}, NOW, {f.url: f.body for f in fetches})
    directory = staging_dir(tmp_path / "news.duckdb")
    return stage_batch(directory, batch_id, tables), directory


def _articles(db) -> int:
    with connect(db) as con:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_a_staged_batch_with_matching_checksums_is_merged(db, tmp_path):
    manifest, directory = _stage(tmp_path)
    assert set(json.loads(manifest.read_text())["sha256"]) == set(PARTS)
    with connect(db) as con:
        merge_staged(con, directory)
    assert _articles(db) == 1 and not manifest.exists()


def test_a_planted_file_is_refused_set_aside_and_logged(db, tmp_path, caplog):
    manifest, directory = _stage(tmp_path)
    planted = directory / f"{manifest.stem}.articles.parquet"
    with connect(db) as con:  # an articles file of someone else's making, same name
        con.execute(f"COPY (SELECT * FROM articles) TO '{planted}' (FORMAT parquet)")
        merge_staged(con, directory)

    assert _articles(db) == 0
    refused = directory / REFUSED
    reason = (refused / f"{manifest.stem}.reason.txt").read_text()
    assert "articles.parquet does not match the checksum" in reason
    assert (refused / manifest.name).exists() and not manifest.exists()
    assert "refused" in caplog.text and manifest.stem in caplog.text


def test_a_manifest_without_checksums_is_refused(db, tmp_path):
    manifest, directory = _stage(tmp_path)
    written = json.loads(manifest.read_text())
    del written["sha256"]
    manifest.write_text(json.dumps(written))
    with connect(db) as con:
        merge_staged(con, directory)
    assert _articles(db) == 0
    reason = (directory / REFUSED / f"{manifest.stem}.reason.txt").read_text()
    assert "without checksums" in reason
