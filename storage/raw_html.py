"""Tonight's raw HTML waits beside a DuckDB file, in one Parquet file a batch, and joins
`raw_pages` once, when the night closes.

Why: closing the file after a batch checkpoints it, and DuckDB then rewrites each table's
last, partly filled row group whole. For `raw_pages` that is up to 2,048 pages of raw HTML
(~50 MB) read, recompressed and written after every batch: the flow's process rose ~130 MB
above its resting memory at each batch once that row group filled with real pages
(docs/benchmarks.md, issue 14). Inserted in one statement, a night's rows go into row
groups of their own, written as they fill: the rewrite happens once a night, not once a
batch.

Until the night closes (or, after a crash, until the next night opens) tonight's raw HTML
is in `<db>.raw/` only: readers of the file see tonight's articles before their raw HTML.
A DuckLake writes Parquet files of its own and never uses this.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from newsflow.errors import StorageError
from storage.transaction import in_transaction

log = logging.getLogger(__name__)

COLUMNS = "url, content_hash, fetched_at, content_type, encoding, html_zlib"


def waiting_dir(db_path: str | Path) -> Path:
    """Returns the folder where a file's raw HTML waits for the night's close: `<db>.raw/`."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".raw")


def keep_waiting(path: Path, rows: pa.Table) -> None:
    """Writes a batch's `raw_pages` rows to `path` durably (written, synced, then renamed:
    a file cut off mid-write is never seen). Writing the same batch again replaces it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(rows, tmp, compression="zstd")
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def waiting_files(directory: Path) -> list[Path]:
    """Returns the complete batches of raw HTML waiting in `directory`, oldest first."""
    return sorted(directory.glob("*.parquet")) if directory.is_dir() else []


def join_waiting(con: duckdb.DuckDBPyConnection, directory: Path) -> int:
    """Returns how many waiting rows were added to `raw_pages`; their files are removed once
    committed. A row whose key is stored already (a batch written again after a crash) is
    not added twice. Raises StorageError, naming the folder, when they cannot be added:
    nothing is removed then."""
    for cut_off in directory.glob("*.tmp") if directory.is_dir() else []:
        cut_off.unlink()  # a write cut off mid-way; its batch was not committed either
    files = [str(path) for path in waiting_files(directory)]
    if not files:
        return 0
    try:
        added = in_transaction(con, lambda: _insert(con, files), "raw pages")
    except duckdb.Error as exc:  # a file unreadable, a disk full: the files stay as they are
        reason = " ".join(str(exc).split())[:300]
        raise StorageError(str(directory), f"raw HTML could not join raw_pages: {reason}") from None
    for path in files:
        Path(path).unlink(missing_ok=True)
    log.info("raw HTML of %d pages (%d batches) joined raw_pages", added, len(files))
    return added


def _insert(con: duckdb.DuckDBPyConnection, files: list[str]) -> int:
    # One plain INSERT … SELECT writes whole row groups as they fill: a 10,000-page night
    # rose ~150-190 MB. With any join in it (ON CONFLICT, NOT EXISTS) DuckDB held the
    # night's HTML instead (~300-740 MB), and in chunks of 4,096 rows each chunk filled the
    # previous one's last row group, rewritten at the checkpoint (~460-520 MB). So only the
    # files that repeat a key (after a crash) take the join, in a statement of their own.
    repeats = {name for (name,) in con.execute(_REPEATING, [files]).fetchall()}
    plain = [name for name in files if name not in repeats]
    added = 0
    if plain:
        sql = f"INSERT INTO raw_pages ({COLUMNS}) SELECT {COLUMNS} FROM read_parquet(?)"
        added += con.execute(sql, [plain]).fetchone()[0]
    if repeats:
        added += con.execute(_SKIPPING_STORED, [sorted(repeats)]).fetchone()[0]
    return added


# The files holding a key that is stored already or that an earlier file holds too (keys
# only: the HTML column is not read).
_REPEATING = """
    SELECT DISTINCT filename FROM (
        SELECT filename, url, content_hash, row_number() OVER (
            PARTITION BY url, content_hash ORDER BY filename) AS nth
        FROM read_parquet(?, filename = true)) w
    WHERE nth > 1 OR EXISTS (SELECT 1 FROM raw_pages r
                             WHERE r.url = w.url AND r.content_hash = w.content_hash)
"""
_SKIPPING_STORED = f"""
    INSERT INTO raw_pages ({COLUMNS})
    SELECT {COLUMNS} FROM read_parquet(?) w
    WHERE NOT EXISTS (SELECT 1 FROM raw_pages r
                      WHERE r.url = w.url AND r.content_hash = w.content_hash)
    QUALIFY row_number() OVER (PARTITION BY url, content_hash) = 1
"""
