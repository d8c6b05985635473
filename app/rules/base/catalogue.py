"""The rule catalogue as data (data/rules.toml): ids, reasons, effects, sources, thresholds.

`load_rules()` is the catalogue the app ships; `parse_rules(text)` builds one from other text,
so a test (or a what-if tool) can hand a modified catalogue to `build_facts` and see the
decision, the counterfactuals and the reasons follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from app import toml_data
from app.rules.base.approaches import Approach
from app.rules.base.thresholds import Threshold, Thresholds, fill, parse_thresholds
from app.vocabulary.sources import cite


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str
    source: str
    score: tuple[tuple[Approach, int], ...]
    exclude: tuple[Approach, ...]
    not_primary: tuple[Approach, ...]
    warning: str | None
    applies_to: tuple[Approach, ...] = ()
    effect_text: str | None = None
    """The effect in words, for rules whose targets are computed when they fire."""
    primary: Approach | None = None
    """For a constraint (`[[constraints]]`): the approach it makes the primary one."""
    advises: str | None = None
    """The cost line (an option the costs price) its reason and warning advise, if any."""
    reason_if_ruled_out: str | None = None
    """The reason to give instead when the costs rule that option out (`{why}`, `{instead}`)."""
    warning_if_ruled_out: str | None = None
    """The warning to give instead in that case."""

    def as_ruled_out(self) -> Rule:
        """The rule with its advice turned round: the advised option is ruled out."""
        return replace(
            self,
            reason=self.reason_if_ruled_out or self.reason,
            warning=self.warning_if_ruled_out or self.warning,
        )

    @cached_property
    def points(self) -> dict[Approach, int]:
        return dict.fromkeys(Approach, 0) | dict(self.score)

    @property
    def warns_only(self) -> bool:
        return not (self.score or self.exclude or self.not_primary or self.effect_text)

    @cached_property
    def effect(self) -> str:
        """The effect in words, for the API and the report (a rule's own, so made once)."""
        if self.effect_text:
            return self.effect_text
        parts = [f"excludes {a.value}" for a in self.exclude]
        parts += [f"{a.value} only as a complement" for a in self.not_primary]
        parts += [f"{a.value} {points:+d}" for a, points in self.score]
        if self.warning:
            parts.append("warning")
        return "; ".join(parts) if parts else "plan"


@dataclass(frozen=True, eq=False)
class RuleCatalogue:
    version: str
    tie_break: tuple[Approach, ...]
    high_margin: int
    medium_margin: int
    rules: tuple[Rule, ...]
    constraints: tuple[Rule, ...]
    """The policy's musts, applied after the points are tallied
    (app/rules/decision/constraints.py)."""
    thresholds: Thresholds
    threshold_table: tuple[Threshold, ...]
    """The thresholds with their units and sources, in catalogue order."""
    unsure_plausible_factor: float = 10.0
    """An "I'm not sure" answer lowers the confidence only when a value within this factor of
    the assumed one, either way, changes the recommendation."""

    @cached_property
    def deciding_rules(self) -> tuple[Rule, ...]:
        """The rules that can move the primary approach (warning-only rules cannot)."""
        return tuple(r for r in self.rules if not r.warns_only)

    def by_id(self, rule_id: str) -> Rule:
        return self._index()[rule_id]

    def _index(self) -> dict[str, Rule]:
        return {r.id: r for r in (*self.rules, *self.constraints)}


def _list(row: dict[str, object], key: str) -> list[str]:
    value = row.get(key, [])
    assert isinstance(value, list)
    return [str(v) for v in value]


def _rule(row: dict[str, object], numbers: dict[str, str]) -> Rule:
    score = row.get("score", {})
    assert isinstance(score, dict)
    exclude = _list(row, "exclude")
    not_primary = _list(row, "not_primary")
    warning = row.get("warning")
    return Rule(
        id=str(row["id"]),
        reason=fill(str(row["reason"]), numbers),
        source=cite(str(row["source"])),
        score=tuple((Approach(k), int(v)) for k, v in score.items()),
        exclude=tuple(Approach(a) for a in exclude),
        not_primary=tuple(Approach(a) for a in not_primary),
        warning=fill(str(warning), numbers) if warning is not None else None,
        applies_to=tuple(Approach(a) for a in _list(row, "applies_to")),
        effect_text=str(row["effect"]) if "effect" in row else None,
        primary=Approach(str(row["primary"])) if "primary" in row else None,
        advises=str(row["advises"]) if "advises" in row else None,
        reason_if_ruled_out=_text(row, "reason_if_ruled_out", numbers),
        warning_if_ruled_out=_text(row, "warning_if_ruled_out", numbers),
    )


def _text(row: dict[str, object], key: str, numbers: dict[str, str]) -> str | None:
    return fill(str(row[key]), numbers) if key in row else None


def parse_rules(text: str) -> RuleCatalogue:
    """A catalogue from TOML text; the thresholds are written into the reasons and warnings
    (their `{placeholders}`), leaving the per-case placeholders for the conditions."""
    import tomllib  # noqa: PLC0415  # the shipped catalogue is read through app.toml_data

    return _catalogue(tomllib.loads(text))


def _catalogue(doc: dict[str, Any]) -> RuleCatalogue:
    thresholds, table = parse_thresholds(doc["thresholds"])
    numbers = thresholds.table()
    return RuleCatalogue(
        version=str(doc["version"]),
        tie_break=tuple(Approach(a) for a in doc["tie_break"]),
        high_margin=int(doc["confidence"]["high_margin"]),
        medium_margin=int(doc["confidence"]["medium_margin"]),
        rules=tuple(_rule(row, numbers) for row in doc["rules"]),
        constraints=tuple(_rule(row, numbers) for row in doc.get("constraints", [])),
        thresholds=thresholds,
        threshold_table=table,
        unsure_plausible_factor=float(doc["confidence"].get("unsure_plausible_factor", 10.0)),
    )


def rules_text() -> str:
    """The shipped catalogue's TOML, for tests that derive a modified copy from it."""
    return resources.files("app.rules").joinpath("data", "rules.toml").read_text("utf-8")


@cache
def load_rules() -> RuleCatalogue:
    """The shipped catalogue, its parsed TOML kept between runs (app.toml_data)."""
    return _catalogue(toml_data.load(Path(__file__).parents[1] / "data" / "rules.toml"))
