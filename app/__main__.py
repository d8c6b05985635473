"""Command line: `python -m app recommend FILE` (or `-` for standard input), and
`python -m app serve` (the web app under uvicorn, as `make run` and the image start it).

`recommend` prints the same canonical JSON as POST /api/v1/recommendations; on bad input it
prints one line per field, as the API's 422 does, and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from app.canonical import json_bytes, result_hash
from app.config import get_settings
from app.problems import validation_errors
from app.questions import RecommendationRequest
from app.rules.recommend import recommend


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    return Path(source).read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("recommend", help="recommend an approach for a JSON request")
    rec.add_argument("file", help='a JSON file {"answers": {...}, "context": {...}}, or -')
    web = sub.add_parser("serve", help="serve the web app (settings: TUNEWISE_SERVER_*)")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on")
    web.add_argument("--port", type=int, default=8000, help="port to listen on")
    web.add_argument("--no-access-log", action="store_true", help="the app logs requests")
    args = parser.parse_args(argv)
    if args.command == "serve":
        from app.server import serve  # noqa: PLC0415  # uvicorn only for this command

        serve(get_settings(), host=args.host, port=args.port, access_log=not args.no_access_log)
        return 0
    try:
        raw = _read(args.file)
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        request = RecommendationRequest.model_validate_json(raw)
    except ValidationError as exc:
        for err in validation_errors(exc.errors(), raw, located=False):
            print(f"error: {err.field}: {err.message}", file=sys.stderr)
        return 2
    document = recommend(request).model_dump(mode="json")
    document["result_hash"] = result_hash(document)  # the same bytes as the API's answer
    sys.stdout.buffer.write(json_bytes(document) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
