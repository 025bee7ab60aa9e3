"""Proves a staged batch is the one the ingest process wrote, before it is merged.

The manifest of a batch in `<db>.staged/` lists a SHA-256 of each of its Parquet files,
taken by the process that wrote them. A batch whose files do not match (replaced, cut
short, planted next to a manifest) or whose manifest lists none is not merged: it is set
aside in `<db>.staged/refused/` with a `.reason.txt`, and a warning says why. Nothing is
deleted, so a batch refused by mistake can still be looked at.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

REFUSED = "refused"


def checksums(directory: Path, batch_id: str, parts: tuple[str, ...]) -> dict[str, str]:
    """Returns the SHA-256 of each part file of a batch, by part."""
    return {part: _sha256(part_path(directory, batch_id, part)) for part in parts}


def part_path(directory: Path, batch_id: str, part: str) -> Path:
    return directory / f"{batch_id}.{part}.parquet"


def refusal(manifest: Path, parts: tuple[str, ...]) -> str | None:
    """Returns why the batch of `manifest` must not be merged, or None when it may be."""
    try:
        listed = json.loads(manifest.read_text())["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return "manifest without checksums: not written by this newsflow's ingest"
    if not isinstance(listed, dict) or set(listed) != set(parts):
        return f"manifest lists checksums of {sorted(listed)}, expected {sorted(parts)}"
    for part in parts:
        path = part_path(manifest.parent, manifest.stem, part)
        if not path.is_file():
            return f"{path.name} is missing"
        if _sha256(path) != listed[part]:
            return f"{path.name} does not match the checksum its manifest lists"
    return None


def set_aside(manifest: Path, parts: tuple[str, ...], reason: str) -> Path:
    """Moves a refused batch to `refused/` beside it, with the reason; returns that folder."""
    refused = manifest.parent / REFUSED
    refused.mkdir(exist_ok=True)
    for part in parts:
        path = part_path(manifest.parent, manifest.stem, part)
        if path.exists():
            os.replace(path, refused / path.name)
    (refused / f"{manifest.stem}.reason.txt").write_text(reason + "\n")
    os.replace(manifest, refused / manifest.name)
    log.warning("staged batch %s refused, set aside in %s: %s", manifest.stem, refused, reason)
    return refused


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
