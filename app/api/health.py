"""Liveness and readiness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from app.db import ping
from app.http.deps import RETRY_AFTER_S, schema_migrated
from app.http.openapi import RETRY_AFTER

router = APIRouter(tags=["health"])
metrics_router = APIRouter(include_in_schema=False)


class Health(BaseModel):
    status: Literal["ok"] = Field(description="always ok: the process answers")


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"] = Field(description="whether to send traffic here")
    database: str = Field(description="`ok`, or what is wrong with the database")


def unready(database: str) -> JSONResponse:
    """503, with Retry-After as every 503 of the service has."""
    body = {"status": "unavailable", "database": database}
    return JSONResponse(body, 503, headers={"Retry-After": str(RETRY_AFTER_S)})


@router.get("/healthz", summary="The process is up", response_model=Health)
async def healthz() -> dict[str, str]:
    """Async: answered on the event loop, never queued behind the thread pool."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Ready to serve: the database answers, its schema at head",
    response_model=None,
    responses={
        200: {"description": "Ready", "model": Readiness},
        503: {"description": "Not ready", "model": Readiness, "headers": RETRY_AFTER},
    },
)
def readyz(request: Request) -> JSONResponse:
    """Not ready while the database is unreachable, nor while its schema is not migrated (a
    database the migrations cannot bring to head would fail every database route)."""
    try:
        ping(request.app.state.engine)
    except SQLAlchemyError as exc:
        return unready(type(exc).__name__)
    if not schema_migrated(request.app.state):
        return unready("schema not migrated")
    return JSONResponse({"status": "ok", "database": "ok"})


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
