"""Near-duplicate signatures: a MinHash of the text's word 5-shingles.

Comparing and banding signatures is newsflow.minhash's, which storage shares.
"""

from __future__ import annotations

import functools
import re

from newsflow.minhash import NUM_PERM

VERSION = "1"  # bump when shingling, hashing or banding changes: old signatures won't match

SHINGLE_WORDS = 5
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
