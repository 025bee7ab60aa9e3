"""Runs a unit of work in one transaction, again from the start when its commit loses a race.

DuckLake checks conflicts at commit: a transaction that inserts into a table another
one deleted from meanwhile (an update is a delete and an insert) fails as a whole, and so
does a commit that finds the SQLite catalog locked. Both are safe to redo from the start:
the work reads the now-committed state again, and every write is idempotent. On the file
backend there is one writer at a time and the first attempt always stands.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

import duckdb

from newsflow.errors import StorageError
from storage.lake import is_conflict

log = logging.getLogger(__name__)

T = TypeVar("T")

COMMIT_ATTEMPTS = 12
FIRST_WAIT_SECONDS = 0.05
LONGEST_WAIT_SECONDS = 2.0

# Commits that had to be retried in this process, by what the work was: for bench/ and logs.
retried: dict[str, int] = {}


def in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], T], what: str = "write") -> T:
    """Returns `work()`'s result once committed; raises StorageError when it keeps conflicting.

    `work` must do all its reading and writing through `con` and may run more than once.
    """
    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            result = work()
            con.execute("COMMIT")
            return result
        except Exception as exc:
            _rollback(con)
            if not is_conflict(exc):
                raise
            retried[what] = retried.get(what, 0) + 1
            if attempt == COMMIT_ATTEMPTS:
                reason = " ".join(str(exc).split())[:300]
                raise StorageError(
                    "lake", f"{what}: commit conflicted {attempt} times in a row ({reason})"
                ) from None
            # Jitter: writers that collided once must not meet again on the same beat.
            wait = min(FIRST_WAIT_SECONDS * 2 ** (attempt - 1), LONGEST_WAIT_SECONDS)
            wait *= random.uniform(0.5, 1.5)
            log.info("%s: commit conflicted (attempt %d), retrying in %.2fs", what, attempt, wait)
            time.sleep(wait)
    raise AssertionError("unreachable")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    # A failed DuckLake commit has already ended the transaction; ROLLBACK then says so.
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")
