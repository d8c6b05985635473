"""The nine questions, the optional deployment context, and their validation."""

from app.questions.models import (
    Answers,
    Context,
    DataFreshness,
    DomainVocabulary,
    Objective,
    OutputConsistency,
    QualityEvidence,
    RecommendationRequest,
)

__all__ = [
    "Answers",
    "Context",
    "DataFreshness",
    "DomainVocabulary",
    "Objective",
    "OutputConsistency",
    "QualityEvidence",
    "RecommendationRequest",
]
