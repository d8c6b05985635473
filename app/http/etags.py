"""Strong ETags on the API's JSON reads, and If-None-Match compared the weak way (RFC 9110).

A catalogue or a saved assessment is the same bytes until something changes (a version, the
assessment's `shared` flag), so its ETag is a hash of the bytes: nothing to keep in step with
the data. A client revalidating with `If-None-Match` gets 304 when any tag it lists matches,
compared weakly as section 13.1.2 requires for that header: `W/"x"` matches `"x"`, which is
what a proxy that compressed the body, or a client library that weakened the tag, sends back.

The ETag is over the identity body: the middleware sits inside the compression (gzip's own
bytes carry a timestamp, so a tag over them would change every second).
"""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_READS = "/api/v1/"
"""The GETs under here that answer JSON get an ETag (catalogues, assessments, questions)."""
KEPT_ON_304 = frozenset({b"etag", b"cache-control", b"vary", b"content-location", b"expires"})
"""The headers a 304 repeats from the 200 it stands for (RFC 9110 section 15.4.5)."""


def strong_etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag.removeprefix("W/")


def none_match(if_none_match: str | None, etag: str) -> bool:
    """True when `If-None-Match` lists `etag` (weak comparison) or is `*`: answer 304."""
    if not if_none_match:
        return False
    wanted = _opaque(etag)
    return any(t.strip() == "*" or _opaque(t) == wanted for t in if_none_match.split(","))


class JsonETags:
    """ETag and 304 for `GET /api/v1/...` answered 200 with JSON (the body is buffered: these
    are catalogues and assessments, tens of kilobytes)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(JSON_READS)
        ):
            await self.app(scope, receive, send)
            return
        if_none_match = dict(scope["headers"]).get(b"if-none-match", b"").decode("latin-1")
        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def buffered(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                is_json = headers.get(b"content-type", b"").startswith(b"application/json")
                if message["status"] != 200 or not is_json or b"etag" in headers:
                    passing = True
                    await send(message)
                    return
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            await _finish(send, start, b"".join(chunks), if_none_match)

        await self.app(scope, receive, buffered)


async def _finish(send: Send, start: Message, body: bytes, if_none_match: str) -> None:
    """The buffered 200 with its ETag, or a 304 when the client's copy is current."""
    etag = strong_etag(body)
    headers = [*start.get("headers", []), (b"etag", etag.encode())]
    if none_match(if_none_match, etag):
        kept = [(k, v) for k, v in headers if k.lower() in KEPT_ON_304]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
