"""The DuckDB file backend: a file written by DuckDB 2.x is refused, saying how to move it."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pytest

from newsflow.errors import StorageError
from storage.db import connect, written_by

NEWER_FILE = Path(__file__).parent / "data" / "written-by-duckdb-2.0.1.duckdb.gz"


@pytest.fixture
def newer_file(tmp_path) -> Path:
    path = tmp_path / "news.duckdb"
    path.write_bytes(gzip.decompress(NEWER_FILE.read_bytes()))
    return path


@pytest.mark.parametrize("read_only", [False, True])
def test_a_file_written_by_duckdb_2_is_refused_with_how_to_move_it(newer_file, read_only):
    before = newer_file.read_bytes()
    with pytest.raises(StorageError) as caught, connect(newer_file, read_only=read_only):
        pass
    message = str(caught.value)
    assert str(newer_file) in message
    assert "DuckDB v2.0.1" in message and duckdb.__version__ in message
    assert "EXPORT DATABASE" in message and "IMPORT DATABASE" in message
    assert newer_file.read_bytes() == before  # refused, not touched


def test_the_header_names_the_duckdb_that_wrote_a_file(tmp_path, newer_file):
    ours = tmp_path / "ours.duckdb"
    duckdb.connect(str(ours)).close()
    assert written_by(newer_file) == "v2.0.1"
    assert written_by(ours) == f"v{duckdb.__version__}"
    (tmp_path / "not-duckdb").write_bytes(b"hello")
    assert written_by(tmp_path / "not-duckdb") is None
