"""Provider end dates inside the chart's horizon that a drawn option depends on.

A provider can announce that a model leaves its API or that a service ends (OpenAI: GPT-4o,
GPT-4o mini, GPT-4.1 and GPT-4.1 mini leave the API on 14 January 2027). An option drawn on the
chart (the recommendation, the status quo, or another eligible option) that runs on such a
model does not go on as priced: on that date it must migrate to a current model, a managed
fine-tune must be retrained, or the team serves its own. This module finds those events, the
chart's month they fall in (month 1 starts on the prices' review date) and what the move costs;
an option that was ruled out is never drawn, so nothing is said about its providers.
"""

from __future__ import annotations

from datetime import date

from app.cost_model.freshness import freshness
from app.cost_model.managed import EndDate, managed_data
from app.cost_model.prices import api_price
from app.cost_model.self_hosting import Traffic
from app.cost_model.serving import api_monthly
from app.rules.base.facts import Facts
from app.rules.base.pricing import test_set_size
from app.rules.economics.cost_block import CostBlock
from app.rules.economics.managed import LINE as MANAGED
from app.rules.result import CostOption, Usd
from app.rules.result.extras import ProviderEvent
from app.vocabulary import numbers, words


def chart_month(day: str) -> int:
    """The chart's month a date falls in: month 1 runs from the prices' review date."""
    start, when = date.fromisoformat(freshness().reviewed), date.fromisoformat(day)
    return (when.year - start.year) * 12 + when.month - start.month + (when.day >= start.day)


def _drawn(found: tuple[CostOption, ...], status_quo: str) -> set[str]:
    """The lines drawn by default: eligible options, the recommendation and the status quo."""
    return {o.line for o in found if o.eligible or o.recommended or o.line == status_quo}


def _depends_on(facts: Facts, block: CostBlock, line: str) -> str | None:
    """The model id a line's serving depends on with an outside provider, if any."""
    if line == MANAGED and block.managed is not None:
        return block.managed.chosen.offer.id
    if block.serving[line].approach == "api":
        return facts.context.reference_api_model
    return None


def _api_move(facts: Facts, block: CostBlock, line: str, event: EndDate) -> tuple[str, Usd, Usd]:
    """Migrating an API line to the successor: re-scoring the locked test set once, and the
    month's serving at the successor's prices instead."""
    ctx = facts.context
    current = ctx.reference_api_model
    successor = dict(event.successors).get(current, current)
    traffic = Traffic(
        ctx.monthly_requests, ctx.input_tokens_per_request, ctx.output_tokens_per_request
    )
    ratio = api_monthly(successor, traffic).expected / max(
        api_monthly(current, traffic).expected, 1e-9
    )
    serving = block.serving[line].monthly_usd.expected
    change = serving * ratio - serving
    price = api_price(successor, ctx.input_tokens_per_request, ctx.output_tokens_per_request)
    tests = test_set_size(facts.answers.labelled_examples)
    once = (
        tests
        * (
            ctx.input_tokens_per_request * price.input_usd_per_mtok
            + ctx.output_tokens_per_request * price.output_usd_per_mtok
        )
        / 1e6
    )
    name, new = words.api_model_name(current), words.api_model_name(successor)
    direction = "more" if change >= 0 else "less"
    text = (
        f"migrate from {name} to {new} and re-check it on the locked test set "
        f"(about {numbers.usd(once)} once); it then costs {numbers.usd(abs(change))} a month "
        f"{direction} at {new}'s prices"
    )
    return text, round(once, 2), round(change, 2)


def _ends(facts: Facts, block: CostBlock, line: str, event: EndDate) -> str:
    if line == MANAGED and block.managed is not None:
        return f"{block.managed.chosen.offer.model} ends at {event.provider}"
    return (
        f"{words.api_model_name(facts.context.reference_api_model)} leaves {event.provider}'s API"
    )


def _managed_move(block: CostBlock) -> tuple[str, Usd, Usd]:
    """A managed fine-tune whose model leaves: retrain on a successor (another programme)."""
    assert block.managed is not None
    rebuild = block.managed.chosen.build_usd.expected
    text = (
        f"retrain on a current model with another provider, or serve an open model yourself "
        f"(another programme: about {numbers.usd(rebuild)})"
    )
    return text, round(rebuild, 2), 0.0


def provider_events(
    facts: Facts, block: CostBlock, found: tuple[CostOption, ...]
) -> tuple[ProviderEvent, ...]:
    """Each drawn option's announced provider end dates inside the chart's months, earliest
    first."""
    events = []
    for line in sorted(_drawn(found, block.status_quo)):
        model = _depends_on(facts, block, line)
        for event in managed_data().end_dates:
            month = chart_month(event.date)
            if model not in event.models or not 1 <= month <= block.months:
                continue
            managed = line == MANAGED
            text, once, change = (
                _managed_move(block) if managed else _api_move(facts, block, line, event)
            )
            events.append(
                ProviderEvent(
                    line=line,
                    provider=event.provider,
                    date=event.date,
                    month=month,
                    what=event.what,
                    ends=_ends(facts, block, line, event),
                    action="retrain" if managed else "migrate",
                    then=text,
                    cost_usd=once,
                    monthly_change_usd=change,
                    source=event.source,
                )
            )
    return tuple(sorted(events, key=lambda e: (e.date, e.line)))
