"""Golden bytes: the recommendation JSON (and, for the five situations, the A4 report's PDF)
of a fixed set of requests, kept so that speed work can prove it changed no byte.

The cases are the public scenarios of ../shared/spec, the five situations of
benchmarks/situations.py, and a seeded spread of random requests over every model, GPU,
traffic shape, latency target, proposal and "I'm not sure" (the counterfactual probes, the
latency fixes and the fleet search all run on them). The named cases are kept whole, so a
failure shows what moved; the random ones and the PDFs as SHA-256 digests.

When rules, costs or prices change on purpose, regenerate them in one command:

    python -m tests.golden --update
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.canonical import json_bytes
from app.cost_model.catalogue import load_catalogue
from app.questions import RecommendationRequest
from app.rules.recommend import recommend

GOLDEN = Path(__file__).resolve().parent
NAMED_DIR = GOLDEN / "json"
DIGESTS = GOLDEN / "digests.json"
SCENARIOS = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "scenarios.json"
RANDOM_CASES = 120
"""Seeded random requests: enough to reach every GPU, the latency fixes and the proposals."""
PDF_CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def scenario_cases() -> dict[str, dict[str, Any]]:
    """The public scenarios by id (empty when the project is cloned without ../shared)."""
    if not SCENARIOS.exists():
        return {}
    data = json.loads(SCENARIOS.read_text(encoding="utf-8"))
    return {
        f"scenario-{s['id']}": {"answers": s["answers"], "context": s["context"]}
        for s in data["scenarios"]
    }


def situation_cases() -> dict[str, dict[str, Any]]:
    from benchmarks.situations import situations  # noqa: PLC0415  # reads ../shared too

    if not SCENARIOS.exists():
        return {}
    return {f"situation-{name}": body for name, body in situations().items()}


def _random_body(rng: random.Random) -> dict[str, Any]:
    answers = {
        "objective": rng.choice(["knowledge", "behaviour", "both"]),
        "domain_vocabulary": rng.choice(["general", "specialised", "highly_specialised"]),
        "output_consistency": rng.choice(["free_form", "consistent_tone", "strict_format"]),
        "labelled_examples": rng.choice([0, 50, 150, 400, 1200, 5000, 24_000, 120_000, 2_000_000]),
        "data_freshness": rng.choice(
            ["realtime", "daily", "weekly", "monthly", "quarterly", "static"]
        ),
        "citations_required": rng.random() < 0.3,
        "latency_p99_ms": rng.choice([50, 150, 400, 1000, 2000, 5000, 60_000]),
        "ml_capability": rng.randint(1, 5),
        "budget_usd": rng.choice([0, 300, 1000, 5000, 25_000, 250_000, 5_000_000]),
    }
    body: dict[str, Any] = {"answers": answers, "context": _random_context(rng)}
    unsure = [
        q
        for q in ("labelled_examples", "latency_p99_ms", "ml_capability", "budget_usd")
        if rng.random() < 0.1
    ]
    if unsure:
        body["unsure"] = unsure
        for q in unsure:
            answers.pop(q)
    if rng.random() < 0.2:
        body["proposal"] = _random_proposal(rng)
    return body


def _random_context(rng: random.Random) -> dict[str, Any]:
    cat = load_catalogue()
    context: dict[str, Any] = {}
    pick = rng.random()
    if pick < 0.45:
        context["base_model"] = rng.choice(sorted(cat.models))
    elif pick < 0.6:
        context["model_size_b"] = rng.choice([1.5, 7.0, 13.0, 34.0, 70.0, 180.0, 405.0])
    if rng.random() < 0.5:
        context["gpu"] = rng.choice(sorted(cat.gpus))
    if rng.random() < 0.7:
        context["monthly_requests"] = rng.choice(
            [0, 1000, 50_000, 400_000, 3_000_000, 20_000_000, 300_000_000]
        )
    if rng.random() < 0.4:
        context["input_tokens_per_request"] = rng.choice([100, 1500, 8000, 60_000])
        context["output_tokens_per_request"] = rng.choice([20, 250, 900, 4000])
    if rng.random() < 0.3:
        context["tokens_per_example"] = rng.choice([200, 2000, 12_000])
    for key, chance, values in (
        ("tenants", 0.3, [2, 5, 12, 80]),
        ("on_prem_required", 0.3, [True]),
        ("multilingual", 0.2, [True]),
        ("quality_evidence", 0.3, ["lora_plateaued", "measured_gap", "research_grade"]),
        ("horizon_months", 0.3, [3, 12, 36, 120]),
    ):
        if rng.random() < chance:
            context[key] = rng.choice(values)
    return context


def _random_proposal(rng: random.Random) -> dict[str, Any]:
    cat = load_catalogue()
    proposal: dict[str, Any] = {
        "approach": rng.choice(["lora", "qlora", "full_fine_tuning", "rag", "dont_fine_tune"])
    }
    if rng.random() < 0.7:
        proposal["base_model"] = rng.choice(sorted(cat.models))
    if rng.random() < 0.6:
        proposal["gpu"] = rng.choice(sorted(cat.gpus))
        proposal["gpu_count"] = rng.choice([1, 2, 8, 16])
    if rng.random() < 0.6:
        proposal["experiments"] = rng.choice([1, 5, 40, 150])
    if rng.random() < 0.6:
        proposal["budget_usd"] = rng.choice([500, 25_000, 400_000])
    for key in ("locked_test_set", "lora_comparison_run"):
        if rng.random() < 0.5:
            proposal[key] = rng.choice(["yes", "no", "not_stated"])
    return proposal


def random_cases() -> dict[str, dict[str, Any]]:
    """Seeded random requests that validate (an invalid draw is skipped, never kept)."""
    rng = random.Random(25)  # noqa: S311  # a fixed spread, not a secret
    out: dict[str, dict[str, Any]] = {}
    while len(out) < RANDOM_CASES:
        body = _random_body(rng)
        try:
            RecommendationRequest.model_validate(body)
        except ValueError:
            continue
        out[f"random-{len(out):03d}"] = body
    return out


def result_bytes(body: dict[str, Any]) -> bytes:
    """The API's bytes for a request (POST /api/v1/recommendations, without the chart)."""
    result = recommend(RecommendationRequest.model_validate(body))
    return json_bytes(result.model_dump(mode="json"))


def pdf_bytes(name: str, body: dict[str, Any]) -> bytes:
    """The A4 report of a request, stored at a fixed time under a fixed id and title."""
    from app.assessments.store import StoredAssessment  # noqa: PLC0415  # PDF only
    from app.report.render import render_pdf  # noqa: PLC0415

    result = recommend(RecommendationRequest.model_validate(body))
    stored = StoredAssessment.of(
        result, assessment_id=f"golden-{name}", title=name, created_at=PDF_CREATED
    )
    return render_pdf(stored, "a4")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def named_path(name: str) -> Path:
    return NAMED_DIR / f"{name}.json"


def current(*, pdfs: bool = True) -> Iterator[tuple[str, str, bytes]]:
    """(kind, name, bytes) for every golden case as the code makes it now."""
    for name, body in (scenario_cases() | situation_cases()).items():
        yield "json", name, result_bytes(body)
    for name, body in random_cases().items():
        yield "digest", name, result_bytes(body)
    if pdfs:
        for name, body in situation_cases().items():
            yield "pdf", name, pdf_bytes(name, body)
