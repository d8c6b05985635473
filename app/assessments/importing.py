"""Reopening an assessment from its PDF report: the attachment's inputs, checked by hash."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import ValidationError

from app.assessments.store import AssessmentStore, StoredAssessment
from app.questions import RecommendationRequest
from app.report.attachment import read_attachment
from app.rules.recommend import recommend


def import_report(pdf: bytes, store: AssessmentStore) -> StoredAssessment:
    """A new assessment from a Tunewise report's embedded inputs, with its title and date.

    Raises ValueError with a message for people when the file is not a Tunewise report, when
    its inputs are no longer valid, or when they do not reproduce the report's input hash.
    """
    document = read_attachment(pdf)
    try:
        request = RecommendationRequest.model_validate(
            {k: document[k] for k in ("answers", "context", "unsure")}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(
            f"the report's inputs are not valid today ({where}: {first['msg']})"
        ) from exc
    result = recommend(request)
    if result["input_hash"] != document["input_hash"]:
        raise ValueError("the report's inputs do not match its input hash: the file was altered")
    created = datetime.strptime(document["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return store.create(
        title=document["title"],
        answers=request.answers.model_dump(mode="json"),
        context=request.context.model_dump(mode="json"),
        unsure=request.unsure,
        result=result,
        created_at=created,
    )
