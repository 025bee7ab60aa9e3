"""Careless options end with one line naming the option, never a traceback (issue 24,
item 10): an age past the year 1, a huge --limit, an empty --out, a full disk during an
export, a misspelt table in sources.toml."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from argparse import Namespace

import pytest

from newsflow.cli.analyst import export, search
from tests.support.search_db import page_result, write_articles
from tests.support.search_samples import GERMAN, POSTS


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "news.duckdb"
    write_articles(path, [page_result(p, "blog") for p in POSTS])
    return path


def _search(db, capsys, **options) -> tuple[int, str]:
    args = {"query": "Hochwasser", "db": str(db), "index": None, "lang": None,
            "source": None, "since": None, "limit": 5, "format": "csv", **options}  # fmt: skip
    code = search(Namespace(**args))
    out = capsys.readouterr()
    return code, out.out + out.err


def _export(db, capsys, **options) -> tuple[int, str]:
    args = {"out": "exports", "db": str(db), "format": "parquet", "since": None,
            "source": None, "with_tags": False, **options}  # fmt: skip
    code = export(Namespace(**args))
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("since", ["99999999d", "99999999999999999999w", "1000000h"])
def test_an_age_before_the_year_one_is_named(db, capsys, since):
    if since == "1000000h":  # 114 years: fine, and nothing is that old
        assert _search(db, capsys, since=since)[0] == 0
        return
    for command in (_search, _export):
        code, output = command(db, capsys, since=since)
        assert code == 2 and "--since" in output and "year 1" in output, output


@pytest.mark.parametrize("limit", [100000000000000000000, 0, -3, 10_001])
def test_a_limit_out_of_range_is_named(db, capsys, limit):
    code, output = _search(db, capsys, limit=limit)
    assert code == 2 and "--limit: expected a number from 1 to 10,000" in output, output


def test_the_largest_limit_is_kept(db, capsys):
    code, output = _search(db, capsys, limit=10_000)
    assert code == 0 and GERMAN.title in output


@pytest.mark.parametrize("out", ["", "  "])
def test_an_empty_out_is_refused_and_nothing_is_written(db, tmp_path, capsys, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    code, output = _export(db, capsys, out=out)
    assert code == 2 and "--out: expected a folder" in output
    assert set(tmp_path.iterdir()) == before


def _no_bigger_files_than(limit: int):
    def apply() -> None:  # a disk that fills after `limit` bytes of one file
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_an_export_on_a_full_disk_ends_with_one_line(db, tmp_path):
    out = tmp_path / "exports"
    result = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "export", "--out", str(out), "--db", str(db),
         "--format", "csv"],
        capture_output=True, text=True, timeout=120, preexec_fn=_no_bigger_files_than(256),
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: --out {out}:")
    assert not any(p.name.startswith("day=") for p in out.iterdir())  # no half partition


def test_a_misspelt_table_is_named_as_it_is(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text("[setings]\ntimeout_seconds = 5\n")
    result = subprocess.run(
        [sys.executable, "-m", "newsflow.cli", "sources", "--sources", str(sources),
         "--db", str(tmp_path / "news.duckdb")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    expected = "expected [settings], [storage], [[sources]] or [[watches]]"
    assert expected in result.stderr, result.stderr
    assert f"{sources}:1" in result.stderr and "setings" in result.stderr
