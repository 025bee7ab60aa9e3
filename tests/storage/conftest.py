"""The storage tests run over every backend: a DuckDB file, and DuckLake with its catalog in
SQLite or in a real PostgreSQL (a throwaway cluster; skipped where none can be started)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from storage.db import connect
from storage.lake import forget_engines

BACKENDS = ("file", "ducklake-sqlite", "ducklake-postgres")


@dataclass(frozen=True)
class Backend:
    name: str
    db: str
    data_path: str | None  # where a lake puts its Parquet files; None for the file

    def connect(self, **options) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        return connect(self.db, data_path=self.data_path, **options)

    @property
    def is_lake(self) -> bool:
        return self.name != "file"


def make_backend(name: str, folder: Path, request: pytest.FixtureRequest) -> Backend:
    """Returns a new, empty database of the kind `name` whose files live in `folder`."""
    if name == "file":
        return Backend(name, str(folder / "news.duckdb"), None)
    data_path = str(folder / "lake") + "/"
    if name == "ducklake-sqlite":
        return Backend(name, f"ducklake:sqlite:{folder / 'catalog.sqlite'}", data_path)
    cluster = request.getfixturevalue("postgres_cluster")
    return Backend(name, f"ducklake:postgres:{cluster.dsn(cluster.create_database())}", data_path)


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Iterator[Backend]:
    """An empty database of each kind in turn."""
    yield make_backend(request.param, tmp_path, request)
    forget_engines()  # closes this process's attachments before the next catalog


@pytest.fixture(params=[b for b in BACKENDS if b != "file"])
def lake_backend(request, tmp_path) -> Iterator[Backend]:
    """An empty DuckLake with each catalog in turn."""
    yield make_backend(request.param, tmp_path, request)
    forget_engines()
