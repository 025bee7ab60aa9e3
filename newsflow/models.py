"""The small typed values the stages hand to each other."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from newsflow.credentials import Credentials
from newsflow.outcomes import Outcome
from newsflow.pace import PaceBounds

SourceKind = Literal["auto", "feed", "page", "sitemap"]
TagKind = Literal["language", "person", "org", "place", "keyword", "topic", "category"]


@dataclass(frozen=True, slots=True)
class Settings:
    """The `[settings]` table of sources.toml, with its documented defaults."""

    user_agent: str = "newsflow/0.1 (+https://example.org/contact)"
    per_host_delay_seconds: float = 1.0
    per_host_concurrency: int = 2
    timeout_seconds: float = 20.0
    max_page_bytes: int = 5_000_000
    respect_robots_txt: bool = True
    allow_private_networks: bool = False
    max_redirects: int = 5
    max_articles_per_source: int = 500
    unhealthy_after_failures: int = 3
    extract_timeout_seconds: float = 30.0  # a page still extracting after this is a timeout
    topics_file: str = "topics.toml"  # relative to the sources file; absent means no topics
    # Feed pages or sitemap files a source may cost a run to walk back over a gap
    # (fetchers.backfill); 0: gaps are found and recorded, never walked.
    backfill_max_pages: int = 40
    # Each source is read about half as often as its feed's window lasts, within these.
    min_interval_minutes: float = 15.0
    max_interval_days: float = 7.0

    @property
    def pace_bounds(self) -> PaceBounds:
        """Returns the shortest and longest time between two reads of a source."""
        return PaceBounds(
            timedelta(minutes=self.min_interval_minutes), timedelta(days=self.max_interval_days)
        )


@dataclass(frozen=True, slots=True)
class ExtractRules:
    """A source's own extraction rules (`[sources.extract]` in sources.toml): CSS selectors
    applied before the general methods, as Miniflux's and FreshRSS's users fix a site.

    Plain data, so the rules travel to the extraction worker processes with each page."""

    body: str | None = None  # the story's element; its text is the article's
    drop: tuple[str, ...] = ()  # elements removed first (a related-stories box, an ad)
    title: str | None = None
    author: str | None = None
    date: str | None = None  # an element whose datetime/content attribute or text is the date

    @property
    def version(self) -> str:
        """Returns a short hash of the rules: part of the articles' extraction version, so a
        change of rules makes the source's articles stale for `newsflow reextract`."""
        text = repr((self.body, self.drop, self.title, self.author, self.date))
        return "rules-" + hashlib.sha256(text.encode()).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class StorageSettings:
    """The `[storage]` table of sources.toml: where a DuckLake keeps its files, and for how
    long its snapshots stay (what `newsflow query --as-of` can go back to)."""

    data_path: str = "data/lake/"  # relative to the sources file; s3://bucket/path in production
    keep_snapshots_days: int = 30


@dataclass(frozen=True, slots=True)
class Source:
    """One `[[sources]]` entry; `url` never carries a password (see newsflow.credentials)."""

    name: str
    url: str
    kind: SourceKind = "auto"
    credentials: Credentials | None = field(default=None, repr=False)
    group: str | None = None  # a folder of the reader it came from ("News/Tech")
    site: str | None = None  # the site's home page (OPML htmlUrl), kept for export
    extract: ExtractRules | None = None  # the user's own extraction rules for the site


@dataclass(frozen=True, slots=True)
class Watch:
    """A saved search: each night's new and changed articles matching it are recorded
    (`watch_matches`) and announced (a Prefect event)."""

    name: str  # [a-z0-9-], unique in the file
    query: str  # as `newsflow search` takes it
    lang: str | None = None
    source: str | None = None
    since: str | None = None  # an age (7d, 24h, 2w) or a date, as `newsflow search --since`
    tags: tuple[tuple[str, str], ...] = ()  # (kind, value): every one must be on the article


@dataclass(frozen=True, slots=True)
class SourcesConfig:
    path: str
    settings: Settings
    sources: tuple[Source, ...]
    storage: StorageSettings = StorageSettings()
    watches: tuple[Watch, ...] = ()

    @property
    def lake_data_path(self) -> str:
        """Returns `[storage] data_path`, a relative one made absolute from this file's folder."""
        path = self.storage.data_path
        if "://" in path:
            return path
        return str((Path(self.path).parent / path).resolve()) + "/"


@dataclass(slots=True)
class FetchResult:
    """One HTTP attempt, successful or not: becomes one row of `fetches`.

    `outcome` says what became of it (newsflow.outcomes.Outcome).
    """

    url: str
    source: str
    kind: str  # feed | feed_page (older: backfill) | page | home | sitemap | robots
    outcome: Outcome
    fetched_at: datetime
    final_url: str = ""
    status: int | None = None
    error: str | None = None
    elapsed_ms: int = 0
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def size(self) -> int:
        return len(self.body)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """An item of a feed or a sitemap: a link to an article, with what the feed says of it."""

    url: str
    feed_url: str
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    guid: str | None = None
    # What the feed or news sitemap declares; the page's own values win.
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    language: str | None = None
    publication: str | None = None  # <news:publication><news:name>
    content: str | None = None  # the entry's full text (content:encoded, Atom content), bounded


@dataclass(slots=True)
class Article:
    """The readable content of one fetched page."""

    url: str  # where we fetched it from, after redirects
    source: str
    text: str
    content_hash: str
    fetched_at: datetime
    canonical_url: str | None = None
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    # Minutes east of UTC the publisher wrote published_at with; None where it wrote none.
    published_offset_minutes: int | None = None
    language: str | None = None  # declared by the page (html lang / meta), may be None
    site_name: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image: str | None = None
    feed_url: str | None = None
    entry_updated: datetime | None = None
    encoding: str | None = None
    keywords_declared: tuple[str, ...] = ()  # the page's or the news sitemap's keywords
    free_access: bool | None = None  # JSON-LD isAccessibleForFree; None: not declared
    lines: PageLines | None = None  # what the source's memory of recurring lines counts


@dataclass(frozen=True, slots=True)
class Tag:
    """One label on an article: a row of `article_tags`.

    `value` is the normalised display form ("Russia"); `code` a stable identifier where
    one exists (ISO 3166 "RU", ISO 639 "id"); `surface` the text as written ("Rusia").
    """

    kind: TagKind
    value: str
    score: float
    tagger: str
    tagger_version: str
    code: str | None = None
    surface: str | None = None


@dataclass(slots=True)
class PageResult:
    """What extraction and tagging made of one fetched page."""

    url: str
    source: str
    article: Article | None = None
    tags: list[Tag] = field(default_factory=list)
    signature: bytes | None = None  # near-duplicate signature (MinHash), if computed
    tagged: bool = False  # the taggers ran (an article may still have no tags)
    error: str | None = None
    # Versions that differ from the taggers' current ones for this page alone: the
    # extraction's, where the source's own rules (ExtractRules.version) were applied.
    versions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PageLines:
    """What one page adds to its source's memory of recurring lines: short hashes
    (extractors.article.furniture.line_key) of its text's lines, before the source's furniture was
    stripped, and of its title's opening and closing parts. `page_hash` tells copies of one
    page apart from distinct pages."""

    page_hash: str
    lines: tuple[str, ...] = ()
    title_start: str | None = None
    title_end: str | None = None
    sizes: tuple[int, ...] = ()  # each line's length, in characters


@dataclass(frozen=True, slots=True)
class SourceFurniture:
    """A source's furniture as its memory knows it: the keys of the lines, title openings
    (" Section - ") and title endings (" | Site") found on most of its distinct pages."""

    lines: frozenset[str] = frozenset()
    title_starts: frozenset[str] = frozenset()
    title_ends: frozenset[str] = frozenset()
