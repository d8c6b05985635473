"""Form values in, typed answers out, with messages written for a product manager.

The wizard keeps its state in the request itself (hidden fields and query strings), so any
instance can serve any step and nothing is lost when a page is reloaded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from app.questions import Answers, Context, RecommendationRequest
from app.questions.catalogue import question_catalogue
from app.questions.models import UNSURE_DEFAULTS
from app.web.steps import QUESTION_IDS

MODEL_OR_SIZE = "Choose a base model or enter a model size, not both"
BOTH_ANSWERS = "Enter a number or tick \u201cI\u2019m not sure\u201d, not both"

CONTEXT_FIELDS = tuple(c["id"] for c in question_catalogue()["context"])


SCALES = {"k": 1_000, "m": 1_000_000}
"""Shorthand a PM types: "10k" examples, a "$1.5m" budget."""


def _number_text(raw: str) -> str:
    return raw.strip().replace(",", "").replace("$", "").replace("_", "").replace(" ", "")


def _scaled(cleaned: str, whole: bool) -> float:
    """The number in `cleaned`, with a k or m suffix multiplied out; ValueError otherwise,
    and for NaN or an infinity, which no question can take."""
    scale = SCALES.get(cleaned[-1:].lower(), 1)
    digits = cleaned[:-1] if scale != 1 else cleaned
    value = float(digits) * scale
    if not math.isfinite(value):
        raise ValueError(cleaned)
    if whole:
        if value != int(value):
            raise ValueError(cleaned)
        return int(value)
    return value


def _bounds_message(entry: dict[str, Any], whole: bool) -> str:
    """Names the field, so the deployment page's error summary says which one is wrong."""
    low = entry.get("minimum", entry.get("exclusive_minimum"))
    high = entry.get("maximum")
    kind = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        above = "above" if "exclusive_minimum" in entry else "from"
        return f"{entry['name']} must be {kind} {above} {low:,.10g} to {high:,.0f}"
    return f"{entry['name']} must be {kind}"


def _parse_number(entry: dict[str, Any], text: str) -> tuple[Any, str | None]:
    whole = entry["type"] == "integer"
    cleaned = _number_text(text)
    if not cleaned:
        return None, str(entry["missing"])
    try:
        value = _scaled(cleaned, whole)
    except ValueError:
        return None, _bounds_message(entry, whole)
    too_low = ("minimum" in entry and value < entry["minimum"]) or (
        "exclusive_minimum" in entry and value <= entry["exclusive_minimum"]
    )
    too_high = "maximum" in entry and value > entry["maximum"]
    return (None, _bounds_message(entry, whole)) if too_low or too_high else (value, None)


def parse_value(entry: dict[str, Any], raw: str) -> tuple[Any, str | None]:
    """(value, None) or (None, message) for one catalogue entry's raw form text."""
    kind = entry["type"]
    text = raw.strip()
    if kind == "choice":
        values = [str(o["value"]) for o in entry["options"]]
        return (text, None) if text in values else (None, str(entry["missing"]))
    if kind == "boolean":
        return (text == "yes", None) if text in ("yes", "no") else (None, str(entry["missing"]))
    if kind in ("integer", "number"):
        return _parse_number(entry, text)
    return (text, None) if text else (None, str(entry["missing"]))


def question_entry(qid: str) -> dict[str, Any]:
    return next(q for q in question_catalogue()["questions"] if q["id"] == qid)


def context_entry(cid: str) -> dict[str, Any]:
    return next(c for c in question_catalogue()["context"] if c["id"] == cid)


def unsure_ids(getlist: Callable[[str], list[Any]]) -> tuple[str, ...]:
    """The questions ticked "I'm not sure", in question order."""
    chosen = [u for u in getlist("unsure") if u in UNSURE_DEFAULTS]
    return tuple(q for q in QUESTION_IDS if q in chosen)


def parse_answer(
    qid: str, form: Mapping[str, str], unsure: tuple[str, ...]
) -> tuple[Any, str | None]:
    if qid in unsure:
        if str(form.get(qid) or "").strip():
            return None, BOTH_ANSWERS
        return UNSURE_DEFAULTS[qid], None
    raw = form.get(qid)
    if raw is None or not str(raw).strip():
        return None, str(question_entry(qid)["missing"])
    return parse_value(question_entry(qid), str(raw))


def known_answers(form: Mapping[str, str], unsure: tuple[str, ...]) -> dict[str, Any]:
    """The answers carried so far that parse cleanly (a tampered value is simply asked again)."""
    out = {}
    for qid in QUESTION_IDS:
        if qid in form or qid in unsure:
            value, error = parse_answer(qid, form, unsure)
            if error is None:
                out[qid] = value
    return out


CHOSEN_FROM_A_LIST = ("base_model", "gpu", "reference_api_model")
"""Fields a person picks from a list: a value not on it gets the field's own message."""


def parse_context(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Blank context fields keep their documented defaults. Every field is checked in one
    round: the ones that parse are validated together, so a person fixes everything at once."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for cid in CONTEXT_FIELDS:
        raw = str(form.get(cid, "")).strip()
        if not raw:
            continue
        entry = context_entry(cid)
        value, error = parse_value(entry, raw)
        if error:
            errors[cid] = error
        else:
            values[cid] = value
    try:
        Context.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors():
            if not err["loc"]:  # the one check across fields
                errors.setdefault("model_size_b", MODEL_OR_SIZE)
                continue
            field = str(err["loc"][0])
            if field in CHOSEN_FROM_A_LIST:
                name = str(context_entry(field)["name"])
                message = f"Choose {name[:1].lower() + name[1:]} from the list"
            else:
                message = str(err["msg"]).removeprefix("Value error, ")
            errors.setdefault(field, message)
    return values, errors


def build_request(
    answers: dict[str, Any], context: dict[str, Any], unsure: tuple[str, ...]
) -> RecommendationRequest:
    return RecommendationRequest.model_validate(
        {
            "answers": Answers.model_validate(answers).model_dump(),
            "context": context,
            "unsure": unsure,
        }
    )
