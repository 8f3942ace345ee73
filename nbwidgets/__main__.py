"""The `nbwidgets` command: `nbwidgets sandbox ...`, `nbwidgets status` (also `python -m nbwidgets ...`)."""

from __future__ import annotations

import os
import sys
from argparse import RawDescriptionHelpFormatter

from . import __version__
from .sandbox.__main__ import OneLineParser

SUBCOMMANDS = {
    "sandbox": "Run the local sandbox server (orq.ai /v2 and Overmind /api routes over SQLite) with demo data.",
    "status": "Say which service the widgets would use here (the one whose API key is set, else the sandbox).",
}


def _top_parser() -> OneLineParser:
    parser = OneLineParser(
        prog="nbwidgets",
        description="Jupyter widgets for LLM-evaluation data on orq.ai and Overmind. Commands:",
        formatter_class=RawDescriptionHelpFormatter,
        epilog="Run `nbwidgets COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"nbwidgets {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, sentence in SUBCOMMANDS.items():
        commands.add_parser(name, help=sentence, add_help=False)
    return parser


def status() -> int:
    """What `Client.default()` would pick in this environment, without starting anything."""
    for service, key_env, url_env, default_url in (
        ("orq", "ORQ_API_KEY", "ORQ_BASE_URL", "https://api.orq.ai"),
        ("overmind", "OVERMIND_API_KEY", "OVERMIND_API_URL", "https://api.overmindlab.ai"),
    ):
        url = os.environ.get(url_env) or default_url
        if os.environ.get(key_env):
            print(f"{service}: {url} ({key_env} is set)")
        elif os.environ.get("NBWIDGETS_SANDBOX_URL"):
            print(f"{service}: the sandbox at {os.environ['NBWIDGETS_SANDBOX_URL']} ({key_env} is not set)")
        else:
            print(f"{service}: a sandbox started inside the notebook's kernel ({key_env} is not set)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Everything after the command name belongs to that command's own parser.
    if args and args[0] == "sandbox":
        from .sandbox.__main__ import main as sandbox_main

        return sandbox_main(args[1:])
    if args and args[0] == "status" and len(args) == 1:
        return status()
    parser = _top_parser()
    if not args:
        parser.print_help(sys.stderr)
        return 2
    parser.parse_args(args)  # --help, --version, or an error naming the unknown command (exit 2)
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
