"""When each rule of the catalogue fires: one small named function per rule id.

A condition returns None when its rule does not apply, or a Fired with the values its reason
and warning templates need (and, for rules whose targets depend on the case, the approaches
it excludes).
"""

from __future__ import annotations

from app.cost_model.methods import Method
from app.questions import DataFreshness, DomainVocabulary, Objective, OutputConsistency
from app.questions.models import QualityEvidence
from app.rules.base.approaches import Approach
from app.rules.base.cost_curve import fits_budget
from app.rules.base.facts import METHODS, MODEL, Facts
from app.rules.base.pricing import test_set_size
from app.rules.decision import anti_patterns, latency_rules
from app.rules.decision.registry import CONDITIONS, READS, Condition, Fired, rule, when
from app.vocabulary.numbers import usd

FAST = (DataFreshness.realtime, DataFreshness.daily)
SLOW = (DataFreshness.monthly, DataFreshness.quarterly, DataFreshness.static)
FRESHNESS_WORDS = {
    DataFreshness.realtime: "in real time",
    DataFreshness.daily: "daily",
    DataFreshness.weekly: "weekly",
    DataFreshness.monthly: "monthly",
    DataFreshness.quarterly: "quarterly",
    DataFreshness.static: "rarely",
}
QWEN_FAMILY = "qwen"
"""The catalogue family (models.toml `family`) of the Qwen 2.5 models 001 names."""
EVIDENCE_WORDS = {
    QualityEvidence.lora_plateaued: "quality plateaued after 30+ LoRA experiments",
    QualityEvidence.measured_gap: "a measured benchmark gap LoRA can't close",
    QualityEvidence.research_grade: "research-grade quality is the goal",
}


@rule("knowledge-belongs-in-retrieval", "objective")
def _knowledge(f: Facts) -> Fired | None:
    return when(f.answers.objective is Objective.knowledge)


@rule("behaviour-belongs-in-fine-tuning", "objective")
def _behaviour(f: Facts) -> Fired | None:
    return when(f.answers.objective is Objective.behaviour)


@rule("both-needs-both", "objective")
def _both(f: Facts) -> Fired | None:
    return when(f.answers.objective is Objective.both)


@rule("citations-make-retrieval-primary", "citations_required")
def _citations(f: Facts) -> Fired | None:
    return when(f.answers.citations_required)


@rule("citations-keep-the-retrieval-hop", "citations_required", "latency_p99_ms")
def _citations_hop(f: Facts) -> Fired | None:
    latency = f.answers.latency_p99_ms
    tight = latency < f.thresholds.hop_latency_ms
    return when(f.answers.citations_required and tight, latency=f"{latency:,}")


@rule("retrieval-hop-must-fit-latency", "citations_required", "latency_p99_ms")
def _retrieval_hop_fits(f: Facts) -> Fired | None:
    """The hop squeeze when retrieval is planned for facts; with citations, the rule above."""
    latency = f.answers.latency_p99_ms
    tight = latency < f.thresholds.hop_latency_ms
    return when(not f.answers.citations_required and tight, latency=f"{latency:,}")


@rule("fast-change-rules-out-fine-tuning", "data_freshness")
def _fast_change(f: Facts) -> Fired | None:
    fresh = f.answers.data_freshness
    return when(fresh in FAST, freshness=FRESHNESS_WORDS[fresh])


@rule("weekly-change-needs-retraining", "data_freshness")
def _weekly(f: Facts) -> Fired | None:
    return when(f.answers.data_freshness is DataFreshness.weekly)


@rule("slow-change-suits-fine-tuning", "data_freshness")
def _slow_change(f: Facts) -> Fired | None:
    fresh = f.answers.data_freshness
    return when(fresh in SLOW, freshness=FRESHNESS_WORDS[fresh])


@rule("too-few-examples", "labelled_examples")
def _too_few(f: Facts) -> Fired | None:
    n = f.answers.labelled_examples
    return when(n < f.thresholds.min_examples, examples=f"{n:,}")


@rule("thin-examples", "labelled_examples")
def _thin(f: Facts) -> Fired | None:
    n, t = f.answers.labelled_examples, f.thresholds
    return when(t.min_examples <= n < t.comfortable_examples, examples=f"{n:,}")


@rule("examples-sweet-spot", "labelled_examples")
def _sweet_spot(f: Facts) -> Fired | None:
    n, t = f.answers.labelled_examples, f.thresholds
    return when(t.comfortable_examples <= n <= t.sweet_spot_max_examples, examples=f"{n:,}")


@rule("examples-beyond-sweet-spot", "labelled_examples")
def _beyond_sweet_spot(f: Facts) -> Fired | None:
    n = f.answers.labelled_examples
    return when(n > f.thresholds.sweet_spot_max_examples, examples=f"{n:,}")


@rule("low-capability-no-self-run", "ml_capability")
def _low_capability(f: Facts) -> Fired | None:
    """A managed service is the route; on-prem, the rule below says what is open instead."""
    cap = f.answers.ml_capability
    low = cap <= f.thresholds.no_self_run_max_capability
    return when(low and not f.context.on_prem_required, capability=str(cap))


@rule("low-capability-on-prem-no-self-run", "ml_capability")
def _low_capability_on_prem(f: Facts) -> Fired | None:
    """The same team on its own infrastructure, where no managed service can train for it."""
    cap, t = f.answers.ml_capability, f.thresholds
    low = cap <= t.no_self_run_max_capability
    return when(
        low and f.context.on_prem_required,
        capability=str(cap),
        self_run_capability=str(t.no_self_run_max_capability + 1),
    )


@rule("full-needs-capable-team", "ml_capability")
def _full_capability(f: Facts) -> Fired | None:
    cap = f.answers.ml_capability
    t = f.thresholds
    self_run = cap > t.no_self_run_max_capability
    return when(self_run and cap < t.strong_team_capability, capability=str(cap))


@rule("strong-team", "ml_capability")
def _strong_team(f: Facts) -> Fired | None:
    cap = f.answers.ml_capability
    return when(cap >= f.thresholds.strong_team_capability, capability=str(cap))


@rule("over-budget", "budget_usd", *METHODS)
def _over_budget(f: Facts) -> Fired | None:
    budget = f.answers.budget_usd
    over = [m for m in f.methods if not fits_budget(m.programme_usd, budget)]
    if not over:
        return None
    return Fired(
        exclude=tuple(Approach(m.method.approach) for m in over),
        later=lambda: {
            "methods": ", ".join(Approach(m.method.approach).label for m in over),
            "costs": ", ".join(usd(m.programme_usd) for m in over),
            "budget": usd(budget),
        },
    )


@rule("retrieval-hop-costs-latency", "latency_p99_ms", "objective")
def _retrieval_hop(f: Facts) -> Fired | None:
    """Docks retrieval for its hop only where the facts do not keep it in the plan anyway."""
    latency = f.answers.latency_p99_ms
    facts_only = f.answers.objective is Objective.knowledge
    return when(latency < f.thresholds.hop_latency_ms and not facts_only, latency=f"{latency:,}")


@rule("sub-100ms-small-model", "latency_p99_ms")
def _sub_100ms(f: Facts) -> Fired | None:
    return when(f.answers.latency_p99_ms < f.thresholds.small_model_latency_ms)


@rule("large-model-misses-latency", *MODEL)
def _large_model_latency(f: Facts) -> Fired | None:
    latency = f.answers.latency_p99_ms
    size, t = f.model.params_b, f.thresholds
    fast = latency < t.small_model_latency_ms
    return when(
        fast and size > t.small_model_warn_above_b, size=f"{size:g}", latency=f"{latency:,}"
    )


@rule("prompting-is-enough", "domain_vocabulary", "output_consistency")
def _prompting(f: Facts) -> Fired | None:
    a = f.answers
    return when(
        a.domain_vocabulary is DomainVocabulary.general
        and a.output_consistency is OutputConsistency.free_form
    )


@rule("specialised-vocabulary", "domain_vocabulary")
def _specialised(f: Facts) -> Fired | None:
    return when(f.answers.domain_vocabulary is DomainVocabulary.specialised)


@rule("highly-specialised-vocabulary", "domain_vocabulary")
def _highly_specialised(f: Facts) -> Fired | None:
    return when(f.answers.domain_vocabulary is DomainVocabulary.highly_specialised)


@rule("consistent-tone", "output_consistency")
def _tone(f: Facts) -> Fired | None:
    return when(f.answers.output_consistency is OutputConsistency.consistent_tone)


@rule("strict-format", "output_consistency")
def _format(f: Facts) -> Fired | None:
    return when(f.answers.output_consistency is OutputConsistency.strict_format)


@rule("lora-is-the-default")
def _lora_default(_: Facts) -> Fired | None:
    return Fired()


def _memory_values(f: Facts, method: Method) -> dict[str, str]:
    """The model and the GPU the plan picks for the method (the context's, or the cheapest
    that holds it), by its catalogue name: never "any GPU", which reads as "every GPU"."""
    return {"model": f.model.name, "gpu": f.method(method).gpu.name}


@rule("qlora-when-memory-binds", *METHODS)
def _qlora_memory(f: Facts) -> Fired | None:
    lora, qlora = f.method(Method.lora), f.method(Method.qlora)
    binds = not lora.fits_gpu and qlora.fits_gpu
    # LoRA fits no card this QLoRA plan could pick (the context's, or none at all).
    return Fired(_memory_values(f, Method.qlora)) if binds else None


@rule("lora-fits-so-qlora-not-needed", *METHODS)
def _lora_fits(f: Facts) -> Fired | None:
    fits = f.method(Method.lora).fits_gpu
    return Fired(_memory_values(f, Method.lora)) if fits else None


@rule("full-needs-evidence")
def _full_needs_evidence(f: Facts) -> Fired | None:
    return when(f.context.quality_evidence is QualityEvidence.none)


@rule("full-with-evidence", "ml_capability")
def _full_with_evidence(f: Facts) -> Fired | None:
    evidence = f.context.quality_evidence
    if (
        evidence is QualityEvidence.none
        or f.answers.ml_capability < f.thresholds.strong_team_capability
    ):
        return None
    return Fired({"evidence": EVIDENCE_WORDS[evidence]})


@rule("research-goal-without-measurement")
def _research_goal(f: Facts) -> Fired | None:
    return when(f.context.quality_evidence is QualityEvidence.research_grade)


@rule("plateau-diagnose-before-full")
def _plateau(f: Facts) -> Fired | None:
    return when(f.context.quality_evidence is QualityEvidence.lora_plateaued)


@rule("plateau-few-examples-stays-lora", "labelled_examples")
def _plateau_few_examples(f: Facts) -> Fired | None:
    """001's overfitting row: a plateau on a small dataset is no case for full fine-tuning."""
    n = f.answers.labelled_examples
    plateau = f.context.quality_evidence is QualityEvidence.lora_plateaued
    return when(plateau and n < f.thresholds.overfitting_max_examples, examples=f"{n:,}")


@rule("tenants-get-separate-adapters")
def _tenants(f: Facts) -> Fired | None:
    tenants = f.context.tenants
    return when(tenants > 1, tenants=f"{tenants:,}")


@rule("tenants-share-few-examples", "labelled_examples")
def _tenants_few(f: Facts) -> Fired | None:
    """Enough examples in total (else too-few-examples says it), too few for each tenant."""
    n, tenants, floor = f.answers.labelled_examples, f.context.tenants, f.thresholds.min_examples
    per_tenant = n // tenants
    return when(
        tenants > 1 and n >= floor and per_tenant < floor,
        examples=f"{n:,}",
        tenants=f"{tenants:,}",
        per_tenant=f"{per_tenant:,}",
    )


@rule("multilingual-suggests-qwen")
def _multilingual(f: Facts) -> Fired | None:
    return when(f.context.multilingual)


@rule("multilingual-on-non-qwen-model")
def _multilingual_model(f: Facts) -> Fired | None:
    """A model the person chose (the engine proposes a Qwen model itself) from another family."""
    chosen = f.context.base_model is not None
    other = f.model.family != QWEN_FAMILY
    return when(
        f.context.multilingual and chosen and other,
        model=f.model.name,
        family=f.model.family.capitalize(),
    )


@rule("low-volume-workflow")
def _low_volume(f: Facts) -> Fired | None:
    requests = f.context.monthly_requests
    return when(requests < f.thresholds.low_volume_requests, requests=f"{requests:,}")


@rule("on-prem-open-weights")
def _on_prem(f: Facts) -> Fired | None:
    return when(f.context.on_prem_required)


__all__ = [
    "CONDITIONS",
    "READS",
    "Condition",
    "Fired",
    "anti_patterns",
    "latency_rules",
    "test_set_size",
    "usd",
]
