"""The naive scraper newsflow is measured against: one page at a time, and no tagging.

For each feed: GET it; for each link not yet stored, GET the page, `trafilatura.extract`
it and INSERT the text into DuckDB. No concurrency, no batching, no politeness, no
conditional requests, no metadata, no raw HTML kept: it does less than newsflow.

    python bench/naive.py --db naive.duckdb FEED_URL [FEED_URL ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

import duckdb
import feedparser
import httpx
import trafilatura


def scrape(feeds: list[str], db: str) -> dict:
    """Returns how many pages were fetched and stored from these feeds into `db`."""
    con = duckdb.connect(db)
    con.execute(
        "CREATE TABLE IF NOT EXISTS articles (url VARCHAR PRIMARY KEY, title VARCHAR,"
        " text VARCHAR, fetched_at TIMESTAMPTZ)"
    )
    counts = {"fetched": 0, "stored": 0}
    with httpx.Client(timeout=20) as client:
        for feed_url in feeds:
            for entry in feedparser.parse(client.get(feed_url).content).entries:
                _scrape_page(client, con, entry, counts)
    con.close()
    return counts


def _scrape_page(client: httpx.Client, con, entry, counts: dict) -> None:
    url = entry.link
    if con.execute("SELECT 1 FROM articles WHERE url = ?", [url]).fetchall():
        return
    response = client.get(url)
    counts["fetched"] += 1
    if response.status_code != 200:
        return
    text = trafilatura.extract(response.content, url=url)
    if text:
        con.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?)",
            [url, entry.get("title"), text, datetime.now(UTC)],
        )
        counts["stored"] += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("feeds", nargs="+")
    args = parser.parse_args(argv)
    print(json.dumps(scrape(args.feeds, args.db)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
