"""Near-duplicate signatures: a MinHash of the text's word 5-shingles, and its LSH bands.

Two texts whose shingle sets have Jaccard similarity J share a given band with
probability J**ROWS; with 32 bands of 4 rows a pair at J = 0.5 shares about 2 bands, a
pair at J = 0.8 about 13, unrelated texts almost never one. `storage.clusters` relies on
that: the share of bands two signatures have in common estimates J**4.
"""

from __future__ import annotations

import functools
import hashlib
import re

import numpy as np

VERSION = "1"  # bump when shingling, hashing or banding changes: old signatures won't match

NUM_PERM = 128
SHINGLE_WORDS = 5
BANDS, ROWS = 32, 4
SEED = 1
_WORD = re.compile(r"\w+")


@functools.cache
def _template():
    from datasketch import MinHash

    # Fixed scheme and seed: signatures stored tonight must compare with next year's.
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")


def shingles(text: str) -> set[bytes]:
    """Returns the word 5-shingles of the normalised text (case, punctuation, spacing ignored)."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - 4)}


def signature(text: str) -> bytes:
    """Returns the MinHash of `text` as 128 little-endian uint32 (512 bytes); b"" if no words."""
    grams = shingles(text)
    if not grams:
        return b""
    minhash = _template().copy()
    minhash.update_batch(grams)
    return minhash.hashvalues.astype("<u4").tobytes()


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
