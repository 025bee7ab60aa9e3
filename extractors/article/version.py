"""The extraction's version, readable without importing trafilatura (the flow's process
never does): bump the suffix whenever extract_article's output for the same page may
change, and `newsflow reextract` re-extracts every stored page."""

from __future__ import annotations

from importlib.metadata import version

EXTRACTION = "extraction"  # its name among the taggers' versions in article_taggers
EXTRACTOR_VERSION = f"trafilatura-{version('trafilatura')}+nf7"
