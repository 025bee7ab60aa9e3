"""Dependencies point one way: import-linter's contracts (pyproject.toml) hold, and fail
when a stage reaches across the pipeline."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("newsflow", "fetchers", "extractors", "storage", "flows", "bench")
CONTRACTS = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]


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
    assert f"{len(CONTRACTS['contracts'])} kept, 0 broken" in result.stdout


def _copy(tmp_path: Path) -> Path:
    """Returns a copy of the packages and pyproject.toml to break on purpose."""
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("data"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    return tmp_path


def test_a_stage_importing_prefect_or_another_stage_breaks_them(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "storage" / "leak.py").write_text("import prefect\nfrom fetchers import urls\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "storage.leak -> prefect" in result.stdout
    assert "storage.leak -> fetchers.urls" in result.stdout


def test_a_circle_a_new_core_module_and_an_import_of_bench_break_them(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    # The circle issue 23 found: newsflow.cli.main <-> newsflow.cli.opml_commands.
    with (root / "newsflow" / "cli" / "opml_commands.py").open("a") as module:
        module.write("\nfrom newsflow.cli.main import run  # noqa: E402, F401\n")
    # A core module no contract lists by name: the pattern newsflow.* covers it.
    (root / "newsflow" / "newcore.py").write_text("import prefect\n")
    (root / "flows" / "leak.py").write_text("import bench.run\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "No cycles are allowed in newsflow.cli" in result.stdout
    assert ".opml_commands -> .main" in result.stdout
    assert "newsflow.newcore -> prefect" in result.stdout
    assert "flows.leak -> bench.run" in result.stdout


def test_a_tagger_importing_another_breaks_them(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    keywords = root / "extractors" / "taggers" / "keywords.py"
    keywords.write_text(keywords.read_text() + "\nfrom extractors.taggers import language\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "extractors.taggers.keywords is not allowed to import extractors.taggers.language" in (
        " ".join(result.stdout.split())
    )


def test_every_registered_tagger_is_in_the_independence_contract() -> None:
    from extractors.taggers.tagging import TAGGERS

    [independent] = [c for c in CONTRACTS["contracts"] if c["type"] == "independence"]
    assert sorted(independent["modules"]) == sorted(t.__name__ for t in TAGGERS)


def test_storage_has_no_import_of_another_stage() -> None:
    # The one-line check, as anyone can run it.
    pattern = r"^from \(fetchers\|extractors\|flows\)\|^import \(fetchers\|extractors\|flows\)"
    found = subprocess.run(
        ["grep", "-rn", pattern, "storage/"], cwd=REPO, capture_output=True, text=True
    )
    assert found.stdout == ""


def test_no_test_imports_bench() -> None:
    # tests/ is no root package of the contracts: bench/ imports tests/support, never back.
    pattern = r"^\s*\(from\|import\) bench\b"
    found = subprocess.run(["grep", "-rn", pattern, "tests/"], cwd=REPO, capture_output=True)
    assert found.stdout == b""
