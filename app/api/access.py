"""Optional API keys for /api/v1 (Authorization: Bearer), switched on by configuration.

The browser pages never call /api/v1 themselves (they have their own routes), so turning keys
on protects integrations without locking people out of the wizard. With TUNEWISE_METRICS=api_keys
the same keys guard /metrics (Prometheus sends one as `authorization.credentials`).
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from app.http.errors import problem_bytes, request_id_of
from app.problems import PROBLEM_JSON, UNAUTHORIZED, entry, problem

PROTECTED = "/api/v1"
MESSAGE = "A valid API key is required: send Authorization: Bearer <key>."


def unauthorized(scope: Scope) -> bytes:
    """The 401's problem, about the Authorization header."""
    found = entry("/header/authorization", UNAUTHORIZED.code, MESSAGE, field="authorization")
    return problem_bytes(problem(UNAUTHORIZED, MESSAGE, [found], request_id=request_id_of(scope)))


class ApiKeyGuard:
    def __init__(self, app: ASGIApp, keys: list[str], also: tuple[str, ...] = ()) -> None:
        self.app = app
        self.keys = [k.encode("utf-8") for k in keys if k]
        self.also = frozenset(also)  # paths outside /api/v1 that need a key too (/metrics)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not self.keys
            or scope["method"] == "OPTIONS"
            or not (scope["path"].startswith(PROTECTED) or scope["path"] in self.also)
            or self._authorised(scope)
        ):
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"www-authenticate", b'Bearer realm="tunewise"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": unauthorized(scope)})

    def _authorised(self, scope: Scope) -> bool:
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"bearer" or not token:
            return False
        # compare against every key, always: the time taken says nothing about which matched
        return any([hmac.compare_digest(token.strip(), key) for key in self.keys])  # noqa: C419
