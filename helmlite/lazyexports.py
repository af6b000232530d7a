"""Lazy re-exports for a package's ``__init__`` (PEP 562).

A package re-exports the public names of its modules for convenience, but importing the
package must not import them all: ``helmlite template`` imports ``helmlite.release`` or
``helmlite.values`` for one small module and must not pay for SQLite, the YAML loader or the
repository index. Each package lists where its names live and gets a module ``__getattr__``
that imports a name's module when the name is first used; its ``TYPE_CHECKING`` imports keep
the names visible to type checkers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, homes: Mapping[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps each module to the names it defines."""
    module_of = {name: module for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's required name
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
