"""QLoRA's modelled speed against published runs of the standard stack, on one GPU and sharded.

The flat 1.75x slowdown the model used to apply put these runs 43-64% too slow; QLoRA now
runs LoRA's matmuls at a slightly lower utilisation plus a dequantisation paid per micro-batch,
its utilisation rising with the model's width, and sharded over GPUs at LoRA's utilisation with
a 4-bit all-gather (app/cost_model/throughput.py). These tests hold that calibration: tighter
than the general measured-runs check (35% on tokens/s, 25% on memory), and on the QLoRA-to-LoRA
time ratio the Qwen team measured on one card, which a return to a flat factor would break.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.cost_model.catalogue import read_data
from tests.measured_runs import (
    RUNS,
    estimate_run,
    measured_gib,
    per_gpu_tokens_per_second,
    tps_param,
)

QLORA = [r for r in RUNS if r["method"] == "qlora" and "seq_len" in r]
QLORA_ONE_GPU = [r for r in QLORA if r["gpu_count"] == 1]
BY_ID = {r["id"]: r for r in read_data("measured_runs.toml")["runs"]}


def test_there_are_published_qlora_runs_from_7b_to_72b() -> None:
    sizes = {r["model"] for r in QLORA_ONE_GPU if "tokens_per_second" in r}
    assert {"qwen-7b", "qwen-14b", "qwen-72b", "mistral-7b"} <= sizes


@pytest.mark.parametrize("run", [tps_param(r, 0.35) for r in QLORA if "tokens_per_second" in r])
def test_qlora_tokens_per_second_within_35_percent(run: dict[str, Any]) -> None:
    assert per_gpu_tokens_per_second(run) == pytest.approx(run["tokens_per_second"], rel=0.35)


@pytest.mark.parametrize(
    "run", [pytest.param(r, id=r["id"]) for r in QLORA if "peak_memory_gib" in r]
)
def test_qlora_peak_memory_within_25_percent(run: dict[str, Any]) -> None:
    predicted = estimate_run(run).per_gpu_memory.peak_gib
    assert predicted == pytest.approx(measured_gib(run), rel=0.25)


QWEN_PAIRS = [
    pytest.param(size, seq, id=f"qwen-{size}-seq{seq}")
    for size in ("7b", "14b")
    for seq in (1024, 2048, 4096)
]


@pytest.mark.parametrize(("size", "seq"), QWEN_PAIRS)
def test_qwen_qlora_over_lora_time_ratio_within_30_percent(size: str, seq: int) -> None:
    """Same model, card, sequence and adapters: only the 4-bit base differs. Measured 1.15x to
    1.86x, falling as the micro-batch grows; the old flat factor said about 1.9x throughout."""
    lora = BY_ID[f"qwen-readme-qwen-{size}-lora-s{seq}-a100"]
    qlora = BY_ID[f"qwen-readme-qwen-{size}-qlora-s{seq}-a100"]
    measured = lora["tokens_per_second"] / qlora["tokens_per_second"]
    modelled = per_gpu_tokens_per_second(lora) / per_gpu_tokens_per_second(qlora)
    assert modelled == pytest.approx(measured, rel=0.30)


def test_sharded_qlora_runs_are_checked() -> None:
    """fms-acceleration's 2-GPU rows are what showed FSDP over-penalising 4-bit weights."""
    assert sum(r["gpu_count"] > 1 and "tokens_per_second" in r for r in QLORA) >= 3


def test_qlora_overhead_fades_as_the_micro_batch_grows() -> None:
    """The dequantisation is paid per micro-batch, so longer micro-batches hide more of it."""
    ratios = [
        per_gpu_tokens_per_second(BY_ID[f"qwen-readme-qwen-7b-lora-s{seq}-a100"])
        / per_gpu_tokens_per_second(BY_ID[f"qwen-readme-qwen-7b-qlora-s{seq}-a100"])
        for seq in (1024, 2048, 4096)
    ]
    assert ratios == sorted(ratios, reverse=True)
    assert ratios[-1] < 1.25
