"""The report's inputs, embedded as a JSON attachment, and reading them back from a PDF.

A PDF/A-3 report carries `tunewise-assessment.json`: the request body that reproduces the
assessment (answers, context, unsure) with its title, creation time and input hash, so
`POST /api/v1/assessments/import` can reopen it and check the hash.
"""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING, Any

from pypdf import PdfReader

from app.report.embedded import embedded_files
from app.report.keys import created_iso
from app.report.upload_limits import UploadRefused, precheck

if TYPE_CHECKING:  # the reading side runs in an upload worker: pypdf and json only
    from app.assessments.store import StoredAssessment

ATTACHMENT_NAME = "tunewise-assessment.json"
FORMAT = "tunewise-assessment"
FORMAT_VERSION = 1
MAX_PDF_BYTES = 20_000_000
MAX_ATTACHMENT_BYTES = 256_000
"""A body of nine answers and a dozen context values is a few kilobytes."""
MAX_DEPTH = 8
"""How deeply the document may nest: a report's is three levels deep (context, a list)."""

_HASH = re.compile(r"\A[0-9a-f]{64}\Z")


def attachment_document(a: StoredAssessment) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "title": a.title,
        "created_at": created_iso(a.created_at),
        "input_hash": a.input_hash,
        "rules_version": a.rules_version,
        "cost_model_version": a.cost_model_version,
        "prices_as_of": a.prices_as_of,
        **a.request_body,
        "unsure": list(a.unsure),
    }


def attachment_bytes(a: StoredAssessment) -> bytes:
    """Sorted keys, fixed separators: the same assessment gives the same bytes."""
    text = json.dumps(attachment_document(a), sort_keys=True, ensure_ascii=False, indent=1)
    return text.encode("utf-8")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{ATTACHMENT_NAME} contains {name}, which is not JSON")


def read_attachment(pdf: bytes) -> dict[str, Any]:
    """The embedded assessment document of a Tunewise report, checked for shape.

    Raises ValueError, with a message fit for an API error, for anything that is not a PDF
    carrying one well-formed `tunewise-assessment.json`. The caller verifies `input_hash`
    by recomputing the recommendation from answers, context and unsure. The file is read
    within app.report.upload_limits' caps, so the work stays linear in its size.
    """
    if len(pdf) > MAX_PDF_BYTES:
        raise ValueError(f"the file is larger than {MAX_PDF_BYTES:,} bytes")
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("the file is not a PDF")
    found = _embedded(pdf)
    if not found:
        raise ValueError(f"the PDF has no {ATTACHMENT_NAME} attachment: not a Tunewise report")
    if len(found) != 1:
        raise ValueError(f"the PDF has more than one {ATTACHMENT_NAME} attachment")
    raw = found[0]
    if len(raw) > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"{ATTACHMENT_NAME} is larger than {MAX_ATTACHMENT_BYTES:,} bytes")
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{ATTACHMENT_NAME} is not valid UTF-8 JSON: {exc}") from exc
    except RecursionError as exc:
        raise ValueError(f"{ATTACHMENT_NAME} is nested too deeply to be a Tunewise report") from exc
    if _depth(document) > MAX_DEPTH:
        raise ValueError(f"{ATTACHMENT_NAME} is nested too deeply to be a Tunewise report")
    return _checked(document)


def _embedded(pdf: bytes) -> list[bytes]:
    """Every attachment called ATTACHMENT_NAME, read within the upload caps."""
    precheck(pdf)
    try:
        return embedded_files(PdfReader(io.BytesIO(pdf)), ATTACHMENT_NAME)
    except UploadRefused:
        raise
    except Exception as exc:  # pypdf raises more than its own errors on crafted files
        raise ValueError(f"the PDF could not be read: {exc}") from exc


def _depth(document: Any) -> int:
    """How deeply lists and objects nest in a JSON value (iterative: no recursion to exhaust)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(document, 0)]
    while pending:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return deepest


def _checked(document: Any) -> dict[str, Any]:
    """The document's shape. Its `created_at` is not read: an import is dated when it is made,
    by the server, as the hash does not cover the date (a forged one could pin an entry at the
    top of a list)."""
    if not isinstance(document, dict):
        raise ValueError(f"{ATTACHMENT_NAME} must hold a JSON object")  # noqa: TRY004  # one error type for callers
    if document.get("format") != FORMAT:
        raise ValueError(f"{ATTACHMENT_NAME} is not a {FORMAT} document")
    expected: dict[str, type | tuple[type, ...]] = {
        "answers": dict,
        "context": dict,
        "unsure": list,
        "title": str,
        "input_hash": str,
    }
    for key, kind in expected.items():
        if key not in document:
            raise ValueError(f"{ATTACHMENT_NAME} lacks {key!r}")
        if not isinstance(document[key], kind):
            raise ValueError(f"{ATTACHMENT_NAME}: {key!r} has the wrong type")  # noqa: TRY004
    if not all(isinstance(q, str) for q in document["unsure"]):
        raise ValueError(f"{ATTACHMENT_NAME}: 'unsure' must list question ids")
    if not _HASH.match(document["input_hash"]):
        raise ValueError(f"{ATTACHMENT_NAME}: 'input_hash' is not a SHA-256 hex digest")
    return document
