"""Fixtures every test package shares: the shared corpus, found once or skipped saying why.

Helpers, servers and sample posts live in tests/support/, which tests import; nothing
imports this module.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
