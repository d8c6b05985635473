"""The training recipe: chosen by its rules, priced by the cost model, written as files that
the named versions of TRL, PEFT, transformers and axolotl document, for every public scenario
and for random plans."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.assessments.store import StoredAssessment
from app.cost_model.catalogue import load_catalogue
from app.cost_model.inputs import TrainingEstimateInput
from app.cost_model.methods import Method
from app.cost_model.recipe import lora_rank, packs, sequence_length
from app.cost_model.recipe_build import build_recipe
from app.cost_model.recipe_model import Recipe
from app.cost_model.training import estimate_training
from app.questions import RecommendationRequest
from app.report.render import render_html
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from app.views.recipe import FORMATS, recipe_file, render
from app.views.recipe_header import Provenance
from tests.conftest import shared_spec
from tests.recipe_checks import axolotl_problems, call_keywords, sft_config_keywords, trl_problems

SCENARIOS = shared_spec("scenarios.json")["scenarios"]
MADE = Provenance("0" * 64, "9.9.9", "9.9.9")


def _recommend(s: dict[str, Any]) -> Recommendation:
    return recommend(
        RecommendationRequest.model_validate({"answers": s["answers"], "context": s["context"]})
    )


TRAINED = [s for s in SCENARIOS if _recommend(s).plan.recipe is not None]


def test_the_public_fine_tuning_scenarios_have_a_recipe() -> None:
    assert len(TRAINED) >= 6
    for s in SCENARIOS:
        r = _recommend(s)
        assert (r.plan.recipe is None) == (r.plan.fine_tuning_approach is None), s["id"]


def _assert_files_carry(recipe: Recipe, trl: str, axolotl: str) -> None:
    assert trl_problems(trl) == []
    assert axolotl_problems(axolotl) == []
    kw = sft_config_keywords(trl)
    assert kw["max_length"] == recipe.sequence_length
    assert kw["packing"] == recipe.packing
    assert kw["per_device_train_batch_size"] == recipe.micro_batch
    assert kw["gradient_accumulation_steps"] == recipe.gradient_accumulation_steps
    assert kw["num_train_epochs"] == recipe.epochs
    assert kw["optim"] == recipe.optimizer
    config = yaml.safe_load(axolotl)
    assert config["sequence_len"] == recipe.sequence_length
    assert config["sample_packing"] == recipe.packing
    assert config["micro_batch_size"] == recipe.micro_batch
    assert config["num_epochs"] == recipe.epochs
    assert config["learning_rate"] == recipe.learning_rate
    assert config["base_model"] == (recipe.hf_model_id or config["base_model"])
    checkpointing = recipe.gradient_checkpointing
    if recipe.sharding is None:
        assert kw["gradient_checkpointing"] == checkpointing
        assert config["gradient_checkpointing"] == checkpointing
    else:
        assert kw["fsdp_config"]["activation_checkpointing"] == checkpointing
        assert config["fsdp_config"]["activation_checkpointing"] == checkpointing
    lora = call_keywords(trl, "LoraConfig")
    if recipe.lora is None:
        assert lora is None
        assert "adapter" not in config
    else:
        assert lora is not None
        assert lora["r"] == recipe.lora.rank == config["lora_r"]
    quant = call_keywords(trl, "BitsAndBytesConfig")
    if recipe.quantisation is not None:
        assert quant is not None
        assert quant["bnb_4bit_quant_type"] == "nf4"
        assert quant["bnb_4bit_use_double_quant"]
        assert config["load_in_4bit"] is True
        assert config["adapter"] == "qlora"
    else:
        assert quant is None
    for text in (trl, axolotl):
        assert recipe.test_file in text
        assert recipe.output_dir in text
        assert recipe.train_file in text
        assert "messages" in text


@pytest.mark.parametrize("scenario", TRAINED, ids=[s["id"] for s in TRAINED])
def test_each_public_scenario_s_files_parse_and_carry_the_priced_values(
    scenario: dict[str, Any],
) -> None:
    r = _recommend(scenario)
    recipe = r.plan.recipe
    assert recipe is not None
    assert r.cost.training is not None
    training = r.cost.training
    assert (recipe.gpu, recipe.gpu_count, recipe.micro_batch) == (
        training.gpu,
        training.gpu_count,
        training.micro_batch,
    )
    assert recipe.test_set_examples == r.plan.test_set_examples
    assert recipe.experiments == r.plan.experiments
    files = {fmt: recipe_file(r, fmt) for fmt in FORMATS}
    trl, axolotl = files["trl"], files["axolotl"]
    assert trl is not None
    assert axolotl is not None
    _assert_files_carry(recipe, trl.text, axolotl.text)
    for made in (trl, axolotl):
        assert r.input_hash in made.text
        assert r.cost_model_version in made.text
        assert made == recipe_file(_recommend(scenario), "trl" if made is trl else "axolotl")


METHODS = st.sampled_from(list(Method))
MODELS = st.sampled_from(sorted(load_catalogue().models))
GPUS = st.sampled_from(sorted(load_catalogue().gpus))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=METHODS,
    model=MODELS,
    gpu=GPUS,
    examples=st.integers(1, 2_000_000),
    tokens=st.integers(16, 20_000),
    rank=st.none() | st.sampled_from([4, 8, 16, 32, 64, 256]),
    micro_batch=st.none() | st.integers(1, 8),
    checkpointing=st.booleans(),
    gpu_count=st.none() | st.sampled_from([1, 2, 4, 8]),
)
def test_any_plan_s_files_parse_and_match_the_documented_fields(
    method: Method,
    model: str,
    gpu: str,
    examples: int,
    tokens: int,
    rank: int | None,
    micro_batch: int | None,
    checkpointing: bool,
    gpu_count: int | None,
) -> None:
    body = TrainingEstimateInput(
        method=method,
        base_model=model,
        gpu=gpu,
        examples=examples,
        tokens_per_example=tokens,
        lora_rank=rank,
        micro_batch=micro_batch,
        gradient_checkpointing=checkpointing,
        gpu_count=gpu_count,
    )
    est = estimate_training(body.to_request())
    recipe = build_recipe(est)
    assert recipe.sequence_length == est.request.seq_len
    assert recipe.micro_batch == est.micro_batch
    assert recipe.gpu_count == est.gpu_count
    assert (recipe.sharding is not None) == (est.gpu_count > 1)
    if recipe.lora is not None:
        assert recipe.lora.rank == est.request.lora_rank
    _assert_files_carry(
        recipe, render(recipe, "trl", MADE).text, render(recipe, "axolotl", MADE).text
    )


def _estimate(**change: Any) -> tuple[dict[str, Any], str, str]:
    body = {"method": "lora", "base_model": "llama-3.1-8b", "gpu": "a100-80gb", "examples": 5000}
    est = estimate_training(TrainingEstimateInput.model_validate(body | change).to_request())
    recipe = build_recipe(est)
    described = {
        "memory": est.peak_memory_gib.expected,
        "hours": est.gpu_hours_per_experiment.expected,
    }
    return described, render(recipe, "trl", MADE).text, render(recipe, "axolotl", MADE).text


@pytest.mark.parametrize(
    "change",
    [{"lora_rank": 64}, {"seq_len": 4096}, {"micro_batch": 1}, {"gradient_checkpointing": False}],
    ids=["rank", "sequence length", "micro-batch", "gradient checkpointing"],
)
def test_changing_a_recipe_value_changes_the_estimate_and_both_files(
    change: dict[str, Any],
) -> None:
    before, after = _estimate(), _estimate(**change)
    assert before[0] != after[0]
    assert before[1] != after[1]
    assert before[2] != after[2]


def test_the_estimate_endpoint_returns_the_recipe_of_its_own_inputs(client: TestClient) -> None:
    body = {"method": "qlora", "base_model": "llama-3.1-70b", "gpu": "h100-80gb"}
    small = client.post("/api/v1/estimates/training", json=body | {"lora_rank": 8}).json()
    large = client.post("/api/v1/estimates/training", json=body | {"lora_rank": 128}).json()
    assert small["recipe"]["lora"]["rank"] == 8
    assert large["recipe"]["lora"]["rank"] == 128
    assert large["peak_memory_gb"] > small["peak_memory_gb"]
    assert small["recipe"]["quantisation"]["quant_type"] == "nf4"
    assert small["recipe"]["optimizer"] == "paged_adamw_32bit"


def test_the_rank_follows_the_size_of_the_data() -> None:
    assert lora_rank(500) == 16
    assert lora_rank(50_000) == 16
    assert lora_rank(50_001) == 64
    assert lora_rank(2_000_000) == 128


def test_the_sequence_fits_long_examples_and_short_ones_are_packed() -> None:
    model = load_catalogue().models["llama-3.1-8b"]
    assert sequence_length(1000, model) == 2048
    assert sequence_length(1500, model) == 4096
    assert sequence_length(10**6, model) == model.max_context
    assert packs(300, 2048)
    assert not packs(1000, 2048)


def test_packing_is_priced() -> None:
    """Packed short examples waste less of each sequence, so the same tokens cost less."""
    packed, padded = (
        _estimate(tokens_per_example=300),
        _estimate(tokens_per_example=300, packing=False),
    )
    assert packed[0]["hours"] < padded[0]["hours"]
    assert "packing=True" in packed[1]
    assert "sample_packing: true" in packed[2]


def test_lora_learns_ten_times_faster_than_full_fine_tuning() -> None:
    _, lora_trl, lora = _estimate()
    _, full_trl, full = _estimate(method="full")
    rate = {text: yaml.safe_load(text)["learning_rate"] for text in (lora, full)}
    assert rate[lora] == pytest.approx(10 * rate[full])
    assert repr(rate[lora]) in lora_trl
    assert repr(rate[full]) in full_trl


def test_a_run_over_several_gpus_is_sharded() -> None:
    _, trl, axolotl = _estimate(method="full", gpu_count=4)
    assert "fsdp='full_shard auto_wrap'" in trl
    assert "fsdp_version: 2" in axolotl


def test_the_recipe_download_is_a_named_file_of_its_type(client: TestClient) -> None:
    fintech = next(s for s in SCENARIOS if s["id"] == "fintech-support-copilot")
    made = client.post(
        "/api/v1/assessments", json={"answers": fintech["answers"], "context": fintech["context"]}
    ).json()
    assert made["result"]["plan"]["recipe"]["method"] == "lora"
    base = f"/api/v1/assessments/{made['id']}/recipe"
    trl = client.get(base, params={"format": "trl"})
    assert trl.status_code == 200
    assert trl.headers["content-type"].startswith("text/x-python")
    assert 'filename="train_tunewise.py"' in trl.headers["content-disposition"]
    assert trl_problems(trl.text) == []
    yml = client.get(base, params={"format": "axolotl"})
    assert yml.headers["content-type"].startswith("application/yaml")
    assert 'filename="tunewise-axolotl.yaml"' in yml.headers["content-disposition"]
    assert axolotl_problems(yml.text) == []
    assert client.get(base, params={"format": "deepspeed"}).status_code == 422
    assert client.get("/api/v1/assessments/nope/recipe").status_code == 404


def test_an_assessment_that_trains_nothing_has_no_recipe(client: TestClient) -> None:
    rag = next(s for s in SCENARIOS if s["id"] == "product-catalogue-knowledge")
    made = client.post(
        "/api/v1/assessments", json={"answers": rag["answers"], "context": rag["context"]}
    ).json()
    answer = client.get(f"/api/v1/assessments/{made['id']}/recipe")
    assert answer.status_code == 404
    assert "trains nothing" in answer.json()["errors"][0]["message"]


def test_the_results_page_and_the_report_show_the_recipe(client: TestClient) -> None:
    fintech = next(s for s in SCENARIOS if s["id"] == "fintech-support-copilot")
    made = client.post(
        "/api/v1/assessments", json={"answers": fintech["answers"], "context": fintech["context"]}
    ).json()
    page = client.get(f"/assessments/{made['id']}").text
    assert 'id="recipe"' in page
    assert f"/api/v1/assessments/{made['id']}/recipe?format=trl" in page
    assert f"/api/v1/assessments/{made['id']}/recipe?format=axolotl" in page
    assert "computed from exactly these values" in page
    stored = _stored(client, made["id"])
    html = render_html(stored)
    appendix = html[html.index('id="appendix"') :]
    assert "Training recipe" in appendix
    assert "recipe?format=" not in html  # a PDF links to no download
    assert "LoRA rank" in appendix


def _stored(client: TestClient, assessment_id: str) -> StoredAssessment:
    store = client.app.state.store  # type: ignore[attr-defined]
    found = store.get(assessment_id)
    assert found is not None
    return found  # type: ignore[no-any-return]
