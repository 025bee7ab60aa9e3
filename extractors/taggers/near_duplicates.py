"""Near-duplicate signatures: a MinHash of the text's word 5-shingles.

Comparing and banding signatures is newsflow.minhash's, which storage shares.

The MinHash is datasketch's "affine32" scheme (seed 1, 128 permutations), computed here
with numpy alone: the same bytes (tests/extractors/taggers/test_near_duplicates.py compares them),
without importing datasketch, whose package pulls in scipy and redis: ~80 MB and ~0.5
CPU-s in the extraction fork server for one function.
"""

from __future__ import annotations

import functools
import hashlib
import re

import numpy as np

from newsflow.minhash import NUM_PERM

VERSION = "1"  # bump when shingling, hashing or banding changes: old signatures won't match

SHINGLE_WORDS = 5
SEED = 1
_WORD = re.compile(r"\w+")
# MurmurHash3's 32-bit finalizer: shifts and multipliers (datasketch's pre-mix).
_FMIX = tuple(np.uint32(c) for c in (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16))


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """Returns (a, b) of the affine maps h -> a*h + b mod 2**32, a odd: datasketch's draw
    for this seed. Fixed: signatures stored tonight must compare with next year's."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


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
    sha1 = hashlib.sha1
    # Each shingle's first 4 digest bytes as a little-endian uint32, read in one go.
    hashes = np.frombuffer(b"".join([sha1(g).digest()[:4] for g in grams]), dtype="<u4")
    a, b = _permutations()
    permuted = _fmix(hashes).reshape(-1, 1) * a + b  # wraps around: the modulo 2**32
    return permuted.min(axis=0).astype("<u4").tobytes()


def _fmix(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX
    h = (h ^ (h >> s1)) * m1
    h = (h ^ (h >> s2)) * m2
    return h ^ (h >> s3)
