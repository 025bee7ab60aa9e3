"""newsflow: nightly news ingestion (shared types, errors and configuration).

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

from newsflow.exports import lazy_exports

__version__ = "0.1.0"

# What other packages use, by the module that defines it.
_EXPORTS = {
    "newsflow.charset": ("decode_text", "looks_binary"),
    "newsflow.chart": ("articles_per_day_svg", "chart_path", "svg_data_uri"),
    "newsflow.config": ("load_sources", "topics_path"),
    "newsflow.credentials": ("Credentials", "origin", "split_userinfo"),
    "newsflow.defaults": (
        "BACKFILL_MAX_PAGES",
        "DB_PATH",
        "DUE_EVERY_MINUTES",
        "NIGHTLY_CRON",
        "SOURCES_PATH",
        "TIMEZONE",
    ),
    "newsflow.errors": (
        "CheckoutNotFound",
        "ConfigError",
        "DatabaseBusyError",
        "ExtractError",
        "FetchError",
        "HostileDocument",
        "NewsflowError",
        "OptionError",
        "SitemapError",
        "StorageError",
    ),
    "newsflow.minhash": ("NUM_PERM", "bands", "similarity"),
    "newsflow.exports": ("lazy_exports",),
    "newsflow.extract_rules": ("rules_by_source",),
    "newsflow.models": (
        "Article",
        "ExtractRules",
        "FeedEntry",
        "FetchResult",
        "PageLines",
        "PageResult",
        "Settings",
        "Source",
        "SourceFurniture",
        "SourcesConfig",
        "Tag",
        "Watch",
    ),
    "newsflow.opml": ("read_opml", "write_opml"),
    "newsflow.outcomes": ("Outcome",),
    "newsflow.pace": ("Reading", "later", "read_interval"),
    "newsflow.policy": ("next_attempt", "select_new_entries", "sources_due"),
    "newsflow.progress": ("Progress", "listening", "publish"),
    "newsflow.sources_edit": ("import_feeds",),
    "newsflow.summary": ("Failure", "RunReport", "SourceCounts"),
    "newsflow.watches": ("since_moment",),
    "newsflow.watches_edit": ("add_watch", "remove_watch"),
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
