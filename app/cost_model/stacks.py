"""What each training stack keeps on the GPU (data/stacks.toml).

The standard stack takes every byte count from constants.toml, with its band; another stack
overrides the few its code sets differently, exactly. The QLoRA paper's qlora.py and torchtune
keep the unquantised embeddings and the adapters in bf16 where PEFT's
prepare_model_for_kbit_training upcasts them to fp32, which is most of the gap between the
paper's 65B on one 48 GB GPU and an estimate that assumed fp32 everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from app.cost_model.catalogue import read_data
from app.cost_model.constants import Band, load_constants
from app.cost_model.methods import Stack

OVERRIDABLE = (
    "qlora_unquantised_bytes_per_param",
    "adapter_bytes_per_param",
    "adapter_optimizer_bytes_per_param",
    "logit_bytes_per_element",
)
"""The constants a stack may set for itself."""


@dataclass(frozen=True, slots=True)
class StackSpec:
    id: Stack
    name: str
    source: str
    quantised_head: bool
    """QLoRA: the LM head is quantised with the other linear layers (torchtune)."""
    overrides: tuple[tuple[str, float], ...]

    def sets(self, name: str) -> bool:
        """Whether the stack's code sets this value itself."""
        return name in dict(self.overrides)

    def get(self, name: str, band: Band = Band.expected) -> float:
        """The stack's own value of a constant, or the standard one with its band."""
        own = dict(self.overrides).get(name)
        return own if own is not None else load_constants().get(name, band)


@cache
def load_stacks() -> dict[Stack, StackSpec]:
    doc = read_data("stacks.toml")
    return {
        Stack(row["id"]): StackSpec(
            id=Stack(row["id"]),
            name=str(row["name"]),
            source=str(row["source"]),
            quantised_head=bool(row.get("quantised_head", False)),
            overrides=tuple((k, float(row[k])) for k in OVERRIDABLE if k in row),
        )
        for row in doc["stacks"]
    }


def stack_spec(stack: Stack) -> StackSpec:
    return load_stacks()[stack]
