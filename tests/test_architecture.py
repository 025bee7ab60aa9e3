"""Dependencies point one way: import-linter's contracts (pyproject.toml) hold, and fail
when a stage reaches across the pipeline."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("newsflow", "fetchers", "extractors", "storage", "flows")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def test_the_contracts_hold() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_a_stage_importing_prefect_or_another_stage_breaks_them(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("data"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    (tmp_path / "storage" / "leak.py").write_text("import prefect\nfrom fetchers import urls\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "storage.leak -> prefect" in result.stdout
    assert "storage.leak -> fetchers.urls" in result.stdout


def test_a_tagger_importing_another_breaks_them(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("data"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    keywords = tmp_path / "extractors" / "taggers" / "keywords.py"
    keywords.write_text(keywords.read_text() + "\nfrom extractors.taggers import language\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "extractors.taggers.keywords is not allowed to import extractors.taggers.language" in (
        " ".join(result.stdout.split())
    )


def test_every_registered_tagger_is_in_the_independence_contract() -> None:
    from extractors.taggers.tagging import TAGGERS

    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    [independent] = [c for c in contracts["contracts"] if c["type"] == "independence"]
    assert sorted(independent["modules"]) == sorted(t.__name__ for t in TAGGERS)


def test_storage_has_no_import_of_another_stage() -> None:
    # The one-line check, as anyone can run it.
    pattern = r"^from \(fetchers\|extractors\|flows\)\|^import \(fetchers\|extractors\|flows\)"
    found = subprocess.run(
        ["grep", "-rn", pattern, "storage/"], cwd=REPO, capture_output=True, text=True
    )
    assert found.stdout == ""
