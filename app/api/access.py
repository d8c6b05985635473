"""Optional API keys for /api/v1 (Authorization: Bearer), switched on by configuration.

The browser pages never call /api/v1 themselves (they have their own routes), so turning keys
on protects integrations without locking people out of the wizard. With TUNEWISE_METRICS=api_keys
the same keys guard /metrics (Prometheus sends one as `authorization.credentials`).

A key that matches is left in the request's state (app.http.keys.caller_of) for the rate
limits, the log line and the assessments' team check. Its scopes decide what it may do: `read`
for every GET and the stateless computations, `write` for saving, importing and sharing
assessments; a key without the scope a request needs gets 403.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from app.http.errors import problem_bytes, request_id_of
from app.http.keys import READ, WRITE, ApiKey, find_key
from app.logs import key_id_var
from app.problems import FORBIDDEN, PROBLEM_JSON, UNAUTHORIZED, entry, problem

PROTECTED = "/api/v1"
WRITES = "/api/v1/assessments"
"""Under this prefix, anything but a GET or HEAD changes what is stored: it needs `write`."""
MESSAGE = "A valid API key is required: send Authorization: Bearer <key>."


def unauthorized(scope: Scope) -> bytes:
    """The 401's problem, about the Authorization header."""
    found = entry("/header/authorization", UNAUTHORIZED.code, MESSAGE, field="authorization")
    return problem_bytes(problem(UNAUTHORIZED, MESSAGE, [found], request_id=request_id_of(scope)))


def forbidden(scope: Scope, needed: str) -> bytes:
    """The 403's problem: the key is valid but lacks the scope this request needs."""
    message = f"This API key may not do this: it lacks the {needed} scope."
    found = entry("/header/authorization", "scope_missing", message, field="authorization")
    return problem_bytes(problem(FORBIDDEN, message, [found], request_id=request_id_of(scope)))


def scope_needed(method: str, path: str) -> str:
    """`write` to save, import or share an assessment; `read` for everything else."""
    if path.startswith(WRITES) and method not in {"GET", "HEAD"}:
        return WRITE
    return READ


class ApiKeyGuard:
    def __init__(self, app: ASGIApp, keys: tuple[ApiKey, ...], also: tuple[str, ...] = ()) -> None:
        self.app = app
        self.keys = keys
        self.also = frozenset(also)  # paths outside /api/v1 that need a key too (/metrics)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not self.keys
            or scope["method"] == "OPTIONS"
            or not (scope["path"].startswith(PROTECTED) or scope["path"] in self.also)
        ):
            await self.app(scope, receive, send)
            return
        key = self._key(scope)
        if key is None:
            await _refuse(
                send, 401, unauthorized(scope), ((b"www-authenticate", b'Bearer realm="tunewise"'),)
            )
            return
        scope.setdefault("state", {})["api_key"] = key
        key_id_var.set(key.id)  # every log line of this request names the key
        needed = scope_needed(scope["method"], scope["path"])
        if not key.may(needed):
            await _refuse(send, 403, forbidden(scope, needed))
            return
        await self.app(scope, receive, send)

    def _key(self, scope: Scope) -> ApiKey | None:
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, token = header.partition(b" ")
        if scheme.lower() != b"bearer" or not token.strip():
            return None
        return find_key(self.keys, token.strip())


async def _refuse(
    send: Send, status: int, body: bytes, extra: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", PROBLEM_JSON.encode()), *extra],
        }
    )
    await send({"type": "http.response.body", "body": body})
