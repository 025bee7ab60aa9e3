"""Extraction: pages to articles and their tags, in a pool of worker processes.
Plain Python: no Prefect, no other stage.

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

import importlib

# What other packages use, by the module that defines it.
_EXPORTS = {
    "extractors.article.extract": ("content_hash", "extract_article"),
    "extractors.article.version": ("EXTRACTION", "EXTRACTOR_VERSION"),
    "extractors.article.furniture": ("MIN_PAGES", "MIN_SHARE", "page_lines"),
    "extractors.pool.pipeline": (
        "ChunkResults",
        "ExtractorPool",
        "PageInput",
        "prestart",
        "process_page",
    ),
    "extractors.search.search_terms": (
        "ANALYZER_VERSION",
        "Analyzer",
        "document_terms",
        "query_words",
    ),
    "extractors.search.snippets": ("snippet",),
    "extractors.taggers.near_duplicates": ("signature",),
    "extractors.taggers.tagging": ("tagger_versions",),
    "extractors.taggers.topics_file": ("load_topics",),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    """Returns an exported name, importing its module on first use, so that importing
    the package itself stays cheap."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)
