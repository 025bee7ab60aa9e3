"""The taggers: labels on an article's text (language, entities, keywords, topics,
categories), run by tagging.tag_article, and near-duplicate signatures. No tagger imports
another (an import-linter contract); they share tagger.py, text.py, gazetteer.py and
topics_file.py.

Other packages import these names from the modules that define them; `__all__` lists
them and tests/test_exported_members.py pins the list.
"""

from __future__ import annotations

from newsflow.exports import lazy_exports

# What other packages use, by the module that defines it.
_EXPORTS = {
    "extractors.taggers.near_duplicates": ("signature",),
    "extractors.taggers.tagging": ("tag_article", "tagger_versions"),
    "extractors.taggers.topics_file": ("load_topics",),
}
__all__, __getattr__ = lazy_exports(__name__, _EXPORTS)
