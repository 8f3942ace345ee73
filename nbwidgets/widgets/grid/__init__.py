"""DatasetGrid, split by concern: the widget's traits and intents (widget), paging and its cache
(paging), edits and how they are saved (edits), finding datapoints by scanning pages (find)."""

from .widget import DatasetGrid

__all__ = ["DatasetGrid"]
