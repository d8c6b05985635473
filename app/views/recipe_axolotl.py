"""The recipe as an axolotl YAML config, written from the same `Recipe` as the TRL script.

Scalars are written as JSON, which YAML reads unchanged, so the text is deterministic without
a YAML library; the tests parse it and check each key and type against axolotl's documented
configuration (tests/data/trainer_fields.toml).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from app.cost_model.recipe_model import Recipe
from app.views.recipe_header import Provenance, comment_block, made_from, model_id

FILENAME = "tunewise-axolotl.yaml"
MEDIA_TYPE = "application/yaml; charset=utf-8"

Scalar = str | int | float | bool
Value = Scalar | tuple[Scalar, ...] | Mapping[str, Scalar] | tuple[Mapping[str, Scalar], ...]


def _scalar(value: Scalar) -> str:
    """JSON, except that a float in exponent form keeps a decimal point (2.0e-05): YAML 1.1
    readers (PyYAML) take "2e-05" for a string."""
    if isinstance(value, float) and "e" in repr(value):
        mantissa, exponent = repr(value).split("e")
        return f"{mantissa if '.' in mantissa else mantissa + '.0'}e{exponent}"
    return json.dumps(value, ensure_ascii=False)


def _entry(key: str, value: Value) -> str:
    if isinstance(value, Mapping):
        return f"{key}:\n" + "".join(f"  {k}: {_scalar(v)}\n" for k, v in value.items())
    if isinstance(value, tuple):
        items = [v for v in value if isinstance(v, Mapping)]
        if items:
            text = f"{key}:\n"
            for item in items:
                pairs = list(item.items())
                text += f"  - {pairs[0][0]}: {_scalar(pairs[0][1])}\n"
                text += "".join(f"    {k}: {_scalar(v)}\n" for k, v in pairs[1:])
            return text
        scalars = [_scalar(v) for v in value if not isinstance(v, Mapping)]
        return f"{key}: [" + ", ".join(scalars) + "]\n"
    return f"{key}: {_scalar(value)}\n"


def _adapter(recipe: Recipe) -> list[tuple[str, Value]]:
    lora = recipe.lora
    if lora is None:
        return []
    entries: list[tuple[str, Value]] = []
    if recipe.quantisation is not None:
        q = recipe.quantisation
        entries += [
            ("load_in_4bit", True),
            ("adapter", "qlora"),
            (
                "bnb_config_kwargs",
                {
                    "bnb_4bit_quant_type": q.quant_type,
                    "bnb_4bit_use_double_quant": q.double_quant,
                },
            ),
        ]
    else:
        entries.append(("adapter", "lora"))
    entries += [
        ("lora_r", lora.rank),
        ("lora_alpha", lora.alpha),
        ("lora_dropout", lora.dropout),
    ]
    if isinstance(lora.target_modules, str):
        entries.append(("lora_target_linear", True))
    else:
        entries.append(("lora_target_modules", tuple(lora.target_modules)))
    if lora.target_parameters:
        entries.append(("lora_target_parameters", tuple(lora.target_parameters)))
    return entries


def _sharding(recipe: Recipe) -> list[tuple[str, Value]]:
    if recipe.sharding is None:
        return []
    return [
        ("fsdp_version", 2),
        (
            "fsdp_config",
            {
                "reshard_after_forward": True,
                "auto_wrap_policy": "TRANSFORMER_BASED_WRAP",
                "activation_checkpointing": recipe.gradient_checkpointing,
                "state_dict_type": "FULL_STATE_DICT",
            },
        ),
    ]


def config_entries(recipe: Recipe) -> list[tuple[str, Value]]:
    """Every key of the config, in the order a reader checks them."""
    sharded = recipe.sharding is not None
    return [
        ("base_model", model_id(recipe)),
        *_adapter(recipe),
        (
            "datasets",
            (
                {
                    "path": recipe.train_file,
                    "ds_type": "json",
                    "type": "chat_template",
                    "field_messages": "messages",
                },
            ),
        ),
        ("val_set_size", 0.0),
        ("dataset_prepared_path", f"{recipe.output_dir}/prepared"),
        ("output_dir", recipe.output_dir),
        ("sequence_len", recipe.sequence_length),
        ("sample_packing", recipe.packing),
        ("pad_to_sequence_len", recipe.packing),
        ("micro_batch_size", recipe.micro_batch),
        ("gradient_accumulation_steps", recipe.gradient_accumulation_steps),
        ("num_epochs", recipe.epochs),
        ("learning_rate", recipe.learning_rate),
        ("lr_scheduler", recipe.lr_scheduler),
        ("warmup_ratio", recipe.warmup_ratio),
        ("max_grad_norm", recipe.max_grad_norm),
        ("weight_decay", recipe.weight_decay),
        ("optimizer", recipe.optimizer),
        ("bf16", True),
        ("gradient_checkpointing", recipe.gradient_checkpointing and not sharded),
        *_sharding(recipe),
        ("eval_strategy", "no"),
        ("save_strategy", "epoch"),
        ("logging_steps", 10),
        ("seed", 42),
    ]


def axolotl_config(recipe: Recipe, made: Provenance) -> str:
    """The whole YAML file, as deterministic text."""
    run = [
        "",
        "How to run it:",
        f'  pip install "axolotl=={recipe.libraries["axolotl"]}"',
        f"  accelerate launch --num_processes {recipe.gpu_count} -m axolotl.cli.train {FILENAME}",
        f"Then answer the locked test set ({recipe.test_file}) with the tuned model and the base,",
        "  for example with the TRL script's `score` step, and score both with the same criteria.",
        "For another run of the grid, change learning_rate, seed or the dataset path.",
    ]
    header = comment_block([*made_from(recipe, made), *run])
    return header + "\n" + "".join(_entry(k, v) for k, v in config_entries(recipe))
