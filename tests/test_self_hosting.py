"""Self-hosted serving sized as an ML lead would: the roofline against published vLLM
throughput, the fleet chosen by monthly cost over GPU kinds and replica sizes, and the
throughput LoRA adapters cost."""

from __future__ import annotations

import math
from typing import Any

import pytest

from app.cost_model.catalogue import load_catalogue, read_data
from app.cost_model.constants import Band, hourly_usd, load_constants
from app.cost_model.fleet import cheapest_fleet
from app.cost_model.self_hosting import (
    Traffic,
    adapter_throughput_loss,
    replica_options,
    seconds_per_month,
)
from app.cost_model.serving import fine_tuned_monthly
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from tests.cases import LOGISTICS as BODY

PUBLISHED = [
    s
    for s in read_data("measured_runs.toml")["serving"]
    # vLLM 0.6 and later at its own concurrency, with the lengths and the date read recorded
    if "read" in s and "max_num_seqs" in s and not s.get("adapters")
]
TOLERANCE = 0.25
"""The roofline lands within 25% of each published measurement (within 11% as calibrated)."""

LOGISTICS = Traffic(8_000_000, 1500, 500)
"""../shared/spec/scenarios.json logistics-api-replacement: 8M requests of 1,500 + 500 tokens."""


@pytest.mark.parametrize("run", [pytest.param(s, id=s["id"]) for s in PUBLISHED])
def test_roofline_within_tolerance_of_published_vllm_throughput(run: dict[str, Any]) -> None:
    cat = load_catalogue()
    traffic = Traffic(0, run["input_len"], run["output_len"])
    options = replica_options(
        cat.models[run["model"]], cat.gpus[run["gpu"]], traffic, max_batch=run["max_num_seqs"]
    )
    replica = next(r for r in options if r.tensor_parallel == run["gpu_count"])
    predicted = replica.requests_per_second * run["output_len"]
    assert predicted == pytest.approx(run["output_tokens_per_second"], rel=TOLERANCE)


def test_published_measurements_cover_small_and_large_models() -> None:
    assert len(PUBLISHED) >= 3
    assert {s["gpu"] for s in PUBLISHED} >= {"a100-80gb", "h100-80gb"}
    assert any(s["gpu_count"] > 1 for s in PUBLISHED)
    assert all(s["read"] == "2026-11-26" and s["source"].startswith("https://") for s in PUBLISHED)


def _brute_force_cheapest(traffic: Traffic, model_id: str, adapters: int) -> float:
    """Every GPU kind and every replica size the model fits, priced for the month."""
    cat, c = load_catalogue(), load_constants()
    peak = traffic.monthly_requests / seconds_per_month() * c.get("peak_to_average")
    loss = adapter_throughput_loss(adapters)
    costs = [
        math.ceil(peak / (r.requests_per_second * (1 - loss)))
        * r.tensor_parallel
        * hourly_usd(gpu, Band.expected)
        * c.get("hours_per_month")
        for gpu in cat.gpus.values()
        if gpu.datacenter and gpu.auto_choice
        for r in replica_options(cat.models[model_id], gpu, traffic)
    ]
    return min(costs)


@pytest.mark.parametrize(
    ("model_id", "traffic", "adapters"),
    [
        ("qwen-2.5-32b", LOGISTICS, 1),
        ("qwen-2.5-32b", LOGISTICS, 0),
        ("llama-3.1-70b", Traffic(3_000_000, 2000, 400), 12),
        ("llama-3.1-8b", Traffic(20_000_000, 800, 300), 0),
        ("qwen-2.5-72b", Traffic(500_000, 1500, 500), 0),
    ],
)
def test_the_fleet_is_the_cheapest_over_gpu_kinds_and_replica_sizes(
    model_id: str, traffic: Traffic, adapters: int
) -> None:
    plan = cheapest_fleet(load_catalogue().models[model_id], traffic, 1, Band.expected, adapters)
    assert plan is not None
    assert plan.monthly_usd == pytest.approx(_brute_force_cheapest(traffic, model_id, adapters))


def test_a_bigger_replica_wins_when_it_is_cheaper_than_the_first_that_fits() -> None:
    """Llama 3.1 70B in bf16 first fits two H100s, with room for a handful of sequences; four
    H100s per replica hold the full batch and carry more than twice as much, so one replica
    of 4 beats the replicas of 2 that a first-fit search would buy."""
    cat = load_catalogue()
    model = cat.models["llama-3.1-70b"]
    traffic = Traffic(3_000_000, 2000, 400)
    first, *_ = replica_options(model, cat.gpus["h100-80gb"], traffic)
    plan = cheapest_fleet(model, traffic, 1, Band.expected)
    assert plan is not None
    assert first.tensor_parallel == 2
    assert (plan.gpu, plan.tensor_parallel, plan.replicas) == ("h100-80gb", 4, 1)
    assert plan.monthly_usd == pytest.approx(plan.gpus * cat.gpus["h100-80gb"].usd_per_hour * 730)


def test_the_seeds_self_hosting_figure_is_optimistic_and_inside_the_stacked_bound() -> None:
    """001's $4,500 a month on 2x A100 for Qwen 2.5 32B: below the expected figure and below
    the P10 to P90 interval, for the reasons measured_runs.toml [[seed_serving]] gives (it
    takes several optimistic factors at once), yet not below every factor at its low at once."""
    cat = load_catalogue()
    for seed in read_data("measured_runs.toml")["seed_serving"]:
        traffic = Traffic(seed["monthly_requests"], seed["input_len"], seed["output_len"])
        model = cat.models[seed["model"]]
        serving = fine_tuned_monthly(model, traffic, on_prem=True, adapters=seed["adapters"] > 0)
        stacked = cheapest_fleet(model, traffic, 1, Band.low, seed["adapters"])
        assert stacked is not None
        assert seed["monthly_usd"] < serving.monthly_usd.low
        # Every factor at its low at once comes within a fifth of the seed's figure: above it
        # since the prices of 2026-12-07, whose cheapest on-demand H200 read in the second half
        # of 2026 ($3.59, RunPod Community) is dearer than the $2.25 of June 2026 it replaced.
        assert stacked.monthly_usd <= seed["monthly_usd"] * 1.2
        assert serving.monthly_usd.expected > seed["monthly_usd"]
        assert "optimistic" in seed["source_note"]
        assert "below the P10" in seed["source_note"]


def test_the_logistics_fleet_and_cost() -> None:
    """Restated with the fix (was 5 x H200 at 1.40 requests/s each, $13,103.50): decode now
    counts its matmuls, the batch is 64 and the fleet is chosen by cost over replica sizes; the
    one adapter is merged (no penalty), so 4 H200s at 1.75 requests/s each: $10,482.80 at the
    H200's $3.59 an hour, $13,286.00 at the $4.55 of the prices reviewed on 2026-12-07."""
    serving = fine_tuned_monthly(
        load_catalogue().models["qwen-2.5-32b"], LOGISTICS, on_prem=True, adapters=True
    )
    plan = serving.self_host
    assert plan is not None
    assert (plan.gpu, plan.replicas, plan.tensor_parallel) == ("h200-141gb", 4, 1)
    assert serving.monthly_usd.expected == pytest.approx(13_286.0)
    assert plan.adapter_throughput_loss == 0.0


def test_adapters_cost_throughput_more_with_several_tenants() -> None:
    model = load_catalogue().models["llama-3.1-8b"]
    traffic = Traffic(30_000_000, 1000, 300)

    def serve(tenants: int) -> Any:
        """`tenants` adapters on the shared base; 0 is the base model (or a merged one)."""
        return fine_tuned_monthly(
            model, traffic, on_prem=True, adapters=tenants > 0, tenants=max(1, tenants)
        )

    base, one, many = serve(0), serve(1), serve(12)
    assert base.self_host.adapter_throughput_loss == 0.0
    assert one.self_host.adapter_throughput_loss == 0.0  # one adapter is merged
    assert many.self_host.adapter_throughput_loss == pytest.approx(0.35)
    per_replica = [s.self_host.requests_per_second_per_replica for s in (base, one, many)]
    assert per_replica[0] == per_replica[1] > per_replica[2]
    assert base.monthly_usd.expected == one.monthly_usd.expected < many.monthly_usd.expected
    # one adapter kept unmerged is the high end of its range: it costs more there
    assert base.monthly_usd.high < one.monthly_usd.high < many.monthly_usd.high
    assert base.monthly_usd.low == one.monthly_usd.low < many.monthly_usd.low
    # the bands: a merged adapter pays nothing; unmerged ones lose up to about half
    assert adapter_throughput_loss(1, Band.low) == adapter_throughput_loss(1) == 0.0
    assert adapter_throughput_loss(1, Band.high) == pytest.approx(0.5)
    assert adapter_throughput_loss(12, Band.low) == pytest.approx(0.2)
    assert adapter_throughput_loss(12, Band.high) == pytest.approx(0.55)


def test_a_full_fine_tune_per_tenant_pays_no_adapter_penalty() -> None:
    model = load_catalogue().models["llama-3.1-8b"]
    full = fine_tuned_monthly(model, LOGISTICS, on_prem=True, adapters=False, copies=3)
    assert full.self_host is not None
    assert full.self_host.adapter_throughput_loss == 0.0
    assert full.self_host.replicas >= 3


def test_the_adapter_band_holds_the_published_single_adapter_loss() -> None:
    rows = [s for s in read_data("measured_runs.toml")["serving"] if s.get("adapters") == 1]
    assert rows
    for row in rows:
        measured = 1 - row["output_tokens_per_second"] / row["base_output_tokens_per_second"]
        assert adapter_throughput_loss(1, Band.low) <= measured
        assert measured <= adapter_throughput_loss(1, Band.high)


def test_the_plan_serves_each_tenants_adapter_on_the_shared_base() -> None:
    """Through the rules: twelve tenants' adapters cost the LoRA line throughput (more GPUs
    or dearer ones), while the API line, a prompted base model, is unchanged."""

    def monthly(tenants: int) -> dict[str, float]:
        context = {**BODY["context"], "on_prem_required": True, "tenants": tenants}
        request = RecommendationRequest.model_validate({**BODY, "context": context})
        return {k: float(v) for k, v in recommend(request).cost.monthly_serving.items()}

    one, twelve = monthly(1), monthly(12)
    assert twelve["lora"] > one["lora"]
    assert twelve["api"] == one["api"]
