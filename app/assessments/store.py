"""The interface the web layer and the report use to keep assessments (a repository).

The SQL implementation is in app/assessments/sql.py; tests may use it on SQLite or PostgreSQL.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

ID_BYTES = 32
"""secrets.token_urlsafe(32): 256 random bits, URL-safe, unguessable."""


def new_assessment_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


@dataclass(frozen=True, slots=True)
class StoredAssessment:
    id: str
    title: str
    created_at: datetime
    """UTC, timezone-aware, whole seconds: it is printed in the report and fixes its dates."""
    answers: dict[str, Any]
    context: dict[str, Any]
    unsure: tuple[str, ...]
    result: dict[str, Any]
    """The recommendation document as recommend() returned it when the assessment was made."""
    input_hash: str
    rules_version: str
    cost_model_version: str
    prices_as_of: str

    @property
    def request_body(self) -> dict[str, Any]:
        """The body that reproduces this assessment through POST /api/v1/recommendations."""
        body: dict[str, Any] = {"answers": self.answers, "context": self.context}
        if self.unsure:
            body["unsure"] = list(self.unsure)
        return body


class AssessmentStore(Protocol):
    def create(
        self,
        *,
        title: str,
        answers: dict[str, Any],
        context: dict[str, Any],
        unsure: tuple[str, ...],
        result: dict[str, Any],
        created_at: datetime | None = None,
        assessment_id: str | None = None,
    ) -> StoredAssessment: ...

    def get(self, assessment_id: str) -> StoredAssessment | None: ...

    def recent(self, limit: int = 20) -> list[StoredAssessment]: ...

    def cached_report(self, key: str) -> bytes | None: ...

    def store_report(self, key: str, pdf: bytes) -> None: ...
