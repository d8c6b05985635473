"""The proposal review's catalogue as data (data/proposal.toml): anti-patterns and verdicts.

`load_proposal_catalogue()` is the one the app ships; `parse_proposal_catalogue(text)` builds
one from other text, so a test can remove a pattern and see the review follow it. Sources are
cited as a reader cites them (app/vocabulary/sources.py), never by file name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast, get_args

from app import toml_data
from app.vocabulary.sources import cite

VerdictEffect = Literal["send_back", "change"]


@dataclass(frozen=True, slots=True)
class AntiPattern:
    """One of 001's anti-patterns of fine-tuning proposals, quoted, with its question."""

    id: str
    title: str
    looks_like: str
    why_wrong: str
    question: str
    detail: str
    """This proposal's figures, a template filled by the pattern's condition."""
    verdict: VerdictEffect
    asks: str
    """What the verdict lists: the missing evidence (send back) or the change, a template."""
    source: str
    reason: str | None = None
    """The verdict's reason when this pattern sends the proposal back; None: the general one."""


@dataclass(frozen=True, slots=True)
class VerdictTexts:
    """The three verdicts' words, reasons and sources, and the change of approach."""

    send_back: str
    send_back_reason: str
    send_back_source: str
    change: str
    change_reason: str
    change_source: str
    approve: str
    approve_reason: str
    approve_source: str
    different_approach: str
    different_approach_source: str


@dataclass(frozen=True, slots=True)
class ProposalNotes:
    """Remarks said beside the verdict, which do not move it, each a template with its source."""

    experiments_above_typical: str
    experiments_above_typical_source: str


@dataclass(frozen=True, slots=True)
class ProposalCatalogue:
    anti_patterns: tuple[AntiPattern, ...]
    verdict: VerdictTexts
    multi_gpu_min_params_b: float
    unbounded_experiments: int
    """A stated experiment count from this up is an unbounded search (001: '100+ runs
    without converging'); below it, past the typical 30, a note."""
    unbounded_experiments_source: str
    notes: ProposalNotes


def _cited(row: dict[str, Any]) -> dict[str, str]:
    """Every value as text, each source with its seed file names as citations."""
    return {k: cite(str(v)) if k.endswith("source") else str(v) for k, v in row.items()}


def _pattern(row: dict[str, Any]) -> AntiPattern:
    texts = _cited(row)
    verdict = texts.pop("verdict")
    if verdict not in get_args(VerdictEffect):
        raise ValueError(f"anti-pattern {texts['id']}: verdict must be send_back or change")
    return AntiPattern(**texts, verdict=cast("VerdictEffect", verdict))


def parse_proposal_catalogue(text: str) -> ProposalCatalogue:
    import tomllib  # noqa: PLC0415  # the shipped catalogue is read through app.toml_data

    return _catalogue(tomllib.loads(text))


def _catalogue(data: dict[str, Any]) -> ProposalCatalogue:
    patterns = tuple(_pattern(row) for row in data.get("anti_patterns", []))
    return ProposalCatalogue(
        anti_patterns=patterns,
        verdict=VerdictTexts(**_cited(data["verdict"])),
        multi_gpu_min_params_b=float(data["thresholds"]["multi_gpu_min_params_b"]),
        unbounded_experiments=int(data["thresholds"]["unbounded_experiments"]),
        unbounded_experiments_source=cite(data["thresholds"]["unbounded_experiments_source"]),
        notes=ProposalNotes(**_cited(data["notes"])),
    )


def proposal_catalogue_text() -> str:
    """The shipped catalogue's TOML, for tests that derive a modified copy from it."""
    return resources.files("app.rules").joinpath("data", "proposal.toml").read_text("utf-8")


@cache
def load_proposal_catalogue() -> ProposalCatalogue:
    """The shipped catalogue, its parsed TOML kept between runs (app.toml_data)."""
    return _catalogue(toml_data.load(Path(__file__).parents[1] / "data" / "proposal.toml"))
