"""What /method prints: every rule, must, threshold, constant and data table, in words.

/method is where a reviewer audits the recommendation, so it reads like the rest of the
product: a rule's reason is printed with its blanks filled in general words ("your p99 target"
for `{latency}`), an effect names approaches as a reader does ("LoRA +3", not `lora +3`), a
name is words ("Min examples"), never an id, and every source is cited as the seeds' README
says. It also lists the data the results use besides the rules: the managed fine-tuning
offers and the providers' notices, and the energy figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from app.cost_model.catalogue import load_catalogue, read_data
from app.cost_model.energy import energy_data
from app.cost_model.freshness import stale_note
from app.cost_model.managed import managed_data
from app.rules.base.catalogue import Rule, load_rules
from app.vocabulary import words
from app.vocabulary.sources import cite

BLANKS = {
    "affordable": "the methods the budget affords",
    "budget": "your budget",
    "capability": "your team's capability",
    "cheaper": "the cheaper option",
    "cheapest": "the cheapest option",
    "costs": "what each costs",
    "curated": "the examples worth curating",
    "evidence": "your evidence",
    "examples": "your number of examples",
    "family": "the model's family",
    "freshness": "as often as you said",
    "gpu": "the GPU",
    "latency": "your p99 target",
    "leader": "the leading approach",
    "leader_score": "the leading approach's score",
    "methods": "the methods",
    "model": "the base model",
    "objective": "your objective",
    "output_tokens": "the answer's length in tokens",
    "per_tenant": "the cost per tenant",
    "rag_score": "retrieval's score",
    "requests": "your requests a month",
    "size": "the model's size",
    "tenants": "your number of tenants",
}
"""What each blank of a rule's reason stands for, where no case fills it."""

_BLANK = re.compile(r"\{([a-z_]+)\}")
_APPROACH_ID = re.compile(r"\b(full_fine_tuning|dont_fine_tune|qlora|lora|rag)\b")
_EXCLUDES = re.compile(r"excludes ([a-z_]+)")
_ONLY_BESIDE = re.compile(r"([a-z_]+) only as a complement")
_SCORED = re.compile(r"([a-z_]+) ([+-]\d+)")
_ACRONYMS = {
    "api": "API",
    "bf16": "bf16",
    "flops": "FLOPs",
    "fsdp": "FSDP",
    "gib": "GiB",
    "gpu": "GPU",
    "gpus": "GPUs",
    "kv": "KV",
    "lora": "LoRA",
    "mfu": "MFU",
    "nf4": "NF4",
    "param": "parameter",
    "p99": "p99",
    "pue": "PUE",
    "qlora": "QLoRA",
    "rag": "RAG",
    "usd": "USD",
}


def in_general(reason: str) -> str:
    """A reason with each case's blank said in general words."""
    return _BLANK.sub(
        lambda m: BLANKS.get(m.group(1), "the " + m.group(1).replace("_", " ")), reason
    )


def name_in_words(identifier: str) -> str:
    """`min_examples` as "Min examples", `mfu_qlora` as "MFU QLoRA"."""
    parts = [_ACRONYMS.get(p, p) for p in re.split(r"[_\-]", identifier) if p]
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def _approaches_in_words(text: str) -> str:
    return _APPROACH_ID.sub(lambda m: words.approach_in_sentence(m.group(1)), text)


def effect_in_words(rule: Rule) -> str:
    """What the rule does to the approaches, as a reader says it."""
    return effect_words(rule.effect)


def effect_words(effect: str) -> str:
    """A rule's effect as the API states it (`lora +3; excludes full_fine_tuning`), as a
    reader says it ("LoRA +3, rules out full fine-tuning"): for the catalogue on /method and
    for the rules that fired in a report's appendix."""
    said = []
    for part in effect.split("; "):
        ruled_out = _EXCLUDES.fullmatch(part)
        beside = _ONLY_BESIDE.fullmatch(part)
        scored = _SCORED.fullmatch(part)
        if ruled_out:
            said.append(f"rules out {words.approach_in_sentence(ruled_out.group(1))}")
        elif beside:
            said.append(f"{words.approach(beside.group(1))} only beside another")
        elif scored:
            said.append(f"{words.approach(scored.group(1))} {_points(int(scored.group(2)))}")
        else:
            said.append({"warning": "a warning", "plan": "the plan"}.get(part, part))
    return _approaches_in_words(", ".join(said))


def _points(points: int) -> str:
    """+3, or \u22122 with a true minus sign."""
    return f"+{points}" if points >= 0 else f"\u2212{-points}"


@dataclass(frozen=True)
class RuleRow:
    name: str
    effect: str
    reason: str
    source: str


@dataclass(frozen=True)
class DataRow:
    """One row of a data table on /method: what, the figure, its unit, its source and date."""

    name: str
    figure: str
    unit: str
    source: str


def _rule_row(rule: Rule) -> RuleRow:
    return RuleRow(
        name_in_words(rule.id), effect_in_words(rule), in_general(rule.reason), rule.source
    )


@cache
def rule_rows() -> tuple[RuleRow, ...]:
    return tuple(_rule_row(r) for r in load_rules().rules)


@cache
def must_rows() -> tuple[RuleRow, ...]:
    return tuple(_rule_row(r) for r in load_rules().constraints)


def _price_name(price: dict[str, object], models: dict[str, str]) -> str:
    if "up_to_b" in price:
        return f"models up to {float(str(price['up_to_b'])):g}B"
    model = str(price.get("model"))
    return models.get(model, "its own model")


@cache
def managed_rows() -> tuple[DataRow, ...]:
    """The managed fine-tuning offers: training per million tokens by model size or model, each
    with its page and date, flagged when older than the documented age; and who may buy them."""
    names = {m.id: m.name for m in load_catalogue().models.values()}
    rows = []
    for offer in managed_data().offers:
        closed = offer.get("closed_to_new_teams")
        stale = stale_note(str(offer["as_of"]))
        note = (f" Closed to new teams: {closed}" if closed else "") + (
            f" Stale: {stale}." if stale else ""
        )
        for price in offer["prices"]:
            name = offer.get("model") or _price_name(price, names)
            rows.append(
                DataRow(
                    name=f"{offer['provider']}: {name}",
                    figure=f"${float(price['training_usd_per_mtok']):g}",
                    unit="per million training tokens",
                    source=f"{cite(str(offer['training_source']))} (read {offer['as_of']}).{note}",
                )
            )
    return tuple(rows)


@cache
def notice_rows() -> tuple[DataRow, ...]:
    return tuple(
        DataRow(n.provider, n.date, "notice", f"{n.text} ({cite(n.source)})")
        for n in managed_data().notices
    )


@cache
def energy_rows() -> tuple[DataRow, ...]:
    data = energy_data()
    rows = [
        DataRow(
            "Data-centre PUE",
            f"{data.pue.expected:g} ({data.pue.low:g} to {data.pue.high:g})",
            "facility energy / IT energy",
            data.pue_source,
        ),
        DataRow(
            "Grid carbon intensity",
            f"{data.grid_gco2e_per_kwh:g}",
            "g CO2e per kWh",
            data.grid_source,
        ),
    ]
    rows += [
        DataRow(
            f"Board power, {words.gpu_name(gpu)}", f"{watts:g}", "W", data.board_power_source[gpu]
        )
        for gpu, watts in data.board_power_w.items()
    ]
    return tuple(rows)


@cache
def measured_rows() -> tuple[DataRow, ...]:
    """The published training and serving runs the cost model is checked against."""
    doc = read_data("measured_runs.toml")
    rows = []
    for run in doc["runs"]:
        what = words.method(str(run["method"]))
        on = words.gpus(str(run["gpu"]), int(run["gpu_count"]))
        peak = f", {run['peak_memory_gib']:g} GiB peak" if run.get("peak_memory_gib") else ""
        speed = f"{run['tokens_per_second']:,.0f} tokens/s" if run.get("tokens_per_second") else ""
        rows.append(
            DataRow(
                f"{run['framework']}: {words.model_name(str(run['model']))}, {what}, {on}",
                (speed + peak).lstrip(", ") or "memory only",
                "training",
                str(run["source"]),
            )
        )
    for run in doc.get("serving", ()):
        on = words.gpus(str(run["gpu"]), int(run["gpu_count"]))
        rows.append(
            DataRow(
                f"{run['engine']}: {words.model_name(str(run['model']))}, {on}",
                f"{run['output_tokens_per_second']:,.0f} output tokens/s",
                "serving",
                str(run["source"]),
            )
        )
    return tuple(rows)
