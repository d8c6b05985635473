"""A short load run (about 20 s, 4 users; `make soak` runs 5 minutes): the wizard, the API and
PDF downloads at once against a real server, then no server error, no assessment lost and
memory flat. Locust runs in its own process (see tests/load/run.py)."""

from __future__ import annotations

from tests.load.run import main


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
