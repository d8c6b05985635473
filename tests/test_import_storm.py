"""Issue 15: 40 crafted uploads at once against a real server (tests/load/import_storm.py).

Before, each was parsed on the event loop and one alone held `/healthz` for 47 s. Now the
caps refuse most on the raw bytes, the rest are read in a worker, and liveness never waits.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests import crafted_pdfs
from tests.conftest import run_coroutine
from tests.load.import_storm import IMPORT, PDF, import_storm, warm_reader
from tests.load.slow_reader_app import SLOW_MARK
from tests.load.storm_figures import storm_server

pytestmark = pytest.mark.serial  # times /healthz or a deadline: runs alone, after the parallel lane


def test_healthz_stays_fast_while_40_crafted_imports_run() -> None:
    storm = import_storm(40)
    summary = storm.summary()
    assert storm.health_failures == 0, summary
    assert storm.health_p99_s < 0.25, summary
    assert set(storm.statuses) <= {201, 422, 503}, summary
    assert storm.statuses[422] > 0, summary
    assert storm.refused_without_retry_after == 0, summary


def test_healthz_stays_fast_while_imports_and_renders_storm_together() -> None:
    """The issue's own bar: 40 crafted imports and 80 uncached renders at once."""
    from tests.load.combined_storm import combined_storm  # noqa: PLC0415

    storm = combined_storm(40, 80)
    summary = storm.summary()
    assert storm.imports.health_failures == 0, summary
    assert storm.imports.health_p99_s < 0.25, summary
    assert set(storm.imports.statuses) <= {201, 422, 503}, summary
    assert storm.imports.refused_without_retry_after == 0, summary
    assert set(storm.renders.statuses) <= {200, 503}, summary
    assert storm.renders.refused_without_retry_after == 0, summary


def test_uploads_queued_behind_one_that_overruns_are_read_by_a_fresh_worker() -> None:
    """Issue 21, F3: when a read passed its deadline its pool was stopped with the uploads
    queued behind it, and each of those got a bare 500 (no CSP, no request id). Now each is
    read by a fresh worker (201) or told to come back (503 with Retry-After)."""
    genuine = crafted_pdfs.tunewise_pdf()
    statuses: dict[str, list[httpx.Response]] = {"slow": [], "queued": []}

    async def storm(base: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:

            async def upload(pdf: bytes, kind: str, after_s: float) -> None:
                await asyncio.sleep(after_s)
                statuses[kind].append(await client.post(IMPORT, content=pdf, headers=PDF))

            await asyncio.gather(
                upload(genuine + SLOW_MARK, "slow", 0),
                *(upload(genuine, "queued", 0.5) for _ in range(6)),
            )

    # The slow read is stopped at the deadline, half a second before the queued reads' own
    # deadlines pass, whatever the deadline: 4 s tries the same race as the default's 10 s.
    env = {"TUNEWISE_IMPORT_TIMEOUT_S": "4", "TUNEWISE_IMPORT_WORKERS": "1"}
    with storm_server("tests.load.slow_reader_app:app", env) as app:
        warm_reader(app.base)
        run_coroutine(storm(app.base))
    slow, queued = statuses["slow"], statuses["queued"]
    assert [r.status_code for r in slow] == [422], slow[0].text
    assert "took longer" in slow[0].json()["errors"][0]["message"]
    for response in queued:
        assert response.status_code in {201, 503}, response.text
        assert "x-request-id" in response.headers
        if response.status_code == 503:
            assert "retry-after" in response.headers
    assert [r.status_code for r in queued].count(201) >= 1, [r.status_code for r in queued]
