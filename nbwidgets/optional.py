"""Optional dependencies, imported where needed with an error that says how to get them."""

from __future__ import annotations

import importlib
from types import ModuleType


def pandas(needed_by: str) -> ModuleType:
    """`import pandas`, or an ImportError naming what needs it and the extra that installs it."""
    try:
        return importlib.import_module("pandas")
    except ImportError as error:
        raise ImportError(f"{needed_by} needs pandas: pip install 'nbwidgets[pandas]'") from error
