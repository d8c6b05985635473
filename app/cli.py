"""`python -m app recommend`: the recommendation of one request, or of one request per line.

Imports only what a recommendation needs (pydantic, the engine, the price data): no web
framework, templates, PDF or database, so a call starts in a fraction of the server's time
(tests/test_cli.py checks what it imports).

- One request (a file, or `-` for standard input): its canonical JSON on stdout, the API's
  bytes; a bad one gets one line per field on stderr, as the API's 422 lists them, and exit 2.
- `--jsonl`: one request per line, one result per line in the same order, in one process; a
  line that is not a valid request gets the API's RFC 9457 problem detail on its line instead
  (app.problems, pointers from the line's root), and the command exits 2 once every line is
  written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError

from app.canonical import json_bytes, result_hash
from app.questions import RecommendationRequest
from app.rules.recommend import recommend

BAD_INPUT = 2
"""The exit status for input that is not a valid request (or cannot be read)."""


def problem_detail(errors: Sequence[Mapping[str, Any]], document: object = None) -> dict[str, Any]:
    """An invalid line as the API's problem detail (app.problems, as POST /recommendations
    answers a 422), its pointers from the line's root. `document` is the text that failed, so a
    JSON syntax error can say where it breaks."""
    from app.problems import invalid_request, problem_document  # noqa: PLC0415  # bad lines only

    return problem_document(invalid_request(errors, document, located=False))


def _result(raw: bytes | str) -> bytes:
    """A valid request's canonical JSON, the bytes POST /api/v1/recommendations answers."""
    request = RecommendationRequest.model_validate_json(raw)
    document = recommend(request).model_dump(mode="json")
    document["result_hash"] = result_hash(document)  # the same bytes as the API's answer
    return json_bytes(document)


def recommend_one(source: str) -> int:
    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        sys.stderr.write(f"error: cannot read {source}: {exc.strerror}\n")
        return BAD_INPUT
    try:
        out = _result(raw)
    except ValidationError as exc:
        from app.problems import validation_errors  # noqa: PLC0415  # bad input only

        for err in validation_errors(exc.errors(), raw, located=False):
            sys.stderr.write(f"error: {err.field}: {err.message}\n")
        return BAD_INPUT
    sys.stdout.buffer.write(out + b"\n")
    return 0


def recommend_lines(lines: Iterable[bytes], out: BinaryIO) -> int:
    """One result (or problem detail) per line of `lines`, in order; the count of bad lines."""
    bad = 0
    for line in lines:
        raw = line.rstrip(b"\r\n")
        try:
            result = _result(raw)
        except ValidationError as exc:
            bad += 1
            result = json_bytes(problem_detail(exc.errors(), raw))
        out.write(result + b"\n")
    return bad


def recommend_jsonl(source: str) -> int:
    try:
        stream = sys.stdin.buffer if source == "-" else Path(source).open("rb")  # noqa: SIM115
    except OSError as exc:
        sys.stderr.write(f"error: cannot read {source}: {exc.strerror}\n")
        return BAD_INPUT
    with stream:
        bad = recommend_lines(stream, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    if bad:
        sys.stderr.write(f"error: {bad} line(s) were not valid requests: see their lines\n")
        return BAD_INPUT
    return 0
