"""The team's proposal a PM is asked to approve: the optional `proposal` of a request.

Seed 001 is written for PMs reviewing a fine-tuning proposal; these fields are what such a
proposal states. Every field is checked like the answers (unknown keys refused, catalogue ids
checked), and "not stated" is an honest answer: a missing number is null, a missing yes/no is
`not_stated`, and the review says what that leaves open rather than guessing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from app.cost_model.catalogue import check_gpu_id, check_model_id
from app.cost_model.id_schemas import (
    ONE_MODEL_SOURCE,
    BudgetUsd,
    ModelSizeB,
    gpu_ids,
    integral,
    model_ids,
)
from app.cost_model.invalid import invalid
from app.cost_model.unknown_fields import refuse_unknown_flood


class ProposedApproach(StrEnum):
    """The approaches a proposal may call for: the same five the recommendation chooses from."""

    lora = "lora"
    qlora = "qlora"
    full_fine_tuning = "full_fine_tuning"
    rag = "rag"
    dont_fine_tune = "dont_fine_tune"


class Stated(StrEnum):
    """A yes/no a proposal may leave out: `not_stated` is an answer, not an error."""

    yes = "yes"
    no = "no"
    not_stated = "not_stated"


MAX_PROPOSAL_GPUS = 64
"""The most GPUs per run a proposal may ask for: the cost model's largest training layout."""

MAX_PROPOSAL_EXPERIMENTS = 1000
"""The most experiments a proposal may state (001 warns of "100+ runs without converging")."""


class Proposal(BaseModel):
    """What the team asked for. Fields left out are "not stated"."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, json_schema_extra=ONE_MODEL_SOURCE
    )

    @model_validator(mode="before")
    @classmethod
    def _few_unknown(cls, data: Any) -> Any:
        return refuse_unknown_flood(cls, data)

    approach: ProposedApproach = Field(description="the approach the team proposes")
    base_model: str | None = Field(
        None,
        description="the proposed base model's catalogue id (GET /api/v1/models); null with no "
        "model_size_b: not stated, reviewed on the recommendation's model",
        json_schema_extra=model_ids,
    )
    model_size_b: ModelSizeB | None = Field(
        None, description="the proposed model's size in billions of parameters, instead"
    )
    gpu: str | None = Field(
        None,
        description="the GPU the team asks for (GET /api/v1/gpus); null: not stated, the "
        "cheapest catalogue GPU that holds the run",
        json_schema_extra=gpu_ids,
    )
    gpu_count: (
        Annotated[
            int,
            Field(ge=1, le=MAX_PROPOSAL_GPUS, strict=True),
            BeforeValidator(integral),
        ]
        | None
    ) = Field(None, description="GPUs per run the team asks for; null: not stated")
    experiments: (
        Annotated[
            int,
            Field(ge=1, le=MAX_PROPOSAL_EXPERIMENTS, strict=True),
            BeforeValidator(integral),
        ]
        | None
    ) = Field(None, description="the number of training runs planned; null: not stated")
    budget_usd: BudgetUsd | None = Field(
        None, description="the compute budget requested, US dollars; null: not stated"
    )
    locked_test_set: Stated = Field(
        Stated.not_stated, description="whether a locked test set is carved out before training"
    )
    lora_comparison_run: Stated = Field(
        Stated.not_stated,
        description="whether a LoRA comparison was run on the same data (what a full "
        "fine-tuning proposal must show)",
    )

    @field_validator("base_model")
    @classmethod
    def _known_model(cls, value: str | None) -> str | None:
        return None if value is None else check_model_id(value)

    @field_validator("gpu")
    @classmethod
    def _known_gpu(cls, value: str | None) -> str | None:
        return None if value is None else check_gpu_id(value)

    @model_validator(mode="after")
    def _one_model_source(self) -> Self:
        if self.base_model is not None and self.model_size_b is not None:
            message = "give either base_model or model_size_b, not both"
            raise invalid("model_source_conflict", message, at="model_size_b")
        return self
