"""The ASGI application: `app.main:app` for uvicorn, `create_app()` for tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from app.api import catalogues, health, recommendations
from app.api.errors import validation_handler
from app.api.security import SecurityMiddleware
from app.config import Settings, get_settings
from app.cost_model.prices import start_live_updates, stop_live_updates
from app.db import make_engine


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings.database_url)
        if settings.prices_live_update:
            start_live_updates()
        try:
            yield
        finally:
            if settings.prices_live_update:
                stop_live_updates()
            app.state.engine.dispose()

    app = FastAPI(
        title="Tunewise",
        summary="A deterministic decision wizard for customising a large language model.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.include_router(health.router)
    app.include_router(catalogues.router)
    app.include_router(recommendations.router)
    app.add_middleware(SecurityMiddleware, max_body_bytes=settings.max_body_bytes)
    return app


app = create_app()
