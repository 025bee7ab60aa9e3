"""MinHash signatures and LSH bands: stable, comparable, empty-safe."""

from __future__ import annotations

import pytest

from extractors.near_duplicates import shingles, signature
from newsflow.minhash import BANDS, NUM_PERM, bands, similarity
from tests.support.posts import NATO_TEXT


def test_signature_is_128_uint32():
    sig = signature(NATO_TEXT)
    assert isinstance(sig, bytes) and len(sig) == NUM_PERM * 4


def test_signature_ignores_case_punctuation_and_spacing():
    noisy = NATO_TEXT.upper().replace(",", " ;").replace(" ", "   ")
    assert signature(noisy) == signature(NATO_TEXT)


def test_similarity_tracks_jaccard():
    words = NATO_TEXT.split()
    half = " ".join(words[: len(words) // 2])
    assert similarity(signature(NATO_TEXT), signature(NATO_TEXT)) == 1.0
    assert 0.3 < similarity(signature(NATO_TEXT), signature(half)) < 0.7
    assert similarity(signature(NATO_TEXT), signature("a cake recipe " * 20)) < 0.1


def test_bands_are_32_uint64_buckets():
    found = bands(signature(NATO_TEXT))
    assert [b for b, _ in found] == list(range(BANDS))
    assert all(0 <= bucket < 2**64 for _, bucket in found)
    assert found == bands(signature(NATO_TEXT))  # deterministic across calls


def test_short_text_is_one_shingle():
    assert shingles("Breaking: NATO meets") == {b"breaking nato meets"}


@pytest.mark.parametrize("text", ["", "  \n", "!!! ???"])
def test_no_words_no_signature(text):
    assert signature(text) == b"" and bands(b"") == [] and similarity(b"", b"") == 0.0


def test_a_foreign_signature_is_refused():
    with pytest.raises(ValueError, match="512"):
        bands(b"\x00" * 10)
