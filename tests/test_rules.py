"""Every rule of the catalogue has a test that fails when the rule is removed.

Each row of CASES names a rule, answers that make it fire, and a check of what the rule does to
the recommendation. The common test runs the case twice: as it is, and with that one rule's
condition switched off (an ablation), so a score rule's points, an exclusion or a warning can be
read off the difference between the two results. Every check also asserts something concrete
(who wins, who is eligible, which text the reader sees), so a rule that loses its effect in the
TOML fails here even when its id is still listed. CONTRASTS holds answers where a rule must stay
silent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from app.cost_model.catalogue import load_catalogue
from app.questions import RecommendationRequest
from app.rules.base.catalogue import Rule, load_rules
from app.rules.base.facts import Facts
from app.rules.decision import conditions
from app.rules.decision.conditions import CONDITIONS, Fired
from app.rules.recommend import recommend
from tests.conftest import BASE_ANSWERS

Result = dict[str, Any]

APPROACHES = ("lora", "qlora", "full_fine_tuning", "rag", "dont_fine_tune")
FINE_TUNING = ("lora", "qlora", "full_fine_tuning")

# BASE_ANSWERS: a realistic behaviour case (close to the fintech worked example) where LoRA
# wins comfortably.

# The full-fine-tuning worked example (scenario full-ft-with-evidence), without its evidence.
RESEARCH_ANSWERS: dict[str, Any] = {
    "domain_vocabulary": "highly_specialised",
    "output_consistency": "strict_format",
    "labelled_examples": 80000,
    "data_freshness": "static",
    "latency_p99_ms": 5000,
    "ml_capability": 5,
    "budget_usd": 300000,
}
RESEARCH_CONTEXT: dict[str, Any] = {"base_model": "llama-3.1-8b", "gpu": "h100-80gb"}


Spec = dict[str, Any] | Callable[[], dict[str, Any]]
"""Answers or context overrides, or a function giving them (for budgets read off the costs)."""


def resolve(spec: Spec) -> dict[str, Any]:
    return spec() if callable(spec) else spec


def run(answers: dict[str, Any] | None = None, context: dict[str, Any] | None = None) -> Result:
    request = RecommendationRequest.model_validate(
        {"answers": {**BASE_ANSWERS, **(answers or {})}, "context": context or {}}
    )
    return recommend(request).model_dump(mode="json")


def fired_ids(result: Result) -> list[str]:
    return [f["id"] for f in result["rules_fired"]]


def scores(result: Result) -> dict[str, int]:
    return {s["approach"]: s["score"] for s in result["ranking"]}


def standing(result: Result, approach: str) -> dict[str, Any]:
    return next(s for s in result["ranking"] if s["approach"] == approach)


def eligible(result: Result) -> set[str]:
    return {s["approach"] for s in result["ranking"] if s["eligible"]}


def primary_eligible(result: Result) -> set[str]:
    return {s["approach"] for s in result["ranking"] if s["primary_eligible"]}


def reason(result: Result, rule_id: str) -> str:
    return next(str(f["reason"]) for f in result["rules_fired"] if f["id"] == rule_id)


def catalogue_rule(rule_id: str) -> Rule:
    return load_rules().by_id(rule_id)


def points(rule_id: str) -> dict[str, int]:
    """The rule's points for every approach (0 where it gives none), read from the catalogue."""
    given = {approach.value: n for approach, n in catalogue_rule(rule_id).score}
    return {a: given.get(a, 0) for a in APPROACHES}


def warning_text(rule_id: str, **values: str) -> str:
    """The rule's warning as the reader sees it: the TOML template with these values."""
    template = catalogue_rule(rule_id).warning
    assert template is not None, f"{rule_id} has no warning"
    return template.format(**values)


def warning_values(rule_id: str, warnings: Iterable[str]) -> dict[str, str] | None:
    """The values a shown warning of the rule was rendered with, or None if none is shown."""
    template = catalogue_rule(rule_id).warning
    assert template is not None, f"{rule_id} has no warning"
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    for text in warnings:
        if (match := re.fullmatch(pattern, text)) is not None:
            return match.groupdict()
    return None


def training(result: Result, approach: str) -> dict[str, Any]:
    summary: dict[str, Any] = result["cost"]["training_by_method"][approach]
    return summary


def usd(value: float) -> str:
    return conditions.usd(value)


def programme_costs(
    answers: dict[str, Any] | None = None, context: dict[str, Any] | None = None
) -> dict[str, float]:
    """Each fine-tuning method's programme cost for a case, from the cost model.

    Budgets in the cases are derived from these rather than typed in, so the tests follow the
    cost model when its constants are revised.
    """
    result = run(answers, context)
    return {a: float(training(result, a)["total_usd"]) for a in FINE_TUNING}


EVIDENCE = {"quality_evidence": "lora_plateaued"}


FEWEST = {"labelled_examples": 200}
"""The fewest examples the rules fine-tune on (`min_examples`): no smaller curated subset
exists, so a budget below a method's programme here leaves it out."""


ON_PREM = {"on_prem_required": True}
GAP = {"quality_evidence": "measured_gap"}
"""Evidence that keeps full fine-tuning open on the fewest examples (a plateau on under
1,000 examples rules it out: plateau-few-examples-stays-lora)."""


def budget_just_below_lora() -> dict[str, Any]:
    budget = round(programme_costs(FEWEST, GAP)["lora"] * 0.99, 2)
    return {**FEWEST, "budget_usd": budget}


def budget_below_every_method() -> dict[str, Any]:
    return {**FEWEST, "budget_usd": round(min(programme_costs(FEWEST).values()) * 0.5, 2)}


def budget_for_the_cheapest_method() -> dict[str, Any]:
    return {"budget_usd": round(min(programme_costs().values()) * 1.01 + 1, 2)}


def budget_for_fifty_lora_runs() -> dict[str, Any]:
    return {"budget_usd": round(training(run(), "lora")["per_experiment_usd"] * 50, 2)}


SMALL_MODEL = {"base_model": "llama-3.2-1b"}


def small_model_on_its_cheapest_gpu() -> dict[str, Any]:
    return {**SMALL_MODEL, "gpu": training(run(None, SMALL_MODEL), "lora")["gpu"]}


@dataclass(frozen=True)
class Outcome:
    """One case's result with its rule, and the same case with only that rule switched off."""

    rule: Rule
    fired: Result
    ablated: Result

    def delta(self) -> dict[str, int]:
        with_rule, without = scores(self.fired), scores(self.ablated)
        return {a: with_rule[a] - without[a] for a in APPROACHES}

    def reason(self) -> str:
        return reason(self.fired, self.rule.id)


def assert_shift(o: Outcome, *, up: Iterable[str] = (), down: Iterable[str] = ()) -> None:
    """The rule raises exactly the `up` approaches' scores and lowers exactly the `down` ones."""
    ups, downs = set(up), set(down)
    expected = {a: 1 if a in ups else -1 if a in downs else 0 for a in APPROACHES}
    delta = o.delta()
    assert {a: (d > 0) - (d < 0) for a, d in delta.items()} == expected, delta


def _never(_: Facts) -> Fired | None:
    return None


# --- one check per rule ---------------------------------------------------------------------


def check_knowledge(o: Outcome) -> None:
    assert_shift(o, up=["rag"], down=FINE_TUNING)
    assert o.fired["approach"] == "rag"
    assert o.fired["plan"]["fine_tuning_approach"] is None
    # Without the rule LoRA leads on points, and the facts-alone must still puts retrieval first.
    assert scores(o.ablated)["lora"] > scores(o.ablated)["rag"]
    assert o.ablated["approach"] == "rag"
    assert "facts-keep-retrieval-primary" in fired_ids(o.ablated)


def check_behaviour(o: Outcome) -> None:
    assert_shift(o, up=FINE_TUNING, down=["rag"])
    assert o.fired["approach"] == "lora"
    assert scores(o.fired)["lora"] > scores(o.fired)["rag"]


def check_both(o: Outcome) -> None:
    assert_shift(o, up=[*FINE_TUNING, "rag"])
    assert o.fired["approach"] == "lora"
    assert o.fired["complements"] == ["rag"]


def check_citations(o: Outcome) -> None:
    assert_shift(o, up=["rag"])
    assert o.fired["approach"] == "rag"
    assert not primary_eligible(o.fired) & set(FINE_TUNING)
    for approach in ("lora", "qlora"):
        assert standing(o.fired, approach)["why"] == "Only as a complement: " + o.reason()
    assert {"lora", "qlora"} <= eligible(o.fired)  # still allowed beside retrieval
    assert o.fired["complements"] == ["lora"]
    # Without the rule the constraint citations-keep-retrieval-primary still makes retrieval
    # the primary approach (policy 2 is a must, issue 11), but fine-tuning could lead.
    assert o.ablated["approach"] == "rag"
    assert "citations-keep-retrieval-primary" in fired_ids(o.ablated)
    assert {"lora", "qlora"} <= primary_eligible(o.ablated)


def check_citations_hop(o: Outcome) -> None:
    assert_shift(o)
    assert o.fired["approach"] == "rag"
    assert warning_values(o.rule.id, o.fired["warnings"]) == {"latency": "250"}
    assert warning_values(o.rule.id, o.ablated["warnings"]) is None
    assert "250 ms" in o.reason()


def check_fast_change(o: Outcome) -> None:
    assert_shift(o, up=["rag"])
    assert not eligible(o.fired) & set(FINE_TUNING)
    assert o.fired["approach"] in {"rag", "dont_fine_tune"}
    assert o.fired["plan"]["fine_tuning_approach"] is None
    assert "change daily" in o.reason()
    assert {"lora", "qlora"} <= eligible(o.ablated)
    assert o.ablated["approach"] == "lora"


def check_weekly(o: Outcome) -> None:
    assert_shift(o, down=FINE_TUNING)
    text = warning_text("weekly-change-needs-retraining")
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]
    assert o.fired["approach"] == "lora"


def check_slow_change(o: Outcome) -> None:
    assert_shift(o, up=FINE_TUNING)
    assert "changes monthly or less often" in o.reason()


def check_too_few(o: Outcome) -> None:
    assert not eligible(o.fired) & set(FINE_TUNING)
    assert o.fired["approach"] in {"dont_fine_tune", "rag"}
    assert o.fired["plan"]["fine_tuning_approach"] is None
    assert o.reason().startswith("With 150 labelled examples")
    assert "lora" in eligible(o.ablated)
    assert o.ablated["approach"] == "lora"


def check_thin(o: Outcome) -> None:
    assert_shift(o, down=FINE_TUNING)
    text = warning_text("thin-examples", examples="500")
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]
    assert "lora" in eligible(o.fired)  # thin, but still enough to try


def check_sweet_spot(o: Outcome) -> None:
    assert_shift(o, up=FINE_TUNING)
    assert o.reason().startswith("5,000 high-quality examples")


def check_beyond_sweet_spot(o: Outcome) -> None:
    assert_shift(o, up=FINE_TUNING)
    assert o.reason().startswith("200,000 examples is more than the 1,000 to 100,000 sweet spot")
    assert o.fired["approach"] == "lora"


BIG_DATA_SMALL_BUDGET = {"labelled_examples": 2_000_000, "budget_usd": 10_000}
"""Seed-style: 2M examples and a $10K budget; training LoRA on every example costs more."""


def check_curates(o: Outcome) -> None:
    lora = training(o.fired, "lora")
    assert lora["curated"] is True
    assert 200 <= lora["examples"] < 2_000_000
    assert lora["total_usd"] <= 10_000
    assert o.fired["approach"] == "lora"
    text = warning_text(
        "budget-curates-examples",
        budget="$10,000",
        examples="2,000,000",
        curated=f"LoRA on {lora['examples']:,} of them",
    )
    assert any(w.startswith(text.split(": the plan trains")[0]) for w in o.fired["warnings"])
    assert f"LoRA on {lora['examples']:,} of them" in o.reason()
    assert not any("pays for training on part" in w for w in o.ablated["warnings"])
    assert o.ablated["approach"] == "lora"


def check_low_capability(o: Outcome) -> None:
    assert not eligible(o.fired) & set(FINE_TUNING)
    assert o.fired["approach"] == "dont_fine_tune"
    text = warning_text("low-capability-no-self-run")
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]
    assert o.ablated["approach"] == "lora"


def check_full_capability(o: Outcome) -> None:
    assert "full_fine_tuning" not in eligible(o.fired)
    assert {"lora", "qlora"} <= eligible(o.fired)
    why = standing(o.fired, "full_fine_tuning")["why"]
    assert why == "Not eligible: " + o.reason()
    assert "yours is at 3" in why
    assert "full_fine_tuning" in eligible(o.ablated)


def check_strong_team(o: Outcome) -> None:
    assert_shift(o, up=FINE_TUNING)
    assert "capability 4" in o.reason()


def check_over_budget(o: Outcome) -> None:
    budget = float(o.fired["answers"]["budget_usd"])
    # With evidence and a capable team nothing else excludes a method: only the budget does.
    for approach in FINE_TUNING:
        within = training(o.fired, approach)["total_usd"] <= budget
        assert (approach in eligible(o.fired)) is within, approach
    assert "lora" not in eligible(o.fired)
    assert o.fired["approach"] != "lora"
    assert "LoRA" in o.reason()
    assert usd(budget) in o.reason()
    assert set(FINE_TUNING) <= eligible(o.ablated)
    assert o.ablated["approach"] in FINE_TUNING


def check_retrieval_hop(o: Outcome) -> None:
    assert_shift(o, up=FINE_TUNING, down=["rag"])
    assert "200 ms" in o.reason()


def check_sub_100ms(o: Outcome) -> None:
    assert_shift(o, up=["lora"])
    assert o.fired["approach"] == "lora"
    assert o.fired["plan"]["base_model_params_b"] <= 8.5
    assert o.fired["plan"]["base_model"] == "qwen3-4b"  # Phi-3 mini's class, current


def check_large_model_latency(o: Outcome) -> None:
    text = warning_text("large-model-misses-latency", size="70.6", latency="80")
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]
    assert o.fired["plan"]["base_model"] == "llama-3.1-70b"


def check_latency_out_of_reach(o: Outcome) -> None:
    """100 ms for a 250-token answer: the planned 8B model misses it even alone on the fastest
    GPU, and the warning says what would meet it, computed (at most N tokens)."""
    values = warning_values("latency-target-out-of-reach", o.fired["warnings"])
    assert values is not None, o.fired["warnings"]
    assert values["latency"] == "100"
    assert values["output_tokens"] == "250"
    assert "at most" in values["fixes"]
    assert "token" in values["fixes"]
    assert warning_values("latency-target-out-of-reach", o.ablated["warnings"]) is None
    assert o.fired["approach"] == o.ablated["approach"] == "lora"  # a warning, no points


def check_prompting(o: Outcome) -> None:
    assert_shift(o, up=["dont_fine_tune"], down=FINE_TUNING)
    assert o.fired["approach"] == "dont_fine_tune"
    assert o.fired["plan"]["fine_tuning_approach"] is None
    assert o.ablated["approach"] == "lora"


def check_fine_tuning_bonus(o: Outcome) -> None:
    assert_shift(o, up=FINE_TUNING)
    assert o.fired["approach"] == "lora"


def check_lora_default(o: Outcome) -> None:
    assert_shift(o, up=["lora"])
    assert o.fired["approach"] == "lora"
    lead = scores(o.fired)["lora"] - scores(o.fired)["qlora"]
    assert lead > scores(o.ablated)["lora"] - scores(o.ablated)["qlora"]


def check_qlora_memory(o: Outcome) -> None:
    assert_shift(o, up=["qlora"], down=["lora"])
    assert o.fired["approach"] == "qlora"
    assert scores(o.fired)["qlora"] > scores(o.fired)["lora"]
    assert o.fired["plan"]["gpu"] == "a100-80gb"
    assert not training(o.fired, "lora")["fits_single_gpu"]
    assert training(o.fired, "qlora")["fits_single_gpu"]
    gpu = load_catalogue().gpus["a100-80gb"].name
    assert o.reason().startswith(f"Llama 3.1 70B does not fit one {gpu}")
    assert o.ablated["approach"] == "lora"  # without it, LoRA on a cluster would win


def check_lora_fits(o: Outcome) -> None:
    assert_shift(o, down=["qlora"])
    assert training(o.fired, "lora")["fits_single_gpu"]
    assert scores(o.fired)["lora"] > scores(o.fired)["qlora"]
    lead = scores(o.fired)["lora"] - scores(o.fired)["qlora"]
    assert lead > scores(o.ablated)["lora"] - scores(o.ablated)["qlora"]


def check_full_needs_evidence(o: Outcome) -> None:
    assert "full_fine_tuning" not in eligible(o.fired)
    assert standing(o.fired, "full_fine_tuning")["why"] == "Not eligible: " + o.reason()
    assert "lora" in eligible(o.fired)
    assert "full_fine_tuning" in eligible(o.ablated)


def check_full_with_evidence(o: Outcome) -> None:
    assert_shift(o, up=["full_fine_tuning"])
    assert o.fired["approach"] == "full_fine_tuning"
    assert o.fired["plan"]["fine_tuning_approach"] == "full_fine_tuning"
    assert "quality plateaued after 30+ LoRA experiments" in o.reason()
    assert o.ablated["approach"] == "lora"


def check_research_goal(o: Outcome) -> None:
    assert o.fired["approach"] == "full_fine_tuning"
    text = warning_text("research-goal-without-measurement")
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]


def check_retrieval_hop_fits(o: Outcome) -> None:
    assert_shift(o)
    assert "rag" in {o.fired["approach"], *o.fired["complements"]}
    assert warning_values(o.rule.id, o.fired["warnings"]) == {"latency": "250"}
    assert warning_values(o.rule.id, o.ablated["warnings"]) is None
    # Never beside the citations rule's warning: one squeeze, said once.
    assert warning_values("citations-keep-the-retrieval-hop", o.fired["warnings"]) is None
    assert "250 ms" in o.reason()


def check_plateau(o: Outcome) -> None:
    assert o.fired["approach"] == "full_fine_tuning"
    text = warning_text("plateau-diagnose-before-full")
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]
    assert "dataset" in text


def check_low_capability_on_prem(o: Outcome) -> None:
    assert not eligible(o.fired) & set(FINE_TUNING)
    assert o.fired["approach"] in {"rag", "dont_fine_tune"}
    text = " ".join((o.reason(), *o.fired["warnings"]))
    assert "is the route" not in text
    assert "open-weights model you host" in text
    assert "capability 3 or more" in text
    assert o.ablated["approach"] == "lora"


def check_plateau_few_examples(o: Outcome) -> None:
    assert "full_fine_tuning" not in eligible(o.fired)
    assert o.fired["approach"] == "lora"
    assert "400 labelled examples (under 1,000)" in o.reason()
    assert "overfit" in o.reason()
    assert o.ablated["approach"] == "full_fine_tuning"
    # The plateau's advice holds on the LoRA path too.
    assert warning_text("plateau-diagnose-before-full") in o.fired["warnings"]


def check_tenants_few(o: Outcome) -> None:
    assert o.fired["approach"] == "lora"
    values = warning_values(o.rule.id, o.fired["warnings"])
    assert values == {"examples": "400", "tenants": "4", "per_tenant": "100"}
    assert warning_values(o.rule.id, o.ablated["warnings"]) is None
    assert o.reason().startswith("400 examples over 4 tenants is about 100")


def check_multilingual_model(o: Outcome) -> None:
    text = warning_text("multilingual-on-non-qwen-model", model="Llama 3.1 8B")
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]
    assert "a Llama model" in o.reason()
    assert o.fired["plan"]["base_model"] == "llama-3.1-8b"  # the person's choice stands


def check_low_volume(o: Outcome) -> None:
    assert o.fired["approach"] == "lora"
    text = warning_text("low-volume-workflow", requests="300")
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]
    assert "under 1,000 a month" in o.reason()


def check_tenants(o: Outcome) -> None:
    assert_shift(o, up=["lora", "qlora"], down=["full_fine_tuning"])
    assert o.reason().startswith("12 tenants")
    assert o.fired["plan"]["adapter_strategy"] == "per_tenant"


def check_multilingual(o: Outcome) -> None:
    # A plan note with no score, exclusion or warning: its whole effect is the entry itself.
    entry = next(f for f in o.fired["rules_fired"] if f["id"] == o.rule.id)
    assert entry["effect"] == "plan"
    assert "Qwen 2.5 in the PM guide, Qwen3 today" in entry["reason"]
    assert o.fired["plan"]["base_model"] == "qwen3-8b"  # the guide's Qwen 2.5, one generation on
    assert o.fired["ranking"] == o.ablated["ranking"]


def check_on_prem(o: Outcome) -> None:
    assert_shift(o, up=["lora", "qlora"], down=["full_fine_tuning"])
    assert "own infrastructure" in o.reason()


def check_full_without_comparison(o: Outcome) -> None:
    text = warning_text("anti-pattern-full-without-lora-comparison")
    assert o.fired["approach"] == "lora"
    assert "research-grade quality is the goal" in o.reason()
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]


def check_thin_test_set(o: Outcome) -> None:
    text = warning_text("anti-pattern-thin-test-set", test_set="100", train_set="400")
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]
    assert o.fired["plan"]["test_set_examples"] == 100


def check_thin_test_set_upper(o: Outcome) -> None:
    text = warning_text("anti-pattern-thin-test-set", test_set="200", train_set="900")
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]


def check_unbounded(o: Outcome) -> None:
    values = warning_values("anti-pattern-unbounded-experiments", o.fired["warnings"])
    assert values is not None
    assert warning_values("anti-pattern-unbounded-experiments", o.ablated["warnings"]) is None
    per_run = training(o.fired, "lora")["per_experiment_usd"]  # one tenant: one run each
    affordable = int(values["affordable"].replace(",", ""))
    assert affordable > 100
    assert affordable == pytest.approx(o.fired["answers"]["budget_usd"] / per_run, rel=0.01)
    assert values["per_run"] == usd(per_run)


def check_oversized(o: Outcome) -> None:
    assert o.fired["approach"] == "lora"
    values = warning_values("anti-pattern-oversized-hardware", o.fired["warnings"])
    assert values is not None
    assert warning_values("anti-pattern-oversized-hardware", o.ablated["warnings"]) is None
    requested = load_catalogue().gpus["h200-141gb"].name
    assert values["gpu"] == requested
    assert values["cheaper"] != requested
    assert values["method"] == "LoRA"
    assert values["model"] == "Llama 3.2 1B"
    lora_total = training(o.fired, "lora")["total_usd"]
    assert values["cost"] == usd(lora_total)
    cheaper_cost = float(values["cheaper_cost"].strip("$").replace(",", ""))
    assert cheaper_cost * 2 <= lora_total + 1


def check_no_method(o: Outcome) -> None:
    budget = float(o.fired["answers"]["budget_usd"])
    cheapest = min(training(o.fired, a)["total_usd"] for a in FINE_TUNING)
    assert cheapest > budget
    text = warning_text("no-method-within-budget", budget=usd(budget), cheapest=usd(cheapest))
    assert text in o.fired["warnings"]
    assert text not in o.ablated["warnings"]
    assert not eligible(o.fired) & set(FINE_TUNING)
    assert o.fired["approach"] in {"dont_fine_tune", "rag"}


Check = Callable[[Outcome], None]

CASES = [
    pytest.param(
        "knowledge-belongs-in-retrieval",
        {"objective": "knowledge"},
        {},
        check_knowledge,
        id="knowledge-belongs-in-retrieval",
    ),
    pytest.param(
        "behaviour-belongs-in-fine-tuning",
        {},
        {},
        check_behaviour,
        id="behaviour-belongs-in-fine-tuning",
    ),
    pytest.param("both-needs-both", {"objective": "both"}, {}, check_both, id="both-needs-both"),
    pytest.param(
        "citations-make-retrieval-primary",
        {"citations_required": True},
        {},
        check_citations,
        id="citations-make-retrieval-primary",
    ),
    pytest.param(
        "citations-keep-the-retrieval-hop",
        {"citations_required": True, "latency_p99_ms": 250},
        {},
        check_citations_hop,
        id="citations-keep-the-retrieval-hop",
    ),
    pytest.param(
        "fast-change-rules-out-fine-tuning",
        {"data_freshness": "daily"},
        {},
        check_fast_change,
        id="fast-change-rules-out-fine-tuning",
    ),
    pytest.param(
        "weekly-change-needs-retraining",
        {"data_freshness": "weekly"},
        {},
        check_weekly,
        id="weekly-change-needs-retraining",
    ),
    pytest.param(
        "slow-change-suits-fine-tuning",
        {},
        {},
        check_slow_change,
        id="slow-change-suits-fine-tuning",
    ),
    pytest.param(
        "too-few-examples",
        {"labelled_examples": 150},
        {},
        check_too_few,
        id="too-few-examples",
    ),
    pytest.param("thin-examples", {"labelled_examples": 500}, {}, check_thin, id="thin-examples"),
    pytest.param("examples-sweet-spot", {}, {}, check_sweet_spot, id="examples-sweet-spot"),
    pytest.param(
        "examples-beyond-sweet-spot",
        {"labelled_examples": 200_000, "budget_usd": 1_000_000},
        {},
        check_beyond_sweet_spot,
        id="examples-beyond-sweet-spot",
    ),
    pytest.param(
        "budget-curates-examples",
        BIG_DATA_SMALL_BUDGET,
        {},
        check_curates,
        id="budget-curates-examples",
    ),
    pytest.param(
        "low-capability-no-self-run",
        {"ml_capability": 2},
        {},
        check_low_capability,
        id="low-capability-no-self-run",
    ),
    pytest.param(
        "low-capability-on-prem-no-self-run",
        {"ml_capability": 2},
        {"on_prem_required": True},
        check_low_capability_on_prem,
        id="low-capability-on-prem-no-self-run",
    ),
    pytest.param(
        "full-needs-capable-team",
        {"ml_capability": 3},
        {"quality_evidence": "lora_plateaued"},  # so this rule alone keeps full out
        check_full_capability,
        id="full-needs-capable-team",
    ),
    pytest.param("strong-team", {}, {}, check_strong_team, id="strong-team"),
    pytest.param(
        "over-budget",
        budget_just_below_lora,
        GAP,
        check_over_budget,
        id="over-budget",
    ),
    pytest.param(
        "retrieval-hop-costs-latency",
        {"latency_p99_ms": 200},
        {},
        check_retrieval_hop,
        id="retrieval-hop-costs-latency",
    ),
    pytest.param(
        "sub-100ms-small-model",
        {"latency_p99_ms": 80},
        {},
        check_sub_100ms,
        id="sub-100ms-small-model",
    ),
    pytest.param(
        "large-model-misses-latency",
        {"latency_p99_ms": 80},
        {"base_model": "llama-3.1-70b"},
        check_large_model_latency,
        id="large-model-misses-latency",
    ),
    pytest.param(
        "latency-target-out-of-reach",
        {"latency_p99_ms": 100},
        {"output_tokens_per_request": 250},
        check_latency_out_of_reach,
        id="latency-target-out-of-reach",
    ),
    pytest.param(
        "prompting-is-enough",
        {"domain_vocabulary": "general", "output_consistency": "free_form"},
        {},
        check_prompting,
        id="prompting-is-enough",
    ),
    pytest.param(
        "specialised-vocabulary", {}, {}, check_fine_tuning_bonus, id="specialised-vocabulary"
    ),
    pytest.param(
        "highly-specialised-vocabulary",
        {"domain_vocabulary": "highly_specialised"},
        {},
        check_fine_tuning_bonus,
        id="highly-specialised-vocabulary",
    ),
    pytest.param("consistent-tone", {}, {}, check_fine_tuning_bonus, id="consistent-tone"),
    pytest.param(
        "strict-format",
        {"output_consistency": "strict_format"},
        {},
        check_fine_tuning_bonus,
        id="strict-format",
    ),
    pytest.param("lora-is-the-default", {}, {}, check_lora_default, id="lora-is-the-default"),
    pytest.param(
        "qlora-when-memory-binds",
        {},
        {"base_model": "llama-3.1-70b", "gpu": "a100-80gb"},
        check_qlora_memory,
        id="qlora-when-memory-binds",
    ),
    pytest.param(
        "lora-fits-so-qlora-not-needed",
        {},
        {"base_model": "llama-3.1-8b", "gpu": "a100-80gb"},
        check_lora_fits,
        id="lora-fits-so-qlora-not-needed",
    ),
    pytest.param(
        "full-needs-evidence", {}, {}, check_full_needs_evidence, id="full-needs-evidence"
    ),
    pytest.param(
        "full-with-evidence",
        RESEARCH_ANSWERS,
        {**RESEARCH_CONTEXT, "quality_evidence": "lora_plateaued"},
        check_full_with_evidence,
        id="full-with-evidence",
    ),
    pytest.param(
        "research-goal-without-measurement",
        {},
        {"quality_evidence": "research_grade"},
        check_research_goal,
        id="research-goal-without-measurement",
    ),
    pytest.param(
        "tenants-get-separate-adapters",
        {},
        {"tenants": 12},
        check_tenants,
        id="tenants-get-separate-adapters",
    ),
    pytest.param(
        "multilingual-suggests-qwen",
        {},
        {"multilingual": True},
        check_multilingual,
        id="multilingual-suggests-qwen",
    ),
    pytest.param(
        "on-prem-open-weights",
        {},
        {"on_prem_required": True},
        check_on_prem,
        id="on-prem-open-weights",
    ),
    pytest.param(
        "anti-pattern-full-without-lora-comparison",
        {"ml_capability": 3},  # full fine-tuning argued for, but the team can't carry it
        {"quality_evidence": "research_grade"},
        check_full_without_comparison,
        id="anti-pattern-full-without-lora-comparison",
    ),
    pytest.param(
        "anti-pattern-thin-test-set",
        {"labelled_examples": 500},
        {},
        check_thin_test_set,
        id="anti-pattern-thin-test-set",
    ),
    pytest.param(
        "anti-pattern-thin-test-set",
        {"labelled_examples": 1100},  # past the thin range, but the test set still bites
        {},
        check_thin_test_set_upper,
        id="anti-pattern-thin-test-set-1100",
    ),
    pytest.param(
        "anti-pattern-unbounded-experiments",
        {},
        {},
        check_unbounded,
        id="anti-pattern-unbounded-experiments",
    ),
    pytest.param(
        "anti-pattern-oversized-hardware",
        {},
        {**SMALL_MODEL, "gpu": "h200-141gb"},
        check_oversized,
        id="anti-pattern-oversized-hardware",
    ),
    pytest.param(
        "no-method-within-budget",
        budget_below_every_method,
        {},
        check_no_method,
        id="no-method-within-budget",
    ),
    pytest.param(
        "retrieval-hop-must-fit-latency",
        {"objective": "knowledge", "latency_p99_ms": 250},
        {},
        check_retrieval_hop_fits,
        id="retrieval-hop-must-fit-latency",
    ),
    pytest.param(
        "plateau-diagnose-before-full",
        RESEARCH_ANSWERS,
        {**RESEARCH_CONTEXT, "quality_evidence": "lora_plateaued"},
        check_plateau,
        id="plateau-diagnose-before-full",
    ),
    pytest.param(
        "plateau-few-examples-stays-lora",
        {**RESEARCH_ANSWERS, "labelled_examples": 400},
        {**RESEARCH_CONTEXT, "quality_evidence": "lora_plateaued"},
        check_plateau_few_examples,
        id="plateau-few-examples-stays-lora",
    ),
    pytest.param(
        "tenants-share-few-examples",
        {"labelled_examples": 400},
        {"tenants": 4},
        check_tenants_few,
        id="tenants-share-few-examples",
    ),
    pytest.param(
        "multilingual-on-non-qwen-model",
        {},
        {"multilingual": True, "base_model": "llama-3.1-8b"},
        check_multilingual_model,
        id="multilingual-on-non-qwen-model",
    ),
    pytest.param(
        "low-volume-workflow",
        {},
        {"monthly_requests": 300},
        check_low_volume,
        id="low-volume-workflow",
    ),
]

# Answers where the rule must not fire (the contrasting side of each boundary).
CONTRASTS = [
    pytest.param(rule_id, answers, context, id=f"{rule_id}-{label}")
    for rule_id, label, answers, context in [
        ("knowledge-belongs-in-retrieval", "behaviour", {}, {}),
        ("behaviour-belongs-in-fine-tuning", "knowledge", {"objective": "knowledge"}, {}),
        ("both-needs-both", "behaviour", {}, {}),
        ("citations-make-retrieval-primary", "no-citations", {}, {}),
        ("citations-keep-the-retrieval-hop", "no-citations", {"latency_p99_ms": 250}, {}),
        ("citations-keep-the-retrieval-hop", "slack", {"citations_required": True}, {}),
        ("fast-change-rules-out-fine-tuning", "weekly", {"data_freshness": "weekly"}, {}),
        ("weekly-change-needs-retraining", "monthly", {}, {}),
        ("weekly-change-needs-retraining", "daily", {"data_freshness": "daily"}, {}),
        ("slow-change-suits-fine-tuning", "weekly", {"data_freshness": "weekly"}, {}),
        ("too-few-examples", "200", {"labelled_examples": 200}, {}),
        ("thin-examples", "199", {"labelled_examples": 199}, {}),
        ("thin-examples", "1000", {"labelled_examples": 1000}, {}),
        ("examples-sweet-spot", "999", {"labelled_examples": 999}, {}),
        ("examples-sweet-spot", "100001", {"labelled_examples": 100_001}, {}),
        ("examples-beyond-sweet-spot", "100000", {"labelled_examples": 100_000}, {}),
        ("budget-curates-examples", "ample-budget", {"budget_usd": 1_000_000}, {}),
        ("low-capability-no-self-run", "capability-3", {"ml_capability": 3}, {}),
        ("low-capability-no-self-run", "on-prem", {"ml_capability": 2}, {"on_prem_required": True}),
        ("low-capability-on-prem-no-self-run", "hosted", {"ml_capability": 2}, {}),
        ("low-capability-on-prem-no-self-run", "capability-3", {"ml_capability": 3}, ON_PREM),
        (
            "plateau-few-examples-stays-lora",
            "1000-examples",
            {**RESEARCH_ANSWERS, "labelled_examples": 1000},
            {**RESEARCH_CONTEXT, "quality_evidence": "lora_plateaued"},
        ),
        (
            "plateau-few-examples-stays-lora",
            "measured-gap",
            {**RESEARCH_ANSWERS, "labelled_examples": 400},
            {**RESEARCH_CONTEXT, "quality_evidence": "measured_gap"},
        ),
        (
            "retrieval-hop-costs-latency",
            "facts-alone",
            {"objective": "knowledge", "latency_p99_ms": 200},
            {},
        ),
        ("full-needs-capable-team", "capability-4", {}, {}),
        ("full-needs-capable-team", "capability-2", {"ml_capability": 2}, {}),
        ("strong-team", "capability-3", {"ml_capability": 3}, {}),
        ("over-budget", "ample-budget", {"budget_usd": 1_000_000}, EVIDENCE),
        ("retrieval-hop-costs-latency", "300ms", {"latency_p99_ms": 300}, {}),
        ("sub-100ms-small-model", "100ms", {"latency_p99_ms": 100}, {}),
        (
            "latency-target-out-of-reach",
            "5000ms",
            {"latency_p99_ms": 5000},
            {"output_tokens_per_request": 250},
        ),
        (
            "latency-target-out-of-reach",
            "short-answers",
            {"latency_p99_ms": 100},
            {"output_tokens_per_request": 3},
        ),
        (
            "large-model-misses-latency",
            "small-model",
            {"latency_p99_ms": 80},
            {"base_model": "llama-3.1-8b"},
        ),
        (
            "large-model-misses-latency",
            "relaxed-latency",
            {"latency_p99_ms": 100},
            {"base_model": "llama-3.1-70b"},
        ),
        ("prompting-is-enough", "tone", {"domain_vocabulary": "general"}, {}),
        ("prompting-is-enough", "jargon", {"output_consistency": "free_form"}, {}),
        ("specialised-vocabulary", "general", {"domain_vocabulary": "general"}, {}),
        ("highly-specialised-vocabulary", "specialised", {}, {}),
        ("consistent-tone", "strict", {"output_consistency": "strict_format"}, {}),
        ("strict-format", "tone", {}, {}),
        ("qlora-when-memory-binds", "8b", {}, {"base_model": "llama-3.1-8b", "gpu": "a100-80gb"}),
        (
            "lora-fits-so-qlora-not-needed",
            "70b",
            {},
            {"base_model": "llama-3.1-70b", "gpu": "a100-80gb"},
        ),
        ("full-needs-evidence", "plateaued", {}, {"quality_evidence": "lora_plateaued"}),
        ("full-with-evidence", "no-evidence", {}, {}),
        (
            "full-with-evidence",
            "capability-3",
            {"ml_capability": 3},
            {"quality_evidence": "measured_gap"},
        ),
        (
            "research-goal-without-measurement",
            "plateaued",
            {},
            {"quality_evidence": "lora_plateaued"},
        ),
        ("tenants-get-separate-adapters", "one-tenant", {}, {"tenants": 1}),
        ("multilingual-suggests-qwen", "monolingual", {}, {}),
        ("on-prem-open-weights", "hosted", {}, {}),
        ("anti-pattern-full-without-lora-comparison", "capability-3", {"ml_capability": 3}, {}),
        (
            "anti-pattern-full-without-lora-comparison",
            "evidence",
            {},
            {"quality_evidence": "measured_gap"},
        ),
        ("anti-pattern-thin-test-set", "1200", {"labelled_examples": 1200}, {}),
        ("anti-pattern-unbounded-experiments", "small-budget", budget_for_fifty_lora_runs, {}),
        ("anti-pattern-oversized-hardware", "no-gpu-given", {}, SMALL_MODEL),
        ("anti-pattern-oversized-hardware", "right-sized", {}, small_model_on_its_cheapest_gpu),
        ("no-method-within-budget", "cheapest-fits", budget_for_the_cheapest_method, {}),
        ("anti-pattern-full-without-lora-comparison", "nobody-proposed-full", {}, {}),
        (
            "anti-pattern-full-without-lora-comparison",
            "full-recommended",
            RESEARCH_ANSWERS,
            {**RESEARCH_CONTEXT, "quality_evidence": "research_grade"},
        ),
        (
            "retrieval-hop-must-fit-latency",
            "citations",
            {"objective": "knowledge", "citations_required": True, "latency_p99_ms": 250},
            {},
        ),
        (
            "retrieval-hop-must-fit-latency",
            "300ms",
            {"objective": "knowledge", "latency_p99_ms": 300},
            {},
        ),
        ("retrieval-hop-must-fit-latency", "no-retrieval", {"latency_p99_ms": 250}, {}),
        (
            "plateau-diagnose-before-full",
            "measured-gap",
            RESEARCH_ANSWERS,
            {**RESEARCH_CONTEXT, "quality_evidence": "measured_gap"},
        ),
        ("tenants-share-few-examples", "200-each", {"labelled_examples": 800}, {"tenants": 4}),
        ("tenants-share-few-examples", "one-tenant", {"labelled_examples": 400}, {}),
        (
            "tenants-share-few-examples",
            "too-few-in-all",
            {"labelled_examples": 150},
            {"tenants": 4},
        ),
        (
            "multilingual-on-non-qwen-model",
            "qwen-chosen",
            {},
            {"multilingual": True, "base_model": "qwen-2.5-7b"},
        ),
        ("multilingual-on-non-qwen-model", "model-proposed", {}, {"multilingual": True}),
        ("multilingual-on-non-qwen-model", "monolingual", {}, {"base_model": "llama-3.1-8b"}),
        ("low-volume-workflow", "1000-requests", {}, {"monthly_requests": 1000}),
        (
            "low-volume-workflow",
            "not-fine-tuning",
            {"domain_vocabulary": "general", "output_consistency": "free_form"},
            {"monthly_requests": 300},
        ),
    ]
]


def _param_rule_ids(params: list[Any]) -> set[str]:
    return {str(p.values[0]) for p in params}


@pytest.mark.parametrize(("rule_id", "answers", "context", "check"), CASES)
def test_rule_effect(
    rule_id: str,
    answers: Spec,
    context: Spec,
    check: Check,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rule = catalogue_rule(rule_id)
    answers, context = resolve(answers), resolve(context)
    fired = run(answers, context)
    assert rule_id in fired_ids(fired)

    monkeypatch.setitem(CONDITIONS, rule_id, _never)
    ablated = run(answers, context)
    assert rule_id not in fired_ids(ablated)

    outcome = Outcome(rule, fired, ablated)
    # A score rule moves every approach by exactly its catalogue points; other rules by nothing.
    assert outcome.delta() == points(rule_id)
    check(outcome)


@pytest.mark.parametrize(("rule_id", "answers", "context"), CONTRASTS)
def test_rule_silent(rule_id: str, answers: Spec, context: Spec) -> None:
    catalogue_rule(rule_id)
    result = run(resolve(answers), resolve(context))
    assert rule_id not in fired_ids(result)
    template = catalogue_rule(rule_id).warning
    if template is not None:
        assert warning_values(rule_id, result["warnings"]) is None


def test_every_rule_has_a_case() -> None:
    catalogue = {r.id for r in load_rules().rules}
    assert _param_rule_ids(CASES) == catalogue
    assert _param_rule_ids(CONTRASTS) <= catalogue


def test_every_rule_has_a_condition_and_every_condition_a_rule() -> None:
    assert set(CONDITIONS) == {r.id for r in load_rules().rules}


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in load_rules().rules]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("answers", "context"),
    [
        pytest.param({}, {}, id="baseline"),
        pytest.param({"citations_required": True, "objective": "both"}, {}, id="citations"),
        pytest.param(budget_just_below_lora, EVIDENCE, id="over-budget"),
        pytest.param(RESEARCH_ANSWERS, RESEARCH_CONTEXT, id="research"),
    ],
)
def test_scores_are_the_sum_of_the_fired_rules(answers: Spec, context: Spec) -> None:
    result = run(resolve(answers), resolve(context))
    expected = dict.fromkeys(APPROACHES, 0)
    for rule_id in fired_ids(result):
        for approach, n in points(rule_id).items():
            expected[approach] += n
    assert scores(result) == expected


def test_weekly_warning_is_silent_when_nothing_is_fine_tuned() -> None:
    # applies_to: the retraining warning belongs to fine-tuning results only; the rule's score
    # still counts, so it stays among the fired rules.
    result = run({"data_freshness": "weekly", "ml_capability": 2})
    assert result["approach"] == "dont_fine_tune"
    assert "weekly-change-needs-retraining" in fired_ids(result)
    assert warning_text("weekly-change-needs-retraining") not in result["warnings"]


def test_research_goal_warning_only_when_full_fine_tuning_is_recommended() -> None:
    # Prompting is enough, so nothing is fine-tuned: the warning-only rule is left out.
    result = run(
        {"domain_vocabulary": "general", "output_consistency": "free_form"},
        {"quality_evidence": "research_grade"},
    )
    assert result["approach"] == "dont_fine_tune"
    assert "research-goal-without-measurement" not in fired_ids(result)
    assert warning_text("research-goal-without-measurement") not in result["warnings"]


def test_full_comparison_warning_is_silent_when_not_fine_tuning() -> None:
    result = run({"domain_vocabulary": "general", "output_consistency": "free_form"})
    assert result["approach"] == "dont_fine_tune"
    assert "anti-pattern-full-without-lora-comparison" not in fired_ids(result)
    assert warning_text("anti-pattern-full-without-lora-comparison") not in result["warnings"]


def test_fast_change_realtime_reads_in_real_time() -> None:
    result = run({"data_freshness": "realtime"})
    assert "change in real time" in reason(result, "fast-change-rules-out-fine-tuning")
    assert not eligible(result) & set(FINE_TUNING)


@pytest.mark.parametrize(
    ("rule_id", "context", "method"),
    [
        pytest.param(
            "qlora-when-memory-binds", {"base_model": "llama-3.1-70b"}, "qlora", id="qlora"
        ),
        pytest.param("lora-fits-so-qlora-not-needed", {}, "lora", id="lora"),
    ],
)
def test_memory_rules_name_the_planned_gpu(
    rule_id: str, context: dict[str, Any], method: str
) -> None:
    # No GPU given: the reason names the card the plan picks for the method, not "any GPU".
    result = run(None, context)
    gpu = load_catalogue().gpus[training(result, method)["gpu"]].name
    text = reason(result, rule_id)
    assert f" fits one {gpu} " in text or f"does not fit one {gpu} " in text
    assert "any catalogue kind" not in text


HARD_70B = {
    "domain_vocabulary": "highly_specialised",
    "output_consistency": "strict_format",
    "labelled_examples": 50_000,
}


@pytest.mark.parametrize("budget", [9_000, 10_000])
@pytest.mark.parametrize(
    "context",
    [
        pytest.param({"base_model": "llama-3.1-70b"}, id="no-gpu"),
        pytest.param({"base_model": "llama-3.1-70b", "gpu": "h100-80gb"}, id="h100"),
    ],
)
def test_memory_binding_plans_qlora_on_one_gpu(budget: int, context: dict[str, Any]) -> None:
    # The PM guide: a 70B model below a multi-GPU budget is QLoRA on a single GPU. LoRA fits
    # no single card (of the chosen kind, or of any kind), QLoRA fits one: QLoRA on 1 GPU wins,
    # and the reason's "single GPU" matches the plan.
    result = run({**HARD_70B, "budget_usd": budget}, context)
    assert result["approach"] == "qlora"
    assert result["plan"]["gpu_count"] == 1
    assert training(result, "qlora")["gpu_count"] == 1
    assert training(result, "qlora")["fits_single_gpu"]
    assert not training(result, "lora")["fits_single_gpu"]
    assert training(result, "lora")["fits_gpu"]  # per GPU, on the GPUs it is laid over
    assert training(result, "lora")["gpu_count"] > 1
    assert "qlora-when-memory-binds" in fired_ids(result)
    assert "single GPU" in reason(result, "qlora-when-memory-binds")


def test_a_hard_task_on_a_70b_class_model_keeps_the_standard_experiment_count() -> None:
    # 30 experiments for a hard task is the fintech example's count on an 8B model; on a 70B
    # model each run is expensive and the PM guide's row ("70B model, 50K examples, hard task:
    # QLoRA on 1x H100, $2,000 to $8,000") holds the standard count.
    big = run({**HARD_70B, "budget_usd": 100_000}, {"base_model": "llama-3.1-70b"})
    small = run({**HARD_70B, "budget_usd": 100_000}, {"base_model": "llama-3.1-8b"})
    assert big["plan"]["experiments"] == 20
    assert small["plan"]["experiments"] == 30
    qlora = training(
        run(
            {**HARD_70B, "budget_usd": 100_000}, {"base_model": "llama-3.1-70b", "gpu": "h100-80gb"}
        ),
        "qlora",
    )
    assert (qlora["gpu"], qlora["gpu_count"]) == ("h100-80gb", 1)
    assert 2_000 <= qlora["total_usd"] <= 8_000
