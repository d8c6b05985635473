"""The team's proposal costed with the recommendation's own cost model, side by side.

Both sides are priced by the same functions: training memory and layout
(`estimate_training`), GPU-hours and programme cost with their ranges, and serving
(`cost_block.model_serving`, the plan's own lines on the proposal's model). A proposal's GPUs
that cannot hold its run are priced on the fewest of that GPU that can (and said so), since a
run that does not fit costs nothing only on paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.cost_model.architecture import resolve_model
from app.cost_model.catalogue import GpuSpec, ModelSpec, load_catalogue
from app.cost_model.memory import usable_gib
from app.cost_model.methods import Method
from app.cost_model.ranges import Range
from app.cost_model.recipe import priced_recipe, request_for
from app.cost_model.serving import ServingCost
from app.cost_model.training import TrainingEstimate, TrainingRequest, estimate_training
from app.questions.proposal import Proposal
from app.rules.base.approaches import Approach
from app.rules.base.facts import Facts
from app.rules.base.pricing import examples_per_run, price, tenant_work, test_set_size
from app.rules.base.settings import plan_settings
from app.rules.decision.plan import Plan
from app.rules.economics.cost_block import SERIES_NAMES, CostBlock, model_serving


@dataclass(frozen=True, slots=True)
class Side:
    """One column of the comparison: an approach, its model, its training and its serving."""

    approach: Approach
    model: ModelSpec | None
    training: TrainingEstimate | None
    """The run as costed (None when nothing is trained)."""
    gpus_asked: int | None
    """GPUs per run the proposal asked for; None when not stated (or the recommendation)."""
    experiments_stated: bool
    asked_peak_gib: float | None
    """Peak memory per GPU on the GPUs asked for, when the run is costed on more of them."""
    programme_usd: Range
    """Training (or retrieval's build): the whole programme, expected within its range."""
    gpu_hours: Range | None
    serving: ServingCost
    timeline_weeks: tuple[int, int] | None

    @property
    def fits_asked(self) -> bool | None:
        """Whether the GPUs asked for hold the run; None when no count was asked or nothing is
        trained."""
        if self.training is None or self.gpus_asked is None:
            return None
        return self.gpus_asked >= self.training.gpu_count and self.training.fits_gpu_count

    @property
    def usable_gib(self) -> float | None:
        return None if self.training is None else usable_gib(self.training.request.gpu.memory_gib)


def _timeline(facts: Facts, approach: Approach, model: ModelSpec) -> tuple[int, int] | None:
    """The first row of 001's budget and timeline table that holds, with the weeks the further
    tenants add, as the plan picks it."""
    if not approach.fine_tunes:
        return None
    n, tenants = facts.answers.labelled_examples, facts.context.tenants
    row = plan_settings().project_timeline(approach.value, n, tenants, model.params_b)
    return None if row is None else row.weeks


def lora_family_need(
    facts: Facts, model: ModelSpec, gpu: GpuSpec, method: Method | None = None
) -> TrainingEstimate:
    """A LoRA run on `gpu` at the fewest cards that hold it: what 001's question "what's the
    actual GPU memory needed for a LoRA run on this model?" asks. `method` when the proposal
    is LoRA or QLoRA; else the lighter of the two."""
    methods = (method,) if method is not None else (Method.lora, Method.qlora)
    runs = [run_request(facts, m, model, gpu, None, 1) for m in methods]
    estimates = [estimate_training(r) for r in runs]
    return min(estimates, key=lambda e: (e.gpu_count, e.per_experiment_expected_usd))


def run_request(
    facts: Facts, method: Method, model: ModelSpec, gpu: GpuSpec, count: int | None, runs: int
) -> TrainingRequest:
    n, ctx = facts.answers.labelled_examples, facts.context
    tenant_runs, tenant_evaluations = tenant_work(ctx.tenants)
    per_run = examples_per_run(n, ctx.tenants)
    return request_for(
        method,
        model,
        gpu,
        priced_recipe(model, per_run, ctx.tokens_per_example),
        examples=per_run,
        tokens_per_example=ctx.tokens_per_example,
        experiments=runs,
        tenant_runs=tenant_runs,
        tenant_evaluations=tenant_evaluations,
        gpu_count=count,
        eval_examples=test_set_size(n),
    )


def proposal_model(proposal: Proposal, facts: Facts) -> ModelSpec:
    """The proposal's model, or the recommendation's when it names none ("not stated")."""
    if proposal.base_model is None and proposal.model_size_b is None:
        return facts.model
    return resolve_model(proposal.base_model, proposal.model_size_b)


def proposal_gpu(proposal: Proposal, facts: Facts, method: Method, model: ModelSpec) -> GpuSpec:
    """The GPU asked for, or (not stated) the cheapest catalogue GPU that holds the run."""
    if proposal.gpu is not None:
        return load_catalogue().gpus[proposal.gpu]
    ctx = facts.context
    n = facts.answers.labelled_examples
    return price(method, model, n, 1, ctx.tokens_per_example, ctx.tenants, None).cheapest.gpu


def cost_proposal(proposal: Proposal, facts: Facts, block: CostBlock) -> Side:
    approach = Approach(proposal.approach.value)
    model = proposal_model(proposal, facts)
    method = approach.method
    if method is None:
        return _untrained(approach, facts, block, model)
    gpu = proposal_gpu(proposal, facts, method, model)
    fewest = estimate_training(run_request(facts, method, model, gpu, None, 1)).gpu_count
    asked = proposal.gpu_count
    count = fewest if asked is None else max(asked, fewest)
    experiments = proposal.experiments
    if experiments is None:  # not stated: priced at the count the plan would set
        experiments = facts.shape(method).experiments(method, facts.answers.labelled_examples)
    est = estimate_training(run_request(facts, method, model, gpu, count, experiments))
    asked_peak = None
    if asked is not None and count != asked:
        at_asked = estimate_training(run_request(facts, method, model, gpu, asked, 1))
        asked_peak = at_asked.per_gpu_memory.peak_gib
    elif asked is not None and not est.fits_gpu_count:  # not even the most GPUs laid out hold it
        asked_peak = est.per_gpu_memory.peak_gib
    return Side(
        approach=approach,
        model=model,
        training=est,
        gpus_asked=asked,
        experiments_stated=proposal.experiments is not None,
        asked_peak_gib=asked_peak,
        programme_usd=est.total_usd,
        gpu_hours=est.gpu_hours_per_experiment.scale(est.runs),
        serving=model_serving(facts, model, SERIES_NAMES[approach]),
        timeline_weeks=_timeline(facts, approach, model),
    )


def _untrained(approach: Approach, facts: Facts, block: CostBlock, model: ModelSpec) -> Side:
    """Retrieval or no fine-tuning: priced as the recommendation's own line for it."""
    line = SERIES_NAMES[approach]
    cost = next(c for c in block.costs if c.name == line)
    on_model = facts.context.on_prem_required or block.rag_on_model
    return Side(
        approach=approach,
        model=model if on_model else None,
        training=None,
        gpus_asked=None,
        experiments_stated=True,
        asked_peak_gib=None,
        programme_usd=cost.build_usd,
        gpu_hours=None,
        serving=block.serving[line],
        timeline_weeks=None,
    )


def recommended_side(facts: Facts, plan: Plan, block: CostBlock) -> Side:
    """The recommendation's column: its plan's programme and its line's serving; with a
    complement, the combination's (combination.py: both parts' builds, one serving)."""
    primary = plan.approach
    line = SERIES_NAMES[primary]
    m = plan.method
    if m is None:
        return _untrained(primary, facts, block, facts.model)
    est = m.estimate
    hours = est.gpu_hours_per_experiment.scale(est.runs)
    if m.comparison is not None:
        first = m.comparison.estimate
        hours = hours + first.gpu_hours_per_experiment.scale(first.runs)
    programme = m.programme_range
    serving = block.serving[line]
    if block.combination is not None:
        programme, serving = block.combination.cost.build_usd, block.combination.serving
    elif not primary.fine_tunes:  # retrieval first, a fine-tuning complement beside it
        programme = programme + next(c for c in block.costs if c.name == line).build_usd
    return Side(
        approach=primary,
        model=facts.model,
        training=est,
        gpus_asked=None,
        experiments_stated=True,
        asked_peak_gib=None,
        programme_usd=programme,
        gpu_hours=hours,
        serving=serving,
        timeline_weeks=plan.timeline.weeks if plan.timeline is not None else None,
    )
