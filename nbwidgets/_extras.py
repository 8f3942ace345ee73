"""Optional dependencies: imported when first needed, and named with their extra when missing."""

from __future__ import annotations

import importlib
from types import ModuleType

EXTRAS = {"pandas": "pandas", "tqdm": "pandas"}  # module -> the extra that installs it


class MissingExtraError(ModuleNotFoundError):
    """An optional dependency is not installed; the message says which extra brings it."""


def require(module: str, needed_for: str) -> ModuleType:
    """Import `module`, or raise MissingExtraError naming the extra: `pip install "nbwidgets[EXTRA]"`."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module:  # the module is there but broken: that error is the one to see
            raise
        extra = EXTRAS[module]
        raise MissingExtraError(
            f'{needed_for} needs {module}, an optional dependency: pip install "nbwidgets[{extra}]"', name=module
        ) from None
