"""Imported by the extraction pool's fork server only: loads every model there once, so the
workers forked from it start warm and share the models' memory copy-on-write."""

from extractors.pipeline import warm_up

warm_up()
