"""Everything the rules look at, derived once from the answers, the context and the cost model.

The engine asks the cost model for each fine-tuning method's programme cost (the budget rule,
policy 6) through the same estimate_training function the API serves, so the rule and the
numbers a reader sees can never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from app.cost_model.architecture import resolve_model
from app.cost_model.catalogue import GpuSpec, ModelSpec, load_catalogue
from app.cost_model.methods import Method
from app.cost_model.training import TrainingEstimate, TrainingRequest, estimate_training
from app.questions import Answers, Context, DomainVocabulary, OutputConsistency
from app.rules.approaches import Approach
from app.rules.settings import plan_settings


@dataclass(frozen=True, slots=True)
class MethodFacts:
    """One fine-tuning method's plan and cost on the chosen base model."""

    method: Method
    estimate: TrainingEstimate
    experiments: int
    cheapest: TrainingEstimate
    """The same run on the cheapest catalogue GPU that holds it, to spot oversized hardware."""

    @property
    def gpu(self) -> GpuSpec:
        return self.estimate.request.gpu

    @property
    def programme_usd(self) -> float:
        return self.estimate.total_expected_usd

    @property
    def per_run_usd(self) -> float:
        return self.estimate.per_experiment_expected_usd


METHOD_INDEX = {m: i for i, m in enumerate(Method)}


@dataclass(frozen=True, slots=True)
class Facts:
    answers: Answers
    context: Context
    model: ModelSpec
    model_proposed: bool
    methods: tuple[MethodFacts, ...]

    def method(self, method: Method) -> MethodFacts:
        return self.methods[METHOD_INDEX[method]]

    def for_approach(self, approach: Approach) -> MethodFacts | None:
        method = approach.method
        return None if method is None else self.method(method)

    @property
    def per_tenant(self) -> bool:
        return self.context.tenants > 1


def choose_model(answers: Answers, context: Context) -> tuple[ModelSpec, bool]:
    """The context's model, or the engine's proposal: (model, proposed by the engine)."""
    if context.base_model is not None or context.model_size_b is not None:
        return resolve_model(context.base_model, context.model_size_b), False
    settings = plan_settings()
    models = load_catalogue().models
    preferred = settings.multilingual_model if context.multilingual else settings.default_model
    model = models[preferred]
    if answers.latency_p99_ms < 100 and model.params_b > settings.max_b_under_100ms:
        model = models[settings.under_100ms_model]
    return model, True


def experiments_for(method: Method, answers: Answers) -> int:
    exp = plan_settings().experiments
    if method is Method.full:
        n = exp["full_fine_tuning"]
    elif answers.labelled_examples < exp["thin_data_below"]:
        n = exp["thin_data"]
    elif (
        answers.domain_vocabulary is DomainVocabulary.highly_specialised
        and answers.output_consistency is OutputConsistency.strict_format
    ):
        n = exp["hard_task"]
    else:
        n = exp["standard"]
    return max(exp["min"], min(exp["max"], n))


def _request(
    method: Method,
    model: ModelSpec,
    gpu: GpuSpec,
    examples: int,
    experiments: int,
    tokens_per_example: int,
    tenants: int,
) -> TrainingRequest:
    """Examples are split evenly between tenants; the bounded search runs on one tenant's
    share, then each further tenant's adapter is trained once with the chosen settings."""
    return TrainingRequest(
        method=method,
        model=model,
        gpu=gpu,
        examples=max(1, math.ceil(examples / tenants)),
        tokens_per_example=tokens_per_example,
        experiments=experiments,
        tenant_runs=tenants - 1,
    )


def _gpu_order(est: TrainingEstimate) -> tuple[bool, float, str]:
    return (not est.fits_gpu, est.total_expected_usd, est.request.gpu.id)


@lru_cache(maxsize=4096)
def _cheapest(
    method: Method,
    model: ModelSpec,
    examples: int,
    experiments: int,
    tokens_per_example: int,
    tenants: int,
) -> TrainingEstimate:
    """The cheapest catalogue GPU where the method fits one card, else the cheapest cluster
    (multi-GPU only on datacenter cards: consumer cards have no fast interconnect)."""
    estimates = [
        estimate_training(
            _request(method, model, g, examples, experiments, tokens_per_example, tenants)
        )
        for g in load_catalogue().gpus_by_price
    ]
    usable = [e for e in estimates if e.fits_gpu or e.request.gpu.datacenter]
    return min(usable or estimates, key=_gpu_order)


def method_facts(
    method: Method, model: ModelSpec, answers: Answers, context: Context
) -> MethodFacts:
    """The method on the context's GPU, or on the cheapest GPU where it fits."""
    experiments = experiments_for(method, answers)
    shape = (answers.labelled_examples, experiments, context.tokens_per_example, context.tenants)
    cheapest = _cheapest(method, model, *shape)
    if context.gpu is None:
        return MethodFacts(method, cheapest, experiments, cheapest)
    gpu = load_catalogue().gpus[context.gpu]
    chosen = estimate_training(_request(method, model, gpu, *shape))
    return MethodFacts(method, chosen, experiments, cheapest)


def build_facts(answers: Answers, context: Context) -> Facts:
    model, proposed = choose_model(answers, context)
    methods = tuple(method_facts(m, model, answers, context) for m in Method)
    return Facts(answers, context, model, proposed, methods)
