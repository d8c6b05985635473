"""Command line: `python -m app recommend FILE` (or `-` for standard input), `python -m app
recommend --jsonl [FILE]` (one request per line), and `python -m app serve` (the web app under
uvicorn, as `make run` and the image start it).

`recommend` prints the same canonical JSON as POST /api/v1/recommendations; on bad input it
prints one line per field, as the API's 422 does, and exits with status 2. With `--jsonl` it
writes one result per line, in order, a bad line's being an RFC 9457 problem detail, and exits
with status 2 when any line was bad. Each command imports only what it uses (app/cli.py).
"""

from __future__ import annotations

import argparse
import gc
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("recommend", help="recommend an approach for a JSON request")
    rec.add_argument(
        "file",
        nargs="?",
        default="-",
        help='a JSON file {"answers": {...}, "context": {...}}, or - (the default: stdin)',
    )
    rec.add_argument(
        "--jsonl",
        action="store_true",
        help="one request per line; one result per line, in order, in one process",
    )
    web = sub.add_parser("serve", help="serve the web app (settings: TUNEWISE_SERVER_*)")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on")
    web.add_argument("--port", type=int, default=8000, help="port to listen on")
    web.add_argument("--no-access-log", action="store_true", help="the app logs requests")
    args = parser.parse_args(argv)
    if args.command == "serve":
        from app.config import get_settings  # noqa: PLC0415  # settings and uvicorn: serve only
        from app.server import serve  # noqa: PLC0415

        serve(get_settings(), host=args.host, port=args.port, access_log=not args.no_access_log)
        return 0
    return _recommend(args.file, jsonl=args.jsonl)


def _recommend(source: str, *, jsonl: bool) -> int:
    """`recommend`, with the garbage collector paused while the engine's modules load and one
    request runs: they make hundreds of thousands of objects that live as long as the process,
    and the collections they trigger found no garbage yet cost a tenth of the command's start.
    A batch runs with the collector back on, as does the caller of main() afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from app.cli import recommend_jsonl, recommend_one  # noqa: PLC0415  # not for `serve`

        if not jsonl:
            return recommend_one(source)
        if was_enabled:
            gc.enable()
        return recommend_jsonl(source)
    finally:
        if was_enabled:
            gc.enable()


if __name__ == "__main__":
    sys.exit(main())
