"""A short load run (about 20 s, 4 users; `make soak` runs 5 minutes): the wizard, the API and
PDF downloads at once against a real server, then no server error, no assessment lost and
memory flat. Locust runs in its own process (see tests/load/run.py)."""

from __future__ import annotations

import pytest

from app.config import Settings
from tests.load.render_storm import render_storm
from tests.load.run import main


@pytest.mark.long
def test_load_run_holds() -> None:
    result = main(duration_s=20, users=4)
    summary = result.summary()
    assert result.requests > 100, summary
    assert result.server_errors == 0, summary
    assert result.unexpected_failures == 0, summary
    assert result.created > 0, summary
    assert result.created >= result.created_by_stats, summary  # stats close at the stop
    assert result.lost == [], summary
    assert result.memory_flat, summary


@pytest.mark.serial  # times /healthz: runs alone, after the parallel lane
def test_healthz_stays_fast_while_80_uncached_renders_run() -> None:
    """Issue 15: waiting renders hold no thread, so liveness and pages never queue behind
    them; downloads past the queue get 503 with Retry-After, and none outlives the deadline."""
    storm = render_storm(80)
    summary = storm.summary()
    assert storm.health_failures == 0, summary
    assert storm.health_p99_s < 0.25, summary
    assert set(storm.statuses) <= {200, 503}, summary
    assert storm.statuses[200] > 0, summary
    assert storm.refused_without_retry_after == 0, summary
    assert storm.slowest_s < Settings().report_timeout_s + 5, summary
