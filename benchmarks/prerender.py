"""The first PDF download after a save, with and without the render ahead (issue 13, point 6),
against a repeat (cached) download, all through the app in one run.

"Click later" is what a person does: the results page is read before the download, so the
render ahead has finished; "click at once" is a script downloading straight after the save,
which waits for the render already running instead of starting a second one. The worker pool
is warmed first, so each row compares renders, not process start-up.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from benchmarks.common import LOGISTICS

REPEAT = 3


def _timed(fn: Callable[[str], object], arg: str) -> float:
    start = time.perf_counter()
    fn(arg)
    return time.perf_counter() - start


def _session(folder: Path, *, ahead: bool) -> dict[str, float]:
    settings = Settings(
        database_url=f"sqlite:///{folder / ('ahead' if ahead else 'plain')}.sqlite3",
        report_prerender=ahead,
        log_requests=False,
        rate_limit_reports="1000/minute",
        rate_limit_assessments="1000/minute",
    )
    titles = iter(f"Logistics assistant, variant {i}" for i in range(1000))
    with TestClient(create_app(settings)) as client:
        prerender = client.app.state.prerender  # type: ignore[attr-defined]

        def save() -> str:
            body = {**LOGISTICS, "title": next(titles)}
            response = client.post("/api/v1/assessments", json=body)
            assert response.status_code == 201, response.text
            assessment_id: str = response.json()["id"]
            return assessment_id

        def download(assessment_id: str) -> None:
            response = client.get(f"/api/v1/assessments/{assessment_id}/report.pdf")
            assert response.status_code == 200, response.text

        download(save())  # warm: worker processes started, templates loaded
        assert prerender.idle(120)
        saves: list[float] = []
        later: list[float] = []
        at_once: list[float] = []
        cached: list[float] = []
        for _ in range(REPEAT):
            began = time.perf_counter()
            assessment_id = save()
            saves.append(time.perf_counter() - began)
            if ahead:
                assert prerender.idle(120)
            later.append(_timed(download, assessment_id))
            cached.append(_timed(download, assessment_id))
            if ahead:
                at_once.append(_timed(download, save()))
                assert prerender.idle(120)
    result = {
        "save": statistics.median(saves),
        "first download": statistics.median(later),
        "repeat download (cached)": statistics.median(cached),
    }
    if at_once:
        result["first download, clicked at once"] = statistics.median(at_once)
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        before = _session(Path(tmp), ahead=False)
        after = _session(Path(tmp), ahead=True)
    floor = after["repeat download (cached)"]
    rows = [
        ("save (POST /api/v1/assessments), no render ahead", before["save"]),
        ("save, render ahead queued", after["save"]),
        ("first A4 download after save, no render ahead", before["first download"]),
        ("first A4 download after save, rendered ahead", after["first download"]),
        ("first A4 download, clicked at once after save", after["first download, clicked at once"]),
        ("repeat A4 download (cached)", floor),
    ]
    print(f"{'what':56s} {'ms':>9s} {'x cached':>9s}")
    for name, seconds in rows:
        print(f"{name:56s} {seconds * 1000:9.2f} {seconds / floor:9.1f}")
    Path("var").mkdir(exist_ok=True)
    Path("var/bench-prerender.json").write_text(json.dumps(dict(rows), indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
