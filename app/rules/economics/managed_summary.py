"""The managed fine-tuning option as the result says it: its option row and its offers.

The option is eligible when nothing but the team's capability rules fine-tuning out: the same
data, freshness and example-count rules that exclude self-run fine-tuning exclude a managed
one, the budget is compared with the managed programme's own cost, and an on-prem deployment
cannot send its data to a provider.
"""

from __future__ import annotations

from app.cost_model.freshness import is_stale, stale_note
from app.cost_model.managed import managed_data
from app.rules.decision.engine import Evaluation
from app.rules.economics.managed import LINE, LOW_CAPABILITY_RULE, ManagedOption
from app.rules.result import CostOption, UsdRange
from app.rules.result.extras import ManagedFineTuning, ManagedOffer, ProviderNotice
from app.vocabulary import numbers

ANSWERED = frozenset({LOW_CAPABILITY_RULE, "over-budget"})
"""Rules the managed option answers: the team need not run training, and the budget is compared
with the managed programme's own cost below."""

ON_PREM = (
    "It must run on your own infrastructure: a managed service trains and serves on the provider's."
)


def why_not(ev: Evaluation, option: ManagedOption) -> str | None:
    """Why the managed option is ruled out, for a person; None when it is eligible."""
    facts = ev.facts
    if facts.context.on_prem_required:
        return ON_PREM
    standing = ev.standing(option.cost_approach)
    reasons = [f.reason() for f in standing.excluded_by if f.rule.id not in ANSWERED]
    build, budget = option.cost.build_usd.expected, facts.answers.budget_usd
    if build > budget:
        reasons.append(
            f"Its programme ({numbers.usd(build)}) costs more than the budget of "
            f"{numbers.usd(budget)}."
        )
    return " ".join(reasons) or None


def price_source(option: ManagedOption) -> str:
    offer = option.chosen.offer
    stale = stale_note(offer.as_of)
    return (
        f"{offer.provider}'s published prices, read {offer.as_of}"
        f"{' (' + stale + ')' if stale else ''}: training "
        f"{numbers.usd(offer.training_usd_per_mtok)} per million training tokens for "
        f"{offer.tier} ({offer.training_source}); serving ({offer.serving_source})"
    )


def cost_option(ev: Evaluation, option: ManagedOption, *, recommended: bool) -> CostOption:
    offer = option.chosen.offer
    reason = why_not(ev, option)
    return CostOption(
        line=LINE,
        approach=option.cost_approach,
        label=f"{offer.model}, fine-tuned and served by {offer.provider} (managed)",
        runs_on=offer.model,
        serving_kind="hosted",
        status_quo=False,
        recommended=recommended,
        eligible=reason is None,
        why_not=reason,
        price_source=price_source(option),
    )


def summary(option: ManagedOption | None) -> ManagedFineTuning | None:
    """Every offer priced for this case, and the providers' dated notices."""
    if option is None:
        return None
    data = managed_data()
    return ManagedFineTuning(
        chosen=option.chosen.offer.id,
        offers=tuple(
            ManagedOffer(
                id=q.offer.id,
                provider=q.offer.provider,
                model=q.offer.model,
                open_weights=q.offer.open_weights,
                available=q.offer.closed_to_new_teams is None,
                why_unavailable=q.offer.closed_to_new_teams,
                training_usd_per_mtok=q.offer.training_usd_per_mtok,
                price_tier=q.offer.tier,
                training_tokens_per_run=q.training_tokens_per_run,
                billed_tokens_per_run=q.billed_tokens_per_run,
                runs=round(q.runs.expected),
                build_usd=UsdRange.of(q.build_usd),
                serving_input_usd_per_mtok=round(q.input_usd_per_mtok, 4),
                serving_output_usd_per_mtok=round(q.output_usd_per_mtok, 4),
                serving_gpus=q.serving_gpus,
                serving_usd_per_gpu_hour=q.offer.serving_usd_per_gpu_hour
                if q.serving_gpus
                else None,
                monthly_serving_usd=round(q.monthly_usd, 2),
                training_source=q.offer.training_source,
                serving_source=q.offer.serving_source,
                as_of=q.offer.as_of,
                stale=is_stale(q.offer.as_of),
            )
            for q in option.quotes
        ),
        notices=tuple(
            ProviderNotice(provider=n.provider, date=n.date, text=n.text, source=n.source)
            for n in sorted(data.notices, key=lambda n: n.date, reverse=True)
        ),
        data_read=data.read,
    )
