"""Every log line one JSON object: what log collectors parse without a pattern per message.

Each line has `timestamp` (UTC, ISO 8601, milliseconds), `level`, `logger`, `message`, the
`request_id` and `key_id` of the request being served (None outside one), any structured
fields the caller gave (`extra={"fields": {...}}`), and a traceback as one string field
(`exc_info`), never as lines of its own.

An assessment's id is the permission to read it (its link works for whoever holds it), so it
never reaches a log: anything shaped like one (43 URL-safe characters, what
`secrets.token_urlsafe(32)` makes) is replaced by `<id:` and the first 8 hex digits of its
SHA-256 `>`, in the message, the fields and the traceback alike. Lines about one assessment
can still be told apart and matched up; the id cannot be read back.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tunewise_request_id", default=None
)
key_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tunewise_key_id", default=None
)

ASSESSMENT_ID = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def _pseudonym(match: re.Match[str]) -> str:
    return f"<id:{hashlib.sha256(match.group(0).encode()).hexdigest()[:8]}>"


def redact(text: str) -> str:
    """`text` with every assessment id replaced by its pseudonym."""
    return ASSESSMENT_ID.sub(_pseudonym, text)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module's docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
            "key_id": getattr(record, "key_id", None) or key_id_var.get(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        if record.stack_info:
            line["stack_info"] = record.stack_info
        return json.dumps(_redacted(line), ensure_ascii=False, default=str)


def json_handler() -> logging.Handler:
    """A stderr handler writing JsonFormatter lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    return handler


def uvicorn_log_config() -> dict[str, Any]:
    """logging.config.dictConfig for `python -m app serve`: uvicorn's loggers, the app's and
    everything else's, one JSON object per line on stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "INFO", "propagate": True},
        },
    }
