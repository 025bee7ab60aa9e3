"""The corpus pages served as a news site: an RSS feed per section linking every page.

`copies` replicates the pages under distinct URLs, so a benchmark can ask for 1,000+.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from newsflow.demo.site import Site

FEED_SIZE = 100


def corpus_site(corpus: Path, base_url: str, copies: int = 1, sections: int = 1) -> Site:
    """Returns a site serving every corpus page `copies` times behind `sections` RSS feeds."""
    index = json.loads((corpus / "pages" / "index.json").read_text(encoding="utf-8"))
    bodies = {e["file"]: (corpus / "pages" / e["file"]).read_bytes() for e in index}
    site = Site()
    links = []
    for copy in range(copies):
        for entry in index:
            path = f"/c{copy}/{Path(entry['file']).stem}.html"
            # No charset in the header: legacy-encoded pages must be decoded from their meta.
            site.files[path] = ("text/html", bodies[entry["file"]])
            links.append(path)
    for section in range(sections):
        mine = links[section::sections]
        feed = rss_feed(base_url, mine)
        site.files[f"/section{section}/feed.xml"] = ("application/rss+xml", feed)
    site.files["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\n")
    return site


def rss_feed(base_url: str, paths: list[str]) -> bytes:
    """Returns an RSS 2.0 feed listing these paths of the site (bench/site.py's too)."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items = "".join(
        f"<item><title>{html.escape(p)}</title><link>{base_url}{p}</link>"
        f"<guid>{base_url}{p}</guid>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=i))}</pubDate></item>"
        for i, p in enumerate(paths)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>corpus</title><link>{base_url}/</link>{items}</channel></rss>"
    ).encode()
