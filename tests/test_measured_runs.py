"""The cost model against published, measured fine-tuning runs of the standard stack
(PyTorch + transformers + PEFT/bitsandbytes): peak memory within 30%, tokens/s within 35%.

Runs of tuned stacks (torchtune, LitGPT, Unsloth) are kept in the data file for reference but
are not held to these tolerances: they use different precision, kernels and loss chunking. A
row that names its stack (what that code keeps on the GPU, stacks.toml) is held to the
tolerance it states; the QLoRA paper's runs, which give no peak, must fit the card they ran
on; two rows of one code on two GPUs must show the two GPUs' speed ratio."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cost_model.catalogue import load_catalogue, read_data
from app.cost_model.memory import usable_gib
from app.cost_model.serving import Traffic, replica_throughput
from tests.measured_runs import (
    RUNS,
    estimate_run,
    measured_gib,
    per_gpu_tokens_per_second,
    tps_param,
)


@pytest.mark.parametrize(
    "run", [pytest.param(r, id=r["id"]) for r in RUNS if "peak_memory_gib" in r]
)
def test_peak_memory_within_30_percent(run: dict[str, Any]) -> None:
    predicted = estimate_run(run).per_gpu_memory.peak_gib
    assert predicted == pytest.approx(measured_gib(run), rel=0.30)


@pytest.mark.parametrize(
    "run",
    [
        tps_param(r, 0.35)
        for r in RUNS
        # unpacked short samples (avg_tokens_per_sample) are not the packed sequences we model
        if "tokens_per_second" in r and "avg_tokens_per_sample" not in r
    ],
)
def test_tokens_per_second_within_35_percent(run: dict[str, Any]) -> None:
    """The band the audit holds its H100 runs to; Llama 3.1 8B LoRA on one H100 at micro-batch
    1 was +37% while every GPU's matmuls were read at the A100's FLOPs per byte."""
    assert per_gpu_tokens_per_second(run) == pytest.approx(run["tokens_per_second"], rel=0.35)


def test_there_are_standard_stack_runs_to_check() -> None:
    assert sum("peak_memory_gib" in r for r in RUNS) >= 5
    assert any(r["gpu"] == "h100-80gb" and "tokens_per_second" in r for r in RUNS)


ALL_RUNS = read_data("measured_runs.toml")["runs"]
STACKED = [r for r in ALL_RUNS if "memory_tolerance" in r]
FITS = [r for r in ALL_RUNS if "fits_card_gb" in r]


@pytest.mark.parametrize("run", [pytest.param(r, id=r["id"]) for r in STACKED])
def test_a_named_stack_s_peak_is_within_its_stated_tolerance(run: dict[str, Any]) -> None:
    """torchtune's Llama 3.1 8B QLoRA on an RTX 4090 peaked at 7.4 GiB; with fp32 embeddings
    and LM head, fp32 adapters and fp32 logits everywhere the estimate was 13.6 GiB."""
    predicted = estimate_run(run).per_gpu_memory.peak_gib
    assert predicted == pytest.approx(measured_gib(run), rel=run["memory_tolerance"])


@pytest.mark.parametrize("run", [pytest.param(r, id=r["id"]) for r in FITS])
def test_the_qlora_paper_s_runs_fit_the_card_they_ran_on(run: dict[str, Any]) -> None:
    """65B on one 48 GB GPU and 33B on one 24 GB GPU, at the paper's settings: NF4 with double
    quantisation, bf16 adapters, embeddings and head, AdamW states paged to CPU memory."""
    est = estimate_run(run)
    card = load_catalogue().gpus[run["gpu"]]
    # the card as sold (its "GB" are GiB); the L40S reports 45.0 of its 48
    assert card.memory_gib == pytest.approx(run["fits_card_gb"], rel=0.07)
    assert est.fits_gpu
    assert est.single_gpu_memory.peak_gib <= usable_gib(card.memory_gib)


def test_paging_the_optimizer_is_what_fits_the_paper_s_65b() -> None:
    """The paper's third part: without paged AdamW the 65B's 6.0 GiB of adapter states would
    not leave room on the 48 GB card."""
    run = next(r for r in FITS if r["model"] == "llama-65b")
    assert estimate_run(run).fits_gpu
    assert not estimate_run({**run, "paged_optimizer": False}).fits_gpu


PAIRS = sorted({r["same_stack_pair"] for r in ALL_RUNS if "same_stack_pair" in r})


@pytest.mark.parametrize("pair", PAIRS)
def test_one_stack_s_h100_over_a100_speed_is_within_40_percent(pair: str) -> None:
    """The same code ran Llama 3.1 8B LoRA 1.80x faster on an H100 than on an A100, not the
    3.17x of their tensor-core peaks: the memory-bound work around the matmuls runs at the
    bandwidth, 1.64x. A ratio of two estimates, within 40% of the measured ratio."""
    rows = {r["gpu"]: r for r in ALL_RUNS if r.get("same_stack_pair") == pair}
    measured = rows["h100-80gb"]["tokens_per_second"] / rows["a100-80gb"]["tokens_per_second"]
    modelled = per_gpu_tokens_per_second(rows["h100-80gb"]) / per_gpu_tokens_per_second(
        rows["a100-80gb"]
    )
    assert modelled == pytest.approx(measured, rel=0.40)


SHAREGPT = Traffic(monthly_requests=0, input_tokens=220, output_tokens=200)
"""vLLM's ShareGPT benchmark requests: about 220 prompt and 200 output tokens on average."""
SERVING = [
    s
    for s in read_data("measured_runs.toml")["serving"]
    # bf16 weights under vLLM 0.5.4 at 320 concurrent prompts (FP8 weights, single streams and
    # the multi-step scheduler of 0.6 are other regimes)
    if s.get("weights") == "bf16" and s.get("engine") == "vllm 0.5.4"
]


@pytest.mark.parametrize("run", [pytest.param(s, id=s["id"]) for s in SERVING])
def test_self_hosting_throughput_within_40_percent(run: dict[str, Any]) -> None:
    """The serving roofline against vLLM's measured output tokens/s at high concurrency."""
    cat = load_catalogue()
    replica = replica_throughput(cat.models[run["model"]], cat.gpus[run["gpu"]], SHAREGPT)
    assert replica is not None
    tensor_parallel, _, requests_per_second = replica
    assert tensor_parallel == run["gpu_count"]
    predicted = requests_per_second * SHAREGPT.output_tokens
    assert predicted == pytest.approx(run["output_tokens_per_second"], rel=0.40)


def test_there_are_serving_measurements_to_check() -> None:
    assert len(SERVING) >= 2


@pytest.mark.parametrize(
    ("model", "gpu"), [("llama-65b", "l40s-48gb"), ("llama-33b", "rtx-4090-24gb")]
)
def test_a_qlora_plan_fits_the_paper_s_cards_at_its_settings(
    client: TestClient, model: str, gpu: str
) -> None:
    """Naming no stack, as a plan does: the standard stack (fp32 embeddings and adapters) with
    QLoRA's paged AdamW still fits both on one card; before paging was modelled, 49.8 GB and
    27.3 GB said they did not."""
    body = {"method": "qlora", "base_model": model, "gpu": gpu, "seq_len": 528}
    body |= {"micro_batch": 1, "lora_rank": 64}
    estimate = client.post("/api/v1/estimates/training", json=body).json()
    assert estimate["fits_gpu"] is True
    assert estimate["gpu_count"] == 1
