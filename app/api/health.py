"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from app.db import ping
from app.http.deps import schema_migrated

router = APIRouter(tags=["health"])
metrics_router = APIRouter(include_in_schema=False)


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    """Async: answered on the event loop, never queued behind the thread pool."""
    return {"status": "ok"}


@router.get("/readyz", summary="Ready to serve: the database answers, its schema at head")
def readyz(request: Request) -> JSONResponse:
    """Not ready while the database is unreachable, nor while its schema is not migrated (a
    database the migrations cannot bring to head would fail every database route)."""
    try:
        ping(request.app.state.engine)
    except SQLAlchemyError as exc:
        return JSONResponse({"status": "unavailable", "database": type(exc).__name__}, 503)
    if not schema_migrated(request.app.state):
        return JSONResponse({"status": "unavailable", "database": "schema not migrated"}, 503)
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
