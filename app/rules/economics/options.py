"""The options a PM chooses between, each named by what it is and priced on the model it runs
on, with the musts each meets; and the crossovers that mean something.

The chart used to compare a frontier API with a small fine-tuned open model and call the
difference "fine-tuning", and to praise approaches the same page ruled out. Here each line
says which model it runs on, how it is served and where its price comes from; crossovers are
kept only among eligible options and against the status quo, so an ineligible option never
"wins"; and the recommendation's build cost, payback month and saving (with its range) are
said once, as data and as a sentence (payback.py). The recommendation with its complements
is one option of its own (`recommended`, combination.py), its parts listed beneath it.
"""

from __future__ import annotations

from typing import Literal, cast

from app.cost_model.catalogue import ModelSpec, load_catalogue
from app.cost_model.freshness import stale_note
from app.cost_model.prices import fine_tuned_premium, hosted_price, prices_as_of, resolve_api_model
from app.cost_model.serving import ServingCost
from app.rules.base.approaches import Approach
from app.rules.base.requirements import Must, fails, musts
from app.rules.decision.engine import Evaluation
from app.rules.economics.combination import LINE as COMBINED
from app.rules.economics.combination import Combination, Part
from app.rules.economics.cost_block import LINE_APPROACH, SERIES_NAMES, CostBlock
from app.rules.economics.managed import LINE as MANAGED
from app.rules.economics.managed_summary import cost_option as managed_cost_option
from app.rules.result import CostOption, UsdRange
from app.rules.result.options import CostPart
from app.vocabulary import numbers, words

ServingKind = Literal["api", "hosted", "self_host"]
SERVED = {"api": "through its API", "hosted": "hosted", "self_host": "self-hosted"}
ON_PREM_NO_API = "It must run on your own infrastructure: no external API may be used."


RETRIEVAL_LINES = frozenset({"rag", COMBINED})
"""The lines whose answers are grounded in retrieved documents."""


def recommended_line(ev: Evaluation, block: CostBlock) -> str:
    """The recommendation's own line: its primary with its complements when it has any
    (`recommended`), else its primary's line; not fine-tuning at all is the status quo."""
    if block.combination is not None:
        return COMBINED
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
    stale = stale_note(gpu.price_as_of)
    return (
        f"{gpu.name} on demand at {numbers.usd(gpu.usd_per_hour)} an hour "
        f"({numbers.usd(gpu.usd_per_hour_low)} to {numbers.usd(gpu.usd_per_hour_high)}; "
        f"prices read {gpu.price_as_of}{'; ' + stale if stale else ''}), always on"
    )


def _part(part: Part) -> CostPart:
    monthly = part.serving + part.reserve
    return CostPart(
        approach=part.approach,
        line=SERIES_NAMES[part.approach],
        role="primary" if part.primary else "complement",
        build_usd=part.build.expected,
        build_usd_range=UsdRange.of(part.build),
        experiments=part.experiments,
        tenant_runs=part.tenant_runs,
        runs=part.experiments + part.tenant_runs,
        monthly_serving_usd=part.serving.expected,
        monthly_retraining_reserve_usd=part.reserve.expected,
        monthly_usd=round(monthly.expected, 2),
        monthly_usd_range=UsdRange.of(monthly),
    )


def combined_option(ev: Evaluation, combo: Combination) -> CostOption:
    """The recommendation with its complements: named by its parts, primary first ('Llama 3.1
    8B + retrieval + LoRA, self-hosted'), priced as its fine-tuned model is."""
    facts = ev.facts
    ctx, model = facts.context, facts.model
    serve, tuning = combo.serving, SERIES_NAMES[combo.tuning.approach]
    names = " + ".join(
        "retrieval" if p.approach is Approach.rag else words.line(SERIES_NAMES[p.approach])
        for p in combo.parts
    )
    return CostOption(
        line=COMBINED,
        approach=ev.primary,
        label=f"{model.name} + {names}, {SERVED[serve.approach]}",
        runs_on=model.name,
        serving_kind=cast("ServingKind", serve.approach),
        status_quo=False,
        recommended=True,
        eligible=True,
        why_not=None,
        price_source=price_source(tuning, serve, model, ctx.reference_api_model),
        parts=tuple(_part(p) for p in combo.parts),
    )


def _with_musts(option: CostOption, required: tuple[Must, ...]) -> CostOption:
    failed = fails(
        required, retrieval=option.line in RETRIEVAL_LINES, serving_kind=option.serving_kind
    )
    return option.model_copy(
        update={"meets_requirements": not failed, "fails_requirements": failed}
    )


def options(ev: Evaluation, block: CostBlock) -> tuple[CostOption, ...]:
    """Every line as an option, with the musts of the answers it meets or fails."""
    required = musts(ev.facts)
    return tuple(_with_musts(o, required) for o in _options(ev, block))


def _options(ev: Evaluation, block: CostBlock) -> list[CostOption]:
    facts = ev.facts
    ctx, model = facts.context, facts.model
    primary = recommended_line(ev, block)
    found = []
    for cost in block.costs:
        line, serve = cost.name, block.serving[cost.name]
        if line == MANAGED and block.managed is not None:
            found.append(managed_cost_option(ev, block.managed, recommended=line == primary))
            continue
        if line == COMBINED and block.combination is not None:
            found.append(combined_option(ev, block.combination))
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
    return found


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
