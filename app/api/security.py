"""Request size limit and security headers, as plain ASGI middleware (no buffering)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


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


class SecurityMiddleware:
    """Adds the security headers to every response and answers 413 past max_body_bytes."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, frame_ancestors: str = "'none'") -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.headers = security_headers(frame_ancestors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        body = b'{"detail":[{"field":"body","message":"The request body is too large."}]}'
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *self.headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
