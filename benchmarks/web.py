"""Wizard pages against a bare Jinja page of the same size, in one run, and the results
page's transfer (HTML and every asset it loads, gzipped as the app serves them)."""

from __future__ import annotations

import gzip
import re
import tempfile
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from jinja2 import Environment

from app.config import Settings
from app.main import create_app
from benchmarks.common import FINTECH, timed

STATE = (
    "objective=behaviour&domain_vocabulary=specialised&output_consistency=consistent_tone"
    "&labelled_examples=5000&data_freshness=monthly&citations_required=no"
    "&latency_p99_ms=2000&ml_capability=4"
)


def bare_app(size: int) -> FastAPI:
    """One route rendering a Jinja template to about `size` bytes: the framework's floor."""
    template = Environment(autoescape=True).from_string(
        "<!doctype html><html lang='en'><head><title>{{ t }}</title></head>"
        "<body><main>{% for p in ps %}<p>{{ p }}</p>{% endfor %}</main></body></html>"
    )
    paragraphs = ["A line of text on a bare page."] * (size // 40)
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return template.render(t="Bare", ps=paragraphs)

    return app


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", log_requests=False
        )
        with TestClient(create_app(settings)) as client:
            question = client.get(f"/wizard/budget-usd?{STATE}")
            size = len(question.content)
            bare = TestClient(bare_app(size))
            bare_size = len(bare.get("/").content)
            floor = timed(lambda: bare.get("/"))
            wizard = timed(lambda: client.get(f"/wizard/budget-usd?{STATE}"))
            check = timed(lambda: client.get(f"/wizard/check?{STATE}&budget_usd=10000"))
            created = client.post(
                "/api/v1/assessments", json={"answers": FINTECH["answers"]}
            ).json()
            results_url = f"/assessments/{created['id']}"
            results = timed(lambda: client.get(results_url), number=10)
            page = client.get(results_url)
            assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
            transfer = {"results page HTML": len(gzip.compress(page.content))}
            for asset in assets:
                body = client.get(asset).content
                transfer[asset] = len(gzip.compress(body))
    print(f"{'what':52s} {'ms':>8s} {'x bare Jinja page':>18s}")
    print(f"{'bare Jinja page (' + str(bare_size) + ' bytes)':52s} {floor * 1000:8.3f} {1.0:18.1f}")
    for name, seconds in (
        (f"wizard question page ({size} bytes)", wizard),
        ("check your answers page", check),
        ("results page", results),
    ):
        print(f"{name:52s} {seconds * 1000:8.3f} {seconds / floor:18.1f}")
    print(f"\n{'results page transfer, gzipped':52s} {'bytes':>12s}")
    for name, size_gz in transfer.items():
        print(f"{name:52s} {size_gz:12,d}")
    print(f"{'total':52s} {sum(transfer.values()):12,d}")


if __name__ == "__main__":
    main()
