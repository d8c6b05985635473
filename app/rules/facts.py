"""Everything the rules look at, derived once from the answers, the context and the cost model.

The engine prices each fine-tuning method's programme (the budget rule, policy 6) on the cost
model's own lines (`cost_line`: the estimate's arithmetic for one shape, scaled by tokens), and
builds the full `TrainingEstimate` a reader sees from the same request, so the rule and the
numbers can never disagree. Full fine-tuning's programme starts with the LoRA comparison the
seed demands (001: "ask for a 1-day comparison. Run a small LoRA fine-tune"; full fine-tuning
is "the fallback if LoRA's quality is genuinely insufficient"): it is costed as LoRA's own
programme on the same model, data and GPU choice, plus the full runs at their real size, so
full fine-tuning never looks cheaper than LoRA for the same project.

A method's facts are a pure function of a few values (method, model, examples, experiments,
test set, GPU), cached on them: the counterfactual search, which
asks for dozens of neighbouring answers, pays only for what its change actually moves.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from app.cost_model.architecture import resolve_model
from app.cost_model.catalogue import GpuSpec, ModelSpec, load_catalogue
from app.cost_model.methods import Method
from app.cost_model.ranges import Range
from app.cost_model.training import (
    CostLine,
    TrainingEstimate,
    TrainingRequest,
    estimate_training,
)
from app.questions import Answers, Context, DomainVocabulary, OutputConsistency
from app.rules.approaches import Approach
from app.rules.catalogue import RuleCatalogue, load_rules
from app.rules.cost_curve import Shape, fits_budget, most_within
from app.rules.pricing import COMPARISON, examples_per_run, price
from app.rules.settings import plan_settings
from app.rules.thresholds import Thresholds


@dataclass(frozen=True)
class MethodFacts:
    """One fine-tuning method's plan and cost on the chosen base model.

    The figures the rules compare are plain numbers; the full estimates (memory breakdown,
    time components, ranges) are built on first use from the same requests.
    """

    method: Method
    examples: int
    """The examples the programme trains on, its locked test set included: all of them, or the
    curated subset the budget pays for (`Facts.curated`)."""
    experiments: int
    request: TrainingRequest
    """The run as planned: on the context's GPU, or on the cheapest that holds it."""
    programme_usd: float
    per_run_usd: float
    fits_gpu: bool
    cheapest_request: TrainingRequest
    """The same run on the cheapest catalogue GPU that holds it, to spot oversized hardware."""
    cheapest_programme_usd: float
    cheapest_fits_gpu: bool
    comparison: MethodFacts | None = None
    """The LoRA programme that comes first (full fine-tuning only): its cost is part of
    `programme_usd` and `cheapest_programme_usd` (LoRA on its own cheapest GPU)."""

    @property
    def gpu(self) -> GpuSpec:
        return self.request.gpu

    @property
    def cheapest_gpu(self) -> GpuSpec:
        return self.cheapest_request.gpu

    @cached_property
    def estimate(self) -> TrainingEstimate:
        return estimate_training(self.request)

    @cached_property
    def cheapest(self) -> TrainingEstimate:
        return estimate_training(self.cheapest_request)

    @property
    def comparison_usd(self) -> float:
        """What the LoRA comparison adds to the programme (0 for the other methods)."""
        return 0.0 if self.comparison is None else self.comparison.programme_usd

    @cached_property
    def programme_range(self) -> Range:
        """The whole programme as a range: this method's runs (the estimate), plus the LoRA
        comparison for full fine-tuning; its expected value is `programme_usd`."""
        own = self.estimate.total_usd
        if self.comparison is None:
            return own
        return self.comparison.programme_range + own


METHOD_INDEX = {m: i for i, m in enumerate(Method)}
MODEL = ("latency_p99_ms",)
"""The answers the proposed base model depends on: the latency target."""
METHODS = ("labelled_examples", "budget_usd", "domain_vocabulary", "output_consistency", *MODEL)
"""The answers the methods' facts (cost, GPU, fit) depend on: the examples (run size,
experiments, test set), the budget (a curated subset when it cannot pay for them all), the
task's difficulty (experiments) and the model."""


@dataclass(frozen=True, slots=True)
class Facts:
    answers: Answers
    context: Context
    model: ModelSpec
    model_proposed: bool
    methods: tuple[MethodFacts, ...]
    catalogue: RuleCatalogue
    """The rule catalogue the facts are judged by (its thresholds shaped the plan choices)."""

    @property
    def thresholds(self) -> Thresholds:
        return self.catalogue.thresholds

    def method(self, method: Method) -> MethodFacts:
        return self.methods[METHOD_INDEX[method]]

    def curated(self, method: Method) -> bool:
        """Whether the method's programme trains on a curated subset the budget pays for."""
        return self.method(method).examples < self.answers.labelled_examples

    def shape(self, method: Method) -> Shape:
        """What the method's programme cost depends on besides the examples trained on."""
        return shape_of(method, self.answers, self.context, self.model, self.thresholds)

    def for_approach(self, approach: Approach) -> MethodFacts | None:
        method = approach.method
        return None if method is None else self.method(method)

    @property
    def per_tenant(self) -> bool:
        return self.context.tenants > 1


def choose_model(
    answers: Answers, context: Context, thresholds: Thresholds | None = None
) -> tuple[ModelSpec, bool]:
    """The context's model, or the engine's proposal: (model, proposed by the engine)."""
    if context.base_model is not None or context.model_size_b is not None:
        return resolve_model(context.base_model, context.model_size_b), False
    t = thresholds or load_rules().thresholds
    settings = plan_settings()
    models = load_catalogue().models
    preferred = settings.multilingual_model if context.multilingual else settings.default_model
    model = models[preferred]
    if answers.latency_p99_ms < t.small_model_latency_ms and model.params_b > t.small_model_max_b:
        model = models[settings.under_100ms_model]
    return model, True


def hard_task(answers: Answers) -> bool:
    """Highly specialised language and a strict format: the task the plan gives more
    experiments (001's fintech example ran 30)."""
    return (
        answers.domain_vocabulary is DomainVocabulary.highly_specialised
        and answers.output_consistency is OutputConsistency.strict_format
    )


@lru_cache(maxsize=8192)
def method_facts(  # the cache key: everything a method's facts depend on
    method: Method,
    model: ModelSpec,
    examples: int,
    experiments: int,
    tokens_per_example: int,
    tenants: int,
    gpu_id: str | None,
    comparison_experiments: int = 0,
) -> MethodFacts:
    """A method's plan and cost; for full fine-tuning, with the LoRA comparison of
    `comparison_experiments` experiments (LoRA's own plan) costed first."""
    p = price(method, model, examples, experiments, tokens_per_example, tenants, gpu_id)
    first = COMPARISON.get(method)
    comparison = (
        None
        if first is None
        else method_facts(
            first, model, examples, comparison_experiments, tokens_per_example, tenants, gpu_id
        )
    )
    before = 0.0 if comparison is None else comparison.programme_usd
    before_cheapest = 0.0 if comparison is None else comparison.cheapest_programme_usd

    def planned(line: CostLine) -> TrainingRequest:
        return replace(
            line.request,
            examples=examples_per_run(examples, tenants),
            tokens_per_example=tokens_per_example,
            experiments=experiments,
            tenant_runs=tenants - 1,
        )

    cheapest_request = planned(p.cheapest)
    same = p.chosen is p.cheapest
    return MethodFacts(
        method=method,
        examples=examples,
        experiments=experiments,
        request=cheapest_request if same else planned(p.chosen),
        programme_usd=p.programme_usd if comparison is None else before + p.programme_usd,
        per_run_usd=p.chosen_usd,
        fits_gpu=p.chosen.fits_gpu,
        cheapest_request=cheapest_request,
        cheapest_programme_usd=(
            p.cheapest_usd * p.runs
            if comparison is None
            else before_cheapest + p.cheapest_usd * p.runs
        ),
        cheapest_fits_gpu=p.cheapest.fits_gpu,
        comparison=comparison,
    )


def shape_of(
    method: Method, answers: Answers, context: Context, model: ModelSpec, thresholds: Thresholds
) -> Shape:
    return Shape(
        method,
        model,
        hard_task(answers),
        context.tokens_per_example,
        context.tenants,
        context.gpu,
        thresholds,
    )


CURATES = frozenset({Method.lora, Method.qlora})
"""The methods planned on a curated subset when the budget cannot pay for every example. Not
full fine-tuning: 001 accepts it only "if cost isn't the binding constraint"."""


def fewest_examples(method: Method, examples: int, thresholds: Thresholds) -> int:
    """The smallest training set the method's plan may use: the fewest examples the rules
    fine-tune on (`min_examples`) for a method that curates, else every example."""
    return min(examples, thresholds.min_examples) if method in CURATES else examples


def planned_examples(shape: Shape, examples: int, budget: float) -> int:
    """All the examples when the budget pays for training on them, else the most it pays for
    down to `fewest_examples`: a curated subset, the best examples first (002: "Quantity
    matters less than quality — 500 excellent examples consistently outperforms 2,000 mediocre
    ones"; 004: "data curation is where 80 percent of the quality comes from"). More data or
    more budget never shrinks the set the budget pays for, so neither can make LoRA or QLoRA
    unaffordable (policy 6)."""
    floor = fewest_examples(shape.method, examples, shape.thresholds)
    if examples <= floor or fits_budget(shape.cost(examples), budget):
        return examples
    return most_within(shape, round(budget, 2), floor, examples - 1) or examples


def build_facts(
    answers: Answers,
    context: Context,
    catalogue: RuleCatalogue | None = None,
) -> Facts:
    """The facts for these answers, judged by `catalogue` (the shipped one by default).

    The counterfactual search reuses facts as they are when a probe changes none of the
    answers the model and the methods depend on (METHODS), and builds them anew otherwise."""
    cat = catalogue or load_rules()
    t = cat.thresholds
    model, proposed = choose_model(answers, context, t)
    methods = []
    for m in Method:
        shape = shape_of(m, answers, context, model, t)
        n = planned_examples(shape, answers.labelled_examples, answers.budget_usd)
        first = COMPARISON.get(m)
        methods.append(
            method_facts(
                m,
                model,
                n,
                shape.experiments(m, n),
                context.tokens_per_example,
                context.tenants,
                context.gpu,
                0 if first is None else shape.experiments(first, n),
            )
        )
    return Facts(answers, context, model, proposed, tuple(methods), cat)
