"""Splitting a night by host: every source in one shard, no host in two, loads balanced."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from flows.shard_plan import keep_hosts, plan_shards


def _site(port: int, pages: int) -> tuple[str, list[str]]:
    base = f"http://127.0.0.1:{port}"
    return base + "/", [f"{base}/post-{n}.html" for n in range(pages)]


def _night(pages_per_site: dict[str, tuple[int, int]]):
    """Returns ({source: url}, [(source, page url)]) for sources given as name: (port, pages)."""
    urls, planned = {}, []
    for name, (port, pages) in pages_per_site.items():
        urls[name], links = _site(port, pages)
        planned += [(name, link) for link in links]
    return urls, planned


def _hosts_of(shard) -> set[str]:
    return set(shard.hosts)


def test_every_source_lands_in_exactly_one_shard_and_no_host_in_two():
    urls, planned = _night({f"blog{n}": (8000 + n, 10 + n) for n in range(20)})

    shards = plan_shards(urls, planned, 3)

    assert len(shards) == 3
    names = [s for shard in shards for s in shard.sources]
    assert sorted(names) == sorted(urls)
    for a in shards:
        for b in shards:
            if a is not b:
                assert not _hosts_of(a) & _hosts_of(b)
    assert sum(shard.pages for shard in shards) == len(planned)
    assert [shard.number for shard in shards] == [1, 2, 3]


def test_loads_are_balanced_within_one_group():
    urls, planned = _night({f"blog{n}": (8000 + n, pages) for n, pages in
                            enumerate([90, 70, 50, 50, 40, 30, 30, 20, 10, 10])})  # fmt: skip

    shards = plan_shards(urls, planned, 3)

    loads = [shard.pages + len(shard.sources) for shard in shards]
    assert max(loads) - min(loads) <= 91  # no shard heavier than another by more than a group
    assert max(loads) <= 4 / 3 * (sum(loads) / 3) + 1  # LPT's bound against the ideal split


def test_sources_sharing_a_host_go_together():
    urls = {
        "news-world": "http://127.0.0.1:9001/world/feed.xml",
        "news-sport": "http://127.0.0.1:9001/sport/feed.xml",
        "other": "http://127.0.0.1:9002/",
    }
    planned = [("news-world", "http://127.0.0.1:9001/a"), ("news-sport", "http://127.0.0.1:9001/b")]

    shards = plan_shards(urls, planned, 2)

    together = [s for s in shards if "news-world" in s.sources]
    assert together[0].sources == ("news-sport", "news-world")
    assert together[0].hosts == ("127.0.0.1:9001",)


def test_a_feed_linking_to_another_host_joins_that_host_s_sources():
    # A feed on a feed service whose entries live on the blog's own host: the blog's
    # host is fetched from one shard only, whichever source its pages were planned for.
    urls = {"blog": "http://127.0.0.1:9001/", "blog-via-feeds": "http://127.0.0.1:9003/feed"}
    planned = [
        ("blog-via-feeds", "http://127.0.0.1:9001/post.html"),
        ("blog", "http://127.0.0.1:9001/x"),
    ]

    shards = plan_shards(urls, planned, 2)

    assert len(shards) == 1
    assert shards[0].sources == ("blog", "blog-via-feeds")
    assert shards[0].hosts == ("127.0.0.1:9001", "127.0.0.1:9003")


def test_sources_with_nothing_planned_are_still_read_by_some_shard():
    urls = {f"quiet{n}": f"http://127.0.0.1:{7000 + n}/" for n in range(4)}

    shards = plan_shards(urls, [], 2)

    assert sorted(s for shard in shards for s in shard.sources) == sorted(urls)
    assert [len(shard.sources) for shard in shards] == [2, 2]


def test_fewer_host_groups_than_shards_gives_fewer_shards():
    urls, planned = _night({"a": (8001, 5), "b": (8002, 5)})

    assert len(plan_shards(urls, planned, 5)) == 2


def test_the_split_does_not_depend_on_input_order():
    urls, planned = _night({f"blog{n}": (8000 + n, n % 7 + 1) for n in range(12)})

    forward = plan_shards(urls, planned, 3)
    backward = plan_shards(dict(reversed(urls.items())), planned[::-1], 3)

    assert forward == backward


def test_zero_shards_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        plan_shards({"a": "http://127.0.0.1:1/"}, [], 0)


@dataclass
class _Entry:
    url: str


def test_keep_hosts_drops_pages_on_hosts_of_other_shards():
    todo = [("a", _Entry("http://127.0.0.1:9001/x")), ("a", _Entry("http://127.0.0.1:9009/y"))]

    kept = keep_hosts(todo, ["127.0.0.1:9001"])

    assert [entry.url for _, entry in kept] == ["http://127.0.0.1:9001/x"]
