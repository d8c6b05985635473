"""The recipe's values in words: each with why it was chosen, with this plan's figures, and the
source it rests on (data/recipe.toml's and constants.toml's own source lines)."""

from __future__ import annotations

from app.cost_model.constants import load_constants
from app.cost_model.recipe import load_recipe_data
from app.cost_model.recipe_model import Recipe, RecipeValue
from app.cost_model.training import TrainingEstimate

OPTIMISER_WORDS = {
    "adamw_torch": "AdamW, 32-bit states",
    "paged_adamw_32bit": "paged AdamW, 32-bit states",
}


def _value(name: str, label: str, value: str, why: str, source: str) -> RecipeValue:
    return RecipeValue(name=name, label=label, value=value, why=why, source=source)


def _sequence(r: Recipe) -> list[RecipeValue]:
    data, c = load_recipe_data(), load_constants()
    seq = data.section("sequence")
    src = data.source("sequence")
    share = float(seq["pack_at_most_share"])
    useful = c.get("packing_efficiency" if r.packing else "padding_efficiency")
    length_why = (
        f"at least {int(seq['min_length']):,} tokens, with room for an example "
        f"{float(seq['headroom']):g} times the average of {r.tokens_per_example:,} tokens, "
        "rounded up to a power of two (and never past the model's context window)"
    )
    if r.packing:
        pack_why = (
            f"an average example ({r.tokens_per_example:,} tokens) fills at most "
            f"{share:.0%} of a sequence, so several share one; about {useful:.0%} of the "
            "processed tokens are then real ones"
        )
    else:
        pack_why = (
            f"an average example ({r.tokens_per_example:,} tokens) fills more than {share:.0%} "
            "of a sequence, so examples are not packed: each micro-batch is padded to its "
            f"longest example, and about {useful:.0%} of the processed tokens are real ones"
        )
    return [
        _value(
            "sequence_length", "Sequence length", f"{r.sequence_length:,} tokens", length_why, src
        ),
        _value("packing", "Packing", "on" if r.packing else "off", pack_why, src),
    ]


def _batch(r: Recipe, est: TrainingEstimate) -> list[RecipeValue]:
    data = load_recipe_data()
    given = est.request.micro_batch is not None
    mb_why = (
        "as given"
        if given
        else "the larger of 2 and 1 sequences per GPU that fits "
        + (f"{r.gpu_count} x " if r.gpu_count > 1 else "one ")
        + f"{est.request.gpu.name} with the rest of the run (peak "
        f"{est.per_gpu_memory.peak_gib:,.1f}".removesuffix(".0")
        + " GiB per GPU)"
    )
    accum = r.gradient_accumulation_steps
    plural = "s" if r.effective_batch_sequences > 1 else ""
    step_why = (
        "one optimiser step per micro-batch"
        if accum == 1
        else f"one optimiser step every {accum} micro-batches"
    ) + f": {r.effective_batch_sequences} sequence{plural} a step"
    if r.method != "full":
        step_why += (
            ". Keep it small: LoRA is less tolerant of large batches than full fine-tuning, so "
            "raise the batch only with evidence"
        )
    return [
        _value(
            "micro_batch", "Micro-batch", f"{r.micro_batch} per GPU", mb_why, data.source("batch")
        ),
        _value(
            "gradient_accumulation_steps",
            "Gradient accumulation",
            str(r.gradient_accumulation_steps),
            step_why,
            data.source("batch"),
        ),
        _value(
            "gradient_checkpointing",
            "Gradient checkpointing",
            "on" if r.gradient_checkpointing else "off",
            "each block keeps only its input and recomputes the rest in the backward pass: one "
            "more forward pass, counted in the time, for far less activation memory"
            if r.gradient_checkpointing
            else "every block keeps its activations: faster, and the memory shown counts them",
            "Chen et al. 2016, 'Training Deep Nets with Sublinear Memory Cost'",
        ),
    ]


def _adapters(r: Recipe) -> list[RecipeValue]:
    if r.lora is None:
        return []
    data = load_recipe_data()
    rank = data.section("rank")
    limit, _ = rank["steps"][0]
    lora = r.lora
    rank_why = (
        f"{r.examples:,} examples a run: rank {lora.rank} is chosen by the size of the data "
        f"(16 up to {int(limit):,} examples, more beyond), because a low rank follows full "
        "fine-tuning until the data outgrows the adapter's capacity"
    )
    return [
        _value("lora_rank", "LoRA rank", str(lora.rank), rank_why, data.source("rank")),
        _value(
            "lora_targets",
            "Adapters on",
            lora.targets,
            "adapting every linear layer, the MLP (and a mixture of experts' experts) as well as "
            "attention, is what lets LoRA match full fine-tuning; attention alone falls short",
            data.source("rank"),
        ),
        _value(
            "lora_alpha",
            "LoRA alpha and dropout",
            f"alpha {lora.alpha}, dropout {lora.dropout:g}",
            "a fixed alpha of 32 keeps the best learning rate about the same whatever the rank",
            data.source("rank"),
        ),
    ]


def _optimisation(r: Recipe, full_lr: float) -> list[RecipeValue]:
    data = load_recipe_data()
    lr_why = (
        f"full fine-tuning's {full_lr:g} for a model of this size"
        + (
            ""
            if r.method == "full"
            else f", times {float(data.section('learning_rate')['lora_multiplier']):g}: "
            "LoRA's best learning rate is about ten times full fine-tuning's"
        )
        + f"; a constant schedule after a {r.warmup_ratio:.0%} warm-up, gradients clipped at "
        f"{r.max_grad_norm:g}"
    )
    opt_why = (
        "32-bit AdamW states (16 bytes a trainable parameter with its gradient), as the "
        "memory estimate counts them"
        + (
            "; paged to CPU memory during a spike instead of failing the run"
            if r.optimizer.startswith("paged")
            else ""
        )
    )
    return [
        _value(
            "learning_rate",
            "Learning rate",
            f"{r.learning_rate:g}",
            lr_why,
            data.source("learning_rate"),
        ),
        _value(
            "optimizer",
            "Optimiser",
            OPTIMISER_WORDS.get(r.optimizer, r.optimizer),
            opt_why,
            data.source("optimizer"),
        ),
    ]


def _weights(r: Recipe) -> list[RecipeValue]:
    data = load_recipe_data()
    found: list[RecipeValue] = []
    if r.quantisation is not None:
        found.append(
            _value(
                "quantisation",
                "Quantisation",
                "4-bit NF4, double quantisation, bf16 compute",
                "the frozen base is stored in 4 bits (about 4.1 bits a parameter with its "
                "constants), which is why the run fits where LoRA's 16-bit base would not",
                data.source("quantisation"),
            )
        )
    if r.sharding is not None:
        found.append(
            _value(
                "sharding",
                "Sharding",
                f"FSDP full sharding (ZeRO stage {r.sharding.zero_stage}) over "
                f"{r.sharding.gpus} GPUs",
                "the run does not fit one GPU, so weights, gradients and optimiser states are "
                "split across the GPUs, one transformer block gathered at a time",
                data.source("sharding"),
            )
        )
    return found


def _programme(r: Recipe, est: TrainingEstimate) -> list[RecipeValue]:
    data, c = load_recipe_data(), load_constants()
    return [
        _value(
            "epochs",
            "Epochs",
            f"{r.epochs:g}",
            f"{r.epochs:g} passes over {r.examples:,} examples: "
            f"{est.tokens_trained:,.0f} tokens trained a run",
            c.table["epochs"].source,
        ),
        _value(
            "evaluation",
            "Evaluation",
            f"the locked test set of {r.test_set_examples:,} examples, once at the end of "
            "every run",
            f"the fine-tuned model and the un-fine-tuned base each answer every test example "
            f"(up to {r.eval_max_new_tokens} tokens) and are scored by the same criteria; "
            "checkpoints are saved every epoch, and no checkpoint is picked by its test score",
            data.source("evaluation"),
        ),
        _value(
            "grid",
            "Experiment grid",
            f"{r.experiments} runs",
            "; ".join(f"runs {s.first_run} to {s.last_run}: {s.varies}" for s in r.grid),
            data.source("grid"),
        ),
    ]


def recipe_values(r: Recipe, est: TrainingEstimate, full_lr: float) -> tuple[RecipeValue, ...]:
    """Every value of the recipe in words, in the order a trainer sets them."""
    return (
        *_sequence(r),
        *_batch(r, est),
        *_adapters(r),
        *_optimisation(r, full_lr),
        *_weights(r),
        *_programme(r, est),
    )
