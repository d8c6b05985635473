"""The assessment store on SQLAlchemy 2: the same code on SQLite and PostgreSQL.

The schema itself is created and changed only by the Alembic migrations in migrations/
(app.db.upgrade_schema); these models are what the migrations must match, and a test compares
the two on both databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    false,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from app.assessments.store import ID_PATTERN, Owner, StoredAssessment, new_assessment_id
from app.rules.result import Recommendation

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint and index names that are the same on every database (migrations name them)."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utc_seconds(moment: datetime | None = None) -> datetime:
    """A timezone-aware UTC time truncated to whole seconds; now when no time is given.

    Creation time is metadata (it dates the report), the one place the wall clock is read.
    """
    if moment is None:
        moment = datetime.now(UTC)
    elif moment.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0)


def _as_utc(moment: datetime) -> datetime:
    """What the database gave back, as aware UTC: SQLite returns naive values (stored as UTC),
    PostgreSQL returns them in the session's time zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class AssessmentRow(Base):
    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    unsure: Mapped[list[str]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    input_hash: Mapped[str] = mapped_column(String(64), index=True)
    rules_version: Mapped[str] = mapped_column(String(64))
    cost_model_version: Mapped[str] = mapped_column(String(64))
    prices_as_of: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)

    @classmethod
    def from_stored(cls, a: StoredAssessment) -> AssessmentRow:
        return cls(
            id=a.id,
            title=a.title,
            created_at=a.created_at,
            answers=a.answers,
            context=a.context,
            unsure=list(a.unsure),
            result=a.result_document,
            input_hash=a.input_hash,
            rules_version=a.rules_version,
            cost_model_version=a.cost_model_version,
            prices_as_of=a.prices_as_of,
            key_id=a.owner.key_id if a.owner else None,
            team=a.owner.team if a.owner else None,
            shared=a.shared,
        )

    def to_stored(self) -> StoredAssessment:
        return StoredAssessment(
            id=self.id,
            title=self.title,
            created_at=_as_utc(self.created_at),
            answers=self.answers,
            context=self.context,
            unsure=tuple(self.unsure),
            result_document=self.result,
            input_hash=self.input_hash,
            rules_version=self.rules_version,
            cost_model_version=self.cost_model_version,
            prices_as_of=self.prices_as_of,
            owner=None if self.team is None else Owner(self.key_id or "", self.team),
            shared=bool(self.shared),
        )


class ReportCacheRow(Base):
    __tablename__ = "report_cache"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SqlAssessmentStore:
    """app.assessments.store.AssessmentStore on an engine; each call is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def create(
        self,
        *,
        title: str,
        result: Recommendation,
        created_at: datetime | None = None,
        assessment_id: str | None = None,
        owner: Owner | None = None,
        shared: bool = False,
    ) -> StoredAssessment:
        stored = StoredAssessment.of(
            result,
            assessment_id=assessment_id or new_assessment_id(),
            title=title,
            created_at=utc_seconds(created_at),
            owner=owner,
            shared=shared,
        )
        row = AssessmentRow.from_stored(stored)
        with self._sessions.begin() as session:
            session.add(row)
        return stored

    def get(self, assessment_id: str) -> StoredAssessment | None:
        """The assessment, or None; an id no Tunewise id could be (a NUL byte was a 500 on
        PostgreSQL, issue 21) is None without a query."""
        if not ID_PATTERN.fullmatch(assessment_id):
            return None
        with self._sessions() as session:
            row = session.get(AssessmentRow, assessment_id)
            return None if row is None else row.to_stored()

    def set_shared(self, assessment_id: str, shared: bool) -> bool:
        """Share with every key (or stop); False when no assessment has this id."""
        if not ID_PATTERN.fullmatch(assessment_id):
            return False
        change = update(AssessmentRow).where(AssessmentRow.id == assessment_id)
        with self._sessions.begin() as session:
            changed: int = session.execute(change.values(shared=shared)).rowcount  # type: ignore[attr-defined]
        return changed == 1

    def many(self, assessment_ids: Sequence[str]) -> list[StoredAssessment]:
        """Those of `assessment_ids` that exist, in the order asked (a browser's own list)."""
        wanted = list(dict.fromkeys(i for i in assessment_ids if ID_PATTERN.fullmatch(i)))
        if not wanted:
            return []
        query = select(AssessmentRow).where(AssessmentRow.id.in_(wanted))
        with self._sessions() as session:
            found = {row.id: row.to_stored() for row in session.scalars(query)}
        return [found[i] for i in wanted if i in found]

    def recent(self, limit: int = 20) -> list[StoredAssessment]:
        """Newest first, everyone's; assessments created in the same second in id order.
        Only for the opt-in shared listing (TUNEWISE_SHARED_LISTING)."""
        query = (
            select(AssessmentRow)
            .order_by(AssessmentRow.created_at.desc(), AssessmentRow.id)
            .limit(limit)
        )
        with self._sessions() as session:
            return [row.to_stored() for row in session.scalars(query)]

    def cached_report(self, key: str) -> bytes | None:
        with self._sessions() as session:
            row = session.get(ReportCacheRow, key)
            return None if row is None else row.pdf

    def store_report(self, key: str, pdf: bytes) -> None:
        """Keep (or replace) the PDF under key; two instances storing the same key both win."""
        now = utc_seconds()
        try:
            with self._sessions.begin() as session:
                session.add(ReportCacheRow(key=key, pdf=pdf, created_at=now))
        except IntegrityError:
            with self._sessions.begin() as session:
                session.execute(
                    update(ReportCacheRow)
                    .where(ReportCacheRow.key == key)
                    .values(pdf=pdf, created_at=now)
                )
