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


class Stack(StrEnum):
    """The training code a run uses, for what it keeps on the GPU (data/stacks.toml).

    `peft` is the standard stack the plans assume (transformers, PEFT and bitsandbytes, as TRL's
    SFTTrainer runs them); `qlora-reference` is the QLoRA paper's own qlora.py; `torchtune` is
    PyTorch's torchtune recipes. They differ in the bytes of the weights bitsandbytes does not
    quantise, of the adapters and their optimizer states, and of the logits."""

    peft = "peft"
    qlora_reference = "qlora-reference"
    torchtune = "torchtune"


def pages_optimizer_by_default(method: Method) -> bool:
    """QLoRA pages its optimizer states: paged optimizers are one of the method's three parts
    (Dettmers et al. 2023, arXiv:2305.14314, section 3), qlora.py defaults to
    `paged_adamw_32bit` and the Hugging Face QLoRA recipes pass `optim="paged_adamw_32bit"` or
    `"paged_adamw_8bit"`. LoRA and full fine-tuning keep plain AdamW on the GPU."""
    return method is Method.qlora
