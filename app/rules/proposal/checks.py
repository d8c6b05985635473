"""The conditions of the proposal anti-patterns (data/proposal.toml), one per pattern id.

Each returns None when its pattern does not apply to this proposal, or the figures its
`detail` and `asks` texts print. They read the proposal costed by the cost model (`Side`), so
the memory and the prices a flag quotes are the ones in the side-by-side table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.cost_model.methods import Method
from app.cost_model.training import estimate_training
from app.questions import DataFreshness, Objective
from app.questions.proposal import Proposal, Stated
from app.rules.base.approaches import Approach
from app.rules.base.facts import Facts
from app.rules.base.pricing import test_set_size
from app.rules.base.settings import plan_settings
from app.rules.base.thresholds import fill
from app.rules.decision.latency_rules import judged
from app.rules.proposal.catalogue import ProposalCatalogue
from app.rules.proposal.cost import Side, lora_family_need, proposal_gpu, run_request
from app.vocabulary import words
from app.vocabulary.numbers import gigabytes, ms, usd

LORA_FAMILY = (Approach.lora, Approach.qlora)


@dataclass(frozen=True, slots=True)
class Review:
    """What a condition reads: the proposal, the request's facts and both costed sides."""

    proposal: Proposal
    facts: Facts
    proposed: Side
    recommended: Side
    catalogue: ProposalCatalogue


Figures = dict[str, str]
Condition = Callable[[Review], Figures | None]
CONDITIONS: dict[str, Condition] = {}


def condition(pattern_id: str) -> Callable[[Condition], Condition]:
    def register(fn: Condition) -> Condition:
        CONDITIONS[pattern_id] = fn
        return fn

    return register


STATED_WORDS = {Stated.no: "not run", Stated.not_stated: "not stated"}


@condition("proposal-full-without-lora-comparison")
def _full_without_comparison(r: Review) -> Figures | None:
    p, side = r.proposal, r.proposed
    if side.approach is not Approach.full_fine_tuning or p.lora_comparison_run is Stated.yes:
        return None
    if side.model is None:  # every trained side has one; nothing to compare without it
        return None
    gpu = proposal_gpu(p, r.facts, Method.lora, side.model)
    lora = estimate_training(run_request(r.facts, Method.lora, side.model, gpu, None, 1))
    return {
        "comparison": STATED_WORDS[p.lora_comparison_run],
        "model": side.model.name,
        "lora_run": usd(lora.per_experiment_usd.expected),
    }


@condition("proposal-gpus-sized-for-full")
def _sized_for_full(r: Review) -> Figures | None:
    side, asked = r.proposed, r.proposed.gpus_asked
    lora_is_the_approach = side.approach in LORA_FAMILY or r.recommended.approach in LORA_FAMILY
    if side.training is None or side.model is None or asked is None or not lora_is_the_approach:
        return None
    gpu = side.training.request.gpu
    own = side.training.request.method if side.approach in LORA_FAMILY else None
    need = lora_family_need(r.facts, side.model, gpu, own)
    small = side.model.params_b < r.catalogue.multi_gpu_min_params_b
    if asked <= need.gpu_count and not (asked > 1 and small and need.fits_gpu):
        return None
    return {
        "asked": words.gpus(gpu.id, asked),
        "method": words.method(need.request.method.value),
        "model": side.model.name,
        "memory": gigabytes(need.per_gpu_memory.peak_gib),
        "needed": words.gpus(gpu.id, need.gpu_count),
    }


@condition("proposal-gpus-do-not-hold-run")
def _do_not_hold(r: Review) -> Figures | None:
    """Silent when the GPUs are sized for full fine-tuning where LoRA is the approach: the fix
    is then the method, not more GPUs."""
    side, asked = r.proposed, r.proposed.gpus_asked
    usable, peak = side.usable_gib, side.asked_peak_gib
    if side.training is None or side.model is None or asked is None or side.fits_asked:
        return None
    if usable is None or peak is None or _sized_for_full(r) is not None:
        return None
    run = side.training.request
    needed, priced = words.gpus(run.gpu.id, side.training.gpu_count), ", priced here"
    if not side.training.fits_gpu_count:  # past the most GPUs the cost model lays a run over
        needed = f"more than {needed}"
        priced = f"; the cost here is at {side.training.gpu_count}, a floor"
    return {
        "method": words.method(run.method.value),
        "model": side.model.name,
        "memory": gigabytes(peak),
        "asked": words.gpus(run.gpu.id, asked),
        "usable": gigabytes(usable),
        "needed": needed,
        "priced": priced,
    }


@condition("proposal-unbounded-experiments")
def _unbounded(r: Review) -> Figures | None:
    """No count stated, or one of an unbounded search (001's "100+ runs"): a stated count
    between the typical maximum and that is bounded, and `notes` says it instead."""
    side, stated = r.proposed, r.proposal.experiments
    bounds = plan_settings().experiments
    bounded = stated is not None and stated < r.catalogue.unbounded_experiments
    if side.training is None or bounded:
        return None
    said = (
        "The proposal states no experiment count."
        if stated is None
        else f"The proposal plans {stated:,} runs, an open-ended search "
        f"({r.catalogue.unbounded_experiments:,} or more) rather than the typical "
        f"{bounds['min']} to {bounds['max']}."
    )
    return {
        "stated": said,
        "per_run": usd(side.training.per_experiment_usd.expected),
        "fewest": str(bounds["min"]),
        "most": str(bounds["max"]),
    }


@condition("proposal-full-as-primary-path")
def _full_first(r: Review) -> Figures | None:
    full = Approach.full_fine_tuning
    if r.proposed.approach is not full or r.recommended.approach is full:
        return None
    return {"recommended": words.approach_in_sentence(r.recommended.approach.value)}


@condition("proposal-no-locked-test-set")
def _no_test_set(r: Review) -> Figures | None:
    stated = r.proposal.locked_test_set
    if stated is Stated.yes:
        return None
    return {
        "stated": STATED_WORDS[stated],
        "test_set": f"{test_set_size(r.facts.answers.labelled_examples):,}",
    }


@condition("proposal-model-too-large-for-inference")
def _too_large(r: Review) -> Figures | None:
    """The proposal's larger model misses the latency target where the recommendation's meets
    it, or needs more GPUs per replica to serve (a cluster where one card did)."""
    side, ours = r.proposed, r.recommended
    if side.model is None or ours.model is None or side.model.params_b <= ours.model.params_b:
        return None
    if not (side.approach.fine_tunes or r.facts.context.on_prem_required):
        return None
    target = r.facts.answers.latency_p99_ms
    ctx = r.facts.context
    theirs, mine = judged(side.model, ctx, target), judged(ours.model, ctx, target)
    figures = {"model": side.model.name, "recommended_model": ours.model.name}
    if theirs is not None and mine is not None:
        slow, fast = theirs.estimate.p99_ms, mine.estimate.p99_ms
        if slow.low > target and fast.expected <= target:
            return figures | {
                "why": f"answers in about {ms(slow.expected)} ({theirs.basis()}), beyond the "
                f"{target:,} ms target",
                "recommended_why": f"takes about {ms(fast.expected)}",
            }
    big, small = side.serving.self_host, ours.serving.self_host
    if big is None or small is None or big.tensor_parallel <= small.tensor_parallel:
        return None
    return figures | {
        "why": f"needs {words.gpus(big.gpu, big.tensor_parallel)} working as one to serve "
        "each replica",
        "recommended_why": f"is served on {words.gpus(small.gpu, small.tensor_parallel)}",
    }


def notes(r: Review, *, switched: bool = False) -> tuple[str, ...]:
    """What the review says beside the verdict without asking for a change: a stated
    experiment count above the typical 10 to 30 that is still bounded, priced per run on the
    proposal's plan, or on the recommendation's once the team is asked to switch to it."""
    stated = r.proposal.experiments
    training = r.proposed.training
    if switched and r.recommended.training is not None:
        training = r.recommended.training
    bounds = plan_settings().experiments
    if r.proposed.training is None or training is None or stated is None:
        return ()
    if not bounds["max"] < stated < r.catalogue.unbounded_experiments:
        return ()
    per_run = training.per_experiment_usd.expected
    figures = {
        "stated": f"{stated:,}",
        "fewest": str(bounds["min"]),
        "most": str(bounds["max"]),
        "per_run": usd(per_run),
        "total": usd(per_run * stated),
    }
    return (fill(r.catalogue.notes.experiments_above_typical, figures),)


CHANGING_FACTS = {
    DataFreshness.realtime: "in real time",
    DataFreshness.daily: "daily",
    DataFreshness.weekly: "weekly",
}
"""Facts changing this often are out of date before a retraining run ships (004: 'your catalog
will be out of date the moment you ship the adapter')."""


@condition("proposal-fine-tuning-for-facts")
def _for_facts(r: Review) -> Figures | None:
    """A proposal that fine-tunes when the objective is facts alone, or facts that change
    daily or weekly: 004's pattern that fails, whatever else the proposal gets right."""
    answers = r.facts.answers
    if not r.proposed.approach.fine_tunes or answers.objective is Objective.behaviour:
        return None
    changes = CHANGING_FACTS.get(answers.data_freshness)
    if answers.objective is not Objective.knowledge and changes is None:
        return None
    what = "facts" if changes is None else f"facts that change {changes}"
    why = (
        "Fine-tuning does not add reliable new knowledge to a model."
        if changes is None
        else f"An adapter trained on facts that change {changes} is out of date when it ships."
    )
    return {
        "method": words.approach_in_sentence(r.proposed.approach.value),
        "what": what,
        "why": why,
    }
