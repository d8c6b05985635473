"""`python -m app recommend`: the recommendation of one request, or of one request per line.

Imports only what a recommendation needs (pydantic, the engine, the price data): no web
framework, templates, PDF or database, so a call starts in a fraction of the server's time
(tests/test_cli.py checks what it imports).

- One request (a file, or `-` for standard input): its canonical JSON on stdout, the API's
  bytes; a bad one gets one line per field on stderr, as the API's 422 lists them, and exit 2.
- `--jsonl`: one request per line, one result per line in the same order, in one process; a
  line that is not a valid request gets an RFC 9457 problem detail on its line instead
  (`problem_detail`), and the command exits 2 once every line is written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError

from app.canonical import json_bytes
from app.http.field_messages import field_errors
from app.questions import RecommendationRequest
from app.rules.recommend import recommend

BAD_INPUT = 2
"""The exit status for input that is not a valid request (or cannot be read)."""


def _pointer(loc: Iterable[Any]) -> str:
    """A pydantic error location as a JSON Pointer (RFC 6901): "" is the whole document."""
    parts = (str(p).replace("~", "~0").replace("/", "~1") for p in loc if p != "body")
    return "".join(f"/{p}" for p in parts)


def problem_detail(errors: Sequence[Mapping[str, Any]], document: object = None) -> dict[str, Any]:
    """An invalid request as an RFC 9457 problem detail: `type`, `title`, `status`, `detail`,
    and `errors`, one {pointer, code, message} per problem (the JSON Pointer of the field,
    pydantic's stable error type, the API's message). `document` is the text that failed, so a
    JSON syntax error can say where it breaks (its pointer is then the whole document, "")."""
    said = field_errors(errors, document)
    items = [
        {
            "pointer": "" if err.get("type") == "json_invalid" else _pointer(err.get("loc", ())),
            "code": message["type"],
            "message": message["message"],
        }
        for err, message in zip(errors, said, strict=True)
    ]
    count = "1 problem" if len(items) == 1 else f"{len(items)} problems"
    return {
        "type": "about:blank",
        "title": "Unprocessable Content",
        "status": 422,
        "detail": f"The request is not valid: {count}, each under `errors`.",
        "errors": items,
    }


def _result(raw: bytes | str) -> bytes:
    """A valid request's canonical JSON, the bytes POST /api/v1/recommendations answers."""
    request = RecommendationRequest.model_validate_json(raw)
    return json_bytes(recommend(request).model_dump(mode="json"))


def recommend_one(source: str) -> int:
    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        sys.stderr.write(f"error: cannot read {source}: {exc.strerror}\n")
        return BAD_INPUT
    try:
        out = _result(raw)
    except ValidationError as exc:
        for err in field_errors(exc.errors(), raw):
            sys.stderr.write(f"error: {err['field']}: {err['message']}\n")
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
