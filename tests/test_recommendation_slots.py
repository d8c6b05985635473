"""Issue 21 (F7): recommendations run off the event loop, a bounded number wait for a slot, and
new ones are rate-limited per client. The storm itself is tests/test_recommendation_storm.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.http.compute import RecommendationsBusyError, RecommendationSlots
from app.main import create_app
from tests import crafted_pdfs
from tests.conftest import BASE_ANSWERS, run_coroutine


def _app(settings: Settings, **overrides: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=overrides)))


def _body(labelled_examples: int) -> dict[str, Any]:
    return {"answers": {**BASE_ANSWERS, "labelled_examples": labelled_examples}}


def _create(client: TestClient) -> str:
    return str(client.post("/api/v1/assessments", json={"answers": BASE_ANSWERS}).json()["id"])


@contextmanager
def every_slot_taken(client: TestClient) -> Iterator[None]:
    """The app's one slot busy with work that waits for the block to end."""
    slots: RecommendationSlots = client.app.state.recommendation_slots  # type: ignore[attr-defined]
    release = threading.Event()

    def hold() -> None:
        release.wait(10)

    held = client.portal.start_task_soon(slots.run, hold)  # type: ignore[union-attr]
    deadline = time.monotonic() + 10
    while slots.admitted == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield
    finally:
        release.set()
        held.result(timeout=10)


def test_new_recommendations_are_rate_limited_but_cached_answers_are_free(
    settings: Settings,
) -> None:
    with _app(settings, rate_limit_recommendations="2/minute") as c:
        post = c.post
        assert post("/api/v1/recommendations", json=_body(1001)).status_code == 200
        assert post("/api/v1/recommendations", json=_body(1002)).status_code == 200
        for _ in range(3):  # the same questions again: answered from the cache, not counted
            assert post("/api/v1/recommendations", json=_body(1001)).status_code == 200
        refused = post("/api/v1/recommendations", json=_body(1003))
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["errors"][0]["field"] == "rate"
        assert "recommendations" in refused.json()["errors"][0]["message"]


def test_a_shared_limit_store_is_asked_off_the_loop_and_fails_open(settings: Settings) -> None:
    """Counters in Redis are a network round trip: counted from the thread pool, and an
    unreachable store lets the recommendation through (logged), as for the other limits."""
    with _app(settings, rate_limit_storage="redis://127.0.0.1:1/0") as c:
        assert c.post("/api/v1/recommendations", json=_body(1501)).status_code == 200


def test_recalculations_and_reruns_count_as_recommendations(settings: Settings) -> None:
    with _app(settings, rate_limit_recommendations="2/minute") as c:
        assessment = _create(c)  # saved: counted as an assessment, not here
        assert c.get(f"/assessments/{assessment}").status_code == 200  # no recalculation
        assert c.get(f"/assessments/{assessment}?monthly_requests=9000000").status_code == 200
        assert c.get(f"/assessments/{assessment}/rerun").status_code == 200
        refused = c.get(f"/assessments/{assessment}?monthly_requests=8000000")
        assert refused.status_code == 429
        assert "Too many requests" in refused.text
        assert int(refused.headers["retry-after"]) >= 1


def test_a_full_queue_is_answered_503_with_retry_after_everywhere(settings: Settings) -> None:
    """No slot and no place to wait: the API, the pages and the import say so at once."""
    with _app(settings, recommendation_slots=1, recommendation_queue=0) as c:
        assessment = _create(c)
        with every_slot_taken(c):
            api = c.post("/api/v1/recommendations", json=_body(2001))
            saving = c.post("/api/v1/assessments", json=_body(2002))
            page = c.get(f"/assessments/{assessment}?monthly_requests=9000000")
            upload = c.post(
                "/api/v1/assessments/import",
                content=crafted_pdfs.tunewise_pdf(),
                headers={"content-type": "application/pdf"},
            )
        for refused in (api, saving, page, upload):
            assert refused.status_code == 503, refused.text
            assert refused.headers["retry-after"] == "1"
        assert api.json()["errors"][0]["field"] == "service"
        assert saving.json()["errors"][0]["field"] == "service"
        assert "Busy: try again shortly" in page.text
        assert "recommendations" in upload.json()["errors"][0]["message"]
        assert c.post("/api/v1/recommendations", json=_body(2001)).status_code == 200


def test_the_answers_are_the_same_bytes_computed_under_a_slot(settings: Settings) -> None:
    from app.api.recommendations import answer_bytes  # noqa: PLC0415
    from app.questions import RecommendationRequest  # noqa: PLC0415

    body = _body(3001)
    with _app(settings) as c:
        served = c.post("/api/v1/recommendations", json=body, params={"include": "chart"})
    assert served.content == answer_bytes(RecommendationRequest.model_validate(body), "chart")


def test_slots_bound_the_work_at_once_and_the_waiting() -> None:
    """Two places (one slot, one waiting): the third caller is refused while both are held."""

    async def scenario() -> tuple[int, list[str]]:
        slots = RecommendationSlots(1, 1)
        release = threading.Event()
        running = threading.Event()
        most = 0
        at_once = 0
        lock = threading.Lock()

        def work() -> str:
            nonlocal most, at_once
            with lock:
                at_once += 1
                most = max(most, at_once)
            running.set()
            release.wait(10)
            with lock:
                at_once -= 1
            return "done"

        found: list[str] = []

        async def call() -> None:
            found.append(await slots.run(work))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(call)
            tasks.start_soon(call)
            await anyio.to_thread.run_sync(running.wait, 10)
            with pytest.raises(RecommendationsBusyError) as busy:
                await slots.run(work)
            assert busy.value.status_code == 503
            assert busy.value.headers == {"Retry-After": "1"}
            release.set()
        return most, found

    most, found = run_coroutine(scenario())
    assert most == 1
    assert found == ["done", "done"]
