"""Loads DuckDB extensions from their wheels' files: never from the network.

DuckDB's `INSTALL` downloads from DuckDB's own server, which many nightly hosts cannot
reach; the `duckdb-extension-NAME` wheels carry the same files, installed like any package.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb

from newsflow.errors import StorageError

# Wheel package per extension name (postgres_scanner's file is named after the extension).
_PACKAGES = {
    "fts": "duckdb_extension_fts",
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
    "sqlite_scanner": "duckdb_extension_sqlite_scanner",
    "httpfs": "duckdb_extension_httpfs",  # s3://, https:// data paths
}


def extension_path(name: str) -> Path:
    """Returns the extension file shipped by its wheel for the running DuckDB version."""
    package = _PACKAGES.get(name)
    spec = importlib.util.find_spec(package) if package else None
    if spec is None or not spec.submodule_search_locations:
        raise StorageError(name, f"DuckDB extension {name!r} is not installed (uv sync)")
    version = duckdb.__version__
    path = Path(spec.submodule_search_locations[0]) / "extensions" / f"v{version}"
    path = path / f"{name}.duckdb_extension"
    if not path.exists():
        raise StorageError(str(path), f"no {name} extension for DuckDB {version}")
    return path


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Loads extension `name` into `con` from its wheel's file."""
    con.execute(f"LOAD '{extension_path(name)}'")
