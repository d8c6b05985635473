"""What every storm records: the answers' statuses, the slowest answer, 503s without
Retry-After, and the `/healthz` samples taken meanwhile with their p99."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx


@dataclass
class StormFigures:
    health_s: list[float] = field(default_factory=list)
    health_failures: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    refused_without_retry_after: int = 0
    slowest_s: float = 0.0

    def record(self, response: httpx.Response, began: float) -> None:
        """One storm request's answer, `began` being its perf_counter() start."""
        self.slowest_s = max(self.slowest_s, time.perf_counter() - began)
        self.statuses[response.status_code] += 1
        if response.status_code == 503 and "retry-after" not in response.headers:
            self.refused_without_retry_after += 1

    @property
    def health_p99_s(self) -> float:
        if len(self.health_s) < 2:  # quantiles needs two samples
            return max(self.health_s, default=float("inf"))
        return statistics.quantiles(self.health_s, n=100, method="inclusive")[98]

    def figures(self, what: str) -> str:
        return (
            f"{what}: {dict(self.statuses)}, slowest {self.slowest_s:.1f} s, "
            f"{self.refused_without_retry_after} 503 without Retry-After; /healthz "
            f"{len(self.health_s)} times, p99 {self.health_p99_s * 1000:.0f} ms, max "
            f"{max(self.health_s, default=0) * 1000:.0f} ms, {self.health_failures} failed"
        )
