"""The shapes of the API's answers that the core writes as plain documents: the catalogues and
the training estimate, typed here so that /openapi.json describes them field by field and a
generated client gets classes, not `object`.

They describe; they do not build: the routes keep answering the documents the core writes
(the same bytes as before), and the tests validate every answer against these schemas
(`extra="forbid"`: a field added in one place and not the other fails a test, not a client).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.cost_model.recipe_model import Recipe

_DOC = ConfigDict(extra="forbid")


class Option(BaseModel):
    model_config = _DOC
    value: str | int = Field(description="what to send")
    label: str = Field(description="what to show a person")


class Unsure(BaseModel):
    model_config = _DOC
    default: int | float = Field(description='the conservative answer "I\'m not sure" stands for')
    note: str = Field(description="why that default, with its source")


class QuestionEntry(BaseModel):
    """One question, or one field of the context, as a form needs it."""

    model_config = _DOC
    id: str = Field(description="the field's name in `answers` or `context`")
    label: str = Field(description="the question, as the wizard asks it")
    help: str = Field(description="what the question means, in a sentence or two")
    name: str = Field(description="the question as a noun phrase, for messages")
    missing: str = Field(description="what the wizard says when it is left empty")
    type: Literal["choice", "boolean", "integer", "number", "string"] = Field(
        description="the answer's type"
    )
    options: list[Option] | None = Field(None, description="the values to choose from")
    suggestions: list[Option] | None = Field(
        None, description="common values (any priced model id is accepted)"
    )
    minimum: float | None = Field(None, description="the least value accepted")
    exclusive_minimum: float | None = Field(None, description="values must be above this")
    maximum: float | None = Field(None, description="the greatest value accepted")
    unit: str | None = Field(None, description="the unit of a number")
    unsure: Unsure | None = Field(None, description='present where "I\'m not sure" is allowed')
    required: bool | None = Field(None, description="true for every one of the nine questions")
    default: str | int | float | bool | None = Field(
        None, description="the context field's default, used when it is left out"
    )


class QuestionCatalogue(BaseModel):
    model_config = _DOC
    version: str = Field(description="the question wording's version")
    questions: list[QuestionEntry] = Field(description="the nine questions, in the wizard's order")
    context: list[QuestionEntry] = Field(description="the optional deployment context")


class ModelEntry(BaseModel):
    """A base model's architecture as its config.json gives it."""

    model_config = _DOC
    id: str = Field(description="the id `base_model` takes")
    name: str = Field(description="the model's name")
    family: str = Field(description="the model family")
    licence: str = Field(description="the licence's name")
    licence_family: str = Field(description="licences grouped by their terms")
    open_weights: bool = Field(description="whether the weights can be downloaded")
    params_b: float = Field(description="total parameters, billions (every expert of an MoE)")
    active_params_b: float = Field(description="parameters one token runs through, billions")
    layers: int = Field(description="transformer blocks")
    hidden_size: int = Field(description="model width")
    attention_heads: int = Field(description="query heads")
    kv_heads: int = Field(description="key/value heads (grouped-query attention)")
    head_dim: int = Field(description="width of one head")
    ffn_size: int = Field(description="MLP width (one expert's, for an MoE)")
    vocab_size: int = Field(description="tokens in the vocabulary")
    tied_embeddings: bool = Field(description="whether input and output embeddings are shared")
    max_context: int = Field(description="the longest context, tokens")
    multilingual: str = Field(description="how broadly it handles languages other than English")
    in_plan_catalogue: bool = Field(description="whether a plan may propose it")
    source: str = Field(description="where the architecture comes from")
    experts: int = Field(description="routed experts per layer; 0 for a dense model")
    experts_per_token: int = Field(description="routed experts per token; 0 for a dense model")
    shared_expert_ffn_size: int = Field(description="an always-active expert's width; 0: none")
    expert_weight_bits: float = Field(description="bits per expert weight as shipped")
    vision_params_b: float = Field(description="a vision encoder's parameters, billions")


class ModelCatalogue(BaseModel):
    model_config = _DOC
    version: str = Field(description="the catalogue's version")
    as_of: str = Field(description="the date its facts were checked")
    models: list[ModelEntry] = Field(description="every base model")


class GpuEntry(BaseModel):
    """A GPU's specifications and its dated on-demand price range."""

    model_config = _DOC
    id: str = Field(description="the id `gpu` takes")
    name: str = Field(description="the GPU's name")
    memory_gib: float = Field(description="memory, GiB")
    bf16_dense_tflops: float = Field(description="dense bf16 peak, TFLOPS")
    memory_bandwidth_gbs: float = Field(description="memory bandwidth, GB/s")
    interconnect: str = Field(description="how GPUs of a node talk to each other")
    datacenter: bool = Field(description="a data-centre part (not a workstation card)")
    spec_source: str = Field(description="where the specifications come from")
    usd_per_hour: float = Field(description="expected on-demand price, USD per GPU-hour")
    usd_per_hour_low: float = Field(description="low end of the price range")
    usd_per_hour_high: float = Field(description="high end of the price range")
    price_source: str = Field(description="where the prices come from")
    price_as_of: str = Field(description="the date of the prices (the oldest of their readings)")
    price_stale: bool = Field(
        description="whether `price_as_of` is older than `price_max_age_months` at "
        "`prices_reviewed`: still used, but it may have changed"
    )
    auto_choice: bool = Field(
        description="whether the recommendation may pick this GPU by itself (false: priced only "
        "when a team names it, until a measured run checks its speed model)"
    )


class GpuCatalogue(BaseModel):
    model_config = _DOC
    version: str = Field(description="the catalogue's version")
    as_of: str = Field(description="the date its facts were checked")
    prices_reviewed: str = Field(description="the date every price was last reviewed")
    price_max_age_months: int = Field(description="a price older than this is flagged stale")
    gpus: list[GpuEntry] = Field(description="every GPU")


class RuleEntry(BaseModel):
    model_config = _DOC
    id: str = Field(description="the rule's stable id")
    reason: str = Field(description="what the rule says, for a person")
    effect: str = Field(description="the points it moves, or what it rules out")
    source: str = Field(description="where the rule comes from, cited")
    applies_to: list[str] = Field(description="the approaches a must applies to")


class ConstantEntry(BaseModel):
    model_config = _DOC
    name: str = Field(description="the constant's id")
    value: float = Field(description="the expected value")
    low: float = Field(description="the low end of its range")
    high: float = Field(description="the high end of its range")
    unit: str = Field(description="its unit")
    source: str = Field(description="where the value comes from")
    label: str = Field(description="the constant in words")
    kind: str = Field(description="`uncertain` (a range) or `choice` (a stated value)")


class AntiPatternEntry(BaseModel):
    model_config = _DOC
    id: str = Field(description="the anti-pattern's stable id")
    title: str = Field(description="its name")
    looks_like: str = Field(description="how it shows in a proposal")
    why_wrong: str = Field(description="why it is a mistake")
    question: str = Field(description="the question to ask the team")
    detail: str = Field(description="a template filled with the proposal's figures")
    verdict: Literal["send_back", "change"] = Field(description="what it does to the verdict")
    asks: str = Field(description="the evidence or the change the verdict asks for")
    source: str = Field(description="where it comes from, cited")
    reason: str | None = Field(description="the verdict's reason when it sends a proposal back")


class RuleCatalogue(BaseModel):
    model_config = _DOC
    rules_version: str = Field(description="the rules' version")
    cost_model_version: str = Field(description="the cost model's version")
    prices_as_of: str = Field(description="the date of the API prices")
    tie_break: list[str] = Field(description="approaches in the order that breaks a tie")
    rules: list[RuleEntry] = Field(description="the rules, then the musts")
    constants: list[ConstantEntry] = Field(description="every constant of the cost model")
    proposal_anti_patterns: list[AntiPatternEntry] = Field(
        description="the anti-patterns a team's proposal is checked for"
    )


class EstimateModel(BaseModel):
    model_config = _DOC
    id: str = Field(description="the catalogue id, or `custom-<size>b` for a size")
    params_b: float = Field(description="total parameters, billions")
    active_params_b: float = Field(description="parameters one token runs through, billions")
    experts: int = Field(description="routed experts per layer; 0 for a dense model")
    experts_per_token: int = Field(description="routed experts per token")
    source: str = Field(description="where the architecture comes from")


class EstimateGpu(BaseModel):
    model_config = _DOC
    id: str = Field(description="the GPU's id")
    memory_gb: float = Field(description="its memory, GiB")
    usd_per_hour: float = Field(description="the expected on-demand price, USD per GPU-hour")
    price_as_of: str = Field(description="the date of the price")


class Spread(BaseModel):
    model_config = _DOC
    low: float = Field(description="the low end")
    expected: float = Field(description="the expected value")
    high: float = Field(description="the high end")


class MemoryPart(BaseModel):
    model_config = _DOC
    component: str = Field(description="what takes the memory")
    gb: float = Field(description="how much, GiB")
    assumption: str = Field(description="how it was counted")


class TimePart(BaseModel):
    model_config = _DOC
    component: str = Field(description="what takes the time")
    hours: float = Field(description="how long, hours")
    assumption: str = Field(description="how it was counted")


class TrainingEstimate(BaseModel):
    """Memory, GPUs, time and cost of one training run and its programme."""

    model_config = _DOC
    method: Literal["full", "lora", "qlora"] = Field(description="the training method")
    model: EstimateModel = Field(description="the base model")
    gpu: EstimateGpu = Field(description="the GPU")
    peak_memory_gb: float = Field(description="the run's peak on one GPU, GiB")
    peak_memory_gb_range: Spread = Field(description="its range")
    peak_memory_per_gpu_gb: float = Field(description="each GPU's peak over `gpu_count`, GiB")
    fits_gpu: bool = Field(description="whether one GPU holds the run")
    gpu_count: int = Field(description="GPUs per run")
    fits_gpu_count: bool = Field(description="whether `gpu_count` GPUs hold the run")
    micro_batch: int = Field(description="sequences per GPU per step")
    epochs: float = Field(description="passes over the data")
    tokens_per_second: float = Field(description="training throughput over all GPUs")
    tokens_trained: int = Field(description="tokens one run trains on")
    gpu_hours_per_experiment: float = Field(description="GPU-hours of one run")
    gpu_hours_per_experiment_range: Spread = Field(description="its range")
    per_experiment_usd: float = Field(description="the cost of one run, USD")
    per_experiment_usd_range: Spread = Field(description="its range")
    experiments: int = Field(description="runs in the programme")
    runs: int = Field(description="runs priced")
    total_usd: float = Field(description="the programme's cost, USD")
    total_usd_range: Spread = Field(description="its range")
    memory_breakdown: list[MemoryPart] = Field(description="the one-GPU peak, part by part")
    time_breakdown: list[TimePart] = Field(description="one run's time, part by part")
    assumptions: dict[str, str] = Field(description="every assumption, in words")
    units: str = Field(description="what GB means here")
    cost_model_version: str = Field(description="the cost model's version")
    catalogue_version: str = Field(description="the catalogue's version")
    recipe: Recipe | None = Field(
        None, description="the training recipe these figures were computed from"
    )
