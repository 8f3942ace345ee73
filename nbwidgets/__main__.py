"""`nbwidgets sandbox ...` (and `python -m nbwidgets sandbox ...`)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] != "sandbox":
        print("usage: nbwidgets sandbox [--help]", file=sys.stderr)
        return 2
    from .sandbox.__main__ import main as sandbox_main

    return sandbox_main(args[1:])


if __name__ == "__main__":
    sys.exit(main())
