"""How the report writes numbers, money, answers and catalogue ids for a reader."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.cost_model.catalogue import load_catalogue
from app.questions.text import catalogue_text


def usd(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) < 10 and value != int(value):
        return f"${value:,.2f}"
    return f"${value:,.0f}"


def usd_range(r: dict[str, float] | None) -> str:
    if not r:
        return "n/a"
    if r["low"] == r["high"]:
        return usd(r["expected"])
    return f"{usd(r['low'])} to {usd(r['high'])}"


def number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def when(created_at: datetime) -> str:
    return created_at.strftime("%d %B %Y, %H:%M UTC").lstrip("0")


def model_name(model_id: str | None) -> str:
    if model_id is None:
        return "n/a"
    spec = load_catalogue().models.get(model_id)
    return spec.name if spec is not None else model_id


def gpu_name(gpu_id: str | None) -> str:
    if gpu_id is None:
        return "n/a"
    spec = load_catalogue().gpus.get(gpu_id)
    return spec.name if spec is not None else gpu_id


UNITS = {"labelled_examples": "examples", "latency_p99_ms": "ms"}


def answer_text(qid: str, value: Any) -> str:
    """An answer as the wizard offered it: the option's words, Yes/No, or a number with unit."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    options = catalogue_text().question(qid).options
    if str(value) in options:
        return options[str(value)]
    if qid == "budget_usd":
        return usd(float(value))
    if isinstance(value, int | float):
        unit = UNITS.get(qid)
        return f"{number(value)} {unit}" if unit else number(value)
    return str(value)


def context_text(name: str, value: Any) -> str:
    if value is None:
        return "not set: Tunewise proposes one" if name in ("base_model", "gpu") else "not set"
    if name == "base_model":
        return f"{model_name(value)} ({value})"
    if name == "gpu":
        return f"{gpu_name(value)} ({value})"
    return answer_text(name, value)


def question_label(qid: str) -> str:
    try:
        return catalogue_text().question(qid).label
    except StopIteration:
        return qid
