"""`python -m benchmarks.calibration`: the training model against what it is calibrated on.

Prints modelled against measured tokens/s (per GPU) for every LoRA and QLoRA run of
measured_runs.toml, standard stack first, and the seed cost checks of
../shared/spec/cost-checks.json through the estimate endpoint, so a change to the throughput
physics shows at a glance what it moved and whether the seeds' ranges still hold.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.cost_model.catalogue import read_data
from app.main import create_app
from tests.measured_runs import estimate_run, measured_gib, per_gpu_tokens_per_second

SPEC = Path(__file__).resolve().parents[1].parent / "shared" / "spec" / "cost-checks.json"


def runs_table() -> None:
    rows = [
        r
        for r in read_data("measured_runs.toml")["runs"]
        if r["method"] in {"lora", "qlora", "full"} and "tokens_per_second" in r
    ]
    rows.sort(key=lambda r: (not r["standard_stack"], r["method"], r["id"]))
    print(f"{'run':52} {'std':>3} {'measured':>9} {'model':>9} {'err':>6} {'mem':>6}")
    for r in rows:
        modelled = per_gpu_tokens_per_second(r)
        err = modelled / r["tokens_per_second"] - 1
        mem = ""
        if "peak_memory_gib" in r:
            peak = estimate_run(r).per_gpu_memory.peak_gib
            mem = f"{peak / measured_gib(r) - 1:+.0%}"
        std = "yes" if r["standard_stack"] else "no"
        print(
            f"{r['id']:52} {std:>3} {r['tokens_per_second']:9.0f} {modelled:9.0f} "
            f"{err:+6.0%} {mem:>6}"
        )


def _body(check: dict[str, Any]) -> dict[str, Any]:
    keys = ("method", "base_model", "model_size_b", "gpu", "examples")
    return {k: check[k] for k in keys if k in check}


def seed_table() -> None:
    os.environ["TUNEWISE_LOG_REQUESTS"] = "false"
    checks = json.loads(SPEC.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/calibration.sqlite3")
        with TestClient(create_app(settings)) as client:
            for section, field, bound in (
                ("training_programme_total_usd", "total_usd", "range"),
                ("per_experiment", "per_experiment_usd", "usd_range"),
                ("per_experiment", "gpu_hours_per_experiment", "gpu_hours_range"),
            ):
                for check in checks[section]:
                    if bound not in check:
                        continue
                    result = client.post("/api/v1/estimates/training", json=_body(check)).json()
                    low, high = check[bound]
                    value = float(result[field])
                    ok = "ok" if low <= value <= high else "OUT"
                    print(f"{check['id']:24} {field:26} {value:10.2f} in [{low}, {high}] {ok}")


if __name__ == "__main__":
    runs_table()
    print()
    seed_table()
