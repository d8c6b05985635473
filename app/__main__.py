"""Command line: `python -m app recommend FILE` (or `-` for standard input).

Prints the same canonical JSON as POST /api/v1/recommendations; on bad input prints one line
per field, as the API's 422 does, and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from app.canonical import json_bytes
from app.http.errors import field_errors
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
    args = parser.parse_args(argv)
    try:
        raw = _read(args.file)
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        request = RecommendationRequest.model_validate_json(raw)
    except ValidationError as exc:
        for err in field_errors(exc.errors()):
            print(f"error: {err['field']}: {err['message']}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(json_bytes(recommend(request).model_dump(mode="json")) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
