"""MinHash signatures and LSH bands: stable, comparable, empty-safe."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.taggers.near_duplicates import shingles, signature
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


# The signature of NATO_TEXT when signatures were first stored (datasketch's MinHash,
# affine32, seed 1): stored signatures only compare with tonight's while this holds.
NATO_SIGNATURE_SHA256 = "b42b35800ee19ca93866eb3081917538738ef94b90f3f30c3dccbcc848f022e6"


def test_signature_is_the_one_stored_signatures_were_made_with():
    assert hashlib.sha256(signature(NATO_TEXT)).hexdigest() == NATO_SIGNATURE_SHA256


@pytest.mark.parametrize(
    "text", [NATO_TEXT, NATO_TEXT[: len(NATO_TEXT) // 3], "Breaking: NATO meets", "één twee"]
)
def test_signature_equals_datasketch_minhash_affine32(text):
    datasketch = pytest.importorskip("datasketch", reason="datasketch is a dev dependency")
    reference = datasketch.MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")
    reference.update_batch(shingles(text))
    assert signature(text) == reference.hashvalues.astype("<u4").tobytes()


def test_extraction_never_imports_datasketch():
    code = (
        "import sys; from extractors.taggers.near_duplicates import signature; "
        "signature('one two three four five six'); print('datasketch' in sys.modules)"
    )
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo)
    assert done.stdout.strip() == "False", done.stderr
