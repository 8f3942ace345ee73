"""DatasetGrid, split by concern: the widget's traits and intents (widget), its page loader (the shared
widgets/_pages.py) wired to its traits (paging), edits and how they are saved (edits), finding datapoints
by scanning pages (find)."""

from .widget import DatasetGrid

__all__ = ["DatasetGrid"]
