"""Problem details (RFC 9457): the one shape every error of the API takes, built here only.

Pure (pydantic and the standard library): the HTTP layer answers with these bodies
(app.http.errors, the middlewares' own refusals), and a command-line or batch mode can write
the same object for a line it could not read. Each problem has a `type` (a stable URI), a
`title` that never varies for that type, the HTTP `status`, a `detail` for this occurrence,
the request id as `instance`, and an `errors` list: one entry per thing to fix, with a JSON
Pointer (RFC 6901) to where it is and a stable `code`.

Pointers point into the JSON body (`/answers/objective`); the other parts of a request are
`/query/<name>`, `/path/<name>` and `/header/<name>`; the empty pointer is the request (or
body) as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:tunewise:problem:"
MAX_REPORTED_ERRORS = 50
"""The most entries one problem lists: past them `errors_not_shown` says how many more there
were, so a body of 100,000 mistakes gets a short answer, quickly."""

REQUEST_PARTS = frozenset({"query", "path", "header", "cookie"})
"""Where FastAPI locates an error outside the body: the first item of its `loc`."""


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """A problem type: its URI's last part, its status, its title, and the code its entries
    carry when the raiser names none."""

    slug: str
    status: int
    title: str
    code: str

    @property
    def type(self) -> str:
        return TYPE_PREFIX + self.slug


INVALID_REQUEST = ProblemKind("invalid-request", 422, "The request has problems", "invalid")
UNREADABLE_BODY = ProblemKind("unreadable-body", 400, "The body could not be read", "unreadable")
BAD_FRAMING = ProblemKind("bad-framing", 400, "The request is framed two ways", "two_framings")
INVALID_HOST = ProblemKind("invalid-host", 400, "This host is not served here", "host_refused")
CORS_REFUSED = ProblemKind(
    "cors-refused", 400, "The cross-origin request is not allowed", "cors_refused"
)
BAD_REQUEST = ProblemKind("bad-request", 400, "The request could not be understood", "bad_request")
UNAUTHORIZED = ProblemKind("unauthorized", 401, "An API key is required", "api_key_required")
FORBIDDEN = ProblemKind("forbidden", 403, "The request is not allowed", "forbidden")
NOT_FOUND = ProblemKind("not-found", 404, "Not found", "not_found")
METHOD_NOT_ALLOWED = ProblemKind(
    "method-not-allowed", 405, "The method is not allowed", "method_not_allowed"
)
TOO_LARGE = ProblemKind("body-too-large", 413, "The request body is too large", "body_too_large")
UNSUPPORTED_MEDIA = ProblemKind(
    "unsupported-media-type", 415, "The body is not in a form we read", "unsupported_media_type"
)
VERSION_MISMATCH = ProblemKind(
    "version-mismatch", 412, "The versions expected are not the current ones", "version_mismatch"
)
REPORT_REFUSED = ProblemKind(
    "report-refused", 422, "The file is not a report that can be reopened", "report_refused"
)
RATE_LIMITED = ProblemKind("rate-limited", 429, "Too many requests", "rate_limited")
SERVER_ERROR = ProblemKind("server-error", 500, "Something went wrong on our side", "server_error")
UNAVAILABLE = ProblemKind("unavailable", 503, "Busy or unavailable: try again shortly", "busy")

KINDS: tuple[ProblemKind, ...] = (
    INVALID_REQUEST,
    UNREADABLE_BODY,
    BAD_FRAMING,
    INVALID_HOST,
    CORS_REFUSED,
    BAD_REQUEST,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    TOO_LARGE,
    UNSUPPORTED_MEDIA,
    VERSION_MISMATCH,
    REPORT_REFUSED,
    RATE_LIMITED,
    SERVER_ERROR,
    UNAVAILABLE,
)
"""Every problem type the API answers with (the README and the schema list them)."""

GENERIC_KIND = {
    400: BAD_REQUEST,
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    412: VERSION_MISMATCH,
    413: TOO_LARGE,
    415: UNSUPPORTED_MEDIA,
    422: INVALID_REQUEST,
    429: RATE_LIMITED,
    500: SERVER_ERROR,
    503: UNAVAILABLE,
}
"""The kind of an error raised with only a status (Starlette's 404 and 405, for one)."""


class ProblemError(BaseModel):
    """One thing to fix: where, what kind (for a program) and what (for a person)."""

    model_config = ConfigDict(frozen=True)

    pointer: str = Field(
        description="a JSON Pointer (RFC 6901) to what is wrong: into the body "
        "(`/answers/objective`), or `/query/<name>`, `/path/<name>`, `/header/<name>`; "
        "empty for the request as a whole",
        examples=["/answers/objective"],
    )
    code: str = Field(
        description="what kind of problem, stable across versions: pydantic's error type for "
        "a field (`missing`, `extra_forbidden`, `less_than_equal`, ...) or one of the API's "
        "own (`unknown_model`, `rate_limited`, `database_unavailable`, ...)",
        examples=["missing"],
    )
    message: str = Field(
        description="what is wrong and how to fix it, for a person",
        examples=["This field is required."],
    )
    field: str = Field(
        description="the same place as a dotted path (`answers.objective`), as API 0.5 said it",
        examples=["answers.objective"],
    )


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:tunewise:problem:invalid-request",
                    "title": "The request has problems",
                    "status": 422,
                    "detail": "Some answers need fixing.",
                    "instance": "urn:tunewise:request:9f1c2e7a5b3d4c6e8f0a1b2c3d4e5f60",
                    "request_id": "9f1c2e7a5b3d4c6e8f0a1b2c3d4e5f60",
                    "errors": [
                        {
                            "pointer": "/answers/objective",
                            "code": "missing",
                            "message": "This field is required.",
                            "field": "answers.objective",
                        }
                    ],
                }
            ]
        },
    )

    type: str = Field(
        description="the problem type, a stable URI: " + ", ".join(k.type for k in KINDS)
    )
    title: str = Field(description="the problem type in a few words; the same for every one")
    status: int = Field(description="the HTTP status code", ge=100, le=599)
    detail: str = Field(description="what happened this time, for a person")
    instance: str | None = Field(
        None, description="this occurrence: `urn:tunewise:request:` and the request id"
    )
    request_id: str | None = Field(
        None, description="the request id (also the X-Request-ID header), to quote to operators"
    )
    errors: list[ProblemError] = Field(
        description=f"what to fix, at most {MAX_REPORTED_ERRORS}, in the order found"
    )
    errors_not_shown: int | None = Field(
        None, description=f"how many problems there were past the first {MAX_REPORTED_ERRORS}"
    )


def escape(token: object) -> str:
    """One reference token of a JSON Pointer (RFC 6901 section 4: ~ then /)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(path: Iterable[object]) -> str:
    return "".join("/" + escape(token) for token in path)


def dotted(pointer: str) -> str:
    """The pointer as API 0.5's dotted field (`answers.objective`), or `body` for the root."""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    return ".".join(tokens) or "body"


def entry(pointer: str, code: str, message: str, field: str | None = None) -> ProblemError:
    """One entry of `errors`; `field` defaults to the pointer as a dotted path."""
    return ProblemError(
        pointer=pointer,
        code=code,
        message=message,
        field=dotted(pointer) if field is None else field,
    )


def problem(
    kind: ProblemKind,
    detail: str,
    errors: Sequence[ProblemError] = (),
    *,
    request_id: str | None = None,
    errors_not_shown: int | None = None,
) -> Problem:
    """The problem: every body of an error is made here. An error with no entry of its own
    gets one saying the detail, about the request as a whole, with the kind's code."""
    listed = list(errors) or [entry("", kind.code, detail, field="request")]
    return Problem(
        type=kind.type,
        title=kind.title,
        status=kind.status,
        detail=detail,
        instance=f"urn:tunewise:request:{request_id}" if request_id else None,
        request_id=request_id or None,
        errors=listed,
        errors_not_shown=errors_not_shown,
    )


def problem_document(value: Problem) -> dict[str, Any]:
    """The JSON object: absent members left out rather than null."""
    return value.model_dump(mode="json", exclude_none=True)


def json_syntax_message(document: object, offset: int, reason: str) -> str:
    """Where the JSON breaks, as an editor counts: line and column, from 1."""
    text = document.decode("utf-8", "replace") if isinstance(document, bytes) else document
    if not isinstance(text, str):
        return f"The body is not valid JSON: {reason.lower()}."
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"The body is not valid JSON (line {line}, column {column}): {reason.lower()}."


def _message(err: Mapping[str, Any], in_body: bool, document: object) -> str:
    kind = err.get("type")
    if kind == "missing":
        return "This field is required."
    if kind == "extra_forbidden" and in_body:
        return "This field is not recognised; check its spelling against the catalogue."
    if kind == "json_invalid":
        where = err.get("loc", ())
        offset = where[-1] if where and isinstance(where[-1], int) else 0
        reason = str(err.get("ctx", {}).get("error", "")) or "malformed"
        return json_syntax_message(document, offset, reason)
    return str(err.get("msg", "invalid value")).removeprefix("Value error, ")


def validation_errors(
    errors: Iterable[Mapping[str, Any]], document: object = None, *, located: bool = True
) -> list[ProblemError]:
    """pydantic's errors as entries: a pointer, the error type as the code, a plain message.

    `located`: the first item of each `loc` says which part of the request (FastAPI's
    `body`, `query`, ...); without it (a body validated directly, as the command line does)
    the whole `loc` is inside the body. A validator checking several fields names the one to
    fix in its error's context as `at`, relative to where it ran, so a cross-field error
    points at a field rather than at the object. `document` is the body that failed to
    parse, when it did, so a JSON syntax error can say where it is."""
    out = []
    for err in errors:
        loc = list(err.get("loc", ()))
        in_body = True
        if located and loc and loc[0] == "body":
            loc = loc[1:]
        elif located and loc and loc[0] in REQUEST_PARTS:
            in_body = False
        if err.get("type") == "json_invalid":
            loc = []
        at = (err.get("ctx") or {}).get("at")
        if isinstance(at, str) and at:
            loc += at.split("/")
        pointer = pointer_of(loc)
        message = _message(err, in_body, document)
        out.append(entry(pointer, str(err.get("type", "invalid")), message))
    return out


def invalid_request(
    errors: Sequence[Mapping[str, Any]],
    document: object = None,
    *,
    request_id: str | None = None,
    located: bool = True,
) -> Problem:
    """422 for input that failed validation: at most MAX_REPORTED_ERRORS entries, and how
    many more there were."""
    shown = validation_errors(errors[:MAX_REPORTED_ERRORS], document, located=located)
    hidden = len(errors) - len(shown)
    detail = "Some answers need fixing."
    if hidden > 0:
        detail = (
            f"Some answers need fixing: the first {MAX_REPORTED_ERRORS} of "
            f"{len(errors):,} problems are listed."
        )
    return problem(
        INVALID_REQUEST,
        detail,
        shown,
        request_id=request_id,
        errors_not_shown=hidden if hidden > 0 else None,
    )
