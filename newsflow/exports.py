"""A package's public names, imported from the modules that define them on first use.

Each package's `__init__.py` lists what other packages use, by module (`_EXPORTS`), and
takes `__all__` and `__getattr__` from here, so that importing the package itself stays
cheap and tests/test_exported_members.py can pin the list.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(
    package: str, exports: Mapping[str, tuple[str, ...]]
) -> tuple[list[str], Callable[[str], object]]:
    """Returns the package's `__all__` and its module `__getattr__` for `exports`."""
    home = {name: module for module, names in exports.items() for name in names}

    def exported(name: str) -> object:
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(home[name]), name)

    return sorted(home), exported
