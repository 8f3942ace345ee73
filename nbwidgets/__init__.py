"""nbwidgets: Jupyter widgets for LLM-evaluation data on orq.ai and Overmind."""

from .client import Client
from .extension import load_ipython_extension, unload_ipython_extension
from .widgets import DatasetGrid, EvaluatorForm, ExperimentReview, FeedbackButtons, review

__version__ = "0.1.0"
__all__ = [
    "Client",
    "DatasetGrid",
    "EvaluatorForm",
    "ExperimentReview",
    "FeedbackButtons",
    "load_ipython_extension",
    "review",
    "unload_ipython_extension",
]
