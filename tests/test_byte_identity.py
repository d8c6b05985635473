"""Speed work changes no byte: every golden case (tests/golden) gives the same recommendation
JSON, and the five situations the same A4 PDF, as when the golden files were written.

When rules, costs or prices change on purpose: `python -m tests.golden --update`.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import shared_spec
from tests.golden import (
    DIGESTS,
    named_path,
    pdf_bytes,
    random_cases,
    result_bytes,
    scenario_cases,
    sha256,
    situation_cases,
)

REGENERATE = "if the change is meant, regenerate: python -m tests.golden --update"


@pytest.fixture(scope="module")
def digests() -> dict[str, str]:
    shared_spec("scenarios.json")
    loaded: dict[str, str] = json.loads(DIGESTS.read_text(encoding="utf-8"))
    return loaded


def test_the_named_cases_give_their_golden_bytes() -> None:
    shared_spec("scenarios.json")
    cases = scenario_cases() | situation_cases()
    assert len(cases) >= 17
    differ = [
        name
        for name, body in cases.items()
        if result_bytes(body) + b"\n" != named_path(name).read_bytes()
    ]
    assert not differ, f"{differ}: {REGENERATE}"


def test_the_random_cases_give_their_golden_digests(digests: dict[str, str]) -> None:
    cases = random_cases()
    differ = [
        name
        for name, body in cases.items()
        if sha256(result_bytes(body)) != digests[f"digest:{name}"]
    ]
    assert not differ, f"{differ}: {REGENERATE}"


def test_the_situations_give_their_golden_pdfs(digests: dict[str, str]) -> None:
    cases = situation_cases()
    differ = [
        name
        for name, body in cases.items()
        if sha256(pdf_bytes(name, body)) != digests[f"pdf:{name}"]
    ]
    assert not differ, f"{differ}: {REGENERATE}"
