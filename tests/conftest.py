"""Fixtures shared by every test package: where the shared corpus is, and sample sites."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.demo.site import Post

# A throwaway PostgreSQL cluster for the tests that need one (DuckLake's catalog).
pytest_plugins = ("tests.support.postgres",)

# Offline machines: no telemetry from the Prefect servers the tests start.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = SHARED / "seeds" / "000_ac264f323aad26bd.txt"
WIDGET_LINES = {"No comments:", "Post a Comment"}


def seed_paragraphs() -> tuple[str, ...]:
    """Returns the seed article's paragraphs, without the comment widget glued to its end."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    return tuple(line for line in lines if line and line not in WIDGET_LINES)


def seed_post() -> Post:
    return Post(
        slug="rusia-dan-nato-bertemu-di-brussel",
        title="Rusia dan NATO Bertemu di Brussel",
        author="Admin Kabar Dunia",
        published=datetime(2022, 1, 13, 2, 15, tzinfo=UTC),
        paragraphs=seed_paragraphs(),
        labels=("NATO", "Rusia"),
    )


@pytest.fixture(scope="session")
def pages_index() -> list[dict]:
    return json.loads((CORPUS / "pages" / "index.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def feeds_index() -> list[dict]:
    return json.loads((CORPUS / "feeds" / "index.json").read_text(encoding="utf-8"))
