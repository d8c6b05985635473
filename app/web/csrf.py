"""Cross-site request forgery protection for the browser's form posts.

Browsers label every request with where it came from (Sec-Fetch-Site, and Origin on posts); a
post from another site is refused. Requests with neither header do not come from a browser
page (curl, an integrator's server), so they cannot carry a victim's cookies, and pass.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CrossSiteFormGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if self._cross_site(headers):
            body = b'{"detail":[{"field":"origin","message":"Cross-site form posts are refused."}]}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _cross_site(headers: dict[str, str]) -> bool:
        site = headers.get("sec-fetch-site")
        if site is not None:
            return site not in ("same-origin", "none")
        origin = headers.get("origin")
        if origin is None or origin == "null":
            return origin == "null"
        host = headers.get("host", "")
        return origin.split("://", 1)[-1] != host
