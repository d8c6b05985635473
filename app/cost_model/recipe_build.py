"""The recipe of one priced run, built from the `TrainingEstimate` the reader sees.

Everything the cost model priced (sequence length, packing, micro-batch, accumulation,
checkpointing, rank, epochs, quantisation, sharding, the test set) is read back from the
estimate's own request and layout, never chosen again here, so the recipe and the figures
cannot drift apart. The values that do not move the figures (learning rate, schedule, alpha,
dropout, the grid) come from data/recipe.toml.
"""

from __future__ import annotations

from app.cost_model.constants import load_constants
from app.cost_model.methods import Method, Precision
from app.cost_model.recipe import (
    full_learning_rate,
    hf_model_id,
    learning_rate,
    load_recipe_data,
)
from app.cost_model.recipe_model import (
    GridStep,
    LoraSettings,
    Quantisation,
    Recipe,
    RecipeValue,
    Sharding,
)
from app.cost_model.recipe_words import recipe_values
from app.cost_model.training import TrainingEstimate

PRICED = (
    "The memory, tokens per second, GPU-hours and cost shown for this run are computed from "
    "exactly these values: its sequence length and packing, micro-batch and accumulation, "
    "gradient checkpointing, LoRA rank and targets, epochs, quantisation and sharding."
)


def _lora(est: TrainingEstimate) -> LoraSettings | None:
    req = est.request
    if req.method is Method.full:
        return None
    rank = load_recipe_data().section("rank")
    model = req.model
    if model.is_moe:
        moe = load_recipe_data().section("moe")
        modules: str | tuple[str, ...] = tuple(moe["attention_modules"])
        parameters = tuple(moe["expert_parameters"])
        targets = (
            f"attention and every one of the {model.experts} experts' projections in each "
            "layer; the router stays frozen"
        )
    else:
        modules, parameters = "all-linear", ()
        targets = "all linear layers: attention and MLP"
    return LoraSettings(
        rank=req.lora_rank,
        alpha=int(rank["alpha"]),
        dropout=float(rank["dropout"]),
        target_modules=modules,
        target_parameters=parameters,
        targets=targets,
    )


def _quantisation(method: Method) -> Quantisation | None:
    if method is not Method.qlora:
        return None
    q = load_recipe_data().section("quantisation")
    return Quantisation(
        quant_type=q["quant_type"],
        double_quant=bool(q["double_quant"]),
        compute_dtype=q["compute_dtype"],
    )


def _sharding(gpus: int) -> Sharding | None:
    if gpus <= 1:
        return None
    s = load_recipe_data().section("sharding")
    return Sharding(strategy=s["strategy"], zero_stage=int(s["zero_stage"]), gpus=gpus)


def experiment_grid(experiments: int, lr: float, tenant_runs: int = 0) -> tuple[GridStep, ...]:
    """The bounded runs in order: a learning-rate sweep, curated data revisions at the best
    rate, seed repeats of the best setting, then one run per further tenant."""
    g = load_recipe_data().section("grid")
    factors = [float(f) for f in g["learning_rate_factors"]][:experiments]
    sweep = len(factors)
    seeds = min(int(g["seed_repeats"]), max(0, experiments - sweep))
    data = experiments - sweep - seeds
    steps = [
        GridStep(
            first_run=1,
            last_run=sweep,
            varies="the learning rate, "
            + ", ".join(f"{lr * f:.2g}" for f in factors)
            + "; everything else as in this recipe",
            learning_rates=tuple(float(f"{lr * f:.2g}") for f in factors),
        )
    ]
    if data:
        steps.append(
            GridStep(
                first_run=sweep + 1,
                last_run=sweep + data,
                varies="the training data: each run trains on the next curated revision of the "
                "training set (errors fixed, weak examples replaced) at the best learning rate "
                "so far",
            )
        )
    if seeds:
        steps.append(
            GridStep(
                first_run=experiments - seeds + 1,
                last_run=experiments,
                varies="the random seed only: the best setting repeated, to see how much of a "
                "difference is noise",
            )
        )
    if tenant_runs:
        steps.append(
            GridStep(
                first_run=experiments + 1,
                last_run=experiments + tenant_runs,
                varies="the tenant: one final run per further tenant's adapter, on its own "
                "data, with the chosen settings",
            )
        )
    return tuple(steps)


def build_recipe(est: TrainingEstimate, *, test_set_examples: int | None = None) -> Recipe:
    """The recipe of `est`'s run; the locked test set is the request's unless given."""
    req, data = est.request, load_recipe_data()
    model, method = req.model, req.method
    lr_section = data.section("learning_rate")
    lr = learning_rate(method, model)
    files = data.files
    recipe = Recipe(
        method=method.value,
        base_model=model.id,
        base_model_name=model.name,
        hf_model_id=hf_model_id(model),
        gpu=req.gpu.id,
        gpu_count=est.gpu_count,
        sequence_length=req.seq_len,
        packing=req.packing,
        micro_batch=est.micro_batch,
        gradient_accumulation_steps=req.gradient_accumulation_steps,
        effective_batch_sequences=est.micro_batch * req.gradient_accumulation_steps * est.gpu_count,
        gradient_checkpointing=req.gradient_checkpointing,
        epochs=est.epochs,
        learning_rate=lr,
        lr_scheduler=str(lr_section["scheduler"]),
        warmup_ratio=float(lr_section["warmup_ratio"]),
        max_grad_norm=float(lr_section["max_grad_norm"]),
        weight_decay=float(lr_section["weight_decay"]),
        optimizer=str(data.section("optimizer")[method.value]),
        precision="bf16_mixed_fp32_master"
        if method is Method.full and req.precision is Precision.mixed
        else "bf16",
        lora=_lora(est),
        quantisation=_quantisation(method),
        sharding=_sharding(est.gpu_count),
        examples=req.examples,
        tokens_per_example=req.tokens_per_example,
        test_set_examples=req.eval_examples if test_set_examples is None else test_set_examples,
        eval_max_new_tokens=int(load_constants().get("eval_output_tokens")),
        experiments=req.experiments,
        grid=experiment_grid(req.experiments, lr, req.tenant_runs),
        dataset_format=files["dataset_format"],
        train_file=files["train_file"],
        test_file=files["test_file"],
        output_dir=files["output_dir"],
        libraries=data.libraries,
        recipe_version=data.version,
        recipe_as_of=data.as_of,
        values=(),
        priced=PRICED,
    )
    words: tuple[RecipeValue, ...] = recipe_values(recipe, est, full_learning_rate(model))
    return recipe.model_copy(update={"values": words})
