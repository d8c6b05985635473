"""Catalogue ids and answer values in the words a person reads.

Approaches, cost lines, models, GPUs, API models, question labels, answers and context values:
one table or lookup each. Nothing here imports the rule engine, so the engine may use it for
the words in its own sentences.
"""

from __future__ import annotations

from typing import Any

from app.cost_model.catalogue import load_catalogue
from app.cost_model.prices import reference_api_choices, resolve_api_model
from app.questions.text import catalogue_text
from app.vocabulary.numbers import count, per_second, plural, usd

APPROACHES = {
    "lora": "LoRA",
    "qlora": "QLoRA",
    "full_fine_tuning": "Full fine-tuning",
    "rag": "RAG (retrieval)",
    "dont_fine_tune": "Don't fine-tune (prompt a strong base model)",
}
"""Each approach as a heading or a table cell reads it, capitalised."""

APPROACHES_IN_SENTENCE = APPROACHES | {
    "full_fine_tuning": "full fine-tuning",
    "dont_fine_tune": "don't fine-tune (prompt a strong base model)",
}
"""The same inside a sentence, where only proper names keep their capitals."""

LINES = {
    "api": "Frontier API (no fine-tuning)",
    "base": "Open model, prompted",
    "rag": "RAG (retrieval)",
    "lora": "LoRA",
    "qlora": "QLoRA",
    "full_fine_tuning": "Full fine-tuning",
    "managed": "Managed fine-tuning service",
    "recommended": "Recommended combination",
}
"""The cost comparison's lines, in tables."""

LINES_SHORT = LINES | {
    "api": "API",
    "base": "Prompted model",
    "rag": "RAG",
    "managed": "Managed",
    "recommended": "Recommended",
}
"""The same in a chart legend, where space is short."""

METHODS = {"lora": "LoRA", "qlora": "QLoRA", "full": "Full fine-tuning"}

ADAPTERS = {
    "single": "One adapter",
    "per_tenant": "One adapter per tenant on a shared base model, not merged",
}

CONFIDENCE = {"low": "Low", "medium": "Medium", "high": "High"}


def approach(approach_id: str) -> str:
    return APPROACHES.get(approach_id, approach_id.replace("_", " "))


def approach_in_sentence(approach_id: str) -> str:
    return APPROACHES_IN_SENTENCE.get(approach_id, approach_id.replace("_", " "))


def method(method_id: str) -> str:
    """A training method (`lora`, `qlora`, `full`) as a table cell reads it."""
    return METHODS.get(method_id, method_id)


def line(name: str, *, short: bool = False) -> str:
    table = LINES_SHORT if short else LINES
    return table.get(name, approach(name))


def model_name(model_id: str | None) -> str:
    """A catalogue model's name; a size-only model (`custom-13b`) as '13B model'."""
    if model_id is None:
        return "none"
    spec = load_catalogue().models.get(model_id)
    if spec is not None:
        return spec.name
    if model_id.startswith("custom-") and model_id.endswith("b"):
        return f"{model_id.removeprefix('custom-').removesuffix('b')}B-parameter model"
    return model_id


def gpu_name(gpu_id: str | None) -> str:
    if gpu_id is None:
        return "none"
    spec = load_catalogue().gpus.get(gpu_id)
    return spec.name if spec is not None else gpu_id


def gpus(gpu_id: str, n: int) -> str:
    """'1 x NVIDIA A100 80GB', with the multiplication sign."""
    return f"{n:,} \u00d7 {gpu_name(gpu_id)}"


PROVIDERS = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "google": "Google",
    "together": "Together AI",
    "fireworks": "Fireworks AI",
    "novita": "Novita AI",
    "groq": "Groq",
    "deepinfra": "DeepInfra",
    "mistral": "Mistral AI",
}
"""Price-data provider ids as the providers write their names."""


def provider(provider_id: str) -> str:
    return PROVIDERS.get(provider_id, provider_id.replace("-", " ").title())


def api_model_name(model_ref: str) -> str:
    """The reference API model by the name people use: the offered choices' own name, else the
    price dataset's."""
    for choice in reference_api_choices():
        if choice.id == model_ref:
            return choice.name
    try:
        return resolve_api_model(model_ref).model_name
    except ValueError:
        return model_ref


def question_label(qid: str) -> str:
    try:
        return catalogue_text().question(qid).label
    except StopIteration:
        return qid.replace("_", " ").capitalize()


UNITS = {
    "labelled_examples": ("example", "examples"),
    "latency_p99_ms": ("ms", "ms"),
    "monthly_requests": ("request", "requests"),
    "input_tokens_per_request": ("token", "tokens"),
    "output_tokens_per_request": ("token", "tokens"),
    "tokens_per_example": ("token", "tokens"),
    "tenants": ("tenant", "tenants"),
    "horizon_months": ("month", "months"),
}
MONEY = frozenset({"budget_usd"})


def answer(qid: str, value: Any) -> str:  # noqa: PLR0911  # one return per kind of answer
    """An answer as the wizard offered it: the option's words, Yes/No, or a number with unit."""
    if value is None:
        return "Not set"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    plain = value.value if hasattr(value, "value") else value
    options = catalogue_text().question(qid).options
    if str(plain) in options:
        return options[str(plain)]
    if qid in MONEY:
        return usd(float(plain))
    if isinstance(plain, int | float):
        if qid in UNITS:
            one, many = UNITS[qid]
            return plural(plain, one, many)
        return count(plain)
    return str(plain)


def context_value(name: str, value: Any) -> str:  # noqa: PLR0911  # one per kind of value
    """A context value in words; ids by name, and what an unset choice means."""
    if value is None:
        if name in ("base_model", "gpu"):
            return "Not set: Tunewise proposes one"
        return "Not set"
    if name == "base_model":
        return model_name(value)
    if name == "gpu":
        return gpu_name(value)
    if name == "reference_api_model":
        return api_model_name(value)
    if name == "model_size_b":
        return f"{count(value)}B parameters"
    return answer(name, value)


def unsure_answer(qid: str, value: Any) -> str:
    return f"I'm not sure (assumed: {answer(qid, value)})"


def serving(
    kind: str,
    *,
    model: str | None = None,
    api_model: str | None = None,
    retrieval: bool = False,
    gpu: str | None = None,
    replicas: int = 0,
    gpus_per_replica: int = 0,
    requests_per_second: float = 0.0,
    fine_tuned: bool = True,
) -> str:
    """How a cost line is served, in a sentence."""
    if kind == "api":
        name = api_model_name(api_model or "")
        return f"{name} API" + (" with retrieved context" if retrieval else "")
    if kind == "hosted":
        premium = ", with the fine-tuning premium" if fine_tuned else ""
        extra = " plus a vector store" if retrieval else ""
        return f"{model_name(model)} hosted by a provider{premium}{extra}"
    extra = " plus a vector store" if retrieval else ""
    return (
        f"{model_name(model)} self-hosted on {gpus(gpu or '', replicas * gpus_per_replica)}: "
        f"{plural(replicas, 'replica')} of {plural(gpus_per_replica, 'GPU')}, "
        f"{per_second(requests_per_second, 'requests')} each{extra}"
    )
