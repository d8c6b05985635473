"""Request size limit, security headers and the 500 floor, as plain ASGI middleware (no
buffering).

Every response carries the headers, including the ones this middleware answers itself: 413
past the size limit (declared up front, or found while a chunked body streams in) and 500 when
the app raises before answering. Starlette's own 500 is sent from outside every middleware,
so without this floor a server error would carry neither the headers nor the request id.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.errors import problem_bytes, request_id_of, server_error_body
from app.problems import BAD_FRAMING, PROBLEM_JSON, TOO_LARGE, entry, problem

log = logging.getLogger(__name__)


def too_large(scope: Scope, limit: int) -> bytes:
    """The 413's problem: the body past the limit."""
    message = f"The request body is too large: this service accepts at most {limit:,} bytes."
    found = entry("", TOO_LARGE.code, message, field="body")
    return problem_bytes(problem(TOO_LARGE, message, [found], request_id=request_id_of(scope)))


def two_framings(scope: Scope) -> bytes:
    """RFC 9112 section 6.1: such a message is an error, and the connection is closed after it;
    a front end and this server could each read a different body, so what follows on the
    connection (another request, smuggled) is never read. h11 would take the chunked body and
    keep going."""
    message = "A request may carry Content-Length or Transfer-Encoding, not both."
    found = entry("/header/transfer-encoding", BAD_FRAMING.code, message, "transfer-encoding")
    built = problem(BAD_FRAMING, message, [found], request_id=request_id_of(scope))
    return problem_bytes(built)


def security_headers(frame_ancestors: str = "'none'") -> tuple[tuple[bytes, bytes], ...]:
    """A strict CSP (no inline script or style, no eval, no plugins, no base tag games) with
    frame-ancestors from the settings, so an intranet portal may embed the pages."""
    csp = (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        f"form-action 'self'; frame-ancestors {frame_ancestors}"
    )
    headers = [
        (b"content-security-policy", csp.encode("latin-1")),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]
    if frame_ancestors.strip() == "'none'":
        headers.append((b"x-frame-options", b"DENY"))
    return tuple(headers)


class BodyTooLarge(Exception):  # noqa: N818
    pass


class _Exchange:
    """One request's progress: bytes received, whether the body overflowed, whether an answer
    has started and whether it is ours in place of the app's. Its receive and send wrap the
    server's."""

    def __init__(
        self, middleware: SecurityMiddleware, scope: Scope, receive: Receive, send: Send
    ) -> None:
        self.middleware = middleware
        self.scope = scope
        self.server_receive = receive
        self.server_send = send
        self.seen = 0
        self.overflowed = False
        self.started = False
        self.replaced = False

    async def receive(self) -> Message:
        message = await self.server_receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.middleware.max_body_bytes:
                self.overflowed = True
                raise BodyTooLarge
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start" and self.overflowed and not self.started:
            # A body cut off mid-stream: whatever the app made of the interruption (FastAPI
            # says 400, "error parsing the body"), the answer is 413, and the app's is dropped.
            self.replaced = True
            await self.answer_too_large()
            return
        if self.replaced:
            return
        if message["type"] == "http.response.start":
            self.started = True
            message["headers"] = [*message.get("headers", []), *self.middleware.headers]
        await self.server_send(message)

    async def answer(
        self,
        status: int,
        content_type: str,
        body: bytes,
        extra: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        """An answer of the middleware's own, with the same headers as every other; once."""
        if self.started:
            return
        self.started = True
        await self.server_send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type.encode("latin-1")),
                    (b"content-length", str(len(body)).encode()),
                    *extra,
                    *self.middleware.headers,
                ],
            }
        )
        await self.server_send({"type": "http.response.body", "body": body})

    async def answer_too_large(self) -> None:
        body = too_large(self.scope, self.middleware.max_body_bytes)
        await self.answer(413, PROBLEM_JSON, body)


class SecurityMiddleware:
    """Adds the security headers to every response, answers 413 past max_body_bytes, 400 (and
    closes the connection) for a request framed two ways, and 500 for an exception no handler
    answered."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, frame_ancestors: str = "'none'") -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.headers = security_headers(frame_ancestors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(self, scope, receive, send)
        names = {name.lower() for name, _ in scope["headers"]}
        if b"transfer-encoding" in names and b"content-length" in names:
            close = ((b"connection", b"close"),)
            await exchange.answer(400, PROBLEM_JSON, two_framings(scope), close)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await exchange.answer_too_large()
            return
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except BodyTooLarge:
            await exchange.answer_too_large()
        except Exception:
            if exchange.started:
                raise
            if exchange.overflowed:  # the app stumbled over the cut-off body: still a 413
                await exchange.answer_too_large()
                return
            request_id = scope.get("state", {}).get("request_id", "")
            log.exception(
                "unhandled error answering %s %s (request %s)",
                scope["method"],
                scope["path"],
                request_id,
            )
            await exchange.answer(500, *server_error_body(scope["path"], request_id))
