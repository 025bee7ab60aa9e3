"""Keeps batches on disk as Parquet while the database is busy, and merges them later.

A batch is three Parquet files (fetches, articles, tags) and a manifest written last:
a batch without its manifest was cut off mid-write and is ignored (its pages are
fetched again), so a crash can never merge half a batch. The manifest carries each
file's checksum: a batch that does not match is refused, not merged (storage.manifests).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from storage.manifests import checksums, refusal, set_aside
from storage.writes import BatchCounts, write_batch

log = logging.getLogger(__name__)

PARTS = ("fetches", "articles", "tags", "taggers")


def staging_dir(db_path: str | Path) -> Path:
    """Returns the folder where batches wait for a busy database: `<db>.staged/`."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".staged")


def stage_batch(directory: Path, batch_id: str, tables: dict[str, pa.Table]) -> Path:
    """Returns the manifest path of a batch written durably to `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        _write_atomically(directory / f"{batch_id}.{part}.parquet", tables[part])
    manifest = directory / f"{batch_id}.json"
    rows = {part: tables[part].num_rows for part in PARTS}
    tmp = manifest.with_suffix(".json.tmp")
    sha256 = checksums(directory, batch_id, PARTS)  # proof for the merge (storage.manifests)
    tmp.write_text(json.dumps({"batch_id": batch_id, "rows": rows, "sha256": sha256}))
    _fsync(tmp)
    os.replace(tmp, manifest)
    log.info("staged batch %s in %s (%s)", batch_id, directory, rows)
    return manifest


def merge_staged(con: duckdb.DuckDBPyConnection, directory: Path) -> dict[str, BatchCounts]:
    """Returns, by source, the counts of every staged batch merged into the database."""
    total: dict[str, BatchCounts] = {}
    for manifest in staged_batches(directory):
        reason = refusal(manifest, PARTS)
        if reason is not None:
            set_aside(manifest, PARTS, reason)
            continue
        batch_id = manifest.stem
        run_id = batch_id.rsplit("-", 1)[0]
        tables = {p: pq.read_table(directory / f"{batch_id}.{p}.parquet") for p in PARTS}
        counts = write_batch(con, run_id, *(tables[p] for p in PARTS))
        for source, c in counts.items():
            total.setdefault(source, BatchCounts()).add(c)
        # Removed only after the commit: a crash in between merges it again, harmlessly.
        manifest.unlink()
        for part in PARTS:
            (directory / f"{batch_id}.{part}.parquet").unlink(missing_ok=True)
        log.info("merged staged batch %s from %s", batch_id, directory)
    return total


def staged_batches(directory: Path) -> list[Path]:
    """Returns the manifests of the complete batches waiting in `directory`, oldest first."""
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def _write_atomically(path: Path, table: pa.Table) -> None:
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd")
    _fsync(tmp)
    os.replace(tmp, path)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
