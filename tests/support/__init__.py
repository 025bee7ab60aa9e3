"""What the tests share and bench/ may use: servers, sample posts, corpus location, helpers.

Tests import from here, never from a conftest module or another test module.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
