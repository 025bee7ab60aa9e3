"""Imported by the extraction pool's fork server only: loads every model there once, so the
workers forked from it start warm and share the models' memory copy-on-write."""

import gc

from justext.core import define_stoplist
from trafilatura import external

from extractors.pool.pipeline import warm_up


def _build_justext_stoplist() -> None:
    """Builds what trafilatura's justext fallback (the full cascade, on some pages) builds
    the first time it runs: every language's stopwords in one tuple, and justext's
    lower-cased set of it, ~150,000 words and ~27 MB. Built here, the workers share one
    copy (they only read it) instead of each making its own (tests/extractors/pool/test_warm.py
    fails if a trafilatura release moves these names)."""
    define_stoplist(external.JT_STOPLIST or external.jt_stoplist_init())


warm_up()
_build_justext_stoplist()
# What is loaded now lives as long as the workers: the collector never needs to walk it,
# and walking it would write to (and so copy) the pages the workers share.
gc.collect()
gc.freeze()
