"""Cross-site request forgery protection for the browser's form posts.

Browsers label every request with where it came from (Sec-Fetch-Site, and Origin on posts); a
post from another site is refused. Requests with neither header do not come from a browser
page (curl, an integrator's server), so they cannot carry a victim's cookies, and pass.

The JSON API is an exception in two cases, because neither can be a forged form post:
- a call from an origin TUNEWISE_CORS_ORIGINS allows: that is the intranet embedding the API,
  which the CORS settings exist for;
- a call carrying an Authorization header (an API key): a form cannot set one, and a script on
  another origin can only send one after a CORS preflight the allowed origins pass.
The wizard's forms stay guarded whatever the origin.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from app.http.errors import problem_bytes, request_id_of
from app.problems import FORBIDDEN, PROBLEM_JSON, entry, problem

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
API = "/api/"


def cross_site_refused(scope: Scope) -> bytes:
    """The 403's problem, about where the request came from."""
    message = "Cross-site form posts are refused."
    found = entry("/header/origin", "cross_site_refused", message, field="origin")
    return problem_bytes(problem(FORBIDDEN, message, [found], request_id=request_id_of(scope)))


class CrossSiteFormGuard:
    def __init__(self, app: ASGIApp, api_origins: list[str] | None = None) -> None:
        self.app = app
        self.api_origins = frozenset(api_origins or ())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if self._cross_site(headers) and not self._api_call_allowed(scope["path"], headers):
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", PROBLEM_JSON.encode())],
                }
            )
            await send({"type": "http.response.body", "body": cross_site_refused(scope)})
            return
        await self.app(scope, receive, send)

    def _api_call_allowed(self, path: str, headers: dict[str, str]) -> bool:
        if not path.startswith(API):
            return False
        if headers.get("authorization"):
            return True
        origin = headers.get("origin")
        return origin is not None and ("*" in self.api_origins or origin in self.api_origins)

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
