"""Extraction: pages to articles and their tags, in a pool of worker processes.
Plain Python: no Prefect, no other stage.

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

from newsflow.exports import lazy_exports

# What other packages use, by the module that defines it.
_EXPORTS = {
    "extractors.article.extract": ("content_hash", "extract_article"),
    "extractors.article.version": ("EXTRACTION", "EXTRACTOR_VERSION"),
    "extractors.article.furniture": ("MIN_PAGES", "MIN_SHARE", "page_lines"),
    "extractors.article.state_scripts": ("state_story_html",),
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
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
