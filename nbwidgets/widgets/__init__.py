"""One module per widget; each owns its traits and talks to the services only through the client."""

from .experiment import ExperimentReview
from .feedback import FeedbackButtons, review
from .form import EvaluatorForm
from .grid import DatasetGrid

__all__ = ["DatasetGrid", "EvaluatorForm", "ExperimentReview", "FeedbackButtons", "review"]
