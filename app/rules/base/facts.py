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
test set, GPU), cached on them, and every method's plan for one shape, dataset size and budget
is cached too (planned.py): the counterfactual search, which asks for dozens of neighbouring
answers, pays only for what its change actually moves.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.cost_model.architecture import resolve_model
from app.cost_model.catalogue import ModelSpec, load_catalogue
from app.cost_model.methods import Method
from app.questions import Answers, Context, DomainVocabulary, OutputConsistency
from app.rules.base.approaches import Approach
from app.rules.base.catalogue import RuleCatalogue, load_rules
from app.rules.base.cost_curve import Shape
from app.rules.base.planned import MethodFacts, method_facts, methods_for
from app.rules.base.settings import plan_settings
from app.rules.base.thresholds import Thresholds

__all__ = ["METHODS", "MODEL", "Facts", "MethodFacts", "build_facts", "method_facts"]


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
    return Facts(answers, context, model, proposed, _all_planned(answers, context, model, t), cat)


def same_methods(facts: Facts, answers: Answers) -> bool:
    """Whether the methods' facts for `answers`, whose examples and budget are the facts'
    own, are the facts' methods: the same model and the same task difficulty give the same
    shapes (`shape_of`), so `build_facts` would plan every method as it stands."""
    model, _ = choose_model(answers, facts.context, facts.thresholds)
    return model == facts.model and hard_task(answers) == hard_task(facts.answers)


def with_budget(facts: Facts, answers: Answers) -> Facts:
    """The facts with only the budget changed: the same model, the methods planned anew (a
    method trained on every example whose programme still fits keeps its facts)."""
    methods = _all_planned(answers, facts.context, facts.model, facts.thresholds)
    return facts.with_answers(answers, methods)


def _all_planned(
    answers: Answers, context: Context, model: ModelSpec, t: Thresholds
) -> tuple[MethodFacts, ...]:
    """Every method's facts for these answers, on `model` (`methods_for`, keyed on what the
    shapes read: the task's difficulty and the context's size, tenants and GPU)."""
    hard = hard_task(answers)
    size = (context.tokens_per_example, context.tenants, context.gpu)
    return methods_for(model, hard, *size, t, answers.labelled_examples, answers.budget_usd)
