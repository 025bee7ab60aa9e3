"""Search analysis: the terms an article and a query are made of, and result snippets.

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

from newsflow.exports import lazy_exports

# What other packages use, by the module that defines it.
_EXPORTS = {
    "extractors.search.search_terms": (
        "ANALYZER_VERSION",
        "Analyzer",
        "document_terms",
        "query_words",
    ),
    "extractors.search.snippets": ("snippet",),
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
