"""Plans a night's pages host by host, as each host's sources are read.

Requests to one host wait `per_host_delay_seconds` for each other: a host with 10,000
sources takes hours to read at the default 1 s. Planning used to wait for every source
before a page was fetched, so every other host waited behind that one queue. The
sources are now read per host (`read_by_host`) and each host's pages are planned as
soon as its sources are read (`HostPlanner.batches`), while slower hosts go on.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable

from fetchers.urls import host_of
from newsflow.models import Source


def by_host(sources: tuple[Source, ...] | list[Source]) -> list[list[Source]]:
    """Returns the sources grouped by the host (and port) of their URL, the unit of
    politeness, in the order first seen."""
    groups: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        groups[host_of(source.url)].append(source)
    return list(groups.values())


async def read_by_host(
    sources, read: Callable[[Source], Awaitable], on_host_read: Callable[[list], None] | None
) -> list:
    """Returns every source's crawl (`read(source)`), in the sources' order; calls
    `on_host_read(crawls)` as soon as all of one host's sources are read."""

    async def one_host(group: list[Source]) -> list:
        crawls = list(await asyncio.gather(*(read(source) for source in group)))
        if on_host_read is not None:
            on_host_read(crawls)
        return crawls

    groups = by_host(sources)
    done = await asyncio.gather(*(one_host(group) for group in groups))
    order = {source.name: n for n, source in enumerate(sources)}
    return sorted((c for crawls in done for c in crawls), key=lambda c: order[c.source.name])


class HostPlanner:
    """Receives each host's crawls as they are read and yields the batches of pages to
    fetch, planned from what is read so far: one host's queue never holds back another's.
    """

    def __init__(self, plan: Callable[[list], Awaitable[list]], batch_size: int):
        self.plan, self.batch_size = plan, batch_size
        self.read: asyncio.Queue = asyncio.Queue()
        self.side: list = []  # the crawls' own fetches (feeds, home pages), to be stored

    def host_read(self, crawls: list) -> None:
        """Called as one host's sources are all read."""
        self.read.put_nowait(crawls)

    def take_side(self) -> list:
        """Returns the crawls' fetches not yet taken, and forgets them."""
        taken, self.side = self.side, []
        return taken

    async def batches(self, reading: asyncio.Future) -> AsyncIterator[list]:
        """Yields batches of (source, entry) until `reading` is done and all is planned."""
        while (crawls := await self._next_read(reading)) is not None:
            todo = await self.plan(crawls)  # which may walk back: more fetches to store
            self.side.extend(f for crawl in crawls for f in crawl.fetches)
            for start in range(0, len(todo), self.batch_size):
                yield todo[start : start + self.batch_size]
        reading.result()  # the reading's own failure, if any, is the night's

    async def _next_read(self, reading: asyncio.Future) -> list | None:
        """Returns the crawls of every host read since the last call (waiting for one), or
        None once every host is read and planned."""
        if self.read.empty() and not reading.done():
            waiting = asyncio.ensure_future(self.read.get())
            await asyncio.wait({waiting, reading}, return_when=asyncio.FIRST_COMPLETED)
            if waiting.done():
                self.read.put_nowait(waiting.result())
            else:
                waiting.cancel()
        crawls = []
        while not self.read.empty():
            crawls.extend(self.read.get_nowait())
        return crawls or (None if reading.done() else await self._next_read(reading))
