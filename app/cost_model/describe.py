"""A training estimate as a JSON-ready document with every assumption spelled out."""

from __future__ import annotations

from typing import Any

from app.cost_model import COST_MODEL_VERSION
from app.cost_model.catalogue import load_catalogue
from app.cost_model.recipe_build import build_recipe
from app.cost_model.training import TrainingEstimate


def describe_training(est: TrainingEstimate) -> dict[str, Any]:
    req = est.request
    return {
        "method": req.method.value,
        "model": {
            "id": req.model.id,
            "params_b": req.model.params_b,
            "active_params_b": round(req.model.active_params_b, 2),
            "experts": req.model.experts,
            "experts_per_token": req.model.experts_per_token,
            "source": req.model.source,
        },
        "gpu": {
            "id": req.gpu.id,
            "memory_gb": req.gpu.memory_gib,
            "usd_per_hour": req.gpu.usd_per_hour,
            "price_as_of": req.gpu.price_as_of,
        },
        "peak_memory_gb": round(est.peak_memory_gib.expected, 2),
        "peak_memory_gb_range": est.peak_memory_gib.as_dict(2),
        "peak_memory_per_gpu_gb": round(est.per_gpu_memory.peak_gib, 2),
        "fits_gpu": est.fits_gpu,
        "gpu_count": est.gpu_count,
        "fits_gpu_count": est.fits_gpu_count,
        "micro_batch": est.micro_batch,
        "epochs": est.epochs,
        "tokens_per_second": round(est.run.tokens_per_second, 1),
        "tokens_trained": round(est.run.tokens_trained),
        "gpu_hours_per_experiment": round(est.gpu_hours_per_experiment.expected, 3),
        "gpu_hours_per_experiment_range": est.gpu_hours_per_experiment.as_dict(3),
        "per_experiment_usd": round(est.per_experiment_usd.expected, 2),
        "per_experiment_usd_range": est.per_experiment_usd.as_dict(2),
        "experiments": req.experiments,
        "runs": est.runs,
        "total_usd": round(est.total_usd.expected, 2),
        "total_usd_range": est.total_usd.as_dict(2),
        "memory_breakdown": [
            {"component": c.name, "gb": round(c.gib, 3), "assumption": c.assumption}
            for c in est.single_gpu_memory.components
        ],
        "time_breakdown": [
            {"component": c.name, "hours": round(c.hours, 4), "assumption": c.assumption}
            for c in est.run.components
        ],
        "assumptions": dict(est.assumptions),
        "units": "GB here are GiB (2^30 bytes), the unit nvidia-smi and torch report",
        "recipe": build_recipe(est).model_dump(mode="json"),
        "cost_model_version": COST_MODEL_VERSION,
        "catalogue_version": load_catalogue().version,
    }
