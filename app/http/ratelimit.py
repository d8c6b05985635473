"""Rate limits on what is expensive: creating assessments, computing recommendations that are
not saved, and rendering PDFs.

Counters live where the settings say: in memory (per process: right for the single-instance
default, documented as such) or in Redis, shared by every instance behind a load balancer.
Clients are keyed on the address the ASGI server reports, which `python -m app serve` takes
from X-Forwarded-For only for the proxies named in TUNEWISE_TRUSTED_PROXIES (none by default):
no header a client sets by itself can pick its own bucket. If the counter store is unreachable
the limit fails open (logged) rather than turning every request into an error.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from app.config import Settings

log = logging.getLogger(__name__)


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

    def allow(self, request: Request, item: RateLimitItem, what: str) -> bool:
        """Count one hit for this client; False when over the limit, without raising.

        For work the client did not ask for in so many words (the report rendered in the
        background after a save): over the limit, the work is skipped, not refused.
        """
        return self._hit(request, item, what)[0]

    def wait_needed(self, request: Request, item: RateLimitItem, what: str) -> int | None:
        """Count one hit for this client; None when allowed, else the seconds to wait.

        For callers that answer the refusal themselves (the browser's import shows a page).
        """
        allowed, reset = self._hit(request, item, what)
        return None if allowed else max(1, int(reset - time.time()))

    def check(self, request: Request, item: RateLimitItem, what: str) -> None:
        """Count one hit for this client; 429 with Retry-After when over the limit."""
        retry = self.wait_needed(request, item, what)
        if retry is not None:
            raise HTTPException(
                status_code=429,
                detail=[
                    {
                        "field": "rate",
                        "message": f"Too many {what} from this address; try again in {retry} s.",
                    }
                ],
                headers={"Retry-After": str(retry)},
            )

    async def check_async(self, request: Request, item: RateLimitItem, what: str) -> None:
        """check() for a route on the event loop: in-process counters are counted right there
        (microseconds; a thread hop would cost more), a shared store's from the thread pool
        (a network round trip must not hold the loop)."""
        if isinstance(self.limiter.storage, MemoryStorage):
            self.check(request, item, what)
        else:
            await run_in_threadpool(self.check, request, item, what)

    def _hit(self, request: Request, item: RateLimitItem, what: str) -> tuple[bool, float]:
        """(allowed, when the window resets); allowed when the counter store fails (logged)."""
        client = request.client.host if request.client else "unknown"
        try:
            allowed = self.limiter.hit(item, what, client)
            reset = self.limiter.get_window_stats(item, what, client).reset_time
        except Exception:  # any storage failure: fail open, loudly
            log.warning("rate-limit storage unavailable; %s not limited", what, exc_info=True)
            return True, 0.0
        return allowed, reset


def limits_of(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.rate_limits
    return limits
