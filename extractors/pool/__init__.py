"""The worker pool: extraction and tagging on supervised worker processes, forked warm.

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

from newsflow.exports import lazy_exports

# What other packages use, by the module that defines it.
_EXPORTS = {
    "extractors.pool.pipeline": (
        "ChunkResults",
        "ExtractorPool",
        "PageInput",
        "prestart",
        "process_page",
    ),
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
