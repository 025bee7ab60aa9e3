"""Many Blogger-style blogs on 127.0.0.1, one port each (a port is a host to politeness),
with distinct generated posts: the sharded nights' local site, for tests and bench/.

Posts are written from a fixed vocabulary by a seeded generator, so every run serves the
same pages, no two posts are near-duplicates unless a test says so (`shared_post`), and
extraction finds a real article body in each.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow.demo.site import Post, SiteServer, blogger_site, post_path

SETTINGS = """\
[settings]
allow_private_networks = true
per_host_delay_seconds = 0
per_host_concurrency = 4
timeout_seconds = 20
max_articles_per_source = 1000
"""

_SUBJECTS = [
    "council",
    "harbour board",
    "rail operator",
    "school district",
    "water utility",
    "fishing cooperative",
    "hospital trust",
    "museum",
    "transit agency",
    "farmers union",
    "university",
    "port authority",
    "library",
    "energy supplier",
    "football club",
]
_VERBS = [
    "approved",
    "postponed",
    "rejected",
    "debated",
    "announced",
    "funded",
    "reviewed",
    "questioned",
    "welcomed",
    "criticised",
    "extended",
    "cancelled",
]
_OBJECTS = [
    "a new timetable",
    "repairs to the old bridge",
    "longer opening hours",
    "a budget for the winter",
    "plans for a cycle path",
    "the sale of the depot",
    "a survey of the coastline",
    "cheaper tickets for students",
    "a second ferry",
    "solar panels on public roofs",
    "a festival in the spring",
    "the merger talks",
]
_PLACES = [
    "Northport",
    "Eastwick",
    "Saltmarsh",
    "Kingsbridge",
    "Lowmoor",
    "Ashford",
    "Greywater",
    "Millbrook",
    "Stonehaven",
    "Redcliff",
    "Fairhaven",
    "Oakham",
]
_DETAILS = [
    "after a long meeting on {day}",
    "following complaints from residents",
    "despite objections from two members",
    "with support from local businesses",
    "after engineers delivered their report",
    "once the consultation closed",
    "to the surprise of the opposition",
    "in a vote of {n} to {m}",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _sentence(rng: random.Random) -> str:
    detail = rng.choice(_DETAILS).format(
        day=rng.choice(_DAYS), n=rng.randint(5, 9), m=rng.randint(1, 4)
    )
    return (
        f"The {rng.choice(_SUBJECTS)} of {rng.choice(_PLACES)} {rng.choice(_VERBS)} "
        f"{rng.choice(_OBJECTS)} {detail}, and {rng.randint(2, 900)} people "
        f"{rng.choice(['signed a letter', 'came to listen', 'wrote in', 'asked questions'])}."
    )


def generated_post(blog: int, n: int) -> Post:
    """Returns post `n` of blog `blog`: three paragraphs of five sentences, all its own."""
    rng = random.Random(blog * 100_003 + n)
    paragraphs = tuple(" ".join(_sentence(rng) for _ in range(5)) for _ in range(3))
    return Post(
        slug=f"blog{blog}-post{n}",
        title=f"{rng.choice(_PLACES)} {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {n}",
        author=f"Desk {blog}",
        published=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=blog % 365, minutes=n),
        paragraphs=paragraphs,
        labels=("Local",),
        lang="en",
    )


def shared_post(n: int) -> Post:
    """Returns a story several blogs repost word for word: one near-duplicate cluster."""
    post = generated_post(999_999, n)
    return Post(**{**post.__dict__, "slug": f"shared-story-{n}", "author": "Wire"})


@dataclass
class Blogs:
    """Running blogs: their servers and posts, by source name."""

    servers: dict[str, SiteServer]
    posts: dict[str, list[Post]]

    @property
    def pages(self) -> int:
        return sum(len(p) for p in self.posts.values())

    def page_urls(self) -> set[str]:
        return {
            self.servers[name].base_url + post_path(p)
            for name, posts in self.posts.items()
            for p in posts
        }

    def write_sources(self, path: Path, extra: str = "") -> Path:
        """Writes a sources.toml with one feed source per blog; returns its path."""
        blocks = [
            f'[[sources]]\nname = "{name}"\nurl = "{s.base_url}/feeds/posts/default"\n'
            'kind = "feed"\n'
            for name, s in self.servers.items()
        ]
        path.write_text(SETTINGS + extra + "\n" + "\n".join(blocks), encoding="utf-8")
        return path


@contextmanager
def many_blogs(
    blogs: int, posts_each: int, extra: dict[int, list[Post]] | None = None
) -> Iterator[Blogs]:
    """Serves `blogs` blogs of `posts_each` posts each (plus `extra` posts by blog number)."""
    extra = extra or {}
    with ExitStack() as stack:
        servers, posts = {}, {}
        for b in range(blogs):
            name = f"blog{b:02d}"
            posts[name] = [generated_post(b, n) for n in range(posts_each)] + extra.get(b, [])
            site = _builder(f"Blog {b}", posts[name])
            servers[name] = stack.enter_context(SiteServer(site))
        yield Blogs(servers, posts)


def _builder(title: str, posts: list[Post]):
    return lambda base: blogger_site(title, posts, base, "en")
