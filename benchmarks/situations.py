"""The five situations of issue 22 a new user tries, as request bodies: what `make
screenshots` renders and a reviewer reads before calling a page or the report done.

- the seed's fintech copilot with its $25,000 proposal (001, worked example 1);
- a legal firm with 12 practice areas on-prem, needing citations (001, worked example 2,
  with the citation and on-prem requirements that make retrieval the primary);
- the logistics API replacement (001, worked example 3);
- a product catalogue that changes daily (004: "the AI doesn't know our current product
  catalog" is a job for retrieval);
- 100 examples and a team at capability 1 (002: under 200 examples, don't fine-tune).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCENARIOS = Path(__file__).resolve().parents[2] / "shared" / "spec" / "scenarios.json"


def _public(scenario_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        s for s in json.loads(SCENARIOS.read_text("utf-8"))["scenarios"] if s["id"] == scenario_id
    )
    return {"answers": found["answers"], "context": found["context"]}


TITLES = {
    "fintech-with-proposal": "Fintech support copilot, with the team's $25,000 proposal",
    "legal-twelve-tenants-on-prem": "Legal research, 12 practice areas, on-prem",
    "logistics-api-replacement": "Logistics: replacing the frontier API",
    "daily-catalogue": "Product catalogue that changes daily",
    "hundred-examples-capability-one": "100 examples, a team new to ML",
}
"""How a person would title each assessment: the name each screenshot is filed under."""


def situations() -> dict[str, dict[str, Any]]:
    """Each situation's id and its request body (answers, context, and a proposal where the
    situation has one)."""
    fintech = _public("fintech-support-copilot")
    return {
        "fintech-with-proposal": fintech
        | {
            "proposal": {
                "approach": "full_fine_tuning",
                "base_model": "llama-3.1-70b",
                "gpu": "h100-80gb",
                "gpu_count": 8,
                "experiments": 40,
                "budget_usd": 25000,
                "lora_comparison_run": "no",
            }
        },
        "legal-twelve-tenants-on-prem": {
            "answers": {
                "objective": "both",
                "domain_vocabulary": "highly_specialised",
                "output_consistency": "strict_format",
                "labelled_examples": 24000,
                "data_freshness": "quarterly",
                "citations_required": True,
                "latency_p99_ms": 3000,
                "ml_capability": 5,
                "budget_usd": 5000,
            },
            "context": {"tenants": 12, "on_prem_required": True},
        },
        "logistics-api-replacement": _public("logistics-api-replacement"),
        "daily-catalogue": _public("product-catalogue-knowledge"),
        "hundred-examples-capability-one": {
            "answers": {
                "objective": "behaviour",
                "domain_vocabulary": "specialised",
                "output_consistency": "consistent_tone",
                "labelled_examples": 100,
                "data_freshness": "monthly",
                "citations_required": False,
                "latency_p99_ms": 2000,
                "ml_capability": 1,
                "budget_usd": 5000,
            },
            "context": {},
        },
    }
