"""Where the shared corpus is: $NEWSFLOW_CORPUS, else ../shared/corpus beside the repository.

The corpus (real pages and feeds from trafilatura's and feedparser's test data) is not the
project's to republish, so it never enters the repository; a clone without it skips the
tests that read it, saying how to get it. Tests reach it through the `corpus_dir`,
`pages_index` and `feeds_index` fixtures of tests/conftest.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support import REPO
from tests.support.required import unavailable

CORPUS_ENV = "NEWSFLOW_CORPUS"
FOUNDING_DOCUMENT = "seeds/000_ac264f323aad26bd.txt"  # beside the corpus, in ../shared


def corpus_folder() -> Path:
    """Returns where the corpus should be (it may be missing)."""
    configured = os.environ.get(CORPUS_ENV)
    return Path(configured).expanduser() if configured else REPO.parent / "shared" / "corpus"


def locate_corpus() -> Path | None:
    """Returns the corpus folder, or None when it is not there."""
    folder = corpus_folder()
    return folder if (folder / "pages" / "index.json").is_file() else None


def not_found() -> str:
    return (
        f"shared corpus not found at {corpus_folder()}: set {CORPUS_ENV} to its folder "
        "or place it at ../shared/corpus beside the repository"
    )


def require_corpus() -> Path:
    """Returns the corpus folder; skips the test (fails it under CI) when it is missing."""
    folder = locate_corpus()
    if folder is None:
        unavailable(not_found())
    return folder


def read_index(corpus: Path, kind: str) -> list[dict]:
    """Returns corpus/<kind>/index.json: one dict per page ("pages") or feed ("feeds")."""
    return json.loads((corpus / kind / "index.json").read_text(encoding="utf-8"))


def corpus_files(kind: str) -> list:
    """Returns the file names listed in corpus/<kind>/index.json, to parametrize over.

    Parameters are made at collection time, before any fixture: without the corpus this
    is one placeholder parameter, so the test is still collected and its `corpus_dir`
    fixture (which such a test must ask for) skips it saying why, or fails it under CI.
    """
    folder = locate_corpus()
    if folder is None:
        return [pytest.param(None, id="corpus-missing")]
    return [entry["file"] for entry in read_index(folder, kind)]


def require_founding_document() -> Path:
    """Returns the path of the founding document, the Indonesian Blogger repost in
    ../shared/seeds; skips the test (fails it under CI) when it is missing."""
    path = corpus_folder().parent / FOUNDING_DOCUMENT
    if not path.is_file():
        unavailable(
            f"founding document not found at {path}: it sits in seeds/ beside the shared "
            f"corpus; set {CORPUS_ENV} or place ../shared beside the repository"
        )
    return path
