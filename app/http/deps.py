"""Dependencies shared by the routers: the assessment store the app opened at start-up."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.exc import OperationalError

from app.assessments.store import AssessmentStore
from app.db import upgrade_schema

log = logging.getLogger(__name__)
_migrating = threading.Lock()


def get_store(request: Request) -> AssessmentStore:
    """The app's store. When the database was unreachable at start-up the schema is migrated
    on first use instead; until it answers, callers get 503 rather than a missing table."""
    state = request.app.state
    if not state.schema_ready:
        with _migrating:
            if not state.schema_ready:
                try:
                    upgrade_schema(state.engine)
                except OperationalError as exc:
                    log.warning("database still unavailable: %s", exc)
                    raise HTTPException(
                        status_code=503,
                        detail=[
                            {
                                "field": "database",
                                "message": "The database is unavailable; try again shortly.",
                            }
                        ],
                    ) from exc
                state.schema_ready = True
    store: AssessmentStore = state.store
    return store


Store = Annotated[AssessmentStore, Depends(get_store)]
