"""What the server needs of a report without importing WeasyPrint: its cache key, and the
moments stamped into it.

The render itself runs in worker processes (app.report.worker) forked from a fork server that
has imported WeasyPrint, matplotlib's SVG backend, fontTools and pypdf (app.report.preload);
the server names, caches and serves reports by `report_key` and never lays one out. Keeping
those imports out of the server saves about 2 s of CPU at every start on a 2-core machine.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib.metadata import version
from typing import TYPE_CHECKING

from app.canonical import sha256_hex

if TYPE_CHECKING:
    from app.assessments.store import StoredAssessment
    from app.views.paper import Paper

REPORT_VERSION = "5"
"""Bump when the templates or the stylesheet change, so cached reports are made again."""


def created_iso(created_at: datetime) -> str:
    return created_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(created_at: datetime) -> int:
    """`created_at` in seconds since 1970: the SOURCE_DATE_EPOCH a render stamps its PDF with."""
    moment = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
    return int(moment.timestamp())


@cache
def weasyprint_version() -> str:
    """The installed WeasyPrint's version (its `__version__`), read from its metadata."""
    return version("weasyprint")


def report_key(assessment: StoredAssessment, paper: Paper = "a4") -> str:
    """The cache key of a report: what its bytes depend on, hashed."""
    recalculated = (
        {"recalculated_from": assessment.recalculated_from}
        if assessment.recalculated_from is not None
        else {}
    )
    return sha256_hex(
        {
            **recalculated,
            "input_hash": assessment.input_hash,
            "rules_version": assessment.rules_version,
            "cost_model_version": assessment.cost_model_version,
            "prices_as_of": assessment.prices_as_of,
            "created_at": created_iso(assessment.created_at),
            "title": assessment.title,
            "paper": paper,
            "report_version": REPORT_VERSION,
            "weasyprint": weasyprint_version(),
        }
    )
