"""Flow fixtures: one real Prefect test server for the session, a sample blog on 127.0.0.1."""

from __future__ import annotations

import pytest

from newsflow.demo.run import POSTS
from newsflow.demo.site import SiteServer, blogger_site
from tests.support.posts import NATO_POST


@pytest.fixture(scope="session")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def blog():
    """A Blogger-style blog with the NATO story and the demo's three posts."""
    posts = [NATO_POST, *POSTS]
    with SiteServer(lambda base: blogger_site("Kabar Dunia", posts, base)) as server:
        server.posts = posts
        yield server
