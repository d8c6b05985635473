"""Liveness and readiness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import State

from app.assessments.sql import Base
from app.db import ping, schema_problem
from app.http.deps import RETRY_AFTER_S, schema_migrated
from app.http.openapi import RETRY_AFTER
from app.http.ratelimit import RateLimits

router = APIRouter(tags=["health"])
metrics_router = APIRouter(include_in_schema=False)


class Health(BaseModel):
    status: Literal["ok"] = Field(description="always ok: the process answers")


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"] = Field(description="whether to send traffic here")
    down: list[str] = Field(description="the checks that are not fine (empty when ready)")
    database: str = Field(description="`ok`, or what is wrong with the database")
    schema_: str = Field(
        alias="schema",
        description="`ok`, `not checked` (the database is down), or what is wrong with the "
        "schema: not at the newest migration, or a table missing",
    )
    redis: str = Field(description="`ok`, `not configured`, or why the shared store is down")
    draining: Literal["yes", "no"] = Field(description="whether the instance is stopping")


@router.get("/healthz", summary="The process is up", response_model=Health)
async def healthz() -> dict[str, str]:
    """Async: answered on the event loop, never queued behind the thread pool."""
    return {"status": "ok"}


FINE = frozenset({"ok", "not configured", "not checked", "no"})
"""What a check may say without making the instance unready."""


@router.get(
    "/readyz",
    summary="Ready to serve: the database and its schema, the rate-limit store, not draining",
    response_model=None,
    responses={
        200: {"description": "Ready", "model": Readiness},
        503: {
            "description": "Not ready: `down` names what",
            "model": Readiness,
            "headers": RETRY_AFTER,
        },
    },
)
def readyz(request: Request) -> JSONResponse:
    """503 with Retry-After, naming what is down: the database unreachable, its schema not at
    the newest migration or a table missing (`schema`), the shared rate-limit store (`redis`)
    not answering (limits would silently be off), or the instance draining before it stops
    (`draining`). Each check says `ok`, or why not; `redis` says `not configured` when the
    counters are in this process."""
    state = request.app.state
    checks = {"database": _database(state), "schema": "not checked", "redis": _redis(state)}
    if checks["database"] == "ok":
        checks["schema"] = _schema(state)
    checks["draining"] = "yes" if state.drain.active else "no"
    down = [name for name, said in checks.items() if said not in FINE]
    body = {"status": "unavailable" if down else "ok", "down": down, **checks}
    if down:
        return JSONResponse(body, 503, headers={"Retry-After": str(RETRY_AFTER_S)})
    return JSONResponse(body)


def _database(state: State) -> str:
    try:
        ping(state.engine)
    except SQLAlchemyError as exc:
        return f"unreachable ({type(exc).__name__})"
    return "ok"


def _schema(state: State) -> str:
    """At head with every table there; a schema the app could not migrate at start-up is
    tried again first (schema_migrated)."""
    if not schema_migrated(state):
        return "not migrated"
    try:
        problem = schema_problem(state.engine, Base.metadata)
    except SQLAlchemyError as exc:
        return f"unreadable ({type(exc).__name__})"
    return problem or "ok"


def _redis(state: State) -> str:
    answered = limits_of_app(state).storage_ok()
    if answered is None:
        return "not configured"
    return "ok" if answered else "not answering (rate limits are off)"


def limits_of_app(state: State) -> RateLimits:
    limits: RateLimits = state.rate_limits
    return limits


@metrics_router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text format: requests and latency by route, PDF render time.

    Served only when TUNEWISE_METRICS says so (off by default: route names, rates and render
    times are nobody's business outside the operators); with api_keys, ApiKeyGuard has
    checked the key before this runs."""
    if request.app.state.settings.metrics == "off":
        raise HTTPException(status_code=404)
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
