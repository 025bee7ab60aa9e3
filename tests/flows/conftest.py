"""Flow fixtures: one real Prefect test server for the session, sample blogs on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.demo.run import POSTS
from newsflow.demo.site import SiteServer, blogger_site
from tests.conftest import seed_post

LOCAL_SETTINGS = """\
[settings]
allow_private_networks = true
per_host_delay_seconds = 0
timeout_seconds = 5
"""


@pytest.fixture(scope="session")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def blog():
    """A Blogger-style blog with the seed article and three more posts."""
    posts = [seed_post(), *POSTS]
    with SiteServer(lambda base: blogger_site("Kabar Dunia", posts, base)) as server:
        server.posts = posts
        yield server


def write_sources(path: Path, sources: list[tuple[str, str, str]], settings: str = LOCAL_SETTINGS):
    """Writes a sources.toml with these (name, url, kind) entries; returns its path."""
    blocks = [f'[[sources]]\nname = "{n}"\nurl = "{u}"\nkind = "{k}"\n' for n, u, k in sources]
    path.write_text(settings + "\n" + "\n".join(blocks))
    return path


def run_flow(sources: Path, db: Path):
    """Runs the ingest flow on the test server; returns its final state."""
    from flows.ingest import ingest

    return asyncio.run(ingest(str(sources), str(db), return_state=True))


NOW = datetime.now(UTC)
