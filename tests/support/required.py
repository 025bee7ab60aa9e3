"""A thing a test needs is missing: skip saying why, or fail under CI, which provides it."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """Returns True under .ci/run, which sets CI=true and provides every tool and file."""
    return os.environ.get("CI") == "true"


def unavailable(reason: str) -> NoReturn:
    """Skips the running test with `reason`; under CI=true fails it, since CI has it all."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: CI must provide it)", pytrace=False)
    pytest.skip(reason)
