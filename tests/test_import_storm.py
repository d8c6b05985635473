"""Issue 15: 40 crafted uploads at once against a real server (tests/load/import_storm.py).

Before, each was parsed on the event loop and one alone held `/healthz` for 47 s. Now the
caps refuse most on the raw bytes, the rest are read in a worker, and liveness never waits.
"""

from __future__ import annotations

from tests.load.import_storm import import_storm


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
