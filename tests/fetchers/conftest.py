"""Fixtures for the fetcher tests: a fault server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.faultserver import FaultServer


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as fault:
        yield fault
