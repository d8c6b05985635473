"""One settings object, read from the environment (prefix TUNEWISE_, plus DATABASE_URL)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal, Self

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_API_KEY_CHARS = 16
"""The shortest named key accepted: a guessable key is no key."""


class NamedKey(BaseModel):
    """One bearer key with a name: who holds it (its team) and what it may do (its scopes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$", description="named in logs, never secret")
    team: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$", description="whose assessments it reads")
    key: SecretStr = Field(description="the bearer token itself, at least 16 characters")
    scopes: tuple[Literal["read", "write"], ...] = Field(
        ("read", "write"), min_length=1, description="read: GETs; write: saving and sharing"
    )

    @field_validator("key")
    @classmethod
    def _long_enough(cls, key: SecretStr) -> SecretStr:
        if len(key.get_secret_value()) < MIN_API_KEY_CHARS:
            raise ValueError(f"an API key must be at least {MIN_API_KEY_CHARS} characters")
        return key


MIN_SECRET_KEY_BYTES = 32
"""The shortest signing key accepted (256 bits), configured or read from the key file: an
empty or short key lets anyone forge the recent-assessments cookie."""


class Settings(BaseSettings):
    # validate_by_name: Settings(allowed_hosts=...) in code, whatever the variables' aliases
    model_config = SettingsConfigDict(env_prefix="TUNEWISE_", extra="ignore", validate_by_name=True)

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
    report_queue: int = Field(
        16,
        ge=0,
        description=(
            "downloads that may wait for a PDF render slot in this instance (waiting holds no "
            "thread); one more is answered 503 with Retry-After at once"
        ),
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
    recommendation_slots: int = Field(
        1,
        ge=1,
        description=(
            "recommendations computed at once in this instance, each in a thread (one process "
            "has one interpreter lock: more add no throughput, and the event loop waits longer)"
        ),
    )
    recommendation_queue: int = Field(
        64,
        ge=0,
        description=(
            "requests that may wait for a recommendation slot in this instance; one more is "
            "answered 503 with Retry-After at once"
        ),
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
    rate_limit_recommendations: str = Field(
        "120/minute",
        description=(
            "new recommendations one client may ask for without saving one (POST "
            "/api/v1/recommendations, the results page's recalculations and re-runs); answers "
            "from the cache are free"
        ),
    )
    rate_limit_storage: str = Field(
        "memory://",
        description=(
            "where rate-limit counters live: memory:// counts per process (one instance only); "
            "redis://host:6379 shares them between all instances"
        ),
    )
    api_keys: list[str | NamedKey] = Field(
        default_factory=list,
        description=(
            'bearer keys for /api/v1 as a JSON list: plain keys (TUNEWISE_API_KEYS=\'["k1","k2"]\''
            ', each its own team) or named ones ({"id": "portal", "team": "finance", '
            '"key": "...", "scopes": ["read", "write"]}); empty (the default, and no '
            "api_keys_file) leaves the API open; the browser pages never need one"
        ),
    )
    api_keys_file: Path | None = Field(
        None,
        description=(
            "a JSON file holding more keys in the same form as api_keys (keep it mode 0600); "
            "read at start-up, added to api_keys"
        ),
    )
    metrics: Literal["off", "api_keys", "public"] = Field(
        "off",
        description=(
            "who may read /metrics (Prometheus): off (the default: not served), api_keys "
            "(a bearer key from api_keys, which must then be set), or public (anyone who "
            "reaches the port: only behind a proxy or network that keeps outsiders away)"
        ),
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="origins allowed to call the API from a browser"
    )
    frame_ancestors: str = Field(
        "'none'",
        description="CSP frame-ancestors: who may embed the pages ('none', or intranet origins)",
    )
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["*"],
        validation_alias=AliasChoices("TUNEWISE_ALLOWED_HOSTS", "TUNEWISE_TRUSTED_HOSTS"),
        description=(
            "Host headers accepted, as a JSON list (TUNEWISE_ALLOWED_HOSTS='[\"tunewise.example\"]'"
            "); other hosts get 400; in production name the instance's own names rather than "
            "the default * (TUNEWISE_TRUSTED_HOSTS, the earlier name, still works)"
        ),
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description=(
            "python -m app serve: addresses or networks of the reverse proxies whose "
            "X-Forwarded-For and X-Forwarded-Proto are believed, as a JSON list "
            "(TUNEWISE_TRUSTED_PROXIES='[\"10.0.0.5\"]'); empty (the default) believes no "
            "one, so the rate limits key on the connecting address and a client cannot pick "
            "its own bucket"
        ),
    )
    log_requests: bool = Field(
        default=True, description="one JSON line per request on stderr, with its request id"
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "signs the cookie in which a browser keeps its own recent assessments; set the same "
            "random value of at least 32 bytes on every instance (shorter, even empty, is "
            "refused at start-up); unset, one is generated once into secret_key_file"
        ),
    )
    secret_key_file: Path = Field(
        Path("./var/secret_key"),
        description=(
            "where the generated signing key is kept when secret_key is unset (created with "
            "mode 0600 on first start; keep it on the same persistent volume as the database)"
        ),
    )
    shared_listing: bool = Field(
        default=False,
        description=(
            "show everyone's newest assessments on the start page and /assessments (a team's "
            "shared instance); off by default, so a browser lists only the assessments made or "
            "opened in it"
        ),
    )
    server_keep_alive_s: int = Field(
        5,
        ge=1,
        description=(
            "python -m app serve (make run, the image): an idle keep-alive connection is closed "
            "after this many seconds"
        ),
    )
    server_max_concurrency: int = Field(
        1000,
        ge=2,
        description=(
            "python -m app serve: open connections and requests at once; past it a new request "
            "gets 503 at once, which bounds what slow or idle clients can hold"
        ),
    )
    server_shutdown_s: int = Field(
        40,
        ge=1,
        description=(
            "python -m app serve: on SIGTERM, how long requests in flight may finish (a PDF "
            "render's deadline fits) before they are cut"
        ),
    )
    server_drain_s: float = Field(
        5.0,
        ge=0,
        description=(
            "python -m app serve: on SIGTERM, how long /readyz answers 503 while requests are "
            "still served, so a load balancer stops sending new ones before the listener "
            "closes; 0 closes at once (a second SIGTERM, or Ctrl+C, never waits)"
        ),
    )
    batch_max_requests: int = Field(
        100,
        ge=1,
        le=10_000,
        description=(
            "the most requests one POST /api/v1/recommendations:batch may carry; more is 422"
        ),
    )
    prices_live_update: bool = Field(
        default=False,
        description=(
            "fetch API prices from the genai-prices project at run time (connected deployments "
            "only); off by default so results stay reproducible and intranets stay offline"
        ),
    )

    @field_validator("secret_key")
    @classmethod
    def _secret_key_long_enough(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value().strip().encode()) < MIN_SECRET_KEY_BYTES:
            raise ValueError(
                f"TUNEWISE_SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes of random "
                "text (python3 -c 'import secrets; print(secrets.token_urlsafe(32))'), or unset "
                "to have one generated into TUNEWISE_SECRET_KEY_FILE"
            )
        return key

    @model_validator(mode="after")
    def _metrics_need_keys(self) -> Self:
        if self.metrics == "api_keys" and not (self.api_keys or self.api_keys_file):
            raise ValueError("TUNEWISE_METRICS=api_keys needs TUNEWISE_API_KEYS to name a key")
        return self


@cache
def get_settings() -> Settings:
    return Settings()
