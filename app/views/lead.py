"""Page 1's heading and lead sentence: what to do, and what it changes, in the reader's terms
("Fine-tune Llama 3.1 8B with LoRA on your 50,000 examples: it replaces about $26,000 a month
of GPT-5.2 calls with about $1,000 of self-hosting"), never the rules' reasoning."""

from __future__ import annotations

from app.rules.base.approaches import FINE_TUNING, Approach
from app.rules.result import CostOption, Recommendation
from app.vocabulary import numbers, words


def options_of(r: Recommendation) -> dict[str, CostOption]:
    return {o.line: o for o in r.cost.options}


def heading(r: Recommendation) -> str:
    text = f"Recommended: {words.approach(r.approach.value)}"
    if r.complements:
        alongside = " and ".join(words.approach_in_sentence(c.value) for c in r.complements)
        text += f", with {alongside} alongside"
    return text


def _fine_tune(r: Recommendation) -> str:
    """'fine-tune Llama 3.1 8B with LoRA on your 50,000 examples'."""
    method = r.plan.fine_tuning_approach
    assert method is not None
    n, t = r.answers.labelled_examples, r.cost.training
    examples = f"your {numbers.plural(n, 'example')}"
    if t is not None and t.curated:
        examples = f"a curated {numbers.count(t.examples)} of your {numbers.count(n)} examples"
    text = (
        f"fine-tune {words.model_name(r.plan.base_model)} with "
        f"{words.approach_in_sentence(method.value)} on {examples}"
    )
    if r.plan.adapter_strategy == "per_tenant":
        text += f", one adapter for each of your {r.context.tenants:,} tenants"
    return text


def _what_to_do(r: Recommendation) -> str:
    runs_on = options_of(r).get(r.approach.value)
    if r.approach in FINE_TUNING:
        text = _fine_tune(r)
        if Approach.rag in r.complements:
            text += ", with retrieval beside it for the facts that change"
    elif r.approach is Approach.rag:
        model = runs_on.runs_on if runs_on is not None else "the model"
        text = f"answer from your own documents with retrieval on {model}"
        if r.plan.fine_tuning_approach is not None:
            text += ", and " + _fine_tune(r) + " for its behaviour"
    else:
        line = r.cost.payback.line if r.cost.payback is not None else ""
        option = options_of(r).get(line)
        model = option.runs_on if option is not None else "a strong base model"
        text = f"don't fine-tune; prompt {model} well and measure it on a locked test set"
    return text[0].upper() + text[1:]


def _spend(o: CostOption) -> str:
    """What a month's money buys on a line: 'GPT-5.2 calls', 'self-hosting'."""
    if o.serving_kind == "api":
        return f"{o.runs_on} calls" + (" with retrieval" if o.line == "rag" else "")
    return "self-hosting" if o.serving_kind == "self_host" else "a hosted model"


SAME_COST = 0.01
"""Monthly costs within 1% of each other are the same to a reader, even where rounding to two
figures puts them either side of a boundary ($6,643 and $6,666: 'about $6,600' and '$6,700')."""


def _what_it_changes(r: Recommendation) -> str:
    p, options = r.cost.payback, options_of(r)
    if p is None or p.line not in options or p.versus not in options:
        return ""
    mine = numbers.usd_about(r.cost.monthly[p.line])
    theirs = numbers.usd_about(r.cost.monthly[p.versus])
    cheaper = r.cost.monthly[p.line] < r.cost.monthly[p.versus]
    now, then = options[p.line], options[p.versus]
    if p.line == p.versus and p.nothing_else_meets:
        built = f", after {numbers.usd_about(p.build_usd)} to set up" if p.build_usd > 0 else ""
        spend = f"{mine} a month of {_spend(now)}{built}"
        return f"it costs about {spend}; nothing cheaper meets your requirements"
    if p.line == p.versus:
        return f"it keeps {_spend(now)} at about {mine} a month, with nothing to build"
    if cheaper and _spend(now) != _spend(then):
        return (
            f"it replaces about {theirs} a month of {_spend(then)} with about "
            f"{mine} of {_spend(now)}"
        )
    a, b = r.cost.monthly[p.line], r.cost.monthly[p.versus]
    if mine == theirs or abs(a - b) <= SAME_COST * max(a, b):  # the choice rests on quality
        return (
            f"it costs about {mine} a month of {_spend(now)}, about what {then.label} would; "
            "the fine-tuning is for the quality it adds"
        )
    return f"it runs at about {mine} a month, against about {theirs} for {then.label}"


def lead(r: Recommendation) -> str:
    change = _what_it_changes(r)
    return f"{_what_to_do(r)}: {change}." if change else f"{_what_to_do(r)}."
