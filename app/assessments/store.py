"""The interface the web layer and the report use to keep assessments (a repository).

The SQL implementation is in app/assessments/sql.py; tests may use it on SQLite or PostgreSQL.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

from app.rules.result import Recommendation

ID_BYTES = 32
"""secrets.token_urlsafe(32): 256 random bits, URL-safe, unguessable."""
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What an id can look like (token_urlsafe's alphabet, the column's length); anything else is
answered 404 without asking the database, and dropped from a browser's list."""


def new_assessment_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


@dataclass(frozen=True)
class Owner:
    """Who made an assessment through the API: the key's id and its team. Assessments made in
    a browser, or while keys are off, have none."""

    key_id: str
    team: str


@dataclass(frozen=True)
class StoredAssessment:
    id: str
    title: str
    created_at: datetime
    """UTC, timezone-aware, whole seconds: it is printed in the report and fixes its dates."""
    answers: dict[str, Any]
    context: dict[str, Any]
    unsure: tuple[str, ...]
    result_document: dict[str, Any]
    """The recommendation's JSON as it was stored when the assessment was made."""
    input_hash: str
    rules_version: str
    cost_model_version: str
    prices_as_of: str
    recalculated_from: dict[str, Any] | None = None
    """Only on a view recalculated with other assumptions, which is never stored: the saved
    assessment's context it departs from (the results page and the report say what moved)."""
    owner: Owner | None = None
    shared: bool = False
    """Readable through the API by every key, not only the owner's team's."""

    def readable_by(self, team: str | None) -> bool:
        """Through the API: an assessment with no owner (made in a browser, or while keys were
        off) is read by whoever holds its id, as its link is; one made with a key only by its
        team's keys, unless it is shared. `team` None: keys are off, everything is readable."""
        if team is None or self.owner is None or self.shared:
            return True
        return self.owner.team == team

    @classmethod
    def of(
        cls,
        result: Recommendation,
        *,
        assessment_id: str,
        title: str,
        created_at: datetime,
        recalculated_from: dict[str, Any] | None = None,
        owner: Owner | None = None,
        shared: bool = False,
    ) -> StoredAssessment:
        """An assessment as the store would keep it, from its recommendation."""
        stored = cls(
            id=assessment_id,
            title=title,
            created_at=created_at,
            answers=result.answers.model_dump(mode="json"),
            context=result.context.model_dump(mode="json"),
            unsure=tuple(result.unsure),
            result_document=result.model_dump(mode="json"),
            input_hash=result.input_hash,
            rules_version=result.rules_version,
            cost_model_version=result.cost_model_version,
            prices_as_of=result.prices_as_of,
            recalculated_from=recalculated_from,
            owner=owner,
            shared=shared,
        )
        stored.__dict__["result"] = result  # already typed: spare the first read a parse
        return stored

    @cached_property
    def result(self) -> Recommendation:
        """The stored recommendation, typed (read on first use: listings never need it)."""
        return Recommendation.model_validate(self.result_document)

    @property
    def request_body(self) -> dict[str, Any]:
        """The body that reproduces this assessment through POST /api/v1/recommendations."""
        body: dict[str, Any] = {"answers": self.answers, "context": self.context}
        if self.unsure:
            body["unsure"] = list(self.unsure)
        review = self.result_document.get("proposal_review")
        if isinstance(review, dict) and review.get("proposal") is not None:
            body["proposal"] = review["proposal"]  # the team's proposal it reviewed
        return body


class AssessmentStore(Protocol):
    def create(
        self,
        *,
        title: str,
        result: Recommendation,
        created_at: datetime | None = None,
        assessment_id: str | None = None,
        owner: Owner | None = None,
        shared: bool = False,
    ) -> StoredAssessment: ...

    def get(self, assessment_id: str) -> StoredAssessment | None: ...

    def set_shared(self, assessment_id: str, shared: bool) -> bool:
        """Share an assessment with every key, or stop; False when there is no such id."""
        ...

    def many(self, assessment_ids: Sequence[str]) -> list[StoredAssessment]:
        """The ones of these ids that exist, in the order given."""
        ...

    def recent(self, limit: int = 20) -> list[StoredAssessment]:
        """Everyone's newest: only the opt-in shared listing may show it."""
        ...

    def cached_report(self, key: str) -> bytes | None: ...

    def store_report(self, key: str, pdf: bytes) -> None: ...
