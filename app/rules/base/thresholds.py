"""The numbers the rules compare against, said once (data/rules.toml `[thresholds]`).

The conditions, the counterfactual search, the plan and the reason texts all read them from
one typed object, so changing a threshold in the catalogue moves the decision, the
counterfactual ("with at least 200 labelled examples ...") and the sentence a reader sees
together. Each entry carries its unit and its source, like an OpenFisca parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from app.vocabulary.sources import cite


@dataclass(frozen=True, slots=True)
class Threshold:
    """One entry of the table as the data gives it, for the API and the report."""

    name: str
    value: float
    unit: str
    source: str

    @property
    def text(self) -> str:
        return format_value(self.value)


@dataclass(frozen=True, slots=True)
class Thresholds:
    min_examples: int
    """Fewer labelled examples than this: do not fine-tune."""
    comfortable_examples: int
    """From here the examples are in the sweet spot; between min_examples and this, thin."""
    overfitting_max_examples: int
    """Fewer labelled examples than this: full fine-tuning overfits where LoRA does not."""
    sweet_spot_max_examples: int
    """The sweet spot's upper end (inclusive)."""
    hop_latency_ms: int
    """A p99 below this makes the retrieval hop a cost."""
    small_model_latency_ms: int
    """A p99 below this calls for a small base model."""
    small_model_max_b: float
    """The largest base model (billions of parameters) the engine proposes under that p99."""
    small_model_warn_above_b: float
    """A chosen model above this size (the 8B class's upper end) gets a latency warning."""
    no_self_run_max_capability: int
    """At or below this ML capability, no self-run fine-tuning."""
    strong_team_capability: int
    """From this ML capability a team can carry its own, and full, fine-tuning."""
    oversized_hardware_factor: float
    """Requested hardware costing this many times the cheapest fitting GPU is oversized."""
    unbounded_runs: int
    """A budget paying for more LoRA runs than this invites an unbounded search."""
    low_volume_requests: int
    """Fewer requests a month than this is a low-volume workflow fine-tuning rarely pays for."""

    def table(self) -> dict[str, str]:
        """Each value as the reason texts print it (the `{placeholders}` of rules.toml)."""
        return {f.name: format_value(getattr(self, f.name)) for f in fields(self)}


def format_value(value: float) -> str:
    """Whole numbers with thousands separators (100,000), others as written (8.5)."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def parse_thresholds(table: dict[str, Any]) -> tuple[Thresholds, tuple[Threshold, ...]]:
    entries = tuple(
        Threshold(name, float(row["value"]), str(row["unit"]), cite(str(row["source"])))
        for name, row in table.items()
    )
    names = {f.name: f.type for f in fields(Thresholds)}
    given = {e.name for e in entries}
    if given != set(names):
        odd = sorted(given ^ set(names))
        msg = f"[thresholds] must hold exactly {sorted(names)}; these differ: {odd}"
        raise ValueError(msg)
    values: dict[str, Any] = {}
    for entry in entries:
        if names[entry.name] == "int":
            if not entry.value.is_integer():
                msg = f"threshold {entry.name} must be a whole number"
                raise ValueError(msg)
            values[entry.name] = int(entry.value)
        else:
            values[entry.name] = entry.value
    return Thresholds(**values), entries


class _KeepMissing(dict[str, str]):
    """Leaves the per-case placeholders ({examples}) for the condition to fill."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, values: dict[str, str]) -> str:
    return template.format_map(_KeepMissing(values))
