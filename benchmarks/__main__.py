"""`make bench`: the engine's and the cost model's timings, each against a baseline measured
in the same run, because these machines are shared and noisy and absolute times drift.

The baseline is the floor every API call pays anyway: validating the request body with
pydantic and writing the canonical JSON of the result. A ratio of 3 means the work costs three
times that floor.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from app.canonical import canonical_json, json_bytes
from app.cost_model import ranges
from app.cost_model.band_rates import band_rates
from app.cost_model.catalogue import load_catalogue
from app.cost_model.methods import Method
from app.cost_model.training import TrainingRequest, cost_line, estimate_training, layout
from app.questions import RecommendationRequest
from app.rules.base import cost_curve, facts, planned, pricing
from app.rules.base.facts import build_facts
from app.rules.economics.cost_block import cost_block
from app.rules.recommend import recommend
from benchmarks import cli, prerender, report, throughput, web
from benchmarks.common import FINTECH as BODY
from benchmarks.common import timed


def main() -> None:
    raw = json.dumps(BODY)
    request = RecommendationRequest.model_validate_json(raw)
    result = recommend(request)
    baseline = timed(
        lambda: canonical_json(
            RecommendationRequest.model_validate_json(raw).model_dump(mode="json")
        )
    )
    serialise = timed(lambda: json_bytes(result.model_dump(mode="json")))
    rng = random.Random(7)

    def fresh() -> object:
        answers = {**BODY["answers"], "labelled_examples": rng.randint(200, 500_000)}
        body = {"answers": answers, "context": BODY["context"]}
        return recommend(RecommendationRequest.model_validate(body))

    cat = load_catalogue()
    req = TrainingRequest(
        method=Method.qlora, model=cat.models["llama-3.1-70b"], gpu=cat.gpus["h100-80gb"]
    )

    def cold_estimate() -> object:
        estimate_training.cache_clear()
        layout.cache_clear()
        band_rates.cache_clear()
        est = estimate_training(req)
        return est.total_usd, est.run

    def cold_cost_block() -> object:
        facts.method_facts.cache_clear()
        planned.methods_for.cache_clear()
        pricing._candidate_lines.cache_clear()  # noqa: SLF001
        pricing._line_on.cache_clear()  # noqa: SLF001
        cost_curve._programme_cost.cache_clear()  # noqa: SLF001
        cost_line.cache_clear()
        band_rates.cache_clear()
        ranges._cached_add.cache_clear()  # noqa: SLF001
        ranges._cached_scale.cache_clear()  # noqa: SLF001
        return cost_block(build_facts(request.answers, request.context))

    rows = [
        ("baseline: validate request + canonical JSON", baseline),
        ("recommendation incl. counterfactuals (same input)", timed(lambda: recommend(request))),
        ("recommendation for a new input (dataset size; target <= 50x)", timed(fresh, number=20)),
        ("training estimate, nothing cached", timed(cold_estimate, number=20)),
        ("full cost block, estimates not cached", timed(cold_cost_block, number=10)),
        ("canonical JSON of a full (typed) result", serialise),
    ]
    print(f"{'what':58s} {'ms':>8s} {'x baseline':>11s}")
    for name, seconds in rows:
        print(f"{name:58s} {seconds * 1000:8.3f} {seconds / baseline:11.1f}")
    Path("var").mkdir(exist_ok=True)
    Path("var/bench.json").write_text(json.dumps(dict(rows), indent=2), encoding="utf-8")


if __name__ == "__main__":
    print("== engine and cost model ==")
    main()
    print("\n== the command line: start, and a JSON Lines batch in one process ==")
    cli.main()
    print("\n== web pages ==")
    web.main()
    print("\n== PDF report ==")
    report.main()
    print("\n== first PDF download after a save, rendered ahead or on demand ==")
    prerender.main()
    print("\n== throughput under wrk, against a bare FastAPI app (about 2.5 minutes) ==")
    throughput.main()
