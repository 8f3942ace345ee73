"""One module per widget; each owns its traits and talks to the services only through the client.
`_base.py` is what every widget is (intents, errors in words, the client's pending writes); `_waiting.py`
how they run work in the background and wait for it (a wait that runs out says what it waited for).

The Python/JS contract is declared once: `_contract.py` the shape of each synced dict trait (named in its
declaration), `_words.py` the words and enums the views are sent (write states, the evaluator form's
vocabulary) instead of typing them again; tests/unit/test_contract.py holds every JS file of a bundle against
its class.

Parts the grid and the review share are composed, not mixed in, and ask the widget's `DatasetSource`:
`_pages.py` (PageLoader) and `_row_writes.py` (RowWrites: a row's saves with conflicts, resolve and undo, or
staged edits saved as a new version); the grid shows its writes in `grid/edits.py`, the review in `_expected.py`."""

from .experiment import ExperimentReview
from .feedback import FeedbackButtons, review
from .form import EvaluatorForm
from .grid import DatasetGrid

__all__ = ["DatasetGrid", "EvaluatorForm", "ExperimentReview", "FeedbackButtons", "review"]
