"""What every answer says about itself: the versions, and where the client stands against
the rate limits; and the 412 for a client expecting other versions.

Plain ASGI middleware, outside the body limit and the 500 floor, so their own answers (413,
500) carry the headers too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.canonical import json_bytes
from app.http.ratelimit import STATE_KEY, Standing
from app.http.versions import HEADERS, Versions, current_versions, mismatches
from app.problems import PROBLEM_JSON, VERSION_MISMATCH, entry, problem, problem_document

EXPOSED = (
    "X-Request-ID",
    "Location",
    "ETag",
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    *HEADERS.values(),
)
"""The response headers a browser client may read (CORS Access-Control-Expose-Headers)."""
ASKED = frozenset(name.lower().encode("latin-1") for name in HEADERS.values())
"""The request headers that state expected versions."""


def precondition_failed(differ: dict[str, tuple[str, str]], current: Versions) -> bytes:
    """The 412's body: a problem (app.problems) with an entry per version that differs,
    pointing at its header, and `versions`, every current one."""
    found = [
        entry(
            f"/header/{name.lower()}",
            VERSION_MISMATCH.code,
            f"This server answers with {name} {now}, not {sent}.",
        )
        for name, (sent, now) in differ.items()
    ]
    said = problem(VERSION_MISMATCH, " ".join(e.message for e in found), found)
    return json_bytes({**problem_document(said), "versions": dict(current.headers())})


def rate_limit_headers(standings: dict[str, Standing], now: float) -> list[tuple[bytes, bytes]]:
    """RateLimit-Policy and RateLimit for the limits this request counted against."""
    if not standings:
        return []
    ordered = [standings[name] for name in sorted(standings)]
    return [
        (b"ratelimit-policy", ", ".join(s.policy() for s in ordered).encode("latin-1")),
        (b"ratelimit", ", ".join(s.now(now) for s in ordered).encode("latin-1")),
    ]


class ApiHeaders:
    """The version headers on every response, the RateLimit headers where a limit counted,
    and 412 for a request whose expected versions (the same headers) are not the current."""

    def __init__(self, app: ASGIApp, versions: Callable[[], Versions] = current_versions) -> None:
        self.app = app
        self.versions = versions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = self.versions()
        version_headers = [
            (name.lower().encode(), value.encode("latin-1")) for name, value in current.headers()
        ]
        expected = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name in ASKED  # ASGI header names are lower-case bytes
        }
        differ = mismatches(expected, current) if expected else {}
        if differ:
            body = precondition_failed(differ, current)
            await send(
                {
                    "type": "http.response.start",
                    "status": 412,
                    "headers": [
                        (b"content-type", PROBLEM_JSON.encode()),
                        (b"content-length", str(len(body)).encode()),
                        *version_headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                standings = scope.get("state", {}).get(STATE_KEY, {})
                message["headers"] = [
                    *message.get("headers", []),
                    *version_headers,
                    *rate_limit_headers(standings, time.time()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)
