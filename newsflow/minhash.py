"""MinHash signatures compared and banded: shared by the taggers that make signatures and
the storage that clusters them (neither imports the other).

A signature is NUM_PERM little-endian uint32 (extractors.taggers.near_duplicates makes them). Two
texts whose shingle sets have Jaccard similarity J share a given band with probability
J**ROWS; with 32 bands of 4 rows a pair at J = 0.5 shares about 2 bands, a pair at J = 0.8
about 13, unrelated texts almost never one. `storage.clusters` relies on that: the share
of bands two signatures have in common estimates J**4.
"""

from __future__ import annotations

import hashlib

import numpy as np

NUM_PERM = 128
BANDS, ROWS = 32, 4


def similarity(a: bytes, b: bytes) -> float:
    """Returns the Jaccard similarity the two signatures estimate (0.0 if either is empty)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return float(np.mean(_values(a) == _values(b)))


def bands(sig: bytes) -> list[tuple[int, int]]:
    """Returns (band number, bucket as uint64) for each of the 32 bands; [] for b""."""
    if not sig:
        return []
    values = _values(sig)
    out = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        out.append((band, int.from_bytes(digest, "little")))
    return out


def _values(sig: bytes) -> np.ndarray:
    if len(sig) != NUM_PERM * 4:
        raise ValueError(f"signature is {len(sig)} bytes, expected {NUM_PERM * 4}")
    return np.frombuffer(sig, dtype="<u4")
