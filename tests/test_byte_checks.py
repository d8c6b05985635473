"""Issue 21, F1: the byte checks before parsing are linear in the bytes anyone may send.

`upload_limits.precheck` runs in the server process. Its exact object count used to be
`\\d+\\s+\\d+\\s+obj`, which `re` retried from every digit of a run, holding the interpreter
lock: 2,001 times `obj ` and 40,000 digits (48 KB) stalled `/healthz` for 12 to 30 s, 998 KB for
minutes. Each body of tests/crafted_pdfs.ADVERSARIAL_BODIES is checked at growing sizes
against a budget linear in its size, far above what a linear scan needs (about 30 ms a
megabyte here) and far below what the quadratic one took (15 s at 64 KB); then one such
megabyte is sent to a real server while `/healthz` is polled.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import httpx
import pytest

from app.report.upload_limits import UploadRefused, precheck
from tests.crafted_pdfs import ADVERSARIAL_BODIES, digit_run
from tests.load.storm_figures import StormFigures, storm_server, with_health_polled

SIZES = (64_000, 256_000, 990_000)
SECONDS_PER_MB = 1.0
"""The budget: 30 times what a linear scan takes on a busy 2-core machine."""


def _seconds_to_check(body: bytes) -> float:
    began = time.perf_counter()
    with contextlib.suppress(UploadRefused):
        precheck(body)
    return time.perf_counter() - began


@pytest.mark.parametrize("make", ADVERSARIAL_BODIES.values(), ids=list(ADVERSARIAL_BODIES))
def test_the_byte_checks_take_time_linear_in_an_adversarial_body(
    make: Callable[[int], bytes],
) -> None:
    for size in SIZES:
        body = make(size)
        budget = 0.25 + SECONDS_PER_MB * len(body) / 1e6
        took = _seconds_to_check(body)
        assert took < budget, f"{len(body):,} bytes took {took:.2f} s (budget {budget:.2f} s)"


def test_the_linear_patterns_count_what_the_old_ones_did() -> None:
    """The same objects and references are found in a real-looking file: a number glued to a
    word before it still starts a match, one inside a run of digits does not start another."""
    objects = b"".join(b"x%d 0 obj\n<< >>\nendobj\n" % n for n in range(2_001))
    with pytest.raises(UploadRefused, match="more than 2,000 objects"):
        precheck(objects)
    precheck(objects[: objects.index(b"x2000 0 obj")])
    references = b"obj " * 2 + b"[" + b" ".join(b"%d 0 R" % n for n in range(8_001)) + b"]"
    with pytest.raises(UploadRefused, match="more than 8,000 references"):
        precheck(references)


@pytest.mark.serial  # times /healthz: runs alone, after the parallel lane
def test_one_adversarial_megabyte_leaves_healthz_fast() -> None:
    """The issue's bar on a real server: one 1 MB upload, `/healthz` p99 under 250 ms."""
    figures = StormFigures()
    with storm_server() as app:

        def upload() -> None:
            began = time.perf_counter()
            response = httpx.post(
                app.base + "/api/v1/assessments/import",
                content=digit_run(990_000),
                headers={"content-type": "application/pdf"},
                timeout=300,
            )
            figures.record(response, began)
            time.sleep(1.0)  # samples after the answer too: the check must not run on

        with_health_polled(app.base, upload, figures)
    summary = figures.figures("one adversarial upload")
    assert figures.health_failures == 0, summary
    assert figures.health_p99_s < 0.25, summary
    assert set(figures.statuses) == {422}, summary
