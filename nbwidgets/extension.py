"""`%load_ext nbwidgets`: the `%nbw` magic, and display formatters for the services' objects.

After loading, a datapoint, a page of datapoints or a list of them displays as a DatasetGrid, and an
evaluator as its EvaluatorForm. The magic, the display and widgets given no client share one notion of
the current client: `Client.current()`, the last one made (`client = Client.orq()`) or chosen
(`%nbw connect`, `client.use()`).
"""

from __future__ import annotations

import argparse
import shlex
from typing import TYPE_CHECKING, Any

from .client import Client, OrqClient
from .models import Datapoint, Evaluator, Page
from .models.feedback import FEEDBACK_KINDS

if TYPE_CHECKING:
    from .widgets import DatasetGrid

# IPython's mimebundle formatters are called with these and return a bundle, or None to pass
MimeBundle = dict[str, Any] | tuple[dict[str, Any], dict[str, Any]] | None

USAGE = """%nbw connect orq|overmind|sandbox [orq|overmind]   choose the client the magic and the display use
%nbw dataset DATASET_ID [--page-size N]             a DatasetGrid
%nbw evaluator [EVALUATOR_ID]                       an EvaluatorForm (a new evaluator without an id)
%nbw feedback TRACE_ID [--kind K] [--property P] [--options A,B]   FeedbackButtons
%nbw status                                         the current client: its service, sandbox or not"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="%nbw", add_help=False)
    sub = parser.add_subparsers(dest="command")
    connect = sub.add_parser("connect", add_help=False)
    connect.add_argument("service", choices=["orq", "overmind", "sandbox"])
    connect.add_argument("flavour", nargs="?", choices=["orq", "overmind"], default="orq")
    dataset = sub.add_parser("dataset", add_help=False)
    dataset.add_argument("dataset_id")
    dataset.add_argument("--page-size", type=int, default=25)
    evaluator = sub.add_parser("evaluator", add_help=False)
    evaluator.add_argument("evaluator_id", nargs="?")
    feedback = sub.add_parser("feedback", add_help=False)
    feedback.add_argument("trace_id")
    feedback.add_argument("--kind", default=None, choices=FEEDBACK_KINDS)
    feedback.add_argument("--property", default="rating")
    feedback.add_argument("--options", default="")
    sub.add_parser("status", add_help=False)
    return parser


def nbw(line: str) -> Any:
    """The `%nbw` line magic (see USAGE)."""
    from .widgets import DatasetGrid, EvaluatorForm, FeedbackButtons

    try:
        args = _parser().parse_args(shlex.split(line))
    except SystemExit:
        print(USAGE)
        return None
    if args.command == "connect":
        if args.service == "sandbox":
            chosen = Client.sandbox(args.flavour)
        else:
            chosen = Client.orq() if args.service == "orq" else Client.overmind()
        print(f"nbwidgets: using {chosen.use().description}")
        return None
    if args.command == "status":
        current = Client.current()
        print(
            f"nbwidgets: using {current.description}"
            if current is not None
            else "nbwidgets: no client yet; widgets will use the service whose API key is set "
            "(ORQ_API_KEY, OVERMIND_API_KEY), else the local sandbox"
        )
        return None
    client = Client.current() or Client.default()
    if args.command == "dataset":
        return DatasetGrid(client, args.dataset_id, page_size=args.page_size)
    if not isinstance(client, OrqClient):  # evaluators and feedback are orq.ai APIs
        print(f"nbwidgets: {args.command} needs an orq client; using {client.description} (%nbw connect orq)")
        return None
    if args.command == "evaluator":
        return EvaluatorForm(client, args.evaluator_id)
    if args.command == "feedback":
        options = [o.strip() for o in args.options.split(",") if o.strip()] or None
        return FeedbackButtons(client, args.trace_id, property=args.property, kind=args.kind, options=options)
    print(USAGE)
    return None


def _orq_client() -> OrqClient:
    return Client.current_or_default("orq")


def _as_grid(rows: list[Datapoint]) -> DatasetGrid:
    from .widgets import DatasetGrid

    return DatasetGrid(_orq_client(), rows=rows, page_size=min(25, max(1, len(rows))))


def _bundle(widget: Any, include: Any = None, exclude: Any = None) -> MimeBundle:
    bundle: MimeBundle = widget._repr_mimebundle_(include=include, exclude=exclude)
    return bundle


def datapoint_formatter(obj: Datapoint, include: Any = None, exclude: Any = None) -> MimeBundle:
    return _bundle(_as_grid([obj]), include, exclude)


def page_formatter(obj: Page[Any], include: Any = None, exclude: Any = None) -> MimeBundle:
    if obj.items and all(isinstance(item, Datapoint) for item in obj.items):
        return _bundle(_as_grid(list(obj.items)), include, exclude)
    return None  # not datapoints: IPython falls back to the usual repr


def list_formatter(obj: list[Any], include: Any = None, exclude: Any = None) -> MimeBundle:
    if obj and all(isinstance(item, Datapoint) for item in obj):
        return _bundle(_as_grid(obj), include, exclude)
    return None


def evaluator_formatter(obj: Evaluator, include: Any = None, exclude: Any = None) -> MimeBundle:
    from .widgets import EvaluatorForm

    return _bundle(EvaluatorForm.of(obj, _orq_client()), include, exclude)


# IPython's own annotations of register_magic_function and display_formatter are looser than its behaviour
def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magic_function(nbw, magic_kind="line", magic_name="nbw")
    formatter = ipython.display_formatter.mimebundle_formatter
    formatter.for_type(Datapoint, datapoint_formatter)
    formatter.for_type(Page, page_formatter)
    formatter.for_type(list, list_formatter)
    formatter.for_type(Evaluator, evaluator_formatter)


def unload_ipython_extension(ipython: Any) -> None:
    formatter = ipython.display_formatter.mimebundle_formatter
    for kind in (Datapoint, Page, list, Evaluator):
        formatter.pop(kind, None)
