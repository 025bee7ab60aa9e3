"""Each stage package's public surface, pinned (as httpx's tests/test_exported_members.py
pins httpx's): `__all__` in its `__init__.py` names exactly what other packages import
from it, each name is the object its module defines, and no package imports another's
private name.

A new import across packages of a name not exported fails here: add the name to the
package's `_EXPORTS` (its `__init__.py`), by the module that defines it.
"""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict

import pytest

from tests.support import REPO

# Who counts as "another package": the stages, flows, the CLI and demo, and bench
# (tests/ may reach inside a module: it tests it).
CONSUMERS = ("fetchers", "extractors", "storage", "flows", "newsflow", "bench")
# newsflow's surface is its core: the CLI and the demo are top layers, consumers only.
NOT_CORE = ("newsflow.cli", "newsflow.demo")


def _subpackages(package: str) -> list[str]:
    folder = REPO / package.replace(".", "/")
    return [f"{package}.{p.parent.name}" for p in sorted(folder.glob("*/__init__.py"))]


PACKAGES = ["fetchers", "storage", "newsflow", "extractors", *_subpackages("extractors")]


def _inside(module: str, package: str) -> bool:
    if package == "newsflow" and module.startswith(NOT_CORE):
        return False
    return module == package or module.startswith(package + ".")


def _module_name(path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(roots: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """Returns (importer, module, name) for every `from module import name` in `roots`."""
    found = []
    for root in roots:
        for path in sorted((REPO / root).rglob("*.py")):
            importer = _module_name(path)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found += [(importer, node.module, alias.name) for alias in node.names]
    return found


IMPORTS = _imports(CONSUMERS)


def _is_module(module: str, name: str) -> bool:
    return (REPO / module.replace(".", "/") / name).exists() or (
        REPO / module.replace(".", "/") / f"{name}.py"
    ).exists()


def _submodules(package: str) -> set[str]:
    folder = REPO / package.replace(".", "/")
    return {p.stem for p in folder.glob("*.py")} | {
        p.parent.name for p in folder.glob("*/__init__.py")
    }


def shadowed(package: str) -> set[str]:
    """Returns the names used outside `package` that one of its modules' names hides at
    the package's level (`storage.search` is a module, so `search` cannot be exported)."""
    return set(used_from(package)) & _submodules(package)


def used_from(package: str) -> dict[str, set[str]]:
    """Returns each name other packages import from `package`, with the modules they
    import it from."""
    used = defaultdict(set)
    for importer, module, name in IMPORTS:
        outside = not _inside(importer, package)
        if outside and _inside(module, package) and not _is_module(module, name):
            used[name].add(module)
    return used


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_what_other_packages_import(package):
    exported = set(importlib.import_module(package).__all__)
    used = set(used_from(package)) - shadowed(package)
    missing, unused = sorted(used - exported), sorted(exported - used)
    assert not missing, f"used outside {package}, not in its __init__'s _EXPORTS: {missing}"
    assert not unused, f"in {package}'s _EXPORTS but used by no other package: {unused}"


@pytest.mark.parametrize("package", PACKAGES)
def test_each_export_is_the_object_the_importers_get(package):
    module = importlib.import_module(package)
    assert module.__all__ == sorted(module.__all__)
    for name, homes in used_from(package).items():
        for home in homes if name not in shadowed(package) else ():
            assert getattr(module, name) is getattr(importlib.import_module(home), name), name


def test_only_known_names_are_shadowed():
    # Importers say `from storage.search import search`; a new clash is worth a rename.
    known = {("storage", "search"), ("fetchers", "backfill"), ("storage", "extraction_alerts")}
    assert {(p, name) for p in PACKAGES for name in shadowed(p)} == known


def test_an_unknown_name_is_an_attribute_error():
    for package in PACKAGES:
        with pytest.raises(AttributeError, match="no_such_name"):
            _ = importlib.import_module(package).no_such_name


def test_no_package_imports_another_s_private_name():
    private = [
        (importer, module, name)
        for importer, module, name in _imports((*CONSUMERS, "tests"))
        if name.startswith("_") and not name.startswith("__")
        if not _inside(importer, module.rpartition(".")[0] or module)
    ]
    assert not private
