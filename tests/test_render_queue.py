"""Renders waiting for a slot hold no thread, only so many may wait, and the deadline holds.

Before issue 15 a download waiting for a render slot held a thread pool thread for up to 30 s:
40 of them took every thread and `/healthz` and the pages waited behind them. Here a render is
made outstanding by holding the pool's own slots, exactly as a running render holds one, and
the app is driven in-process on one event loop (httpx's ASGI transport), so nothing but the
app's own scheduling decides who answers first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app
from app.report import worker
from app.report.slots import RenderSlots, ReportBusyError, ReportQueueFullError
from app.report.worker import ReportTimeoutError, render_pdf_async, shutdown_workers
from tests.cases import logistics_assessment
from tests.conftest import BASE_ANSWERS, run_coroutine

WAITING = 45
"""More downloads than the thread pool's 40 threads: held threads would starve /healthz."""


@pytest.fixture(autouse=True)
def _fresh_workers() -> Iterator[None]:
    shutdown_workers()
    yield
    shutdown_workers()


async def _until(check: Callable[[], bool], what: str) -> None:
    for _ in range(3000):
        if check():
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"never: {what}")


def test_a_full_queue_refuses_at_once_and_healthz_answers_while_renders_wait(
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 't.sqlite3'}",
        report_workers=1,
        report_queue=WAITING,
        report_timeout_s=3,
        rate_limit_reports="100000/minute",
        rate_limit_assessments="100000/minute",
        metrics="public",
    )
    app = create_app(settings)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://tunewise.test") as client,
        ):
            ids = []
            for n in range(WAITING + 1):
                made = await client.post(
                    "/api/v1/assessments", json={"answers": BASE_ANSWERS, "title": f"n{n}"}
                )
                assert made.status_code == 201, made.text
                ids.append(made.json()["id"])
            worker._executor(1, None)  # the pool and its slots; no process started
            slots = worker._slots
            assert slots is not None
            assert slots.try_acquire()  # a render outstanding on the only worker
            try:
                waiting = [
                    asyncio.create_task(client.get(f"/api/v1/assessments/{i}/report.pdf"))
                    for i in ids[:WAITING]
                ]
                await _until(lambda: slots.waiting == WAITING, f"{WAITING} downloads waiting")
                health = await client.get("/healthz")
                page = await client.get(f"/assessments/{ids[0]}")
                refused = await client.get(f"/assessments/{ids[WAITING]}/report.pdf")
                assert not any(t.done() for t in waiting), "a waiting download was answered"
                answers = await asyncio.gather(*waiting)
            finally:
                slots.release()
        assert health.status_code == 200
        assert page.status_code == 200
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "10"
        assert "already waiting" in refused.json()["errors"][0]["message"]
        # None got a slot before its deadline: each one is a 503 with Retry-After, not a hang.
        assert {a.status_code for a in answers} == {503}
        messages = [a.json()["errors"][0]["message"] for a in answers]
        assert all("no report render slot came free" in m for m in messages)
        assert all(a.headers["retry-after"] == "10" for a in answers)
        metrics = (await _metrics(app)).splitlines()
        assert 'tunewise_report_refusals_total{reason="queue_full"} 1.0' in metrics
        assert f'tunewise_report_refusals_total{{reason="deadline"}} {WAITING}.0' in metrics

    run_coroutine(scenario())


async def _metrics(app: FastAPI) -> str:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tunewise.test") as c:
        return (await c.get("/metrics")).text


def test_a_freed_slot_goes_to_the_oldest_waiter_never_to_the_render_ahead() -> None:
    async def scenario() -> list[str]:
        slots = RenderSlots(1)
        assert slots.try_acquire()
        order: list[str] = []

        async def download(name: str) -> None:
            await slots.acquire(30)
            order.append(name)
            slots.release()

        first = asyncio.create_task(download("first"))
        await asyncio.sleep(0)
        second = asyncio.create_task(download("second"))
        await asyncio.sleep(0)
        assert slots.waiting == 2
        assert not slots.try_acquire(), "the render ahead took a slot a download was owed"
        slots.release()
        await asyncio.gather(first, second)
        assert slots.try_acquire(), "the slot was lost"
        return order

    assert run_coroutine(scenario()) == ["first", "second"]


def test_past_max_waiting_a_download_is_refused_without_waiting() -> None:
    async def scenario() -> None:
        slots = RenderSlots(1)
        assert slots.try_acquire()
        waiter = asyncio.create_task(slots.acquire(30, max_waiting=1))
        await asyncio.sleep(0)
        with pytest.raises(ReportQueueFullError):
            await slots.acquire(30, max_waiting=1)
        slots.release()
        await waiter
        slots.release()
        assert slots.waiting == 0

    run_coroutine(scenario())


def test_a_waiter_that_gives_up_leaves_the_queue_and_the_slot_free() -> None:
    async def scenario() -> None:
        slots = RenderSlots(1)
        assert slots.try_acquire()
        with pytest.raises(ReportBusyError):
            await slots.acquire(0.01)
        assert slots.waiting == 0
        slots.release()
        assert slots.try_acquire()

    run_coroutine(scenario())


def test_an_awaited_render_past_its_deadline_is_stopped() -> None:
    """The async path keeps the deadline: its worker is killed and the pool replaced."""

    async def scenario() -> None:
        with pytest.raises(ReportTimeoutError):
            await render_pdf_async(logistics_assessment(), timeout_s=0.01, max_workers=1)

    run_coroutine(scenario())


class _DeadPool:
    """A worker pool whose process died under the render, as its memory cap or a stopped pool
    makes it."""

    _processes: dict[int, object] = {}  # noqa: RUF012  # read by _discard, never written

    def submit(self, *_: object) -> object:
        from concurrent.futures import Future  # noqa: PLC0415
        from concurrent.futures.process import BrokenProcessPool  # noqa: PLC0415

        future: Future[bytes] = Future()
        future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
        return future

    def shutdown(self, **_: object) -> None:
        return None


def test_a_worker_that_dies_is_a_503_to_retry_not_a_500(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before, BrokenProcessPool escaped the render and the download was a 500."""
    real = worker._executor  # it also makes the slots the render takes

    def dead(*args: int | None) -> object:
        real(*args)  # type: ignore[arg-type]
        return _DeadPool()

    monkeypatch.setattr(worker, "_executor", dead)
    with pytest.raises(ReportBusyError, match="worker stopped"):
        worker.render_pdf_isolated(logistics_assessment(), timeout_s=5)
    with pytest.raises(ReportBusyError, match="worker stopped"):
        run_coroutine(render_pdf_async(logistics_assessment(), timeout_s=5))
