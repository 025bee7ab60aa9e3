"""Which shard reads which sources: a night split by host, balanced by planned pages.

Politeness is per host (`fetchers.urls.host_of`), so every URL of one host must be asked
by one shard: two machines fetching one host would each keep its delay and together
break it. Sources are therefore grouped with every host they touch (their own URL, and
the hosts of the pages planned for them); a group goes whole to one shard. Groups are
then dealt out largest first to the least loaded shard (longest processing time first,
within 4/3 of the best balance), counting a source as one page besides its planned
pages, since reading its feed costs a request too.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from fetchers.urls import host_of


@dataclass(frozen=True, slots=True)
class Shard:
    """One shard of a night: the sources it reads and the hosts it may fetch from."""

    number: int  # 1-based
    sources: tuple[str, ...]
    hosts: tuple[str, ...]
    pages: int  # pages planned for its sources when the night was split


def plan_shards(
    source_urls: dict[str, str], planned: Iterable[tuple[str, str]], shards: int
) -> list[Shard]:
    """Returns at most `shards` shards covering every source, no host in two of them.

    `source_urls` maps each due source to its URL; `planned` gives (source, page URL) for
    every page planned tonight. Fewer shards come back when there are fewer host groups.
    """
    if shards < 1:
        raise ValueError(f"shards must be at least 1, got {shards}")
    groups = _host_groups(source_urls, planned)
    bins: list[tuple[int, int, list[_Group]]] = [(0, n, []) for n in range(shards)]
    for group in sorted(groups, key=lambda g: (-g.weight, g.sources[0])):
        load, n, members = heapq.heappop(bins)
        members.append(group)
        heapq.heappush(bins, (load + group.weight, n, members))
    filled = sorted((members for _, _, members in bins if members), key=lambda m: m[0].sources)
    return [_shard(number, members) for number, members in enumerate(filled, start=1)]


def keep_hosts(todo: list[tuple[str, object]], hosts: Iterable[str]) -> list:
    """Returns the (source, entry) pairs whose entry URL is on one of `hosts`.

    A shard re-reads its feeds; a page on a host that appeared since the night was split
    may belong to another shard's host, so it waits for the next night (not stored, it is
    still new then) rather than break that host's politeness.
    """
    allowed = set(hosts)
    return [(source, entry) for source, entry in todo if host_of(entry.url) in allowed]


@dataclass
class _Group:
    sources: list[str]
    hosts: set[str]
    pages: int

    @property
    def weight(self) -> int:
        return self.pages + len(self.sources)


def _host_groups(source_urls: dict[str, str], planned: Iterable[tuple[str, str]]) -> list[_Group]:
    """Returns the sources joined by shared hosts (union-find over source and host nodes)."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = node = parent[parent[node]]
        return node

    def join(a: tuple[str, str], b: tuple[str, str]) -> None:
        parent[root(a)] = root(b)

    pages: dict[str, int] = defaultdict(int)
    for source, url in source_urls.items():
        join(("source", source), ("host", host_of(url)))
    for source, url in planned:
        join(("source", source), ("host", host_of(url)))
        pages[source] += 1
    groups: dict[tuple[str, str], _Group] = {}
    for node in list(parent):
        group = groups.setdefault(root(node), _Group([], set(), 0))
        kind, name = node
        if kind == "source":
            group.sources.append(name)
            group.pages += pages[name]
        else:
            group.hosts.add(name)
    for group in groups.values():
        group.sources.sort()
    return [g for g in groups.values() if g.sources]


def _shard(number: int, members: list[_Group]) -> Shard:
    return Shard(
        number=number,
        sources=tuple(sorted(s for g in members for s in g.sources)),
        hosts=tuple(sorted(h for g in members for h in g.hosts)),
        pages=sum(g.pages for g in members),
    )
