"""The risks that matter for this case, from the source documents, most pressing first.

Each risk names its source and fires on what is in play: what is trained, what it replaces, what
the budget and the data allow; never on an option that was ruled out, and never with a web
address (the managed services' notices are cited by provider and date). Page 1 shows the first
three; the report lists the rest. The move off a frontier API ("the fine-tuning is maybe 30% of
the project") is said by page 1's timeline, and the confidence by its own line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.questions import DataFreshness
from app.rules.base.approaches import Approach
from app.rules.result import Recommendation
from app.views.managed import lock_in_risk
from app.vocabulary import numbers, words
from app.vocabulary.sources import cite


@dataclass(frozen=True, slots=True)
class Risk:
    text: str
    source: str
    """The document it comes from, as a reader cites it."""


Check = Callable[[Recommendation], str | None]


def _trains(r: Recommendation) -> bool:
    return r.plan.fine_tuning_approach is not None


def _budget_at_high_end(r: Recommendation) -> str | None:
    t = r.cost.training
    if t is None or t.total_usd_range.high <= r.answers.budget_usd:
        return None
    return (
        f"At the high end of its range the experiment programme costs "
        f"{numbers.usd(t.total_usd_range.high)}, above the budget of "
        f"{numbers.usd(r.answers.budget_usd)}: fix the number of experiments before starting."
    )


def _no_payback(r: Recommendation) -> str | None:
    p = r.cost.payback
    if p is None or p.line == p.versus or p.month is not None:
        return None
    versus = next((o.label for o in r.cost.options if o.line == p.versus), p.versus)
    head = f"Over {p.months} months {words.approach_in_sentence(r.approach.value)}"
    cost = (
        f"{head} is about break-even with {versus} at the assumed traffic"
        if p.saving_usd.high > 0
        else f"{head} does not become cheaper than {versus} at the assumed traffic"
    )
    return f"{cost}: the case rests on quality, latency or data control, not cost."


def _forgetting(r: Recommendation) -> str | None:
    if not _trains(r):
        return None
    return (
        "A narrow training set can make the model forget what it did well: score general "
        "inputs on the test set too, not only the target task."
    )


def _deprecation(r: Recommendation) -> str | None:
    if not _trains(r):
        return None
    model = words.model_name(r.plan.base_model)
    return (
        f"When {model} is deprecated or replaced, the adapter must be retrained on its "
        "successor: keep the data, the settings and the test set ready to rerun."
    )


def _curation(r: Recommendation) -> str | None:
    if not _trains(r):
        return None
    return (
        "Data curation is where most of the quality comes from: name an owner for the "
        "training corpus, its scope, cleaning and versions, before any GPU time is spent."
    )


def _provenance(r: Recommendation) -> str | None:
    if not r.answers.citations_required:
        return None
    return (
        "Answers must cite their sources: only retrieved passages can be cited, since a "
        "fine-tuned model hallucinates provenance. Check every citation against the passage."
    )


def _stale_knowledge(r: Recommendation) -> str | None:
    if Approach.rag not in (r.approach, *r.complements):
        return None
    fresh = r.answers.data_freshness
    often = fresh in (DataFreshness.realtime, DataFreshness.daily, DataFreshness.weekly)
    return (
        "Retrieval is only as current as its index: re-index "
        + ("as often as the information changes" if often else "whenever the documents change")
        + ", and assign an owner to the knowledge base."
    )


def _locked_test_set(r: Recommendation) -> str | None:
    return (
        f"Without a locked test set nobody can tell whether it improved: lock "
        f"{numbers.plural(r.plan.test_set_examples, 'held-out example')} before any work starts."
    )


GUIDE, CARD, GLOSSARY = (
    "001_00742b8944635f0e.txt",
    "000_215f7e390b9b58d8.txt",
    "004_02a8e409d34db6ef.txt",
)
RISKS: tuple[tuple[Check, str], ...] = (
    (_budget_at_high_end, f"{GUIDE}: budget and timeline table"),
    (_provenance, f"{CARD}: 'fine-tuned models hallucinate provenance'"),
    (_no_payback, "the cost comparison in this assessment"),
    (_stale_knowledge, f"{GLOSSARY}: 'retrieval against a maintained knowledge base'"),
    (_curation, f"{GLOSSARY}: 'data curation is where 80 percent of the quality comes from'"),
    (_forgetting, f"{CARD}: 'Catastrophic forgetting if training data distribution is too narrow'"),
    (_deprecation, f"{CARD}: 'Hidden retraining costs when underlying base model is deprecated'"),
    (_locked_test_set, f"{GUIDE}: 'insist on a locked test set carved out before training starts'"),
)
"""Each risk's check and its source, most pressing first."""


def provider_event_risks(r: Recommendation) -> list[Risk]:
    """A provider's announced end date inside the chart's months that a drawn option depends on
    (never a ruled-out one): what happens then and its cost, cited by the provider's notice."""
    names = {o.line: o.label for o in r.cost.options}
    return [
        Risk(
            f"On {e.date} (month {e.month}) {e.ends}: {names.get(e.line, e.line)} must {e.then}.",
            e.source,
        )
        for e in r.cost.provider_events
    ]


def risks(r: Recommendation) -> tuple[Risk, ...]:
    """The risks that fire on this result, most pressing first; each assumed answer too. A
    provider's end date inside the horizon is dated and comes first."""
    found = provider_event_risks(r)
    found += [Risk(text, cite(source)) for check, source in RISKS if (text := check(r))]
    if (managed := lock_in_risk(r)) is not None:  # sourced from the providers' dated pages
        trains = r.plan.fine_tuning_approach is not None  # else an open option, not the plan
        found.insert(min(1, len(found)) if trains else len(found), Risk(*managed))
    for item in r.assumptions:
        label = words.question_label(item.question)
        found.insert(1, Risk(f"Assumed answer to \u201c{label}\u201d: {item.note}", "your answers"))
    return tuple(found)
