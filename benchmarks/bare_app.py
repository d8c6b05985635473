"""The framework's floor for the throughput benchmark: a bare FastAPI app serving, for each
measured route of the real app, a response of the same length without doing its work.

`benchmarks.throughput` writes the real app's responses into a folder and starts this app
under uvicorn with TUNEWISE_BARE_DIR pointing at it:

- POST /api/v1/recommendations reads the body and returns the recommendation's bytes;
- GET /page renders a Jinja page padded to the wizard page's length;
- GET /report.pdf returns the cached PDF report's bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment

TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><html lang='en'><head><title>{{ t }}</title></head>"
    "<body><main>{% for p in ps %}<p>{{ p }}</p>{% endfor %}<p>{{ pad }}</p></main></body></html>"
)
LINE = "A line of text on a bare page."


def _read(folder: Path, name: str) -> bytes:
    path = folder / name
    return path.read_bytes() if path.exists() else b""


def page_arguments(size: int) -> dict[str, object]:
    """Template arguments whose rendering is exactly `size` bytes (when size allows)."""
    empty = len(TEMPLATE.render(t="Bare", ps=[], pad="").encode())
    per_line = len(f"<p>{LINE}</p>")
    lines = max(0, (size - empty) // per_line)
    pad = "x" * max(0, size - empty - lines * per_line)
    return {"t": "Bare", "ps": [LINE] * lines, "pad": pad}


def create(folder: Path) -> FastAPI:
    recommendation = _read(folder, "recommendation.json")
    report = _read(folder, "report.pdf")
    page_size = len(_read(folder, "page.html"))
    arguments = page_arguments(page_size)
    app = FastAPI()

    @app.post("/api/v1/recommendations")
    async def recommendations(request: Request) -> Response:
        await request.body()
        return Response(recommendation, media_type="application/json")

    @app.get("/page", response_class=HTMLResponse)
    def page() -> str:
        return TEMPLATE.render(**arguments)

    @app.get("/report.pdf")
    def report_pdf() -> Response:
        return Response(report, media_type="application/pdf")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


app = create(Path(os.environ.get("TUNEWISE_BARE_DIR", ".")))
