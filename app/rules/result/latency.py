"""Typed result values for a serving line's latency against the p99 target.

Kept beside result.py (which they extend); `ServingPlan.latency_fixes` is declared there with
this type. The figures are the cost model's (app/cost_model/latency_fit.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.rules.result import Result, Usd


class LatencyFix(Result):
    """One change that would meet the p99 target the line misses, with the time it gives."""

    kind: Literal["faster_gpu", "smaller_model", "shorter_answers", "streaming"] = Field(
        description="`streaming`: stream the answer, its first token arrives within the target; "
        "`shorter_answers`: answers of at most `output_tokens` tokens; `smaller_model`: the "
        "largest smaller catalogue model `model` that some fleet serves in time; `faster_gpu`: "
        "serving on `gpu` (never for a self-hosted line, whose fleet search tried every kind)"
    )
    estimated_p99_ms: float = Field(
        description="the expected p99 with the change, milliseconds (for `streaming`, the time "
        "to the first token)"
    )
    model: str | None = Field(None, description="model catalogue id, when the fix names one")
    gpu: str | None = Field(None, description="GPU catalogue id of the fleet that meets it")
    gpus_per_replica: int | None = Field(None, description="tensor parallelism of that fleet")
    replicas: int | None = Field(None, description="replicas of that fleet")
    output_tokens: int | None = Field(
        None, description="the answer length, tokens, the fix was estimated at"
    )
    monthly_usd: Usd | None = Field(None, description="that fleet's monthly cost, always on")
