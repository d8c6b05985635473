"""The answer-time estimate: the serving roofline, read for one answer instead of a replica.

Each test fails when the behaviour it names is removed: output tokens that cost nothing, a GPU
whose bandwidth does not matter, a p99 no longer shown or warned about.
"""

from __future__ import annotations

import pytest

from app.cost_model import latency
from app.cost_model.catalogue import load_catalogue
from app.cost_model.constants import Band
from app.cost_model.self_hosting import decode_step_seconds, prefill_seconds
from app.cost_model.serving import Traffic, replica_throughput
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from app.views.rows import cost_line_rows
from app.vocabulary.numbers import ms, ms_range
from tests.conftest import BASE_ANSWERS

CATALOGUE = load_catalogue()
EIGHT_B = CATALOGUE.models["llama-3.1-8b"]
DEFAULT = Traffic(50_000, 1_000, 250)


def _on(gpu_id: str, traffic: Traffic = DEFAULT) -> latency.LatencyEstimate:
    found = latency.on_gpu(EIGHT_B, CATALOGUE.gpus[gpu_id], traffic)
    assert found is not None
    return found[1]


def test_more_output_tokens_take_longer() -> None:
    short = _on("h100-80gb", Traffic(50_000, 1_000, 50))
    long = _on("h100-80gb", Traffic(50_000, 1_000, 500))
    assert long.p99_ms.expected > short.p99_ms.expected * 5
    assert long.first_token_ms == short.first_token_ms  # the prompt is the same


def test_a_faster_gpu_decodes_each_token_sooner() -> None:
    """A decode step reads the weights and multiplies them by the batch: the per-token time
    follows memory bandwidth and compute, so an H100 over an L4 gains between the two ratios."""
    l4, a10, h100, h200 = (_on(g) for g in ("l4-24gb", "a10g-24gb", "h100-80gb", "h200-141gb"))
    times = [e.per_token_ms.expected for e in (l4, a10, h100, h200)]
    assert times == sorted(times, reverse=True)
    gpus = CATALOGUE.gpus
    bandwidth = gpus["h100-80gb"].memory_bandwidth_gbs / gpus["l4-24gb"].memory_bandwidth_gbs
    compute = gpus["h100-80gb"].bf16_dense_tflops / gpus["l4-24gb"].bf16_dense_tflops
    ratio = l4.per_token_ms.expected / h100.per_token_ms.expected
    assert min(bandwidth, compute) * 0.95 < ratio < max(bandwidth, compute) * 1.05


@pytest.mark.parametrize("gpu_id", ["l4-24gb", "a10g-24gb"])
def test_8b_on_an_l4_or_a10_takes_tens_of_ms_a_token(gpu_id: str) -> None:
    """16 GB of bf16 weights read per step at 300-600 GB/s: far more than a few ms a token,
    so a 250-token answer takes many seconds (0.5 of the bandwidth, 32 answers at a time)."""
    est = _on(gpu_id)
    assert 30 < est.per_token_ms.expected < 200
    assert est.p99_ms.low > 250 * 5  # several ms a token at the very least
    assert est.p99_ms.low < est.p99_ms.expected < est.p99_ms.high


def test_the_pieces_give_back_replica_throughput() -> None:
    """Same roofline as serving: prefill plus output tokens x step / batch is one request's
    share of a replica, whose inverse is replica_throughput's requests per second."""
    for gpu in CATALOGUE.gpus.values():
        replica = replica_throughput(EIGHT_B, gpu, DEFAULT)
        if replica is None:
            continue
        tp, batch, rps = replica
        prefill = prefill_seconds(EIGHT_B, gpu, tp, DEFAULT.input_tokens, Band.expected)
        step = decode_step_seconds(EIGHT_B, gpu, tp, batch, DEFAULT, Band.expected)
        assert 1 / (prefill + DEFAULT.output_tokens * step / batch) == pytest.approx(rps)


def test_most_output_tokens_is_the_bound() -> None:
    gpu = CATALOGUE.gpus["h100-80gb"]
    n = latency.most_output_tokens(EIGHT_B, gpu, 1, 32, DEFAULT, 2000)
    assert 0 < n < DEFAULT.output_tokens

    def p99(tokens: int) -> float:
        t = Traffic(DEFAULT.monthly_requests, DEFAULT.input_tokens, tokens)
        return latency.self_hosted(EIGHT_B, gpu, 1, 32, t).p99_ms.expected

    assert p99(n) <= 2000 < p99(n + 1)
    assert latency.most_output_tokens(EIGHT_B, gpu, 1, 32, DEFAULT, 10) == 0


def test_the_reference_api_has_a_published_speed_and_others_none() -> None:
    est = latency.api("gpt-5.2", DEFAULT)
    assert est is not None
    assert 1000 < est.p99_ms.expected < 30_000
    assert latency.api("no-such-model", DEFAULT) is None
    assert latency.api_speeds()["gpt-5.2"].source.startswith("https://")


def test_self_hosted_lines_carry_their_estimated_p99() -> None:
    result = recommend(
        RecommendationRequest.model_validate(
            {"answers": BASE_ANSWERS, "context": {"on_prem_required": True}}
        )
    )
    plan = result.cost.serving_plans["lora"]
    assert plan.kind == "self_host"
    assert plan.estimated_p99_ms is not None
    assert plan.estimated_first_token_p99_ms is not None
    p99 = plan.estimated_p99_ms
    assert p99.low <= p99.expected <= p99.high
    assert plan.estimated_first_token_p99_ms.expected < p99.expected
    row = next(r for r in cost_line_rows(result) if r.name == "lora")
    assert row.latency.startswith(ms(p99.expected))
    assert ms_range(p99.low, p99.high) in row.latency


def test_hosted_lines_say_they_are_not_estimated() -> None:
    result = recommend(RecommendationRequest.model_validate({"answers": BASE_ANSWERS}))
    assert result.cost.serving_plans["lora"].kind == "hosted"
    assert result.cost.serving_plans["lora"].estimated_p99_ms is None
    row = next(r for r in cost_line_rows(result) if r.name == "lora")
    assert row.latency.startswith("not estimated")


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.2, "1 ms"), (85.4, "85 ms"), (999.6, "1 s"), (1250, "1.2 s"), (52_344, "52 s")],
)
def test_ms_formats_for_people(value: float, text: str) -> None:
    assert ms(value) == text
