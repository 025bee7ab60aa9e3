"""The storage backends a test can run on: a DuckDB file, and DuckLake with its catalog in
SQLite or in a real PostgreSQL (the session's throwaway cluster, tests/support/postgres.py)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from storage.db import connect

BACKENDS = ("file", "ducklake-sqlite", "ducklake-postgres")
LAKES = BACKENDS[1:]


@dataclass(frozen=True)
class Backend:
    name: str
    db: str
    data_path: str | None  # where a lake puts its Parquet files; None for the file

    def connect(self, **options) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return connect(self.db, data_path=self.data_path, **options)


def make_backend(name: str, folder: Path, request: pytest.FixtureRequest) -> Backend:
    """Returns a new, empty database of the kind `name` whose files live in `folder`."""
    if name == "file":
        return Backend(name, str(folder / "news.duckdb"), None)
    data_path = str(folder / "lake") + "/"
    if name == "ducklake-sqlite":
        return Backend(name, f"ducklake:sqlite:{folder / 'catalog.sqlite'}", data_path)
    cluster = request.getfixturevalue("postgres_cluster")
    return Backend(name, f"ducklake:postgres:{cluster.dsn(cluster.create_database())}", data_path)
