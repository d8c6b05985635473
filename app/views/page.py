"""What the results page shows beside the document: the versions it was made with, the
assumptions form's choices, the chart's interactive model, the re-run's comparison, and the
method page. The web layer routes; this builds, so app/web/results.py reaches into no package
but the shell's own and this one.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.cost_model import COST_MODEL_VERSION
from app.cost_model.catalogue import GpuSpec, load_catalogue
from app.cost_model.constants import load_constants
from app.cost_model.freshness import freshness, stale_note
from app.cost_model.prices import ReferenceChoice, prices_as_of, reference_api_choices
from app.questions.catalogue import question_catalogue
from app.rules.base.catalogue import load_rules
from app.rules.proposal.catalogue import load_proposal_catalogue
from app.rules.result import Recommendation
from app.views import method
from app.views.chart_svg import page_svg_uri
from app.views.document import Document
from app.vocabulary import numbers, words


def current_versions() -> dict[str, str]:
    return {
        "rules_version": load_rules().version,
        "cost_model_version": COST_MODEL_VERSION,
        "prices_as_of": prices_as_of(),
    }


def stale_versions(then: dict[str, str]) -> list[tuple[str, str, str]]:
    """(what, then, now) for every version that moved since the assessment was made."""
    now = current_versions()
    return [(k, then[k], now[k]) for k in now if then[k] != now[k]]


def gpu_choices() -> list[GpuSpec]:
    return list(load_catalogue().gpus.values())


def api_choices() -> list[ReferenceChoice]:
    return list(reference_api_choices())


def chart_bindings(doc: Document) -> dict[str, Any]:
    """The chart's model for the page's script, and the same chart drawn as SVG for the page
    without JavaScript."""
    return {"chart": doc.chart.model_dump(mode="json"), "chart_svg": page_svg_uri(doc.chart)}


def method_context() -> dict[str, Any]:
    catalogue = load_catalogue()
    return {
        "questions": question_catalogue(),
        "rules": load_rules(),
        "rule_rows": method.rule_rows(),
        "must_rows": method.must_rows(),
        "managed_rows": method.managed_rows(),
        "notice_rows": method.notice_rows(),
        "energy_rows": method.energy_rows(),
        "measured_rows": method.measured_rows(),
        "proposal": load_proposal_catalogue(),
        "constants": list(load_constants().table.values()),
        "models": [asdict(m) for m in catalogue.plan_models],
        "gpus": [
            {**asdict(g), "stale_note": stale_note(g.price_as_of)} for g in catalogue.gpus.values()
        ],
        "freshness": freshness(),
        "versions": current_versions(),
    }


def rerun_rows(then: Recommendation, now: Recommendation) -> list[tuple[str, str, str]]:
    """(what, then, now) for the re-run page: the decision, the versions and the money."""

    def complements(r: Recommendation) -> str:
        return ", ".join(words.approach(c.value) for c in r.complements) or "None"

    found = [
        ("Recommendation", words.approach(then.approach.value), words.approach(now.approach.value)),
        (
            "Confidence",
            words.CONFIDENCE[then.confidence.level],
            words.CONFIDENCE[now.confidence.level],
        ),
        ("Complements", complements(then), complements(now)),
        ("Rules version", then.rules_version, now.rules_version),
        ("Cost model version", then.cost_model_version, now.cost_model_version),
        ("Prices as of", then.prices_as_of, now.prices_as_of),
    ]
    if then.cost.training or now.cost.training:
        found.append(
            (
                "Training programme",
                numbers.usd(then.cost.training.total_usd if then.cost.training else None),
                numbers.usd(now.cost.training.total_usd if now.cost.training else None),
            )
        )
    found.extend(
        (
            f"Monthly: {words.line(name)}",
            numbers.usd(value),
            numbers.usd(now.cost.monthly.get(name)),
        )
        for name, value in then.cost.monthly.items()
    )
    return found
