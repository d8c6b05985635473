"""The database engine, built from the settings when the app starts (never at import), and
the schema migrations the app runs on it at start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "migrations"
"""Alembic's script folder, found from this file so that any working directory will do."""

MIGRATION_LOCK_KEY = 0x7475_6E65_7769_7365 >> 1
"""pg_advisory_xact_lock key ("tunewise" in ASCII, halved to fit a signed bigint): instances
starting together migrate one after the other; the later ones find the schema at head."""


def make_engine(url: str, pool_size: int = 5, max_overflow: int = 10) -> Engine:
    """SQLite for one instance; PostgreSQL with a bounded connection pool for several."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return create_engine(parsed, pool_pre_ping=True)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
    )


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def alembic_config() -> Config:
    """Alembic's configuration without alembic.ini (which is for the command line)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade_schema(engine: Engine) -> None:
    """`alembic upgrade head` on this engine, in one transaction (DDL is transactional on
    PostgreSQL) that holds an advisory lock, so concurrent start-ups are safe."""
    config = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
