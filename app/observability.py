"""Request ids, structured request logs and Prometheus metrics.

Every response carries X-Request-ID (the caller's, when it looks like an id, else a new one);
every request is logged as one JSON line (app.logs) with that id, the API key's id, the route
template, the path with any assessment id redacted, the status and the duration; /metrics
exposes request counts and latency by route and the PDF render time, from a registry each
app owns (no global state to reset between tests). Every label takes a bounded
set of values (route templates, the defined methods, statuses), so no client can grow the
exposition by inventing paths or methods.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.keys import caller_of
from app.logs import json_handler, request_id_var

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
"""The methods HTTP defines (RFC 9110, and PATCH): each gets its own metric label."""

UNMATCHED = "unmatched"
"""The route label for a request no route matched: its raw path never becomes a label."""


def method_label(method: str) -> str:
    """The method as a metric label: a client may send any token as its method, and each new
    label value is a new time series kept for the life of the process, so the rest are one."""
    return method if method in KNOWN_METHODS else "other"


def route_label(scope: Scope) -> str:
    """The matched route's template (/assessments/{assessment_id}), never the raw path."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter(
            "tunewise_http_requests_total",
            "Requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tunewise_http_request_duration_seconds",
            "Time to answer, by method and route template",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.report_render = Histogram(
            "tunewise_report_render_seconds",
            "Time to render one PDF report (cache misses only)",
            registry=self.registry,
            buckets=(0.25, 0.5, 1, 2, 4, 8, 16, 32),
        )
        self.report_prerenders = Counter(
            "tunewise_report_prerenders_total",
            "Background A4 renders after a save, by outcome (rendered, cached, busy, "
            "queue_full, taken_over, failed)",
            ["outcome"],
            registry=self.registry,
        )
        self.report_refusals = Counter(
            "tunewise_report_refusals_total",
            "Downloads answered 503 for want of a render, by reason (queue_full: as many "
            "already waited for a slot; deadline: no slot or no render within the deadline)",
            ["reason"],
            registry=self.registry,
        )


def request_logger(enabled: bool) -> logging.Logger | None:
    """The app's own request log: one JSON line per request on stderr, or None when off.

    A logger each app owns (not one from the global registry), so building another app, in a
    test or a second instance in one process, never adds, keeps or removes a handler on it.
    """
    if not enabled:
        return None
    logger = logging.Logger("tunewise.requests", logging.INFO)  # noqa: LOG001  # app-owned, unregistered on purpose
    logger.addHandler(json_handler())
    logger.propagate = False
    return logger


class RequestObserver:
    def __init__(self, app: ASGIApp, metrics: Metrics, log: logging.Logger | None) -> None:
        self.app = app
        self.metrics = metrics
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        request_id_var.set(request_id)  # every log line of this request names it
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_label(scope)
            method = scope["method"]
            self.metrics.requests.labels(method_label(method), route, str(status)).inc()
            self.metrics.latency.labels(method_label(method), route).observe(elapsed)
            if self.log is not None and self.log.isEnabledFor(logging.INFO):
                client = scope.get("client")
                key = caller_of(scope)
                fields = {
                    "event": "request",
                    "method": method,
                    "path": scope["path"],  # the formatter redacts assessment ids
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client": client[0] if client else None,
                }
                self.log.info(
                    "%s %s %d",
                    method,
                    route,
                    status,
                    extra={
                        "fields": fields,
                        "request_id": request_id,
                        "key_id": key.id if key else None,
                    },
                )
