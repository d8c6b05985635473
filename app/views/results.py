"""The results page's view: the rows it prints and the figures its script updates in place.

`bindings()` is the one table of what the page shows for each `data-bind` key, already
formatted. The page prints it; the assumptions panel's JSON carries it; the script copies its
strings into the page. So the browser never formats a figure itself, and a recalculated page
reads exactly like a freshly loaded one.
"""

from __future__ import annotations

from app.rules.result import Recommendation
from app.views.chart import build_chart
from app.views.energy import energy_rows
from app.views.managed import offer_rows
from app.views.rows import cost_line_rows, payback_sentence
from app.views.summary import deciding_reason
from app.vocabulary import numbers, words


def bindings(r: Recommendation) -> dict[str, str]:
    """Every figure the assumptions panel can move, by the key the page binds it to."""
    chart = build_chart(r.cost)
    found = {
        "approach": words.approach(r.approach.value),
        "reason": deciding_reason(r),
        "confidence.level": words.CONFIDENCE[r.confidence.level],
        "confidence.explanation": r.confidence.explanation,
        "chart.reading": chart.reading,
        "chart.ruled_out": chart.ruled_out,
        "chart.band_note": chart.band_note,
        "payback": payback_sentence(r),
    }
    plan = r.plan
    if plan.gpu and plan.gpu_count:
        found["plan.gpus"] = words.gpus(plan.gpu, plan.gpu_count)
    if plan.per_experiment_usd is not None:
        found["plan.per_experiment_usd"] = numbers.usd(plan.per_experiment_usd)
    t = r.cost.training
    if t is not None:
        found |= {
            "training.per_experiment_usd": numbers.usd(t.per_experiment_usd),
            "training.total_usd": numbers.usd(t.total_usd),
            "training.total_usd_range": numbers.usd_range(
                t.total_usd_range.low, t.total_usd_range.high
            ),
            "training.gpu_hours_per_experiment": numbers.hours(t.gpu_hours_per_experiment),
            "training.peak_memory": f"{numbers.gigabytes(t.peak_memory_gb)} per GPU on "
            + words.gpus(t.gpu, t.gpu_count),
        }
    for row in cost_line_rows(r):
        found |= {
            f"line.{row.name}.build": row.build,
            f"line.{row.name}.serving": row.serving,
            f"line.{row.name}.reserve": row.reserve,
            f"line.{row.name}.how": row.how,
            f"line.{row.name}.latency": row.latency,
        }
    for offer in offer_rows(r):
        found |= {
            f"managed.{offer.id}.build": offer.build,
            f"managed.{offer.id}.monthly": offer.monthly,
        }
    for e in energy_rows(r):
        found |= {f"energy.{e.key}.what": e.what, f"energy.{e.key}.power": e.power}
        found |= {f"energy.{e.key}.kwh": e.kwh, f"energy.{e.key}.co2e": e.co2e}
    return found
