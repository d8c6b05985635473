"""The musts of the answers: what an option has to do to be compared with the recommendation.

A recommendation "pays back" against an alternative only if that alternative could be chosen
instead. A frontier API prompted without retrieval cannot answer today's catalogue when the
catalogue changes daily, nor cite its sources; an external API cannot run on your own
infrastructure. Such an option stays on the chart as context (it is what is paid today), but
the payback is measured against the cheapest option that meets every must (options.py).

Three musts, each from the policy:
- `citations`: every answer must cite its source, so the option needs retrieval (policy 2;
  000: avoid fine-tuning when "Audit-grade citations are mandatory (fine-tuned models
  hallucinate provenance)");
- `fresh_facts`: the facts change faster than training can follow (daily, weekly or in real
  time), so the option needs retrieval (policy 1 and 3; 004: retrieval for what changes often,
  fine-tuning for stable behaviour);
- `on_prem`: it must run on your own infrastructure, so no third-party API or provider may
  serve it (policy 10).
"""

from __future__ import annotations

from enum import StrEnum

from app.questions import DataFreshness, Objective
from app.rules.base.facts import Facts


class Must(StrEnum):
    """A requirement of the answers that an option either meets or fails."""

    citations = "citations"
    fresh_facts = "fresh_facts"
    on_prem = "on_prem"


OUTRUN_TRAINING = frozenset({DataFreshness.realtime, DataFreshness.daily, DataFreshness.weekly})
"""Facts that change this often are out of date before a retrained model ships (002: "LoRA
won't teach new knowledge"; policy 3: weekly change already needs a retraining reserve)."""

FACTS = frozenset({Objective.knowledge, Objective.both})
"""The objectives that ask the model to know facts, not only to behave."""

NEEDS_RETRIEVAL = frozenset({Must.citations, Must.fresh_facts})

WHY_NOT = {
    Must.citations: "it cannot cite its sources without retrieval",
    Must.fresh_facts: "it cannot know facts that change {freshness} without retrieval",
    Must.on_prem: "it does not run on your own infrastructure",
}
"""Why an option fails each must, as a clause for the payback sentence."""


def musts(facts: Facts) -> tuple[Must, ...]:
    """The musts these answers set, in a fixed order."""
    a = facts.answers
    found = []
    if a.citations_required:
        found.append(Must.citations)
    if a.objective in FACTS and a.data_freshness in OUTRUN_TRAINING:
        found.append(Must.fresh_facts)
    if facts.context.on_prem_required:
        found.append(Must.on_prem)
    return tuple(found)


def fails(required: tuple[Must, ...], *, retrieval: bool, serving_kind: str) -> tuple[Must, ...]:
    """The musts an option fails: those that need retrieval when it has none, and running on
    your own infrastructure when an API or a provider serves it."""
    return tuple(
        m
        for m in required
        if (m in NEEDS_RETRIEVAL and not retrieval)
        or (m is Must.on_prem and serving_kind != "self_host")
    )


def why_not(failed: tuple[Must, ...], freshness: str) -> str:
    """'it cannot cite its sources without retrieval and it does not run on your own
    infrastructure'; `freshness` says how often the facts change ('daily')."""
    clauses = [WHY_NOT[m].format(freshness=freshness) for m in failed]
    if len(clauses) <= 1:
        return "".join(clauses)
    return ", ".join(clauses[:-1]) + " and " + clauses[-1]
