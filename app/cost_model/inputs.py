"""The body of POST /api/v1/estimates/training: validated, with documented defaults."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from app.cost_model.architecture import resolve_model
from app.cost_model.catalogue import check_gpu_id, check_model_id, load_catalogue
from app.cost_model.id_schemas import (
    ONE_MODEL_SOURCE,
    ModelSizeB,
    gpu_ids,
    integral,
    model_ids,
    refuse_bool,
)
from app.cost_model.invalid import invalid
from app.cost_model.methods import Method, Stack
from app.cost_model.recipe import priced_recipe, request_for
from app.cost_model.training import (
    DEFAULT_EXPERIMENTS,
    DEFAULT_LORA_RANK,
    DEFAULT_SEQ_LEN,
    TrainingRequest,
)
from app.cost_model.unknown_fields import refuse_unknown_flood

DEFAULT_GPU = "a100-80gb"

EXACTLY_ONE_MODEL: dict[str, Any] = {
    **ONE_MODEL_SOURCE,
    "if": {"not": {"required": ["base_model"], "properties": {"base_model": {"type": "string"}}}},
    "then": {"required": ["model_size_b"], "properties": {"model_size_b": {"type": "number"}}},
}
"""The body's schema says what the validator checks: a catalogue id or a size, not both.

Said as one object with a condition (without a model id, a size is required), not as an
`anyOf` of two alternatives: code generators turn such an `anyOf` into two classes that each
lose the shared properties (`method`, `gpu`, `examples`)."""


class TrainingEstimateInput(BaseModel):
    """One training run and its programme. Only the method and the model are required."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=EXACTLY_ONE_MODEL)

    @model_validator(mode="before")
    @classmethod
    def _few_unknown(cls, data: Any) -> Any:
        return refuse_unknown_flood(cls, data)

    method: Method = Field(description="full, lora or qlora")
    base_model: str | None = Field(
        None, description="a model id from GET /api/v1/models", json_schema_extra=model_ids
    )
    model_size_b: ModelSizeB | None = Field(
        None, description="model size in billions of parameters, when no catalogue id is given"
    )
    gpu: str = Field(
        DEFAULT_GPU, description="a GPU id from GET /api/v1/gpus", json_schema_extra=gpu_ids
    )
    gpu_count: (
        Annotated[int, Field(ge=1, le=512, strict=True), BeforeValidator(integral)] | None
    ) = Field(None, description="GPUs per run; default: the fewest that hold the run")
    seq_len: (
        Annotated[int, Field(ge=16, le=131_072, strict=True), BeforeValidator(integral)] | None
    ) = Field(
        None,
        description="tokens per training sequence; default: the recipe's, at least "
        f"{DEFAULT_SEQ_LEN} with room for an example twice the average, up to the model's context",
    )
    packing: Annotated[bool, Field(strict=True)] | None = Field(
        None,
        description="pack short examples into full sequences; default: the recipe's (when an "
        "example fills at most a quarter of a sequence)",
    )
    micro_batch: (
        Annotated[int, Field(ge=1, le=256, strict=True), BeforeValidator(integral)] | None
    ) = Field(None, description="sequences per GPU per step; default: 2, or 1 if 2 does not fit")
    gradient_checkpointing: Annotated[bool, Field(strict=True)] = Field(
        default=True,
        description="recompute activations in the backward pass, trading time for memory",
    )
    lora_rank: (
        Annotated[int, Field(ge=1, le=1024, strict=True), BeforeValidator(integral)] | None
    ) = Field(
        None,
        description=f"LoRA and QLoRA adapter rank; default: the recipe's by data size "
        f"({DEFAULT_LORA_RANK} up to 50,000 examples)",
    )
    examples: Annotated[int, Field(ge=1, le=10_000_000, strict=True), BeforeValidator(integral)] = (
        Field(1000, description="labelled examples trained on")
    )
    tokens_per_example: Annotated[
        int, Field(ge=1, le=1_000_000, strict=True), BeforeValidator(integral)
    ] = Field(1000, description="tokens in one example, input and output together")
    epochs: (
        Annotated[float, Field(ge=0.1, le=100, allow_inf_nan=False), BeforeValidator(refuse_bool)]
        | None
    ) = Field(None, description="passes over the data; default 3")
    experiments: Annotated[int, Field(ge=1, le=1000, strict=True), BeforeValidator(integral)] = (
        Field(DEFAULT_EXPERIMENTS, description="training runs in the programme")
    )
    stack: Stack = Field(
        Stack.peft,
        description="the training code, for what it keeps on the GPU: peft (transformers, PEFT "
        "and bitsandbytes, fp32 embeddings and adapters), qlora-reference (the QLoRA paper's "
        "code: bf16 embeddings, LM head and adapters) or torchtune",
    )
    paged_optimizer: Annotated[bool, Field(strict=True)] | None = Field(
        None,
        description="optimizer states paged to CPU memory under pressure (a paged AdamW); "
        "default: yes for QLoRA, as its recipe does, no for LoRA and full fine-tuning",
    )

    @field_validator("base_model")
    @classmethod
    def _known_model(cls, value: str | None) -> str | None:
        return None if value is None else check_model_id(value)

    @field_validator("gpu")
    @classmethod
    def _known_gpu(cls, value: str) -> str:
        return check_gpu_id(value)

    @model_validator(mode="after")
    def _one_model(self) -> Self:
        message = "give exactly one of base_model or model_size_b"
        if self.base_model is None and self.model_size_b is None:
            raise invalid("model_source_missing", message, at="base_model")
        if self.base_model is not None and self.model_size_b is not None:
            raise invalid("model_source_conflict", message, at="model_size_b")
        return self

    def to_request(self) -> TrainingRequest:
        """The run as the recipe configures it, with the values given here in its place: the
        same request the recommendation prices, so the estimate and its files agree."""
        model = resolve_model(self.base_model, self.model_size_b)
        recipe = priced_recipe(
            model,
            self.examples,
            self.tokens_per_example,
            seq_len=self.seq_len,
            lora_rank_override=self.lora_rank,
            packing=self.packing,
            micro_batch=self.micro_batch,
            gradient_checkpointing=self.gradient_checkpointing,
            epochs=self.epochs,
        )
        return request_for(
            self.method,
            model,
            load_catalogue().gpus[self.gpu],
            recipe,
            examples=self.examples,
            tokens_per_example=self.tokens_per_example,
            gpu_count=self.gpu_count,
            experiments=self.experiments,
            stack=self.stack,
            paged_optimizer=self.paged_optimizer,
        )
