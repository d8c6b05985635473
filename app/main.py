"""The ASGI application: `create_app(settings)` builds one; `app.main:app` is the default one."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from app.api import assessments, batch, catalogues, examples, health, recommendations, reports
from app.api.access import ApiKeyGuard
from app.api.recommendations import AnswerCache
from app.api.security import SecurityMiddleware
from app.assessments.sql import SqlAssessmentStore
from app.config import Settings, get_settings
from app.cost_model.prices import start_live_updates, stop_live_updates
from app.db import make_engine, upgrade_schema
from app.http.compute import RecommendationSlots
from app.http.downloads import KnownReports
from app.http.drain import Drain
from app.http.errors import http_error_handler, validation_handler
from app.http.etags import JsonETags
from app.http.headers import EXPOSED, ApiHeaders
from app.http.keys import ApiKey, load_keys
from app.http.openapi import document_api
from app.http.prerender import ReportPrerenderer
from app.http.ratelimit import RateLimits
from app.http.refusals import CrossOrigin, TrustedHosts
from app.http.versions import API_VERSION, HEADERS
from app.long_lived import keep_out_of_collections
from app.observability import Metrics, RequestObserver, request_logger
from app.report.upload_worker import UploadReader
from app.report.worker import shutdown_workers
from app.web import method, results, wizard, wizard_proposal
from app.web.csrf import CrossSiteFormGuard
from app.web.recent import RecentAssessments, signing_key

STATIC = Path(__file__).resolve().parents[1] / "static"

log = logging.getLogger(__name__)


def operation_id(route: APIRoute) -> str:
    """A route without an explicit operation_id is known by its function's name."""
    return route.name


def create_app(settings: Settings | None = None, *, serving: bool = False) -> FastAPI:
    """An app on `settings`; `serving` is for the one app of a server process (uvicorn's
    `app.main:app`, `python -m app serve`), which freezes what it has loaded once started."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, settings.db_pool_size, settings.db_max_overflow)
        app.state.engine = engine
        app.state.rate_limits = RateLimits.from_settings(settings)
        app.state.recommendation_slots = RecommendationSlots(
            settings.recommendation_slots, settings.recommendation_queue
        )
        app.state.store = SqlAssessmentStore(engine)
        try:
            upgrade_schema(engine)
            app.state.schema_ready = True
        except OperationalError as exc:
            # The database is down: serve anyway (/readyz says 503) and migrate on first use.
            log.warning("database unavailable at start-up, schema not yet migrated: %s", exc)
            app.state.schema_ready = False
        if settings.prices_live_update:
            start_live_updates()
        if serving:
            keep_out_of_collections()
        try:
            yield
        finally:
            if settings.prices_live_update:
                stop_live_updates()
            app.state.prerender.close()
            app.state.upload_reader.close()
            shutdown_workers()
            app.state.engine.dispose()

    app = FastAPI(
        title="Tunewise API",
        summary="A deterministic decision wizard for customising a large language model.",
        version=API_VERSION,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
        # No route ends in "/": a trailing slash is a 404, never a redirect, whose Location
        # would be built from the request's Host header (with the default allowed hosts, *).
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.drain = Drain()
    api_keys = load_keys(settings)
    document_api(app, examples.answers)
    app.state.metrics = Metrics()
    app.state.request_log = request_logger(settings.log_requests)
    app.state.answer_cache = AnswerCache()
    app.state.known_reports = KnownReports()
    app.state.recent = RecentAssessments(signing_key(settings), shared=settings.shared_listing)
    app.state.prerender = ReportPrerenderer(
        enabled=settings.report_prerender,
        timeout_s=settings.report_timeout_s,
        workers=settings.report_workers,
        metrics=app.state.metrics,
    )
    app.state.upload_reader = UploadReader(
        workers=settings.import_workers,
        waiting=settings.import_queue,
        timeout_s=settings.import_timeout_s,
    )
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    for router in (
        health.router,
        catalogues.router,
        batch.router,  # before /recommendations, whose path it extends
        recommendations.router,
        reports.router,
        assessments.router,
        wizard_proposal.router,  # before the question pages' /wizard/{slug}
        wizard.router,
        results.router,
        method.router,
        health.metrics_router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_middleware(app, settings, api_keys)
    return app


GZIP_LEVEL = 5
"""zlib's level for compressed answers. Starlette's default is 9; level 5 brings a 45 KB
recommendation to within 0.5% of that size in about 60% of the time. The compression runs
on the event loop for every answer over 1,000 bytes."""


def _add_middleware(app: FastAPI, settings: Settings, api_keys: tuple[ApiKey, ...]) -> None:
    """The middleware stack, in the order a request meets it (see the comment below)."""
    # Added innermost first: a request meets the observer (its id and metrics), then CORS,
    # the version and rate-limit headers (and the 412), then Security (headers, the body
    # limit, the 500 floor), then host, API-key and cross-site checks, compression, and the
    # ETags of JSON reads (over the uncompressed body). The observer is outermost so that
    # the answers Security gives itself (413, 500) carry the request id too; CORS and the
    # version headers are outside Security so that those answers carry them as well (a
    # browser reads a 413).
    app.add_middleware(JsonETags)  # innermost: the tag is over the identity body
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=GZIP_LEVEL)
    app.add_middleware(CrossSiteFormGuard, api_origins=settings.cors_origins)
    app.add_middleware(
        ApiKeyGuard,
        keys=api_keys,
        also=("/metrics",) if settings.metrics == "api_keys" else (),
    )
    app.add_middleware(TrustedHosts, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(
        SecurityMiddleware,
        max_body_bytes=settings.max_body_bytes,
        frame_ancestors=settings.frame_ancestors,
    )
    app.add_middleware(ApiHeaders)
    if settings.cors_origins:
        app.add_middleware(
            CrossOrigin,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-None-Match",
                "X-Request-ID",
                *HEADERS.values(),
            ],
            expose_headers=list(EXPOSED),
            max_age=600,
        )
    app.add_middleware(RequestObserver, metrics=app.state.metrics, log=app.state.request_log)


@cache
def _default_app() -> FastAPI:
    return create_app(serving=True)


def __getattr__(name: str) -> FastAPI:
    """`app.main:app` for uvicorn, built by the factory on first use, not at import: importing
    this module (as tests do for `create_app`) builds nothing and installs nothing."""
    if name == "app":
        return _default_app()
    raise AttributeError(name)
