"""Pydantic models for the answers and the context: the one place types and bounds are declared.

Unknown fields are refused so a typo in an integrator's payload is a 422, not a silently
ignored answer. Catalogue ids are checked against the catalogues so the message can list the
ids that exist.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

import annotated_types
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

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
from app.cost_model.prices import DEFAULT_REFERENCE_API_MODEL, resolve_api_model
from app.cost_model.unknown_fields import refuse_unknown_flood
from app.questions.proposal import Proposal


class Objective(StrEnum):
    knowledge = "knowledge"
    behaviour = "behaviour"
    both = "both"


class DomainVocabulary(StrEnum):
    general = "general"
    specialised = "specialised"
    highly_specialised = "highly_specialised"


class OutputConsistency(StrEnum):
    free_form = "free_form"
    consistent_tone = "consistent_tone"
    strict_format = "strict_format"


class DataFreshness(StrEnum):
    realtime = "realtime"
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"
    static = "static"


class QualityEvidence(StrEnum):
    none = "none"
    lora_plateaued = "lora_plateaued"
    measured_gap = "measured_gap"
    research_grade = "research_grade"


_STRICT = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


def _answers_schema(schema: dict[str, Any]) -> None:
    """The answers an "I'm not sure" may stand for are required by the request's schema
    (`_unsure_schema`), unless marked unsure; the others always are."""
    schema["required"] = [q for q in schema.get("required", []) if q not in UNSURE_DEFAULTS]


class Answers(BaseModel):
    """The nine answers. All are required: the engine never guesses an answer silently."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, json_schema_extra=_answers_schema
    )

    @model_validator(mode="before")
    @classmethod
    def _few_unknown(cls, data: Any) -> Any:
        return refuse_unknown_flood(cls, data)

    objective: Objective
    domain_vocabulary: DomainVocabulary
    output_consistency: OutputConsistency
    labelled_examples: Annotated[
        int, Field(ge=0, le=10_000_000, strict=True), BeforeValidator(integral)
    ]
    data_freshness: DataFreshness
    citations_required: Annotated[bool, Field(strict=True)]
    latency_p99_ms: Annotated[int, Field(ge=10, le=600_000, strict=True), BeforeValidator(integral)]
    ml_capability: Annotated[int, Field(ge=1, le=5, strict=True), BeforeValidator(integral)]
    budget_usd: BudgetUsd


def answer_bounds(name: str) -> tuple[float, float]:
    """The inclusive range a numeric answer may take, read off its declared constraints."""
    lowest, highest = -math.inf, math.inf
    for constraint in Answers.model_fields[name].metadata:
        if isinstance(constraint, annotated_types.Ge):
            lowest = float(constraint.ge)  # type: ignore[arg-type]
        elif isinstance(constraint, annotated_types.Le):
            highest = float(constraint.le)  # type: ignore[arg-type]
    return lowest, highest


class Context(BaseModel):
    """The optional deployment context; every default is documented and shown in the report."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, json_schema_extra=ONE_MODEL_SOURCE
    )

    @model_validator(mode="before")
    @classmethod
    def _few_unknown(cls, data: Any) -> Any:
        return refuse_unknown_flood(cls, data)

    base_model: str | None = Field(None, json_schema_extra=model_ids)
    model_size_b: ModelSizeB | None = None
    gpu: str | None = Field(None, json_schema_extra=gpu_ids)
    monthly_requests: Annotated[
        int, Field(ge=0, le=10_000_000_000, strict=True), BeforeValidator(integral)
    ] = 50_000
    input_tokens_per_request: Annotated[
        int, Field(ge=1, le=2_000_000, strict=True), BeforeValidator(integral)
    ] = 1_000
    output_tokens_per_request: Annotated[
        int, Field(ge=1, le=200_000, strict=True), BeforeValidator(integral)
    ] = 250
    tokens_per_example: Annotated[
        int, Field(ge=1, le=1_000_000, strict=True), BeforeValidator(integral)
    ] = 1_000
    tenants: Annotated[int, Field(ge=1, le=10_000, strict=True), BeforeValidator(integral)] = 1
    on_prem_required: Annotated[bool, Field(strict=True)] = False
    multilingual: Annotated[bool, Field(strict=True)] = False
    quality_evidence: QualityEvidence = QualityEvidence.none
    reference_api_model: str = DEFAULT_REFERENCE_API_MODEL
    horizon_months: Annotated[int, Field(ge=1, le=120, strict=True), BeforeValidator(integral)] = 24

    @field_validator("base_model")
    @classmethod
    def _known_model(cls, value: str | None) -> str | None:
        return None if value is None else check_model_id(value)

    @field_validator("gpu")
    @classmethod
    def _known_gpu(cls, value: str | None) -> str | None:
        return None if value is None else check_gpu_id(value)

    @field_validator("reference_api_model")
    @classmethod
    def _priced_model(cls, value: str) -> str:
        try:
            resolve_api_model(value)
        except ValueError as exc:  # its message names the problem
            raise invalid("unknown_api_model", str(exc)) from exc
        return value

    @model_validator(mode="after")
    def _one_model_source(self) -> Self:
        if self.base_model is not None and self.model_size_b is not None:
            message = "give either base_model or model_size_b, not both"
            raise invalid("model_source_conflict", message, at="model_size_b")
        return self


UnsureQuestion = Literal["labelled_examples", "latency_p99_ms", "ml_capability", "budget_usd"]

UNSURE_DEFAULTS: dict[str, int | float] = {
    "labelled_examples": 200,
    "latency_p99_ms": 1000,
    "ml_capability": 2,
    "budget_usd": 5000.0,
}
"""Conservative answers for "I'm not sure" (data/questions.toml says why for each): the
floor of data fine-tuning can try, an ordinary interactive latency, a team that should not run
its own training, and the budget under which the pattern card (000) warns a run may not fit."""


def _unsure_schema(schema: dict[str, Any]) -> None:
    """What `_fill_unsure` and `_unsure_means_default` accept, said in the schema: a question
    marked unsure may leave its answer out or give the default; one not marked must answer."""
    schema["allOf"] = [
        {
            "if": {"required": ["unsure"], "properties": {"unsure": {"contains": {"const": q}}}},
            "then": {"properties": {"answers": {"properties": {q: {"const": default}}}}},
            "else": {"properties": {"answers": {"required": [q]}}},
        }
        for q, default in UNSURE_DEFAULTS.items()
    ]


class RecommendationRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, json_schema_extra=_unsure_schema
    )

    @model_validator(mode="before")
    @classmethod
    def _few_unknown(cls, data: Any) -> Any:
        return refuse_unknown_flood(cls, data)

    answers: Answers
    context: Context = Field(default_factory=Context)
    unsure: tuple[UnsureQuestion, ...] = Field(
        default=(),
        max_length=len(UNSURE_DEFAULTS),
        json_schema_extra={"uniqueItems": True},
        description=(
            'questions answered "I\'m not sure": their answer is the documented conservative '
            "default (it may be left out), flagged as an assumption, and lowers the confidence"
        ),
    )
    proposal: Proposal | None = Field(
        None,
        description="the team's proposal, when a PM is reviewing one: it is costed with the "
        "same model as the recommendation, checked for the anti-patterns of fine-tuning "
        "proposals, and given a verdict (the result's `proposal_review`)",
    )

    @field_validator("unsure", mode="before")
    @classmethod
    def _few_enough(cls, value: Any) -> Any:
        """The length first: pydantic checks a tuple's max_length only after every item, so
        120,000 bad items would make 120,000 errors; past the cap it is one error, at once."""
        most = len(UNSURE_DEFAULTS)
        if isinstance(value, list | tuple) and len(value) > most:
            raise PydanticCustomError(
                "too_long",
                "At most {max_length} questions can be marked unsure, not {actual_length}.",
                {"field_type": "List", "max_length": most, "actual_length": len(value)},
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _fill_unsure(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("unsure"), list | tuple):
            return data
        answers = data.get("answers")
        if not isinstance(answers, dict):
            return data
        filled = dict(answers)
        for qid in data["unsure"]:
            if isinstance(qid, str) and qid in UNSURE_DEFAULTS:
                filled.setdefault(qid, UNSURE_DEFAULTS[qid])
        return {**data, "answers": filled}

    @model_validator(mode="after")
    def _unsure_means_default(self) -> Self:
        for qid in self.unsure:
            if getattr(self.answers, qid) != UNSURE_DEFAULTS[qid]:
                message = (
                    f"{qid} is marked unsure, so its answer is the conservative default "
                    f"{UNSURE_DEFAULTS[qid]}; leave it out or unmark it"
                )
                raise invalid("unsure_not_default", message, at=f"answers/{qid}")
        for index, qid in enumerate(self.unsure):
            if qid in self.unsure[:index]:
                raise invalid("unsure_repeated", "unsure lists a question twice", f"unsure/{index}")
        return self
