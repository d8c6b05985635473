"""The published, measured fine-tuning runs of the standard stack (PyTorch + transformers +
PEFT/bitsandbytes) and the cost model's estimate of each at the run's exact settings. Shared by
the measured-runs check and the QLoRA speed calibration.

A helper module, not a test module (tests/test_architecture.py holds that no test module
imports another).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.cost_model.catalogue import load_catalogue, read_data
from app.cost_model.memory import GIB
from app.cost_model.methods import LORA_TARGETS, Method, Precision, Stack
from app.cost_model.training import TrainingRequest, estimate_training

TARGETS = {
    "all-linear": LORA_TARGETS,
    "q,v": ("q_proj", "v_proj"),
    "q,k,v": ("q_proj", "k_proj", "v_proj"),
    "q,k,v,o": ("q_proj", "k_proj", "v_proj", "o_proj"),
}
"""The LoRA target sets the data file names, as the modules they adapt."""

RUNS = [
    r
    for r in read_data("measured_runs.toml")["runs"]
    if r["standard_stack"] and r["quality"] != "low"
]
"""The standard stack's runs of good quality: the ones held to the general tolerances."""


def estimate_run(run: dict[str, Any]) -> Any:
    """The cost model's training estimate for a measured run's exact settings."""
    cat = load_catalogue()
    return estimate_training(
        TrainingRequest(
            method=Method(run["method"]),
            model=cat.models[run["model"]],
            gpu=cat.gpus[run["gpu"]],
            seq_len=run["seq_len"],
            micro_batch=run["micro_batch"],
            gradient_checkpointing=run["gradient_checkpointing"],
            lora_rank=run.get("lora_rank", 16),
            lora_targets=TARGETS[run.get("lora_targets", "all-linear")],
            precision=Precision(run.get("precision", "mixed")),
            gpu_count=run.get("gpu_count", 1),
            stack=Stack(run.get("stack", "peft")),
            paged_optimizer=run.get("paged_optimizer", False),
        )
    )


def per_gpu_tokens_per_second(run: dict[str, Any]) -> float:
    """The modelled tokens per second of one of the run's GPUs."""
    est = estimate_run(run)
    return float(est.run.tokens_per_second / est.gpu_count)


def tps_param(run: dict[str, Any], tolerance: float) -> Any:
    """A row as a test case; a row whose recorded known gap exceeds `tolerance` is a strict
    xfail, so the day the model closes the gap the test says so and the row gets updated."""
    gap = run.get("known_tps_error")
    if gap is not None and abs(gap) > tolerance:
        reason = f"known gap {gap:+.0%}: {run['known_gap']}"
        return pytest.param(run, id=run["id"], marks=pytest.mark.xfail(strict=True, reason=reason))
    return pytest.param(run, id=run["id"])


def measured_gib(run: dict[str, Any]) -> float:
    """The published peak in GiB (decimal-GB figures converted)."""
    value = float(run["peak_memory_gib"])
    return value * 1e9 / GIB if run.get("memory_unit") == "GB" else value
