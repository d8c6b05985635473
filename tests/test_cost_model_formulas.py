"""Each formula of the cost model pinned against a case computed by hand."""

from __future__ import annotations

import pytest

from app.cost_model.architecture import model_for_size
from app.cost_model.catalogue import load_catalogue
from app.cost_model.constants import Band
from app.cost_model.memory import (
    GIB,
    activation_elements_per_token_per_layer,
    lora_params,
    training_memory,
)
from app.cost_model.methods import Method, Precision
from app.cost_model.ranges import Range
from app.cost_model.series import ApproachCost, crossovers, cumulative, retraining_reserve_monthly
from app.cost_model.throughput import RunShape, forward_flops_per_token, passes, run_time
from app.cost_model.training import TrainingRequest, estimate_training

CAT = load_catalogue()
LLAMA8 = CAT.models["llama-3.1-8b"]
A100 = CAT.gpus["a100-80gb"]


def test_lora_parameters_of_llama_8b_rank_16() -> None:
    # per layer: q 16*(4096+4096) + k,v 2*16*(4096+1024) + o 16*(4096+4096)
    #            + gate, up 2*16*(4096+14336) + down 16*(14336+4096) = 1,310,720
    assert lora_params(LLAMA8, 16) == 1_310_720 * 32


def test_lora_parameters_for_query_and_value_only() -> None:
    assert lora_params(LLAMA8, 8, ("q_proj", "v_proj")) == 8 * (8192 + 5120) * 32


def test_activation_elements_of_a_llama_8b_block() -> None:
    # 2 norm inputs + attention input + Q + K + V + attention output + MLP input + 4 x ffn
    expected = 2 * 4096 + 4096 + 4096 + 1024 + 1024 + 4096 + 4096 + 4 * 14336
    assert activation_elements_per_token_per_layer(LLAMA8) == expected


def _component(method: Method, name: str, **kw: object) -> float:
    est = training_memory(
        LLAMA8,
        method,
        seq_len=2048,
        micro_batch=1,
        gradient_checkpointing=True,
        lora_rank=16,
        **kw,  # type: ignore[arg-type]
    )
    return next(c.gib for c in est.components if c.name == name)


def test_full_fine_tuning_keeps_16_bytes_per_parameter() -> None:
    assert _component(Method.full, "weights_gradients_optimizer") == pytest.approx(
        8.03e9 * 16 / GIB
    )


def test_pure_bf16_full_fine_tuning_keeps_8_bytes() -> None:
    got = _component(Method.full, "weights_gradients_optimizer", precision=Precision.bf16)
    assert got == pytest.approx(8.03e9 * 8 / GIB)


def test_qlora_weights_are_nf4_with_double_quantisation() -> None:
    quantised = 8.03e9 - 2 * 128256 * 4096
    assert _component(Method.qlora, "quantised_weights") == pytest.approx(
        quantised * 4.127 / 8 / GIB
    )


def test_checkpointed_activations_keep_block_inputs_and_one_block() -> None:
    tokens = 2048
    kept = 32 * 4096 * 2 * tokens + activation_elements_per_token_per_layer(LLAMA8) * 2 * tokens
    assert _component(Method.lora, "activations") == pytest.approx(kept / GIB)


def test_logits_take_eight_bytes_per_vocabulary_entry() -> None:
    assert _component(Method.lora, "logits") == pytest.approx(2048 * 128256 * 8 / GIB)


def test_sharding_divides_states_by_gpu_count() -> None:
    one = _component(Method.full, "weights_gradients_optimizer")
    four = _component(Method.full, "weights_gradients_optimizer", gpu_count=4)
    assert four == pytest.approx(one / 4)


def test_forward_flops_count_matmuls_and_causal_attention() -> None:
    matmul = 8.03e9 - 128256 * 4096  # the input embedding is a lookup, not a matmul
    attention = 2 * 32 * 2048 * 4096
    assert forward_flops_per_token(LLAMA8, 2048) == pytest.approx(2 * matmul + attention)


@pytest.mark.parametrize(
    ("method", "checkpointing", "expected"),
    [
        (Method.full, False, 3.0),
        (Method.full, True, 4.0),
        (Method.lora, False, 2.0),
        (Method.qlora, True, 3.0),
    ],
)
def test_passes_per_token(method: Method, checkpointing: bool, expected: float) -> None:
    assert passes(method, checkpointing) == expected


def test_compute_hours_follow_flops_and_utilisation() -> None:
    shape = RunShape(
        model=LLAMA8,
        gpu=A100,
        method=Method.lora,
        gpu_count=1,
        seq_len=2048,
        micro_batch=4,
        gradient_checkpointing=True,
        trainable_params=42e6,
    )
    run = run_time(shape, 3e6)
    processed = 3e6 / 0.85
    flops = 3 * forward_flops_per_token(LLAMA8, 2048)
    compute = next(c.hours for c in run.components if c.name == "compute")
    assert compute == pytest.approx(processed * flops / (312e12 * 0.35) / 3600)


def test_qlora_dequantisation_is_memory_bound_per_step() -> None:
    shape = RunShape(
        model=LLAMA8,
        gpu=A100,
        method=Method.qlora,
        gpu_count=1,
        seq_len=2048,
        micro_batch=1,
        gradient_checkpointing=True,
        trainable_params=42e6,
    )
    run = run_time(shape, 2048 * 0.85 * 100)  # exactly 100 steps of 2048 processed tokens
    dequant = next(c.hours for c in run.components if c.name == "dequantisation")
    quantised = 8.03e9 - 2 * 128256 * 4096
    assert dequant == pytest.approx(100 * 3 * quantised * 8.0 / (2039e9 * 0.7) / 3600)


def test_evaluation_reads_the_weights_once_per_generated_token() -> None:
    shape = RunShape(
        model=LLAMA8,
        gpu=A100,
        method=Method.lora,
        gpu_count=1,
        seq_len=2048,
        micro_batch=2,
        gradient_checkpointing=True,
        trainable_params=42e6,
        eval_examples=200,
    )
    evaluation = next(c.hours for c in run_time(shape, 1e6).components if c.name == "evaluation")
    speed = 2039e9 * 0.5 / (8.03e9 * 2)
    assert evaluation == pytest.approx(2 * 200 * 250 / speed / 3600)


def test_size_only_model_keeps_the_stated_size_and_a_real_shape() -> None:
    model = model_for_size(13)
    assert model.params_b == 13
    assert model.layers == LLAMA8.layers
    assert model.hidden_size > LLAMA8.hidden_size


def test_reserve_is_twice_the_build_a_year_or_the_retrains_if_more() -> None:
    build, run = Range.exact(1200.0), Range.exact(10.0)
    assert retraining_reserve_monthly(build, run, "monthly").expected == pytest.approx(200.0)
    weekly = retraining_reserve_monthly(Range.exact(100.0), Range.exact(10.0), "weekly")
    assert weekly.expected == pytest.approx(52 * 10 / 12)


def test_build_is_amortised_over_six_months() -> None:
    cost = ApproachCost("lora", Range.exact(600.0), Range.exact(10.0), Range.exact(0.0))
    series = cumulative(cost, 8)
    assert series.expected[:7] == (110.0, 220.0, 330.0, 440.0, 550.0, 660.0, 670.0)


def test_crossover_is_the_first_month_the_investment_is_cheaper() -> None:
    api = ApproachCost("api", Range.exact(0.0), Range.exact(100.0), Range.exact(0.0))
    tuned = ApproachCost("lora", Range.exact(1200.0), Range.exact(10.0), Range.exact(0.0))
    costs = (api, tuned)
    series = tuple(cumulative(c, 24) for c in costs)
    # month m: 200*min(m,6) + 10m  <  100m  ->  m = 14
    assert [(c.approach, c.versus, c.month) for c in crossovers(costs, series)] == [
        ("lora", "api", 14)
    ]


def test_bands_order_low_expected_high() -> None:
    est = training_memory(
        LLAMA8,
        Method.qlora,
        seq_len=2048,
        micro_batch=1,
        gradient_checkpointing=True,
        lora_rank=16,
        band=Band.high,
    )
    low = training_memory(
        LLAMA8,
        Method.qlora,
        seq_len=2048,
        micro_batch=1,
        gradient_checkpointing=True,
        lora_rank=16,
        band=Band.low,
    )
    assert low.peak_gib <= est.peak_gib


def test_training_throughput_is_the_run_times_figure() -> None:
    """The shortcut the recommendation reads equals the run's own figure, to the bit."""
    cat = load_catalogue()
    for method in Method:
        req = TrainingRequest(
            method=method, model=cat.models["llama-3.1-8b"], gpu=cat.gpus["a100-80gb"]
        )
        est = estimate_training(req)
        assert est.tokens_per_second == est.run.tokens_per_second
