"""Fixtures every test package shares: the shared corpus, found once or skipped saying why,
and the storage backends (a DuckDB file, DuckLake on SQLite and on PostgreSQL).

Helpers, servers and sample posts live in tests/support/, which tests import; nothing
imports this module.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.lake import forget_engines
from tests.support.backends import BACKENDS, LAKES, Backend, make_backend
from tests.support.corpus import read_index, require_corpus, require_founding_document

# A throwaway PostgreSQL cluster for the tests that need one (DuckLake's catalog).
pytest_plugins = ("tests.support.postgres",)

# Offline machines: no telemetry from the Prefect servers the tests start.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus folder ($NEWSFLOW_CORPUS or ../shared/corpus); skips the test when
    it is missing, or fails it under CI=true."""
    return require_corpus()


@pytest.fixture(scope="session")
def pages_index(corpus_dir) -> list[dict]:
    return read_index(corpus_dir, "pages")


@pytest.fixture(scope="session")
def feeds_index(corpus_dir) -> list[dict]:
    return read_index(corpus_dir, "feeds")


@pytest.fixture(scope="session")
def founding_document() -> Path:
    """The founding document (../shared/seeds/), skipped or failed like `corpus_dir`."""
    return require_founding_document()


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Iterator[Backend]:
    """An empty database of each kind in turn (tests/support/backends.py)."""
    yield make_backend(request.param, tmp_path, request)
    forget_engines()  # closes this process's attachments before the next catalog


@pytest.fixture(params=LAKES)
def lake_backend(request, tmp_path) -> Iterator[Backend]:
    """An empty DuckLake with each catalog in turn."""
    yield make_backend(request.param, tmp_path, request)
    forget_engines()
