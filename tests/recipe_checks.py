"""Checks a generated recipe file against the documented fields of the libraries it names.

The TRL script is parsed with `ast`: every keyword of SFTConfig, LoraConfig,
BitsAndBytesConfig, SFTTrainer, from_pretrained and generate must be a documented field of the
version in tests/data/trainer_fields.toml, with a literal of the documented type. The axolotl
YAML is parsed and each key (and each dataset, FSDP and bitsandbytes key) checked the same way.
Each function returns the problems it found, so a failure lists them all.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

FIELDS_FILE = Path(__file__).parent / "data" / "trainer_fields.toml"


@cache
def fields() -> dict[str, Any]:
    return tomllib.loads(FIELDS_FILE.read_text(encoding="utf-8"))


def type_ok(value: Any, kind: str) -> bool:
    """Whether a parsed value has a documented type ("any" takes a name or expression)."""
    checks: dict[str, Callable[[Any], bool]] = {
        "any": lambda _v: True,
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "str": lambda v: isinstance(v, str),
        "dict": lambda v: isinstance(v, dict),
        "list[str]": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "list[dict]": lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v),
    }
    return any(checks[k](value) for k in kind.split("|"))


_UNKNOWN = object()


def literal(node: ast.expr) -> Any:
    """A keyword's literal value; _UNKNOWN for a name or an expression."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        return _UNKNOWN


def _call_name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _documented(library: str, table: str) -> dict[str, str]:
    return dict(fields()[library][table])


def _trl_tables() -> dict[str, dict[str, str]]:
    sft = {
        **_documented("transformers", "training_arguments"),
        **_documented("trl", "sft_config"),
    }
    return {
        "SFTConfig": sft,
        "SFTTrainer": _documented("trl", "sft_trainer"),
        "LoraConfig": _documented("peft", "lora_config"),
        "BitsAndBytesConfig": _documented("transformers", "bits_and_bytes_config"),
        "from_pretrained": _documented("transformers", "from_pretrained"),
        "generate": _documented("transformers", "generate"),
    }


def _enum_problems(name: str, value: Any) -> list[str]:
    enums = {
        "optim": fields()["transformers"]["optim"]["values"],
        "lr_scheduler_type": fields()["transformers"]["lr_scheduler_type"]["values"],
        "loss_type": fields()["trl"]["loss_type"]["values"],
        "bias": fields()["peft"]["bias"]["values"],
    }
    if name in enums and value not in enums[name]:
        return [f"{name}={value!r} is not one of {enums[name]}"]
    return []


def _keyword_problems(name: str, kw: ast.keyword, documented: dict[str, str]) -> list[str]:
    kind = documented.get(str(kw.arg))
    if kind is None:
        return [f"{name}({kw.arg}=...) is not a documented field"]
    value = literal(kw.value)
    if value is _UNKNOWN:
        return []
    problems = [] if type_ok(value, kind) else [f"{name}({kw.arg}={value!r}) is not a {kind}"]
    problems += _enum_problems(str(kw.arg), value)
    nested = {"fsdp_config": "fsdp_config", "model_init_kwargs": "from_pretrained"}
    if kw.arg in nested and isinstance(value, dict):
        problems += _dict_problems(value, _documented("transformers", nested[kw.arg]))
    return problems


def trl_problems(script: str) -> list[str]:
    """Every keyword of the script's library calls that the named versions do not document."""
    tables = _trl_tables()
    calls = [n for n in ast.walk(ast.parse(script)) if isinstance(n, ast.Call)]
    problems: list[str] = []
    for call in (c for c in calls if _call_name(c) in tables):
        name = _call_name(call)
        for kw in (k for k in call.keywords if k.arg is not None):  # not **inputs
            problems += _keyword_problems(name, kw, tables[name])
    seen = {_call_name(c) for c in calls}
    problems += [
        f"no {needed}(...) call" for needed in ("SFTConfig", "SFTTrainer") if needed not in seen
    ]
    return problems


def _dict_problems(values: dict[str, Any], documented: dict[str, str]) -> list[str]:
    problems = []
    for key, value in values.items():
        kind = documented.get(key)
        if kind is None:
            problems.append(f"{key} is not a documented key")
        elif not type_ok(value, kind):
            problems.append(f"{key}={value!r} is not a {kind}")
    return problems


def axolotl_problems(text: str) -> list[str]:
    """Every key of the YAML that axolotl's documented configuration lacks or types otherwise."""
    config = yaml.safe_load(text)
    if not isinstance(config, dict):
        return ["the YAML is not a mapping"]
    ax = fields()["axolotl"]
    problems = _dict_problems(config, dict(ax["keys"]))
    for dataset in config.get("datasets", []):
        problems += _dict_problems(dataset, dict(ax["dataset_keys"]))
    problems += _dict_problems(config.get("fsdp_config", {}), dict(ax["fsdp_config_keys"]))
    problems += _dict_problems(
        config.get("bnb_config_kwargs", {}), dict(ax["bnb_config_kwargs_keys"])
    )
    return problems


def sft_config_keywords(script: str) -> dict[str, Any]:
    """The SFTConfig(...) keywords as literals (names as their identifier)."""
    tree = ast.parse(script)
    call = next(
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n) == "SFTConfig"
    )
    found: dict[str, Any] = {}
    for kw in call.keywords:
        value = literal(kw.value)
        found[str(kw.arg)] = ast.unparse(kw.value) if value is _UNKNOWN else value
    return found


def call_keywords(script: str, name: str) -> dict[str, Any] | None:
    tree = ast.parse(script)
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and _call_name(n) == name:
            return {str(kw.arg): literal(kw.value) for kw in n.keywords if kw.arg}
    return None
