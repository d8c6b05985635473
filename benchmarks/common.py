"""What the benchmarks share: the request bodies they time and the timing loop."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from app.api.examples import RECOMMENDATION

FINTECH: dict[str, Any] = RECOMMENDATION
"""001's fintech worked example (LoRA on Llama 3.1 8B, on-prem), which the API's schema shows."""

LOGISTICS: dict[str, Any] = {
    "answers": {
        "objective": "behaviour",
        "domain_vocabulary": "specialised",
        "output_consistency": "consistent_tone",
        "labelled_examples": 50000,
        "data_freshness": "monthly",
        "citations_required": False,
        "latency_p99_ms": 3000,
        "ml_capability": 4,
        "budget_usd": 20000,
    },
    "context": {
        "base_model": "qwen-2.5-32b",
        "gpu": "a100-40gb",
        "multilingual": True,
        "monthly_requests": 8_000_000,
        "input_tokens_per_request": 1500,
        "output_tokens_per_request": 500,
    },
}
"""001's logistics worked example: QLoRA on Qwen 2.5 32B replacing a frontier API."""


def timed(fn: Callable[[], object], repeat: int = 7, number: int = 50) -> float:
    """Median seconds per call over `repeat` batches of `number` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)
