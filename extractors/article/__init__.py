"""The article: fetched HTML bytes to an `Article` (extract.extract_article): decoding, the
page's metadata, the main text without furniture, the headline and dates.

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

from newsflow.exports import lazy_exports

# What other packages use, by the module that defines it.
_EXPORTS = {
    "extractors.article.extract": ("content_hash", "extract_article"),
    "extractors.article.furniture": ("MIN_PAGES", "MIN_SHARE", "page_lines"),
    "extractors.article.page_meta": ("language_code",),
    "extractors.article.state_scripts": ("state_story_html",),
    "extractors.article.version": ("EXTRACTION", "EXTRACTOR_VERSION"),
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
