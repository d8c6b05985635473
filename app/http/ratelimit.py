"""Rate limits on what is expensive: creating assessments, computing recommendations that are
not saved, and rendering PDFs.

Counters live where the settings say: in memory (per process: right for the single-instance
default, documented as such) or in Redis, shared by every instance behind a load balancer.
Clients are keyed on their API key's id when they send one (a portal's backend calling for
all its users is one client per key, not one per address), and otherwise on the address the
ASGI server reports, which `python -m app serve` takes from X-Forwarded-For only for the
proxies named in TUNEWISE_TRUSTED_PROXIES (none by default): no header a client sets by itself
can pick its own bucket. If the counter store is unreachable the limit fails open (logged, and
/readyz says so) rather than turning every request into an error.

Each answer to a request that counted against a limit says where the client stands, in the
headers of draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy: "assessments";q=30;w=60`
(the quota and its window in seconds) and `RateLimit: "assessments";r=29;t=60` (what is left
and the seconds until the window frees a unit). The counts are left in the request's state
(`STATE_KEY`) and written by app.http.headers.ApiHeaders, which sees every answer, 429s too.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from app.config import Settings
from app.http.keys import caller_of

log = logging.getLogger(__name__)


STATE_KEY = "rate_limits"
POLICY_NAMES = {
    "assessments": "assessments",
    "report renders": "reports",
    "recommendations": "recommendations",
}
"""Each limit's name in the RateLimit headers (the settings' names without rate_limit_)."""


def client_key(request: Request) -> str:
    """Whose counter a request counts on: its API key's id, else its address."""
    key = caller_of(request)
    if key is not None:
        return f"key:{key.id}"
    return f"addr:{request.client.host if request.client else 'unknown'}"


@dataclass(frozen=True)
class Standing:
    """Where one client stands against one limit, after this request's hit."""

    name: str
    item: RateLimitItem
    remaining: int
    reset_time: float

    def policy(self) -> str:
        """A member of RateLimit-Policy: the quota and the window in seconds."""
        return f'"{self.name}";q={self.item.amount};w={self.item.get_expiry()}'

    def now(self, now: float) -> str:
        """A member of RateLimit: units left and seconds until one comes back."""
        return (
            f'"{self.name}";r={max(0, self.remaining)};t={max(0, math.ceil(self.reset_time - now))}'
        )


@dataclass(frozen=True)
class RateLimits:
    limiter: MovingWindowRateLimiter
    assessments: RateLimitItem
    reports: RateLimitItem
    recommendations: RateLimitItem

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        storage = storage_from_string(settings.rate_limit_storage)
        assert isinstance(storage, Storage), "rate_limit_storage must be a synchronous store"
        return cls(
            MovingWindowRateLimiter(storage),
            parse(settings.rate_limit_assessments),
            parse(settings.rate_limit_reports),
            parse(settings.rate_limit_recommendations),
        )

    def wait_needed(
        self, request: Request, item: RateLimitItem, what: str, cost: int = 1
    ) -> int | None:
        """Count `cost` hits for this client; None when allowed, else the seconds to wait.

        For callers that answer the refusal themselves (the browser's import shows a page).
        """
        allowed, reset = self._hit(request, item, what, cost)
        return None if allowed else max(1, int(reset - time.time()))

    def check(self, request: Request, item: RateLimitItem, what: str, cost: int = 1) -> None:
        """Count `cost` hits for this client; 429 with Retry-After when over the limit."""
        retry = self.wait_needed(request, item, what, cost)
        if retry is not None:
            who = "this API key" if caller_of(request) else "this address"
            raise HTTPException(
                status_code=429,
                detail=[
                    {
                        "field": "rate",
                        "message": f"Too many {what} from {who}; try again in {retry} s.",
                    }
                ],
                headers={"Retry-After": str(retry)},
            )

    async def check_async(
        self, request: Request, item: RateLimitItem, what: str, cost: int = 1
    ) -> None:
        """check() for a route on the event loop: in-process counters are counted right there
        (microseconds; a thread hop would cost more), a shared store's from the thread pool
        (a network round trip must not hold the loop)."""
        if isinstance(self.limiter.storage, MemoryStorage):
            self.check(request, item, what, cost)
        else:
            await run_in_threadpool(self.check, request, item, what, cost)

    def storage_ok(self) -> bool | None:
        """Whether the shared counter store answers (None: counters are in this process)."""
        storage = self.limiter.storage
        if isinstance(storage, MemoryStorage):
            return None
        try:
            return bool(storage.check())
        except Exception:  # noqa: BLE001  # any failure means: not answering
            return False

    def _hit(
        self, request: Request, item: RateLimitItem, what: str, cost: int
    ) -> tuple[bool, float]:
        """(allowed, when the window resets); allowed when the counter store fails (logged)."""
        client = client_key(request)
        try:
            allowed = self.limiter.hit(item, what, client, cost=cost)
            stats = self.limiter.get_window_stats(item, what, client)
        except Exception:  # any storage failure: fail open, loudly
            log.warning("rate-limit storage unavailable; %s not limited", what, exc_info=True)
            return True, 0.0
        standing = Standing(POLICY_NAMES.get(what, what), item, stats.remaining, stats.reset_time)
        request.scope.setdefault("state", {}).setdefault(STATE_KEY, {})[standing.name] = standing
        return allowed, stats.reset_time


def limits_of(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits
