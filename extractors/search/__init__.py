"""Search analysis: the terms an article and a query are made of, and result snippets.

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

import importlib

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
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    """Returns an exported name, importing its module on first use, so that importing
    the package itself stays cheap."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)
