"""Dependencies shared by the routers: the assessment store the app opened at start-up."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import State

from app.assessments.store import AssessmentStore
from app.db import upgrade_schema
from app.http.errors import ProblemException
from app.problems import UNAVAILABLE, entry

log = logging.getLogger(__name__)
_migrating = threading.Lock()

RETRY_AFTER_S = 5
"""What a 503 for an unavailable database asks a client to wait: a restart or a failover
takes some seconds, and each retry tries the migration again."""


def schema_migrated(state: State) -> bool:
    """Whether the schema is at head. When the start-up could not migrate it (the database was
    down, or the migration failed) it is tried again here, once at a time; a failure is logged
    and answered False, so neither the routes nor /readyz use a schema that is not there."""
    if state.schema_ready:
        return True
    with _migrating:
        if not state.schema_ready:
            try:
                upgrade_schema(state.engine)
            except SQLAlchemyError as exc:
                log.warning("database unavailable or schema not migrated: %s", exc)
                return False
            state.schema_ready = True
    return True


def get_store(request: Request) -> AssessmentStore:
    """The app's store; callers get 503 rather than a missing table until the schema is at
    head (see schema_migrated)."""
    state = request.app.state
    if not schema_migrated(state):
        message = "The database is unavailable; try again shortly."
        raise ProblemException(
            UNAVAILABLE,
            message,
            [entry("", "database_unavailable", message, field="database")],
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    store: AssessmentStore = state.store
    return store


Store = Annotated[AssessmentStore, Depends(get_store)]
