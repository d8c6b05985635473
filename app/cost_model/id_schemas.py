"""JSON Schema for fields that take a catalogue id, and for numbers that must not be booleans.

The validators check ids against the catalogues; these make the OpenAPI say the same thing
(an `enum` of the ids), so a client generated from the schema, or a fuzzer reading it, knows
which strings are accepted. The catalogue is read when the schema is generated, never at
import time.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from app.cost_model.catalogue import load_catalogue
from app.cost_model.invalid import invalid


def _ids(schema: dict[str, Any], ids: list[str]) -> None:
    """Narrow a string (or string-or-null) field's schema to the given ids."""
    options = schema.get("anyOf")
    if isinstance(options, list):
        for option in options:
            if option.get("type") == "string":
                option["enum"] = ids
    else:
        schema["enum"] = ids


def model_ids(schema: dict[str, Any]) -> None:
    """json_schema_extra for a base-model id: the catalogue's model ids."""
    _ids(schema, list(load_catalogue().models))


def gpu_ids(schema: dict[str, Any]) -> None:
    """json_schema_extra for a GPU id: the catalogue's GPU ids."""
    _ids(schema, list(load_catalogue().gpus))


def refuse_bool(value: Any) -> Any:
    """A BeforeValidator for float fields: JSON `true` and `false` are not amounts.

    pydantic's lax mode would read them as 1.0 and 0.0 (a budget of `false` became $0).
    """
    if isinstance(value, bool):
        raise invalid("number_not_boolean", "Input should be a number, not true or false")
    return value


def integral(value: Any) -> Any:
    """A BeforeValidator for strict integer fields: 2.0 is the integer 2, as JSON Schema says.

    Strict mode stays on for everything else, so "10" and `true` are still refused.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


ONE_MODEL_SOURCE: dict[str, Any] = {
    "not": {
        "required": ["base_model", "model_size_b"],
        "properties": {"base_model": {"type": "string"}, "model_size_b": {"type": "number"}},
    }
}
"""A schema clause: base_model and model_size_b are not both given."""


ModelSizeB = Annotated[
    float, Field(gt=0.1, le=1000, allow_inf_nan=False), BeforeValidator(refuse_bool)
]
"""A model's size in billions of parameters, where no catalogue id is given (the context, a
training estimate, a team's proposal): its bounds said once."""

BudgetUsd = Annotated[
    float, Field(ge=0, le=100_000_000, allow_inf_nan=False), BeforeValidator(refuse_bool)
]
"""A compute budget in US dollars (the ninth answer, a team's proposal): its bounds said once."""
