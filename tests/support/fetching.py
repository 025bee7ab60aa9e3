"""Fetcher settings fit for the loopback fault server, and one-call fetches for tests."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from fetchers.http import Fetcher
from newsflow.models import FetchResult, Settings

# The server is on loopback, so private addresses are allowed here (the guard tests say
# otherwise); small timeouts and no delay keep the tests fast.
TEST_SETTINGS = Settings(
    user_agent="newsflow-test/1.0",
    per_host_delay_seconds=0.0,
    per_host_concurrency=4,
    timeout_seconds=2.0,
    max_page_bytes=1_000_000,
    respect_robots_txt=False,
    allow_private_networks=True,
)
BACKOFF = 0.05


def settings(**changes) -> Settings:
    """Returns the test settings with some fields changed."""
    return replace(TEST_SETTINGS, **changes)


def fetch(url: str, kind: str = "page", config: Settings = TEST_SETTINGS, **options) -> FetchResult:
    """Returns the result of one Fetcher.get of url with a fresh Fetcher."""
    get_options = {k: options.pop(k) for k in ("etag", "last_modified", "accept") if k in options}

    async def run() -> FetchResult:
        async with Fetcher(config, backoff_seconds=BACKOFF, **options) as fetcher:
            return await fetcher.get(url, source="test", kind=kind, **get_options)

    return asyncio.run(run())
