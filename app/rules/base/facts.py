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
from app.rules.base.approaches import Approach
from app.rules.base.catalogue import RuleCatalogue, load_rules
from app.rules.base.cost_curve import Shape, planned_examples
from app.rules.base.pricing import COMPARISON, examples_per_run, price, tenant_work
from app.rules.base.settings import plan_settings
from app.rules.base.thresholds import Thresholds


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

    def with_answers(
        self, answers: Answers, methods: tuple[MethodFacts, ...] | None = None
    ) -> Facts:
        """These facts for other answers (and methods), the rest as they are: what
        `dataclasses.replace` gives, without its field introspection on every probe."""
        kept = self.methods if methods is None else methods
        return Facts(answers, self.context, self.model, self.model_proposed, kept, self.catalogue)

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

    tenant_runs, tenant_evaluations = tenant_work(tenants)

    def planned(line: CostLine) -> TrainingRequest:
        return replace(
            line.request,
            examples=examples_per_run(examples, tenants),
            tokens_per_example=tokens_per_example,
            experiments=experiments,
            tenant_runs=tenant_runs,
            tenant_evaluations=tenant_evaluations,
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
            p.cheapest_programme_usd
            if comparison is None
            else before_cheapest + p.cheapest_programme_usd
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


def _method_facts(shape: Shape, examples: int) -> MethodFacts:
    """The method's facts trained on `examples`, with the experiments planned for that many."""
    return method_facts(
        shape.method,
        shape.model,
        examples,
        shape.experiments(shape.method, examples),
        shape.tokens_per_example,
        shape.tenants,
        shape.gpu,
        shape.comparison_experiments(examples),
    )


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
    methods = tuple(
        _planned(shape_of(m, answers, context, model, t), answers, None) for m in Method
    )
    return Facts(answers, context, model, proposed, methods, cat)


def same_methods(facts: Facts, answers: Answers) -> bool:
    """Whether the methods' facts for `answers`, whose examples and budget are the facts'
    own, are the facts' methods: the same model and the same task difficulty give the same
    shapes (`shape_of`), so `build_facts` would plan every method as it stands."""
    model, _ = choose_model(answers, facts.context, facts.thresholds)
    return model == facts.model and hard_task(answers) == hard_task(facts.answers)


def with_budget(facts: Facts, answers: Answers) -> Facts:
    """The facts with only the budget changed: a method trained on every example whose
    programme still fits keeps its facts; the others are planned anew."""
    methods = tuple(_planned(facts.shape(m.method), answers, m) for m in facts.methods)
    return facts.with_answers(answers, methods)


def _planned(shape: Shape, answers: Answers, known: MethodFacts | None) -> MethodFacts:
    """The method's facts on every example, or on the curated subset the budget pays for;
    `known`, the facts on every example under another budget, is reused when it fits."""
    n, budget = answers.labelled_examples, answers.budget_usd
    every = known if known is not None and known.examples == n else _method_facts(shape, n)
    planned = planned_examples(shape, n, budget, every.programme_usd)
    return every if planned == n else _method_facts(shape, planned)
