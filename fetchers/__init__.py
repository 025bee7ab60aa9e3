"""Fetching: sources to fetched bytes (httpx, robots.txt and politeness, the SSRF
guard, feeds, discovery, sitemaps). Plain Python: no Prefect, no other stage.

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

from newsflow.exports import lazy_exports

# What other packages use, by the module that defines it.
_EXPORTS = {
    "fetchers.backfill": ("entry_date", "gap_in"),
    "fetchers.crawl": ("SourceCrawl", "Validators", "crawl_source"),
    "fetchers.http": ("Fetcher",),
    "fetchers.robots": ("RobotsCache",),
    "fetchers.urls": ("host_of", "normalize_url"),
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
