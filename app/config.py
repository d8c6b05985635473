"""One settings object, read from the environment (prefix TUNEWISE_, plus DATABASE_URL)."""

from __future__ import annotations

from functools import cache

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TUNEWISE_", extra="ignore")

    database_url: str = Field(
        "sqlite:///./var/tunewise.sqlite3",
        validation_alias=AliasChoices("DATABASE_URL", "TUNEWISE_DATABASE_URL"),
        description="SQLAlchemy URL; the embedded SQLite file by default, PostgreSQL to scale out",
    )
    max_body_bytes: int = Field(
        1_000_000, description="largest request body accepted; larger bodies get 413"
    )
    report_timeout_s: float = Field(
        30.0, description="longest a PDF render may take, waiting for a slot included"
    )
    report_workers: int = Field(
        2, description="PDF renders running at once in this instance, each in its own process"
    )
    report_prerender: bool = Field(
        default=True,
        description=(
            "render each saved assessment's A4 report in the background, so the first "
            "download is a cache read (within report_workers and the report rate limit)"
        ),
    )
    import_workers: int = Field(
        1, description="uploaded PDFs read at once in this instance, each in its own process"
    )
    import_queue: int = Field(
        16,
        description=(
            "uploads that may wait for a free reader; one more gets 503 with Retry-After at once"
        ),
    )
    import_timeout_s: float = Field(
        10.0,
        description="longest reading an uploaded PDF may take, the wait included; past it, 422",
    )
    db_pool_size: int = Field(5, description="PostgreSQL connections kept open per instance")
    db_max_overflow: int = Field(10, description="extra connections allowed under a burst")
    rate_limit_assessments: str = Field(
        "30/minute",
        description=(
            "assessments one client may create (API, wizard and both imports), in limits' notation"
        ),
    )
    rate_limit_reports: str = Field(
        "20/minute", description="PDF renders one client may cause (cached downloads are free)"
    )
    rate_limit_storage: str = Field(
        "memory://",
        description=(
            "where rate-limit counters live: memory:// counts per process (one instance only); "
            "redis://host:6379 shares them between all instances"
        ),
    )
    api_keys: list[str] = Field(
        default_factory=list,
        description=(
            'bearer keys for /api/v1 as a JSON list (TUNEWISE_API_KEYS=\'["k1","k2"]\'); '
            "empty (the default) leaves the API open; the browser pages never need one"
        ),
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="origins allowed to call the API from a browser"
    )
    frame_ancestors: str = Field(
        "'none'",
        description="CSP frame-ancestors: who may embed the pages ('none', or intranet origins)",
    )
    trusted_hosts: list[str] = Field(
        default_factory=lambda: ["*"], description="Host headers accepted (TrustedHostMiddleware)"
    )
    log_requests: bool = Field(
        default=True, description="one JSON line per request on stderr, with its request id"
    )
    prices_live_update: bool = Field(
        default=False,
        description=(
            "fetch API prices from the genai-prices project at run time (connected deployments "
            "only); off by default so results stay reproducible and intranets stay offline"
        ),
    )


@cache
def get_settings() -> Settings:
    return Settings()
