"""`nbwidgets sandbox` (also `python -m nbwidgets.sandbox`): run the sandbox server in the foreground."""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from .app import Faults
from .server import build, serve_forever

DEFAULT_PORT = 8765


class OneLineParser(argparse.ArgumentParser):
    """Bad input gets one line naming the option and exit code 2: no usage dump, no traceback."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _number(kind: Callable[[str], float], low: float, high: float | None, what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value

    return parse


port_number = _number(int, 0, 65535, "a port (0 for any free one, or 1-65535)")
positive_count = _number(int, 1, None, "a number of datapoints (a whole number, 1 or more)")
milliseconds = _number(float, 0, None, "a duration in milliseconds (0 or more)")
share = _number(float, 0, 1, "a share (between 0 and 1)")


def parser() -> OneLineParser:
    p = OneLineParser(
        prog="nbwidgets sandbox",
        description=(
            "A local server speaking orq.ai's /v2 routes and Overmind's /api routes over SQLite, with demo data. "
            "Point a client at it with NBWIDGETS_SANDBOX_URL and NBWIDGETS_SANDBOX_KEY, or Client.orq(key, url)."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help="port; 0 picks any free one (default: %(default)s)"
    )
    p.add_argument(
        "--db", default=":memory:", help="SQLite file to keep the data in, or :memory: (default: %(default)s)"
    )
    p.add_argument("--api-key", default="sandbox", help="the key clients must send (default: %(default)s)")
    p.add_argument(
        "--datapoints",
        type=positive_count,
        action="append",
        default=[],
        metavar="N",
        help="add a generated dataset of N datapoints; repeatable (default: none)",
    )
    p.add_argument("--no-demo", action="store_true", help="start without the demo data (default: with it)")
    p.add_argument(
        "--latency-ms", type=milliseconds, default=0.0, help="delay added to every answer (default: %(default)s)"
    )
    p.add_argument(
        "--fault-rate",
        type=share,
        default=0.0,
        help="share of requests answered 500 or dropped mid-connection (default: %(default)s)",
    )
    p.add_argument(
        "--rate-limit-rate",
        type=share,
        default=0.0,
        help="share of requests answered 429 with Retry-After (default: %(default)s)",
    )
    p.add_argument(
        "--seed", type=int, default=None, help="seed of the fault dice, for repeatable runs (default: random)"
    )
    p.add_argument(
        "--ready-file",
        default=None,
        metavar="PATH",
        help="write the URL, key and demo ids there as JSON once listening (default: none)",
    )
    return p


def _check_folder(p: OneLineParser, option: str, path: str | None) -> None:
    if path is None or path == ":memory:":
        return
    folder = Path(path).expanduser().resolve().parent
    if not folder.is_dir():
        p.error(f"{option} {path}: the folder {folder} does not exist")


def _bind(p: OneLineParser, host: str, port: int) -> socket.socket:
    """Bind the listening socket up front: a taken port is a one-line error before any data is built."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror:
        p.error(f"--host {host}: not an address of this machine")
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if port and error.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            p.error(f"--port {port}: the port is in use on {host}; choose another, or --port 0 for any free one")
        p.error(f"--host {host} --port {port}: cannot listen there ({error.strerror or error})")
    return sock


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    _check_folder(p, "--db", args.db)
    _check_folder(p, "--ready-file", args.ready_file)
    faults = Faults()
    faults.update(
        {"latency_ms": args.latency_ms, "fault_rate": args.fault_rate, "rate_limit_rate": args.rate_limit_rate}
    )
    sock = _bind(p, args.host, args.port)
    started = time.monotonic()
    try:
        sandbox, ids = build(
            args.db, args.api_key, demo=not args.no_demo, datapoints=args.datapoints, faults=faults, seed=args.seed
        )
    except Exception as error:  # e.g. an --db file that is not SQLite: one line, not a traceback
        sock.close()
        p.exit(1, f"{p.prog}: error: could not open the data ({type(error).__name__}: {error})\n")
    loaded = time.monotonic() - started

    def announce(url: str) -> None:
        info = {"url": url, "api_key": args.api_key, "ids": ids}
        print(f"nbwidgets sandbox listening on {url} (data ready in {loaded:.1f}s)", flush=True)
        print(f"  key: {args.api_key}   orq: {url}/v2   overmind: {url}/api", flush=True)
        print(f"  READY {json.dumps(info)}", flush=True)
        if args.ready_file:
            with open(args.ready_file, "w") as fh:
                json.dump(info, fh)

    try:
        serve_forever(sandbox, args.host, args.port, announce, sock=sock)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
