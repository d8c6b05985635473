"""Starlette's host and CORS checks, with their refusals answered as problem details.

TrustedHostMiddleware answers a Host it does not serve, and CORSMiddleware a preflight it
refuses, with a line of plain text ("Invalid host header", "Disallowed CORS origin"); a
program reading the API's errors would meet the one body that is not a problem. Their checks
stay theirs: `ProblemRefusals` runs such a middleware and rewrites only the answers the
middleware gives itself (those that never reached the app), keeping their headers;
`TrustedHosts` and `CrossOrigin` are the two the app adds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.errors import problem_bytes, request_id_of
from app.problems import (
    CORS_REFUSED,
    INVALID_HOST,
    PROBLEM_JSON,
    Problem,
    ProblemError,
    entry,
    problem,
)

Translate = Callable[[str, str | None], Problem]
"""(the middleware's plain-text answer, the request id) -> the problem to answer instead."""


def host_refused(_: str, request_id: str | None) -> Problem:
    message = (
        "The Host header names an address this service does not answer to "
        "(TUNEWISE_ALLOWED_HOSTS lists those it does)."
    )
    found = entry("/header/host", "host_refused", message)
    return problem(INVALID_HOST, message, [found], request_id=request_id)


CORS_FAILURES: dict[str, tuple[str, str, str]] = {
    "origin": (
        "/header/origin",
        "cors_origin_refused",
        "This origin may not call the API (TUNEWISE_CORS_ORIGINS lists those that may).",
    ),
    "method": (
        "/header/access-control-request-method",
        "cors_method_refused",
        "Only GET and POST are allowed across origins.",
    ),
    "headers": (
        "/header/access-control-request-headers",
        "cors_headers_refused",
        "Only the Authorization and Content-Type headers are allowed across origins.",
    ),
    "private-network": (
        "/header/access-control-request-private-network",
        "cors_private_network_refused",
        "Requests from a public page to this private network are not allowed.",
    ),
}
"""What each failure CORSMiddleware names ("Disallowed CORS origin, method") means."""


def cors_refused(text: str, request_id: str | None) -> Problem:
    named = [f.strip() for f in text.removeprefix("Disallowed CORS ").split(",")]
    errors: list[ProblemError] = []
    for failure in named:
        pointer, code, message = CORS_FAILURES.get(
            failure, ("", "cors_refused", "The cross-origin request is not allowed.")
        )
        errors.append(entry(pointer, code, message))
    detail = "The browser's preflight check was refused: " + " ".join(e.message for e in errors)
    return problem(CORS_REFUSED, detail, errors, request_id=request_id)


class ProblemRefusals:
    """A middleware (`checked`, made by `wrap(self.reached)`) whose own error answers become
    problem details."""

    def __init__(
        self, app: ASGIApp, wrap: Callable[[ASGIApp], ASGIApp], translate: Translate
    ) -> None:
        self.app = app
        self.checked = wrap(self._reached)
        self.translate = translate
        self.reached = f"tunewise.reached.{id(self)}"
        """A scope key of this instance's own: set when its middleware let the request on."""

    async def _reached(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[self.reached] = True
        await self.app(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.checked(scope, receive, send)
            return
        held: Message | None = None

        async def answer(message: Message) -> None:
            nonlocal held
            refused = not scope.get(self.reached)
            if message["type"] == "http.response.start" and refused and message["status"] >= 400:
                held = message  # the middleware's own refusal: its body comes next
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            text = bytes(message.get("body", b"")).decode("utf-8", "replace")
            body = problem_bytes(self.translate(text, request_id_of(scope)))
            kept = [
                (name, value)
                for name, value in held.get("headers", [])
                if name.lower() not in (b"content-type", b"content-length")
            ]
            headers = [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *kept,
            ]
            await send(
                {"type": "http.response.start", "status": held["status"], "headers": headers}
            )
            await send({"type": "http.response.body", "body": body})

        await self.checked(scope, receive, answer)


class TrustedHosts(ProblemRefusals):
    """Starlette's TrustedHostMiddleware; a refused Host is a problem."""

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        def wrap(inner: ASGIApp) -> ASGIApp:
            return TrustedHostMiddleware(inner, allowed_hosts=allowed_hosts)

        super().__init__(app, wrap, host_refused)


class CrossOrigin(ProblemRefusals):
    """Starlette's CORSMiddleware; a refused preflight is a problem."""

    def __init__(
        self,
        app: ASGIApp,
        allow_origins: Sequence[str],
        allow_methods: Sequence[str],
        allow_headers: Sequence[str],
        expose_headers: Sequence[str],
        max_age: int,
    ) -> None:
        def wrap(inner: ASGIApp) -> ASGIApp:
            return CORSMiddleware(
                inner,
                allow_origins=allow_origins,
                allow_methods=allow_methods,
                allow_headers=allow_headers,
                expose_headers=expose_headers,
                max_age=max_age,
            )

        super().__init__(app, wrap, cors_refused)
