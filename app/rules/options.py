"""The options a PM chooses between, each named by what it is and priced on the model it runs
on; the crossovers that mean something; and the recommendation's payback in one sentence.

The chart used to compare a frontier API with a small fine-tuned open model and call the
difference "fine-tuning", and to praise approaches the same page ruled out. Here each line
says which model it runs on, how it is served and where its price comes from; crossovers are
kept only among eligible options and against the status quo, so an ineligible option never
"wins"; and the recommendation's build cost, payback month and saving (with its range) are
said once, as data and as a sentence.
"""

from __future__ import annotations

from typing import Literal, cast

from app.cost_model.catalogue import ModelSpec, load_catalogue
from app.cost_model.prices import fine_tuned_premium, hosted_price, prices_as_of, resolve_api_model
from app.cost_model.series import ApproachCost, at_month
from app.cost_model.serving import ServingCost
from app.rules.approaches import Approach
from app.rules.cost_block import LINE_APPROACH, SERIES_NAMES, CostBlock
from app.rules.engine import Evaluation
from app.rules.managed import LINE as MANAGED
from app.rules.managed_summary import cost_option as managed_cost_option
from app.rules.result import CostOption, Payback, UsdRange
from app.vocabulary import numbers, words

ServingKind = Literal["api", "hosted", "self_host"]
SERVED = {"api": "through its API", "hosted": "hosted", "self_host": "self-hosted"}
ON_PREM_NO_API = "It must run on your own infrastructure: no external API may be used."


def recommended_line(ev: Evaluation, block: CostBlock) -> str:
    """The recommendation's own line; not fine-tuning at all is the status quo."""
    if ev.primary is Approach.dont_fine_tune:
        return block.status_quo
    return SERIES_NAMES[ev.primary]


def option_label(line: str, serve: ServingCost, model: str, api_model: str) -> str:
    """The option named by what it is: 'GPT-5.2 API', 'Llama 3.1 8B, prompted, self-hosted',
    'Llama 3.1 8B + LoRA, hosted'."""
    api = f"{words.api_model_name(api_model)} API"
    served = SERVED[serve.approach]
    if line == "api":
        return api
    if line == "rag":
        return f"{api} + retrieval" if serve.approach == "api" else f"{model} + retrieval, {served}"
    if line == "base":
        return f"{model}, prompted, {served}"
    if line == "full_fine_tuning":
        return f"{model}, fully fine-tuned, {served}"
    return f"{model} + {words.line(line)}, {served}"


def price_source(line: str, serve: ServingCost, model: ModelSpec, api_model: str) -> str:
    """Where a line's monthly price comes from, for a reader."""
    if serve.approach == "api":
        api = resolve_api_model(api_model)
        return (
            f"{words.provider(api.provider)}'s per-token prices for {api.model_name} "
            f"(genai-prices, as of {prices_as_of()})"
        )
    if serve.approach == "hosted":
        hosted = hosted_price(model.id, 1, 1)
        assert hosted is not None
        text = (
            f"{words.provider(hosted.provider)}'s per-token prices for {model.name} "
            f"(genai-prices, as of {prices_as_of()})"
        )
        if LINE_APPROACH[line].fine_tunes:
            p = fine_tuned_premium()
            text += (
                f", plus {numbers.percent(p.expected)} for a fine-tuned model "
                f"({numbers.percent(p.low)} to {numbers.percent(p.high)} across providers)"
            )
        return text
    assert serve.self_host is not None
    gpu = load_catalogue().gpus[serve.self_host.gpu]
    return (
        f"{gpu.name} on demand at {numbers.usd(gpu.usd_per_hour)} an hour "
        f"({numbers.usd(gpu.usd_per_hour_low)} to {numbers.usd(gpu.usd_per_hour_high)}; "
        f"prices of {gpu.price_as_of}), always on"
    )


def options(ev: Evaluation, block: CostBlock) -> tuple[CostOption, ...]:
    facts = ev.facts
    ctx, model = facts.context, facts.model
    primary = recommended_line(ev, block)
    found = []
    for cost in block.costs:
        line, serve = cost.name, block.serving[cost.name]
        if line == MANAGED and block.managed is not None:
            found.append(managed_cost_option(ev, block.managed, recommended=line == primary))
            continue
        standing = ev.standing(LINE_APPROACH[line])
        why_not = None
        if line == "api" and ctx.on_prem_required:
            why_not = ON_PREM_NO_API
        elif not standing.eligible:
            why_not = " ".join(f.reason() for f in standing.excluded_by)
        found.append(
            CostOption(
                line=line,
                approach=standing.approach,
                label=option_label(line, serve, model.name, ctx.reference_api_model),
                runs_on=(
                    words.api_model_name(ctx.reference_api_model)
                    if serve.approach == "api"
                    else model.name
                ),
                serving_kind=cast("ServingKind", serve.approach),
                status_quo=line == block.status_quo,
                recommended=line == primary,
                eligible=why_not is None,
                why_not=why_not,
                price_source=price_source(line, serve, model, ctx.reference_api_model),
            )
        )
    return tuple(found)


def meaningful_crossovers(
    block: CostBlock, found: tuple[CostOption, ...]
) -> list[tuple[str, str, int]]:
    """Crossovers of an eligible option against another eligible one or the status quo."""
    eligible = {o.line for o in found if o.eligible}
    return [
        (c.approach, c.versus, c.month)
        for c in block.crossovers
        if c.approach in eligible and (c.versus in eligible or c.versus == block.status_quo)
    ]


def _model_or_method(base_label: str, base: ApproachCost, tuned: ApproachCost) -> str:
    """How much of the saving comes from changing model rather than from fine-tuning."""
    base_m, tuned_m = base.monthly_usd.expected, tuned.monthly_usd.expected
    text = (
        f"Prompting the same model without fine-tuning ({base_label}) would cost "
        f"{numbers.usd(base_m)} a month against {numbers.usd(tuned_m)} fine-tuned: "
    )
    if base_m <= tuned_m:
        return (
            text + "the saving comes from changing model; fine-tuning is for the quality it adds."
        )
    return text + f"fine-tuning saves a further {numbers.usd(base_m - tuned_m)} a month."


def payback(ev: Evaluation, block: CostBlock, found: tuple[CostOption, ...]) -> Payback:
    """The recommendation against the status quo over the chart's months, in one sentence."""
    by_line = {o.line: o for o in found}
    series = {s.name: s for s in block.series}
    builds = {c.name: c for c in block.costs}
    line, versus, months = recommended_line(ev, block), block.status_quo, block.months
    mine, theirs = series[line], series[versus]
    saving = theirs.expected[-1] - mine.expected[-1]
    # The saving's own interval: the two sides' swings subtracted factor by factor, then
    # combined (a factor that moves both sides alike, such as a shared GPU price, cancels).
    band = at_month(builds[versus], months) - at_month(builds[line], months)
    low, high = saving - (band.expected - band.low), saving + (band.high - band.expected)
    shown = UsdRange.of(band, expected=saving)
    crosses_zero = line != versus and shown.low < 0 < shown.high
    depends_on = shown.drivers[0] if crosses_zero and shown.drivers else None
    build = builds[line].build_usd.expected
    month = next(
        (
            m
            for m, (x, y) in enumerate(zip(mine.expected, theirs.expected, strict=True), 1)
            if x < y
        ),
        None,
    )
    label, other = by_line[line].label, by_line[versus].label
    if line == versus:
        monthly = builds[line].monthly_usd.expected
        sentence = (
            f"{label} needs nothing built and costs about {numbers.usd(monthly)} a month, "
            f"{numbers.usd(mine.expected[-1])} over {months} months."
        )
    elif crosses_zero:
        sentence = (
            f"{label} costs {numbers.usd(build)} to build and over {months} months is about "
            f"break-even against {other} ({numbers.saving_range(low, high)})"
            + (f": it depends most on {depends_on.label}." if depends_on is not None else ".")
        )
    elif month is not None:
        sentence = (
            f"{label} costs {numbers.usd(build)} to build and pays back against {other} in "
            f"month {month}; over {months} months it saves {numbers.usd(saving)} "
            f"({numbers.saving_range(low, high)})."
        )
    else:
        sentence = (
            f"{label} costs {numbers.usd(build)} to build and does not pay back against "
            f"{other} within {months} months: over {months} months it costs "
            f"{numbers.usd(-saving)} more ({numbers.saving_range(low, high)})."
        )
    base = by_line.get("base")
    if LINE_APPROACH[line].fine_tunes and base is not None and base.eligible and versus != "base":
        sentence += " " + _model_or_method(base.label, builds["base"], builds[line])
    return Payback(
        line=line,
        versus=versus,
        build_usd=round(build, 2),
        month=month if line != versus else None,
        saving_usd=shown,
        crosses_zero=crosses_zero,
        depends_on=depends_on,
        months=months,
        sentence=sentence,
    )
