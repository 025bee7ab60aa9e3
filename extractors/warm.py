"""Imported by the extraction pool's fork server only: loads every model there once, so the
workers forked from it start warm and share the models' memory copy-on-write."""

import gc

from extractors.pipeline import warm_up

warm_up()
# What is loaded now lives as long as the workers: the collector never needs to walk it,
# and walking it would write to (and so copy) the pages the workers share.
gc.collect()
gc.freeze()
