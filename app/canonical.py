"""Canonical JSON: the same meaning gives the same bytes.

Two writers, one rule (sorted keys, no insignificant whitespace, UTF-8):
- `canonical_json`, Python's json module, is what `input_hash` is taken over. It is pinned:
  a report made last year must hash the same today, whatever number formats a faster writer
  would choose.
- `json_bytes`, orjson, writes every response body. A recommendation holds some 450 numbers,
  and Python's float formatting made writing it cost a sixth of the answer; orjson writes the
  same document in a tenth of the time. Its bytes differ from `canonical_json`'s only in how
  numbers below 1e-4 are spelled (0.00001 against 1e-05), never in meaning.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8, no NaN: stable across runs and machines."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def json_bytes(value: Any) -> bytes:
    """A response body: sorted keys, compact, UTF-8, deterministic (orjson)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def sha256_hex(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def result_hash(document: Any) -> str:
    """SHA-256 (hex) of a recommendation's response bytes (json_bytes), without `chart` and
    `result_hash` themselves: the API's, the batch's and the CLI's `result_hash`."""
    return hashlib.sha256(json_bytes(document)).hexdigest()
