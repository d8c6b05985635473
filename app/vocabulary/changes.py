"""Changed answers in words: the sentences of "what would change the recommendation".

"With at least 200 labelled examples", "With a budget of between $1,000 and $4,201.37", "If
citations were not required". Budgets are written to the cent (`usd_exact`): a counterfactual's
bound must be true to the cent.
"""

from __future__ import annotations

import math
from typing import Any

from app.questions.text import catalogue_text
from app.vocabulary.numbers import usd_exact


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


NUMBER_WORDS: dict[str, tuple[str, str]] = {
    "labelled_examples": ("With {} labelled examples", "{:,.0f}"),
    "latency_p99_ms": ("With a p99 latency target of {} ms", "{:,.0f}"),
    "ml_capability": ("With an ML team at capability {}", "{:.0f}"),
}
"""How each numeric answer reads, and how its values are written (the budget reads as money)."""


def _number(name: str, value: float) -> str:
    return usd_exact(value) if name == "budget_usd" else NUMBER_WORDS[name][1].format(value)


def describe_band(name: str, band: tuple[float, float | None], lowest: float) -> str:
    """A numeric answer's band in words: 'at least X' (unbounded above), 'at most Y' (down to
    the lowest allowed value), 'between X and Y', or the one value."""
    low, high = band
    if high is None:
        bound = f"at least {_number(name, low)}"
    elif low <= lowest:
        bound = f"at most {_number(name, high)}"
    elif low == high:
        bound = _number(name, low)
    else:
        bound = f"between {_number(name, low)} and {_number(name, high)}"
    if name == "budget_usd":
        return f"With a budget of {bound}"
    return NUMBER_WORDS[name][0].format(bound)


def describe_change(name: str, new: Any) -> str:
    """One answer set to one value: 'With 1,000 labelled examples', 'If citations were not
    required', "If the answer to '...' were '...'"."""
    new = _plain(new)
    if name in NUMBER_WORDS or name == "budget_usd":
        return describe_band(name, (float(new), float(new)), -math.inf)
    if name == "citations_required":
        return "If citations were required" if new else "If citations were not required"
    option = catalogue_text().question(name).options.get(str(new), str(new))
    label = catalogue_text().question(name).label.rstrip("?").lower()
    return f"If the answer to '{label}' were '{option}'"
