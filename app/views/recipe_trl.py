"""The recipe as a Hugging Face TRL script: `SFTConfig` with PEFT's `LoraConfig` (or full
fine-tuning), runnable with `accelerate launch`, plus a `score` step for the locked test set.

Every keyword is written from the `Recipe`, the same values the cost model priced; the tests
parse the script with `ast` and check each keyword against the fields of the TRL, PEFT and
transformers versions it names (tests/data/trainer_fields.toml).
"""

from __future__ import annotations

from app.cost_model.recipe_model import Recipe
from app.views.recipe_header import Provenance, comment_block, made_from, model_id

FILENAME = "train_tunewise.py"
MEDIA_TYPE = "text/x-python; charset=utf-8"


def _py(value: object) -> str:
    """A Python literal for a recipe value: its repr, a tuple written as a list."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    return repr(value)


def _kwargs(pairs: list[tuple[str, str]], indent: str = "    ") -> str:
    return "".join(f"{indent}{k}={v},\n" for k, v in pairs)


def _run_lines(recipe: Recipe) -> list[str]:
    libs = recipe.libraries
    extra = " bitsandbytes" if recipe.quantisation is not None else ""
    return [
        "",
        "How to run it:",
        (
            f'  pip install "trl=={libs["trl"]}" "peft=={libs["peft"]}" '
            f'"transformers=={libs["transformers"]}" accelerate datasets{extra}'
        ),
        f"  accelerate launch --num_processes {recipe.gpu_count} {FILENAME}",
        f"  python {FILENAME} score    # answers of the tuned model and the base on the test set",
        "For another run of the grid, set LEARNING_RATE, SEED or TRAIN_FILE in the environment.",
    ]


def _quantisation(recipe: Recipe) -> str:
    q = recipe.quantisation
    if q is None:
        return "QUANTIZATION = None\n"
    pairs = [
        ("load_in_4bit", "True"),
        ("bnb_4bit_quant_type", _py(q.quant_type)),
        ("bnb_4bit_use_double_quant", _py(q.double_quant)),
        ("bnb_4bit_compute_dtype", f"torch.{q.compute_dtype}"),
        ("bnb_4bit_quant_storage", f"torch.{q.compute_dtype}"),
    ]
    return "QUANTIZATION = BitsAndBytesConfig(\n" + _kwargs(pairs) + ")\n"


def _peft(recipe: Recipe) -> str:
    lora = recipe.lora
    if lora is None:
        return "PEFT_CONFIG = None  # full fine-tuning: every weight is trained\n"
    pairs = [
        ("r", _py(lora.rank)),
        ("lora_alpha", _py(lora.alpha)),
        ("lora_dropout", _py(lora.dropout)),
        ("target_modules", _py(lora.target_modules)),
    ]
    if lora.target_parameters:
        pairs.append(("target_parameters", _py(lora.target_parameters)))
    pairs += [("bias", "'none'"), ("task_type", "'CAUSAL_LM'")]
    return "PEFT_CONFIG = LoraConfig(\n" + _kwargs(pairs) + ")\n"


def _dtype(recipe: Recipe) -> str:
    return "float32" if recipe.precision == "bf16_mixed_fp32_master" else "bfloat16"


def _sft_config(recipe: Recipe) -> str:
    sharded = recipe.sharding is not None
    pairs = [
        ("output_dir", "OUTPUT_DIR"),
        ("model_init_kwargs", "{'dtype': " + _py(_dtype(recipe)) + "}"),
        ("max_length", _py(recipe.sequence_length)),
        ("packing", _py(recipe.packing)),
        ("per_device_train_batch_size", _py(recipe.micro_batch)),
        ("gradient_accumulation_steps", _py(recipe.gradient_accumulation_steps)),
        ("gradient_checkpointing", _py(recipe.gradient_checkpointing and not sharded)),
        ("num_train_epochs", _py(recipe.epochs)),
        ("learning_rate", "LEARNING_RATE"),
        ("lr_scheduler_type", _py(recipe.lr_scheduler)),
        ("warmup_steps", _py(recipe.warmup_ratio)),
        ("max_grad_norm", _py(recipe.max_grad_norm)),
        ("weight_decay", _py(recipe.weight_decay)),
        ("optim", _py(recipe.optimizer)),
        ("bf16", "True"),
        ("loss_type", "'nll'"),
        ("eval_strategy", "'no'"),
        ("save_strategy", "'epoch'"),
        ("logging_steps", "10"),
        ("seed", "SEED"),
        ("report_to", "'none'"),
    ]
    if sharded:
        fsdp = {"activation_checkpointing": recipe.gradient_checkpointing}
        pairs += [("fsdp", "'full_shard auto_wrap'"), ("fsdp_config", repr(fsdp))]
    return "ARGS = SFTConfig(\n" + _kwargs(pairs) + ")\n"


BODY = '''

def train():
    """One run of the grid: the recipe above, on the training set only."""
    dataset = load_dataset("json", data_files=TRAIN_FILE, split="train")
    trainer = SFTTrainer(
        model=MODEL_ID,
        args=ARGS,
        train_dataset=dataset,
        peft_config=PEFT_CONFIG,
        quantization_config=QUANTIZATION,
    )
    trainer.train()
    trainer.save_model(OUTPUT_DIR)


def _answer(model, tokenizer, messages):
    inputs = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    ).to(model.device)
    output = model.generate(**inputs, max_new_tokens=MAX_NEW_TOKENS, do_sample=False)
    return tokenizer.decode(output[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True)


def _load(path):
    return AutoModelForCausalLM.from_pretrained(
        path, dtype=torch.bfloat16, quantization_config=QUANTIZATION, device_map="auto"
    )


def score():
    """The locked test set, once, at the end of the run: the tuned model's and the base's
    answers side by side, to be scored with the same criteria. Nothing here trains."""
    tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
    test = load_dataset("json", data_files=TEST_FILE, split="train")
    prompts = [row["messages"][:-1] for row in test]
    if PEFT_CONFIG is None:
        tuned = [_answer(_load(OUTPUT_DIR), tokenizer, p) for p in prompts]
        base = [_answer(_load(MODEL_ID), tokenizer, p) for p in prompts]
    else:
        model = PeftModel.from_pretrained(_load(MODEL_ID), OUTPUT_DIR)
        tuned = [_answer(model, tokenizer, p) for p in prompts]
        with model.disable_adapter():
            base = [_answer(model, tokenizer, p) for p in prompts]
    with open(os.path.join(OUTPUT_DIR, "test_answers.jsonl"), "w", encoding="utf-8") as out:
        for row, t, b in zip(test, tuned, base):
            record = {"messages": row["messages"], "fine_tuned": t, "base": b}
            out.write(json.dumps(record, ensure_ascii=False) + "\\n")


if __name__ == "__main__":
    score() if sys.argv[1:] == ["score"] else train()
'''


def trl_script(recipe: Recipe, made: Provenance) -> str:
    """The whole script, as deterministic text."""
    header = comment_block([*made_from(recipe, made), *_run_lines(recipe)])
    imports = (
        "import json\nimport os\nimport sys\n\nimport torch\n"
        "from datasets import load_dataset\n"
        "from peft import LoraConfig, PeftModel\n"
        "from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig\n"
        "from trl import SFTConfig, SFTTrainer\n\n"
    )
    constants = (
        f"MODEL_ID = {_py(model_id(recipe))}\n"
        f"TRAIN_FILE = os.environ.get('TRAIN_FILE', {_py(recipe.train_file)})\n"
        f"TEST_FILE = {_py(recipe.test_file)}  # the locked test set: never trained on\n"
        f"OUTPUT_DIR = {_py(recipe.output_dir)}\n"
        "LEARNING_RATE = float(os.environ.get('LEARNING_RATE', "
        f"{_py(repr(recipe.learning_rate))}))\n"
        "SEED = int(os.environ.get('SEED', '42'))\n"
        f"MAX_NEW_TOKENS = {recipe.eval_max_new_tokens}\n\n"
    )
    return (
        header
        + "\n"
        + imports
        + constants
        + _quantisation(recipe)
        + "\n"
        + _peft(recipe)
        + "\n"
        + _sft_config(recipe)
        + BODY
    )
