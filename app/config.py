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
