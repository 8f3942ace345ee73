"""DatasetGrid, split by concern: the widget's traits and intents (widget), its page loader (the shared
widgets/_pages.py) wired to its traits (paging), what it shows of its row writes (edits; the writes are the
shared widgets/_row_writes.py), growing and pruning (curate: a composed part, `grid.curation`; the text of a
replace or a paste: text), finding datapoints by scanning pages (find), what follows a dataset to the next
grid (memory)."""

from .widget import DatasetGrid

__all__ = ["DatasetGrid"]
