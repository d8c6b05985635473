"""The managed fine-tuning option for the teams it suits: capability 1 or 2.

Policy 5 says such a team should not run fine-tuning itself and should be offered a managed
service instead. Here that offer is a costed cost line (`managed`) like the others: the
programme's runs trained by the provider (dataset tokens x epochs x its training price, each
run also scoring the locked test set), then the month's traffic at the fine-tuned model's
price. Among the offers open to a team starting now it takes the one cheapest over the chart's
months; the rest are kept so a reader sees each provider's figures. A stronger team is not
offered it: it can run its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.cost_model.managed import MANAGED_RUNS, Quote, offers_for, quote
from app.cost_model.methods import Method
from app.cost_model.ranges import Range
from app.cost_model.self_hosting import Traffic
from app.cost_model.series import ApproachCost, retraining_reserve_monthly
from app.cost_model.serving import ServingCost
from app.rules.base.approaches import Approach
from app.rules.base.facts import Facts
from app.rules.base.pricing import tenant_work, test_set_size
from app.rules.base.settings import plan_settings
from app.vocabulary import numbers

LINE = "managed"
"""The managed option's cost line."""

LOW_CAPABILITY_RULE = "low-capability-no-self-run"
"""The rule that rules self-run fine-tuning out for these teams, and that this option answers."""


@dataclass(frozen=True, slots=True)
class ManagedOption:
    chosen: Quote
    quotes: tuple[Quote, ...]
    """Every offer for this plan's model, open or closed to a team starting now, cheapest first."""
    cost: ApproachCost
    serving: ServingCost

    @property
    def cost_approach(self) -> Approach:
        """What the option stands for: fine-tuning an adapter, by the provider."""
        return Approach.lora


def suits(facts: Facts) -> bool:
    """A team that should not run its own fine-tuning (policy 5) is offered a managed service."""
    return facts.answers.ml_capability <= facts.thresholds.no_self_run_max_capability


def _runs(facts: Facts) -> Range:
    """The programme's runs: LoRA's bounded experiments as the plan counts them (between the
    plan's fewest and most), plus each further tenant's own bounded runs, as the plan's."""
    settings = plan_settings().experiments
    planned = facts.method(Method.lora).experiments
    extra, _ = tenant_work(facts.context.tenants)
    low, high = min(settings["min"], planned), max(settings["max"], planned)
    return Range.factor(MANAGED_RUNS, low + extra, planned + extra, high + extra)


def _over_months(q: Quote, months: int) -> tuple[float, str]:
    return q.build_usd.expected + months * q.monthly_usd, q.offer.id


def managed_option(facts: Facts) -> ManagedOption | None:
    """The managed line for a team it suits, on the offer cheapest over the chart's months;
    None for a stronger team, or when no provider's offer is open to a team starting now."""
    if not suits(facts):
        return None
    ctx, examples = facts.context, facts.answers.labelled_examples
    test_set = test_set_size(examples)
    traffic = Traffic(
        ctx.monthly_requests, ctx.input_tokens_per_request, ctx.output_tokens_per_request
    )
    runs = _runs(facts)
    quotes = tuple(
        quote(
            offer,
            facts.model,
            traffic,
            examples=max(examples - test_set, 0),
            tokens_per_example=ctx.tokens_per_example,
            runs=runs,
            test_set=test_set,
        )
        for offer in offers_for(facts.model)
    )
    ranked = tuple(sorted(quotes, key=lambda q: _over_months(q, ctx.horizon_months)))
    open_now = [q for q in ranked if q.offer.closed_to_new_teams is None]
    if not open_now:
        return None
    chosen = open_now[0]
    reserve = retraining_reserve_monthly(
        chosen.build_usd,
        Range.exact(chosen.per_run_usd * ctx.tenants),
        facts.answers.data_freshness.value,
    )
    how = f"fine-tuned and served by {chosen.offer.provider} ({chosen.offer.model}), " + (
        f"on a dedicated deployment of {numbers.plural(chosen.serving_gpus, 'GPU')} billed by "
        "the hour"
        if chosen.serving_gpus
        else "per token"
    )
    serving = ServingCost("hosted", Range.exact(chosen.monthly_usd), how)
    cost = ApproachCost(LINE, chosen.build_usd, serving.monthly_usd, reserve)
    return ManagedOption(chosen, ranked, cost, serving)
