"""The three training methods the cost model knows."""

from __future__ import annotations

from enum import StrEnum


class Method(StrEnum):
    full = "full"
    lora = "lora"
    qlora = "qlora"

    @property
    def approach(self) -> str:
        """The recommendation's name for this method."""
        return "full_fine_tuning" if self is Method.full else self.value


LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
"""All linear layers of a block: the QLoRA paper's finding (section 4) that adapting every
linear layer is needed to match full fine-tuning, and the target set of common recipes."""


class Precision(StrEnum):
    """How full fine-tuning keeps its states: mixed precision with fp32 master weights (the
    ZeRO accounting, 16 bytes a parameter) or pure bf16 (8 bytes)."""

    mixed = "mixed"
    bf16 = "bf16"
