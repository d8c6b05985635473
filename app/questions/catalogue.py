"""The question catalogue served at GET /api/v1/questions: words from the data file, types and
bounds from the pydantic models, so a tool can render its own form and validate like we do."""

from __future__ import annotations

import enum
import types
import typing
from functools import cache
from typing import Any

import annotated_types
from pydantic.fields import FieldInfo

from app.cost_model.prices import reference_api_choices
from app.questions.models import UNSURE_DEFAULTS, Answers, Context
from app.questions.text import QuestionText, catalogue_text


def _base_type(annotation: Any) -> Any:
    """Strip Optional/Annotated down to the value type."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base_type(args[0])
    return annotation


def _bounds(info: FieldInfo) -> dict[str, float]:
    out: dict[str, float] = {}
    metadata = list(info.metadata)
    annotation = info.annotation
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Annotated:
            metadata += list(typing.get_args(arg)[1:])
    for item in metadata:
        for m in getattr(item, "metadata", [item]):
            if isinstance(m, annotated_types.Ge):
                out["minimum"] = float(m.ge)  # type: ignore[arg-type]
            elif isinstance(m, annotated_types.Gt):
                out["exclusive_minimum"] = float(m.gt)  # type: ignore[arg-type]
            elif isinstance(m, annotated_types.Le):
                out["maximum"] = float(m.le)  # type: ignore[arg-type]
    return out


def _entry(text: QuestionText, info: FieldInfo, *, with_default: bool) -> dict[str, Any]:
    base = _base_type(info.annotation)
    entry: dict[str, Any] = {
        "id": text.id,
        "label": text.label,
        "help": text.help,
        "name": text.name,
        "missing": text.missing,
    }
    if isinstance(base, type) and issubclass(base, enum.Enum):
        entry["type"] = "choice"
        entry["options"] = [
            {"value": m.value, "label": text.options.get(str(m.value), str(m.value))} for m in base
        ]
    elif base is bool:
        entry["type"] = "boolean"
    elif base is int:
        entry["type"] = "integer"
    elif base is float:
        entry["type"] = "number"
    else:
        entry["type"] = "string"
    if text.id == "reference_api_model":
        entry["suggestions"] = [{"value": c.id, "label": c.label} for c in reference_api_choices()]
    if text.options and entry["type"] == "integer":
        entry["options"] = [{"value": int(k), "label": v} for k, v in text.options.items()]
    entry.update(_bounds(info))
    if text.unit:
        entry["unit"] = text.unit
    if text.unsure:
        entry["unsure"] = {"default": UNSURE_DEFAULTS[text.id], "note": text.unsure}
    if with_default:
        default = info.get_default(call_default_factory=True)
        entry["default"] = default.value if isinstance(default, enum.Enum) else default
    else:
        entry["required"] = True
    return entry


@cache
def question_catalogue() -> dict[str, Any]:
    text = catalogue_text()
    return {
        "version": text.version,
        "questions": [
            _entry(q, Answers.model_fields[q.id], with_default=False) for q in text.questions
        ],
        "context": [_entry(q, Context.model_fields[q.id], with_default=True) for q in text.context],
    }
