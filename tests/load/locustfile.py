"""The load mix for `tests.load.run` (run by locust in its own process, never imported by
pytest: gevent patches the interpreter).

Each simulated user walks the wizard (a question page, an answer posted), calls the API
(recommendations with varied answers, assessments created and kept), opens results pages and
downloads a few PDF reports. PDFs cost about a second on their first render per assessment, so
they are a small share. Every assessment created is appended, with the body sent, to the JSON
lines file named by TUNEWISE_LOAD_RECORD, so that the run can read each one back afterwards.
"""

from __future__ import annotations

import json
import os
import random
from typing import Any

from locust import HttpUser, between, task

RECORD = os.environ.get("TUNEWISE_LOAD_RECORD", "load-assessments.jsonl")
SLUGS = ("objective", "domain-vocabulary", "output-consistency", "labelled-examples")
CREATED: list[str] = []
"""Ids created in this run by any user (one process: locust runs the users as greenlets)."""


def answers(rng: random.Random) -> dict[str, Any]:
    return {
        "objective": rng.choice(["knowledge", "behaviour", "both"]),
        "domain_vocabulary": rng.choice(["general", "specialised", "highly_specialised"]),
        "output_consistency": rng.choice(["free_form", "consistent_tone", "strict_format"]),
        "labelled_examples": rng.choice([0, 200, 1000, 5000, 50_000, rng.randint(0, 500_000)]),
        "data_freshness": rng.choice(
            ["realtime", "daily", "weekly", "monthly", "quarterly", "static"]
        ),
        "citations_required": rng.random() < 0.3,
        "latency_p99_ms": rng.choice([200, 500, 2000, 5000, 30_000]),
        "ml_capability": rng.randint(1, 5),
        "budget_usd": rng.choice([0, 500, 1000, 10_000, 100_000, rng.randint(0, 1_000_000)]),
    }


def context(rng: random.Random) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    if rng.random() < 0.5:
        chosen["base_model"] = rng.choice(["llama-3.1-8b", "llama-3.1-70b", "qwen-2.5-32b"])
    if rng.random() < 0.5:
        chosen["gpu"] = rng.choice(["a100-80gb", "a100-40gb", "h100-80gb"])
    if rng.random() < 0.3:
        chosen["on_prem_required"] = True
    if rng.random() < 0.3:
        chosen["monthly_requests"] = rng.choice([10_000, 1_000_000, 8_000_000])
    return chosen


class Visitor(HttpUser):
    wait_time = between(0.0, 0.2)

    def on_start(self) -> None:
        self.rng = random.Random()  # noqa: S311  # load variety, not secrets

    @task(4)
    def wizard(self) -> None:
        slug = self.rng.choice(SLUGS[:2])
        self.client.get(f"/wizard/{slug}", name="/wizard/[slug]")
        value = answers(self.rng)[slug.replace("-", "_")]
        with self.client.post(
            f"/wizard/{slug}",
            data={slug.replace("-", "_"): value},
            name="/wizard/[slug]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"HTTPError('{response.status_code} for url: wizard answer')")

    @task(6)
    def recommendation(self) -> None:
        body = {"answers": answers(self.rng), "context": context(self.rng)}
        self.client.post("/api/v1/recommendations", json=body)

    @task(3)
    def assessment(self) -> None:
        body = {
            "answers": answers(self.rng),
            "context": context(self.rng),
            "title": f"Load {self.rng.randrange(1_000_000)}",
        }
        response = self.client.post("/api/v1/assessments", json=body)
        if response.status_code == 201:
            created = response.json()["id"]
            CREATED.append(created)
            with open(RECORD, "a", encoding="utf-8") as record:  # noqa: PTH123
                record.write(json.dumps({"id": created, "body": body}) + "\n")

    @task(2)
    def results_page(self) -> None:
        if CREATED:
            self.client.get(f"/assessments/{self.rng.choice(CREATED)}", name="/assessments/[id]")

    @task(1)
    def report(self) -> None:
        if not CREATED:
            return
        # Mostly reports already rendered (cached), sometimes the newest (a first render).
        chosen = CREATED[-1] if self.rng.random() < 0.2 else self.rng.choice(CREATED[:8])
        self.client.get(
            f"/api/v1/assessments/{chosen}/report.pdf", name="/api/v1/assessments/[id]/report.pdf"
        )
