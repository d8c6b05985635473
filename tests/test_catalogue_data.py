"""The data files agree with the code that reads them and with physics."""

from __future__ import annotations

import pytest

from app.cost_model.catalogue import ModelSpec, load_catalogue
from app.cost_model.memory import linear_params_per_layer
from app.questions import Answers, Context
from app.questions.text import catalogue_text
from app.rules.base.catalogue import load_rules
from app.rules.base.settings import plan_settings
from app.rules.decision.conditions import CONDITIONS

SPEC_MODELS = {
    "llama-3.2-1b",
    "llama-3.2-3b",
    "llama-3.1-8b",
    "llama-3.1-70b",
    "mistral-7b",
    "qwen-2.5-7b",
    "qwen-2.5-32b",
    "qwen-2.5-72b",
    "phi-3-mini",
}
SPEC_GPUS = {
    "a100-40gb",
    "a100-80gb",
    "h100-80gb",
    "h200-141gb",
    "l4-24gb",
    "l40s-48gb",
    "a10g-24gb",
    "rtx-4090-24gb",
}


def _count(model: ModelSpec) -> float:
    """Embeddings, every block's linear layers (all experts, router and shared expert of a
    mixture of experts) and norms, the final norm, and any vision encoder."""
    block = linear_params_per_layer(model) + 2 * model.hidden_size
    vision = model.vision_params_b * 1e9
    return model.layers * block + model.embedding_params + model.hidden_size + vision


def test_the_spec_catalogues_are_present() -> None:
    cat = load_catalogue()
    assert set(cat.models) >= SPEC_MODELS
    assert set(cat.gpus) >= SPEC_GPUS


@pytest.mark.parametrize("model", load_catalogue().models.values(), ids=lambda m: m.id)
def test_published_parameter_count_matches_the_architecture(model: ModelSpec) -> None:
    assert _count(model) == pytest.approx(model.params, rel=0.02)


def test_gpu_prices_are_ordered_and_dated() -> None:
    for gpu in load_catalogue().gpus.values():
        assert gpu.usd_per_hour_low <= gpu.usd_per_hour <= gpu.usd_per_hour_high, gpu.id
        assert gpu.price_as_of[:2] == "20"


def test_every_question_and_context_field_has_words_and_no_more() -> None:
    text = catalogue_text()
    assert [q.id for q in text.questions] == list(Answers.model_fields)
    assert [q.id for q in text.context] == list(Context.model_fields)


def test_every_rule_has_a_condition_and_every_condition_a_rule() -> None:
    assert {r.id for r in load_rules().rules} == set(CONDITIONS)


SEED_CITATIONS = (
    "architecture pattern card",
    "Boolean & Beyond",
    "explainer article on LoRA and QLoRA",
    "Relinns Technologies",
    "AI glossary for executives",
)
"""How a reader cites each seed document (shared/seeds/README.md), besides its file name."""


def test_rule_ids_are_unique_and_sourced_from_the_seeds_or_the_spec() -> None:
    rules = load_rules().rules
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert any(tag in rule.source for tag in ("_", "spec", *SEED_CITATIONS)), rule.id


def test_plan_model_proposals_exist() -> None:
    settings = plan_settings()
    models = load_catalogue().models
    for model_id in (
        settings.default_model,
        settings.multilingual_model,
        settings.under_100ms_model,
    ):
        assert models[model_id].in_plan_catalogue
    limit = load_rules().thresholds.small_model_max_b
    assert models[settings.under_100ms_model].params_b <= limit


def test_every_question_has_its_own_written_messages() -> None:
    """No message is built from the question's text ("Enter what is the compute budget…"), and
    none is the generic "Select one option"."""
    from app.questions.catalogue import question_catalogue  # noqa: PLC0415
    from app.web.forms import parse_answer, parse_value  # noqa: PLC0415

    catalogue = question_catalogue()
    for entry in [*catalogue["questions"], *catalogue["context"]]:
        assert entry["name"], entry["id"]
        label = entry["label"].rstrip("?").lower()
        assert entry["missing"].lower() not in (f"enter {label}", "select one option"), entry["id"]
        if entry["type"] in ("choice", "boolean", "string"):
            assert parse_value(entry, "")[1] == entry["missing"]
    for question in catalogue["questions"]:
        _, message = parse_answer(question["id"], {}, ())
        assert message == question["missing"]
        assert message != "Select one option"


def test_the_offered_reference_models_are_all_priced() -> None:
    from app.cost_model.prices import reference_api_choices, resolve_api_model  # noqa: PLC0415

    choices = reference_api_choices()
    assert choices[0].id == "gpt-5.2"
    assert len({c.id for c in choices}) == len(choices)
    for choice in choices:
        assert resolve_api_model(choice.id).model == choice.id
