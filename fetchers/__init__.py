"""Fetching: sources to fetched bytes (httpx, robots.txt and politeness, the SSRF
guard, feeds, discovery, sitemaps). Plain Python: no Prefect, no other stage.

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

import importlib

# What other packages use, by the module that defines it.
_EXPORTS = {
    "fetchers.backfill": ("entry_date", "gap_in"),
    "fetchers.crawl": ("SourceCrawl", "Validators", "crawl_source"),
    "fetchers.http": ("Fetcher",),
    "fetchers.robots": ("RobotsCache",),
    "fetchers.urls": ("host_of", "normalize_url"),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    """Returns an exported name, importing its module on first use, so that importing
    the package itself stays cheap."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)
