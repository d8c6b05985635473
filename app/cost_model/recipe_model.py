"""The training recipe as a typed, frozen value: what the result, the API and the files carry.

`Recipe` holds every value a trainer is configured with (typed fields, which the TRL script and
the axolotl config are written from) and the same values in words with why each was chosen and
its source (`values`, which the results page and the PDF show). recipe_build.py makes it from
the very `TrainingEstimate` whose memory, tokens/s, GPU-hours and cost the reader sees.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_FROZEN = ConfigDict(frozen=True, extra="ignore")


class RecipeValue(BaseModel):
    """One value of the recipe in words, with why it was chosen and where that comes from."""

    model_config = _FROZEN

    name: str = Field(description="the value's stable name, as in the recipe's typed fields")
    label: str = Field(description="the value in words, for a person")
    value: str = Field(description="the value as a person reads it")
    why: str = Field(description="why this value, with this plan's figures")
    source: str = Field(description="the publication or document the choice rests on")


class LoraSettings(BaseModel):
    model_config = _FROZEN

    rank: int = Field(description="adapter rank r (the cost model's `lora_rank`)")
    alpha: int = Field(description="LoRA alpha: the update is scaled by alpha / r")
    dropout: float = Field(description="dropout on the adapters' input")
    target_modules: str | tuple[str, ...] = Field(
        description="PEFT `target_modules`: `all-linear` (every linear layer but the output "
        "head), or the attention projections of a mixture of experts"
    )
    target_parameters: tuple[str, ...] = Field(
        (), description="PEFT `target_parameters`: a mixture of experts' fused expert weights"
    )
    targets: str = Field(description="where the adapters sit, in words")


class Quantisation(BaseModel):
    model_config = _FROZEN

    quant_type: Literal["nf4"] = Field(description="4-bit NormalFloat (bitsandbytes)")
    double_quant: bool = Field(description="the quantisation constants quantised too")
    compute_dtype: Literal["bfloat16"] = Field(description="the dtype the matmuls run in")


class Sharding(BaseModel):
    model_config = _FROZEN

    strategy: Literal["full_shard"] = Field(description="FSDP sharding strategy")
    zero_stage: int = Field(description="the DeepSpeed ZeRO stage it corresponds to")
    gpus: int = Field(description="GPUs the states are sharded over")


class GridStep(BaseModel):
    """A stretch of the bounded experiment grid: which runs, and what they vary."""

    model_config = _FROZEN

    first_run: int = Field(ge=1)
    last_run: int = Field(ge=1)
    varies: str = Field(description="what these runs change, for a person")
    learning_rates: tuple[float, ...] = Field(
        (), description="the learning rates these runs try, when they sweep it"
    )


class Recipe(BaseModel):
    """The recipe one fine-tuning run is priced with, and the files a trainer reads."""

    model_config = _FROZEN

    method: Literal["lora", "qlora", "full"]
    base_model: str = Field(description="model catalogue id (GET /api/v1/models)")
    base_model_name: str
    hf_model_id: str | None = Field(
        description="the model's Hugging Face id; null for a model given by size only"
    )
    gpu: str = Field(description="GPU catalogue id")
    gpu_count: int = Field(description="GPUs per run")
    sequence_length: int = Field(description="tokens per training sequence (`max_length`)")
    packing: bool = Field(description="short examples packed into full sequences")
    micro_batch: int = Field(description="sequences per GPU per step")
    gradient_accumulation_steps: int
    effective_batch_sequences: int = Field(
        description="sequences per optimiser step: micro-batch x accumulation x GPUs"
    )
    gradient_checkpointing: bool
    epochs: float
    learning_rate: float
    lr_scheduler: str
    warmup_ratio: float
    max_grad_norm: float
    weight_decay: float
    optimizer: str = Field(description="the Hugging Face `optim` name")
    precision: Literal["bf16", "bf16_mixed_fp32_master"] = Field(
        description="bf16 weights (LoRA, QLoRA's adapters' base), or bf16 compute with fp32 "
        "master weights (full fine-tuning)"
    )
    lora: LoraSettings | None = Field(description="null for full fine-tuning")
    quantisation: Quantisation | None = Field(description="QLoRA only")
    sharding: Sharding | None = Field(description="when the run spans GPUs")
    examples: int = Field(description="examples one run trains on")
    tokens_per_example: int
    test_set_examples: int = Field(description="the locked test set each run is scored on")
    eval_max_new_tokens: int = Field(description="tokens generated per test answer")
    experiments: int
    grid: tuple[GridStep, ...]
    dataset_format: str
    train_file: str
    test_file: str
    output_dir: str
    libraries: dict[str, str] = Field(description="the library versions the files are for")
    recipe_version: str
    recipe_as_of: str
    values: tuple[RecipeValue, ...] = Field(description="every value in words with why")
    priced: str = Field(description="what of the estimate these values determine, in words")
