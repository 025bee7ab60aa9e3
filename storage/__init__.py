"""Storage: the DuckDB file or DuckLake (schema and migrations, typed reads, bulk writes,
staging, reports, search index, export). Plain Python: no Prefect, no other stage.

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

from newsflow.exports import lazy_exports

# What other packages use, by the module that defines it.
_EXPORTS = {
    "storage.as_of": ("connect_as_of",),
    "storage.clusters": ("article_texts", "assign_clusters", "night_article_urls"),
    "storage.copy": ("copy_database",),
    "storage.coverage": ("newest_stored", "seen_urls", "stored_urls"),
    "storage.db": ("connect",),
    "storage.export": ("ExportRequest", "export_articles"),
    "storage.furniture": (
        "PAGE_WINDOW",
        "latest_articles",
        "load_furniture",
        "remember_lines",
        "unremembered_sources",
    ),
    "storage.lake": ("catalog_kind", "forget_engines", "is_lake", "shown"),
    "storage.maintenance": ("maintain",),
    "storage.raw_html": ("join_waiting", "waiting_dir"),
    "storage.reports": (
        "SourceOverview",
        "article_sources",
        "articles_per_day",
        "discovered_feeds",
        "source_overview",
    ),
    "storage.rework": ("stale_urls", "stored_pages"),
    "storage.sandbox": ("answer", "answer_locked_down"),
    "storage.search": (
        "SearchFilters",
        "indexed_languages",
        "indexed_sources",
        "write_search_macro",
    ),
    "storage.search_index": (
        "IndexDocument",
        "check_belongs",
        "database_identity",
        "index_path",
        "open_index",
    ),
    "storage.staging": ("merge_staged", "stage_batch", "staging_dir"),
    "storage.state": (
        "KnownPage",
        "Memory",
        "SourceState",
        "finish_run",
        "known_pages",
        "load_memory",
        "save_feed_states",
        "save_http_cache",
        "save_source_states",
        "start_run",
    ),
    "storage.transaction": ("in_transaction",),
    "storage.watches": (
        "NightIndex",
        "WatchFilters",
        "WatchMatch",
        "WatchQuery",
        "night_articles",
        "record_matches",
        "watch_totals",
    ),
    "storage.writes": (
        "article_rows",
        "batch_tables",
        "fetch_rows",
        "tag_rows",
        "tagger_rows",
        "write_batch",
        "write_results",
    ),
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
