"""The recommendation as typed, frozen values: what the engine returns and the API documents.

These models are the one description of a result. `recommend()` builds them; the API declares
them as its response model (so /openapi.json documents every field); the results page, the PDF,
the store and the CLI read their attributes. Canonical JSON bytes are made once, at the edge,
from `model_dump(mode="json")`. Field names are the JSON keys integrators already use; money is
in US dollars, memory in GiB, time in hours or weeks as each field says.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.cost_model.ranges import Range
from app.cost_model.recipe_model import Recipe
from app.questions import Answers, Context
from app.questions.models import UnsureQuestion
from app.rules.base.approaches import Approach
from app.rules.base.requirements import Must

_FROZEN = ConfigDict(frozen=True, extra="ignore")
"""Frozen like the rest of the core; unknown keys are ignored when a stored result written by a
newer version is read back (its figures are re-made from its inputs when they matter)."""

Usd = Annotated[float, Field(description="US dollars, rounded to cents")]
CostLine = Annotated[
    str,
    Field(
        description="a line of the cost comparison: `api` (the reference frontier API, no "
        "fine-tuning: the status quo), `base` (the plan's open model prompted without "
        "fine-tuning), `rag`, `lora`, `qlora`, `full_fine_tuning`, `managed` (a managed "
        "fine-tuning service) or `recommended` (the recommendation with its complements as one "
        "option, present only when it has a complement)"
    ),
]
AnswerValue = str | int | float | bool


class Result(BaseModel):
    model_config = _FROZEN


# A range and its drivers (ranges.py); re-exported, as every result module reads them here.
from app.rules.result.ranges import Driver as Driver  # noqa: E402
from app.rules.result.ranges import UsdRange as UsdRange  # noqa: E402


class MsRange(Result):
    """A time in milliseconds with the uncertainty of its constants: low, expected and high."""

    low: float = Field(description="milliseconds, the low estimate")
    expected: float = Field(description="milliseconds, the expected estimate")
    high: float = Field(description="milliseconds, the high estimate")

    @classmethod
    def of(cls, r: Range) -> MsRange:
        return cls(low=round(r.low), expected=round(r.expected), high=round(r.high))


class Confidence(Result):
    level: Literal["low", "medium", "high"] = Field(
        description="from the margin between the first two eligible approaches, lowered one "
        'step per answer given as "I\'m not sure"'
    )
    margin: int | None = Field(
        description="points between the recommendation and the runner-up; negative when a "
        "must of the policy chose an approach that trailed on points; null when the "
        "recommendation is the only eligible approach"
    )
    runner_up: Approach | None = Field(description="the second eligible approach, if any")
    explanation: str = Field(description="the level in words, for a person")
    lowered_by: tuple[UnsureQuestion, ...] = Field(
        (),
        description='the questions answered "I\'m not sure" that lowered it: those where '
        "another likely answer would change the recommendation",
    )
    misses_latency_target: bool = Field(
        default=False,
        description="the recommendation's own serving misses the p99 target, so it is not high",
    )


class Assumption(Result):
    """An answer given as "I'm not sure", replaced by its documented conservative default."""

    question: UnsureQuestion
    value: int | float = Field(description="the default used, in the question's unit")
    note: str = Field(description="why this default stands in")


class RankedApproach(Result):
    rank: int = Field(ge=1, le=5, description="1 is the recommendation")
    approach: Approach
    label: str = Field(description="the approach in words")
    eligible: bool = Field(description="no rule excludes it")
    primary_eligible: bool = Field(
        description="it may be the recommendation (some approaches are eligible only beside "
        "another, for example fine-tuning when citations are required)"
    )
    score: int = Field(description="the sum of the points the fired rules give it")
    why: str = Field(description="why it won, lost or was ruled out, in words")


class FiredRule(Result):
    id: str = Field(description="the rule's stable id in the rule catalogue (GET /api/v1/rules)")
    effect: str = Field(description="what the rule did to the approaches")
    reason: str = Field(description="the reason, for a person, with this case's figures")
    source: str = Field(description="the source document and passage the rule comes from")


class Counterfactual(Result):
    change: dict[str, AnswerValue] = Field(
        description="the answers changed (question id to new value); one, or two together when "
        "no single change moves the result"
    )
    approach: Approach = Field(description="what the recommendation would then be")
    sentence: str = Field(description="the change and its effect, for a person")
    band: tuple[int | float, int | float | None] | None = Field(
        None,
        description="for one numeric answer: the lowest and highest value (inclusive) that give "
        "`approach`; a null upper end means up to the answer's highest allowed value",
    )


class Plan(Result):
    approach: Approach = Field(description="the recommendation")
    fine_tuning_approach: Approach | None = Field(
        description="the fine-tuning approach the plan trains: the recommendation, or its "
        "fine-tuning complement; null when nothing is trained"
    )
    base_model: str | None = Field(
        description="model catalogue id (GET /api/v1/models); a size-only model is "
        "`custom-<size>b`; null when no open model is needed"
    )
    base_model_params_b: float | None = Field(
        description="parameters, billions: the total, every expert of a mixture of experts "
        "included (all of them are held in memory)"
    )
    base_model_active_params_b: float | None = Field(
        description="parameters one token runs through, billions: what compute and decode speed "
        "follow; fewer than the total for a mixture of experts, equal to it for a dense model",
    )
    base_model_proposed: bool | None = Field(
        description="true when Tunewise proposed the model, false when the context named it"
    )
    gpu: str | None = Field(description="GPU catalogue id (GET /api/v1/gpus) for training")
    gpu_count: int | None = Field(description="GPUs per training run")
    adapter_strategy: Literal["single", "per_tenant"] | None = Field(
        description="one adapter, or one per tenant on a shared base model (not merged)"
    )
    experiments: int | None = Field(description="the bounded number of experiments (plan settings)")
    tenant_runs: int | None = Field(
        None,
        description="each further tenant's own bounded runs, after the experiments; null when "
        "nothing is trained",
    )
    runs: int | None = Field(
        None, description="experiments plus tenant runs: the runs the programme pays for"
    )
    per_experiment_usd: Usd | None = Field(description="expected cost of one experiment")
    timeline_weeks: tuple[int, int] | None = Field(
        description="weeks, fewest and most: the table row's, plus the weeks each tenant after "
        "the first adds"
    )
    timeline_basis: str | None = Field(description="the row of the seeds' timeline table used")
    test_set_examples: int = Field(description="held-out examples locked as the test set")
    evaluation: str = Field(description="how to evaluate, for a person")
    architecture_review_questions: tuple[str, ...]
    recipe: Recipe | None = Field(
        None,
        description="the training recipe of the planned fine-tuning run: every value with why "
        "and its source; the run's memory, tokens/s, GPU-hours and cost are computed from "
        "exactly these values. Null when nothing is trained (or in a result stored before it "
        "was added)",
    )


class TrainingSummary(Result):
    """One fine-tuning method's experiment programme on the plan's model and GPU."""

    method: Literal["lora", "qlora", "full"] = Field(description="the training method")
    gpu: str = Field(description="GPU catalogue id")
    gpu_count: int = Field(description="GPUs per run (memory sharded when more than one)")
    micro_batch: int = Field(description="sequences per GPU per step")
    peak_memory_gb: float = Field(
        description="peak memory per GPU, GiB: on a run over several GPUs, each GPU's share "
        "(the training-estimate endpoint's `peak_memory_per_gpu_gb`)"
    )
    fits_gpu: bool = Field(
        description="the run fits the GPUs given: `peak_memory_gb` per GPU is within what a "
        "card can use (the training-estimate endpoint's `fits_gpu_count`); false only when not "
        "even the most GPUs the cost model lays a run over hold it"
    )
    single_gpu_peak_memory_gb: float | None = Field(
        None,
        description="peak memory of the whole run on one GPU, unsharded, GiB (the "
        "training-estimate endpoint's `peak_memory_gb`); null in a result stored before it "
        "was added",
    )
    fits_single_gpu: bool | None = Field(
        None,
        description="the whole run fits one GPU (the training-estimate endpoint's `fits_gpu`); "
        "false is why a run spans several; null in a result stored before it was added",
    )
    gpu_hours_per_experiment: float = Field(description="GPU-hours, all GPUs of one run")
    per_experiment_usd: Usd
    per_experiment_usd_range: UsdRange
    examples: int = Field(
        description="the examples the programme trains on, its locked test set included: every "
        "labelled example, or (LoRA and QLoRA) the curated subset the budget pays for"
    )
    curated: bool = Field(
        description="true when the budget cannot pay for training on every example and the "
        "programme trains on a curated subset (002: 'Quantity matters less than quality')"
    )
    full_data_total_usd: Usd | None = Field(
        None,
        description="when `curated`: what the programme would cost trained on every labelled "
        "example, expected, priced by the same cost model as `total_usd` (the trade-off the "
        "budget made); null when it trains on every example",
    )
    experiments: int = Field(description="bounded experiments in the search")
    tenant_runs: int = Field(
        description="the further tenants' bounded runs, `runs_each` for each tenant after the "
        "first (see `tenants`)"
    )
    runs: int = Field(description="experiments plus tenant runs")
    tenants: TenantWork | None = Field(
        None,
        description="what each tenant after the first adds: its own test set, bounded runs and "
        "evaluation, their cost and weeks, against the guide's figure; null for one tenant",
    )
    total_usd: Usd = Field(
        description="the whole programme, expected: the figure the budget rule compares "
        "(for full fine-tuning, including the LoRA comparison that comes first)"
    )
    total_usd_range: UsdRange
    includes_lora_comparison_usd: Usd | None = Field(
        None,
        description="full fine-tuning only: the part of total_usd that is the LoRA comparison "
        "run first (LoRA's own programme on the same model, data and GPU choice; 001: 'ask for "
        "a 1-day comparison. Run a small LoRA fine-tune'); the rest is the full runs",
    )
    tokens_per_second: float = Field(description="training throughput, tokens per second")


class SeriesLine(Result):
    approach: CostLine
    cumulative_usd: tuple[float, ...] = Field(description="expected, month 1 first, USD")
    low_usd: tuple[float, ...]
    high_usd: tuple[float, ...]


class CrossoverPoint(Result):
    approach: CostLine = Field(description="the line that costs more to build")
    versus: CostLine = Field(description="the line it becomes cheaper than")
    month: int = Field(ge=1, description="the first month its cumulative cost is lower")


class ServingPlan(Result):
    """How a cost line is served, as data; `how` says it in words."""

    kind: Literal["api", "hosted", "self_host"]
    how: str = Field(description="how it is served, for a person")
    gpu: str | None = Field(None, description="GPU catalogue id when self-hosted")
    gpus: int | None = Field(None, description="GPUs in all when self-hosted")
    replicas: int | None = None
    gpus_per_replica: int | None = None
    requests_per_second_per_replica: float | None = None
    estimated_p99_ms: MsRange | None = Field(
        None,
        description="estimated p99 time to the whole answer (its last token), milliseconds: "
        "self-hosted from the serving plan's roofline (prefill, then one decode step per "
        "output token at the batch an answer shares at the busy hour, `answer_batch`), an API "
        "from its published speed; null when a provider hosts the model (its speed is not "
        "recorded)",
    )
    estimated_first_token_p99_ms: MsRange | None = Field(
        None,
        description="estimated p99 time to the first token, milliseconds (what a reader of a "
        "streamed answer waits for); null as above",
    )
    latency_target_ms: int | None = Field(
        None, description="the p99 target the answers must meet (`latency_p99_ms`), milliseconds"
    )
    meets_target: bool | None = Field(
        None,
        description="whether the expected p99 to the last token is within the target; a "
        "self-hosted fleet is the cheapest that meets it where any fleet of the catalogue does. "
        "Null where the time is not estimated",
    )
    first_token_meets_target: bool | None = Field(
        None,
        description="whether the expected p99 to the first token is within the target: "
        "streamed, the reader sees words in time. Null where the time is not estimated",
    )
    answer_batch: int | None = Field(
        None,
        description="self-hosted: the answers an answer decodes beside (itself included) at "
        "the busy hour, the 99th percentile of Poisson arrivals by Little's law, at most the "
        "replica's batch",
    )
    latency_fixes: tuple[LatencyFix, ...] = Field(
        (),
        description="what would meet the target when the line misses it, each with its time; "
        "empty when it meets it or is not estimated",
    )


class Costs(Result):
    training: TrainingSummary | None = Field(description="the planned method's programme")
    training_by_method: dict[Literal["lora", "qlora", "full_fine_tuning"], TrainingSummary]
    build_usd: dict[CostLine, Usd] = Field(description="one-off cost to build each line")
    monthly: dict[CostLine, Usd] = Field(description="serving plus retraining reserve, a month")
    monthly_range: dict[CostLine, UsdRange]
    monthly_serving: dict[CostLine, Usd]
    monthly_retraining_reserve: dict[CostLine, Usd]
    serving: dict[CostLine, str] = Field(description="how each line is served, in words")
    serving_plans: dict[CostLine, ServingPlan] = Field(description="the same, as data")
    months: int = Field(description="months on the chart")
    series: tuple[SeriesLine, ...]
    crossovers: tuple[CrossoverPoint, ...] = Field(
        description="where an eligible option's cumulative cost falls below another eligible "
        "option's or the status quo's; ruled-out options never appear as the winner"
    )
    options: tuple[CostOption, ...] = Field(
        (), description="every line as an option: its name, model, eligibility and price source"
    )
    status_quo: CostLine = Field("api", description="the line the others are measured against")
    recommended: CostLine | None = Field(
        None,
        description="the recommendation's line: `recommended` (its primary with its "
        "complements) when it has complements, else its own approach's line",
    )
    requirements: tuple[Must, ...] = Field(
        (),
        description="the musts of the answers an option must meet to be a baseline: "
        "`citations` (citations required: needs retrieval), `fresh_facts` (facts that change "
        "daily, weekly or in real time: needs retrieval), `on_prem` (no third-party API or "
        "provider)",
    )
    payback: Payback | None = Field(
        None, description="the recommendation against the cheapest baseline that meets the musts"
    )
    managed_fine_tuning: ManagedFineTuning | None = Field(
        None,
        description="the managed fine-tuning services priced for a team that should not run its "
        "own fine-tuning (capability 1 or 2), with the providers' dated deprecation notices; "
        "null for a stronger team",
    )
    provider_events: tuple[ProviderEvent, ...] = Field(
        default=(),
        description="announced provider end dates inside the chart's months that the "
        "recommended or a drawn option depends on, with what happens then and its cost",
    )


class Recommendation(Result):
    """One recommendation: the approach, why, the plan, the costs and the versions."""

    approach: Approach = Field(description="the recommendation")
    approach_label: str = Field(description="the recommendation in words")
    summary: str = Field(description="the recommendation and its deciding reason, for a person")
    complements: tuple[Approach, ...] = Field(description="what goes alongside it")
    confidence: Confidence
    assumptions: tuple[Assumption, ...]
    ranking: tuple[RankedApproach, ...] = Field(description="all five approaches, best first")
    rules_fired: tuple[FiredRule, ...]
    warnings: tuple[str, ...]
    counterfactuals: tuple[Counterfactual, ...] = Field(
        description="the smallest changes to the answers that change the recommendation"
    )
    plan: Plan
    cost: Costs
    answers: Answers
    context: Context = Field(description="the context with its defaults applied")
    context_defaults: tuple[str, ...] = Field(description="context fields left at the default")
    unsure: tuple[UnsureQuestion, ...]
    rules_version: str
    cost_model_version: str
    prices_as_of: str = Field(description="date of the price data, YYYY-MM-DD")
    input_hash: str = Field(description="SHA-256 of the canonical answers and context")
    energy: Energy | None = Field(
        None,
        description="estimated kWh and CO2e of the training programme and of a month of "
        "self-hosted serving, with the assumptions and a low/high range",
    )
    proposal_review: ProposalReview | None = Field(
        None,
        description="the team's proposal (the request's `proposal`) costed side by side with "
        "the recommendation, the anti-patterns that apply, and a verdict; null without one",
    )


# The options, the payback, the managed option and the energy build on the models above
# (options.py, extras.py); re-exported here, where readers have always found them.
from app.rules.result.extras import Energy, ManagedFineTuning, ProviderEvent  # noqa: E402
from app.rules.result.latency import LatencyFix  # noqa: E402
from app.rules.result.options import CostOption as CostOption  # noqa: E402 (re-exported)
from app.rules.result.options import CostPart as CostPart  # noqa: E402 (re-exported)
from app.rules.result.options import Payback as Payback  # noqa: E402 (re-exported)
from app.rules.result.proposal import ProposalReview  # noqa: E402
from app.rules.result.tenants import TenantWork  # noqa: E402

TrainingSummary.model_rebuild()
ServingPlan.model_rebuild()
Costs.model_rebuild()
Recommendation.model_rebuild()
