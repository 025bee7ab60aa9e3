"""The storage tests run over every backend (tests/support/backends.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.lake import forget_engines
from tests.support.backends import BACKENDS, LAKES, Backend, make_backend


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path) -> Iterator[Backend]:
    """An empty database of each kind in turn."""
    yield make_backend(request.param, tmp_path, request)
    forget_engines()  # closes this process's attachments before the next catalog


@pytest.fixture(params=LAKES)
def lake_backend(request, tmp_path) -> Iterator[Backend]:
    """An empty DuckLake with each catalog in turn."""
    yield make_backend(request.param, tmp_path, request)
    forget_engines()
