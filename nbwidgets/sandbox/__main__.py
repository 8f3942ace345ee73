"""`python -m nbwidgets.sandbox`: run the sandbox server in the foreground."""

from __future__ import annotations

import argparse
import json
import sys
import time

from .app import Faults
from .server import build, serve_forever


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nbwidgets sandbox",
        description=("A local server speaking orq.ai's /v2 routes and Overmind's /api routes, with demo data."),
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks any free port (printed)")
    p.add_argument("--db", default=":memory:", help="SQLite file, or :memory: (default)")
    p.add_argument("--api-key", default="sandbox", help="the key clients must send (default: sandbox)")
    p.add_argument(
        "--datapoints",
        type=int,
        action="append",
        default=[],
        help="add a generated dataset of N datapoints (repeatable)",
    )
    p.add_argument("--no-demo", action="store_true", help="start without the demo data")
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--fault-rate", type=float, default=0.0, help="share of requests answered 500 or dropped")
    p.add_argument("--rate-limit-rate", type=float, default=0.0, help="share of requests answered 429")
    p.add_argument("--seed", type=int, default=None, help="seed of the fault dice, for repeatable runs")
    p.add_argument("--ready-file", default=None, help="write the URL, key and demo ids there as JSON when ready")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    faults = Faults()
    try:
        faults.update(
            {"latency_ms": args.latency_ms, "fault_rate": args.fault_rate, "rate_limit_rate": args.rate_limit_rate}
        )
    except ValueError as exc:
        parser().error(str(exc))
    started = time.monotonic()
    sandbox, ids = build(
        args.db, args.api_key, demo=not args.no_demo, datapoints=args.datapoints, faults=faults, seed=args.seed
    )
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
        serve_forever(sandbox, args.host, args.port, announce)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
