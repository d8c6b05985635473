# ruff: noqa: INP001
"""Alembic's entry point: the app's models are the target, the app's settings give the URL.

app.db.upgrade_schema runs this with the connection it holds (config.attributes["connection"]),
inside its transaction and, on PostgreSQL, under its advisory lock. Run by hand
(`alembic upgrade head` from the repository root), it connects to DATABASE_URL.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from app.assessments.sql import Base
from app.config import get_settings
from app.db import make_engine

config = context.config
target_metadata = Base.metadata

given: Connection | None = config.attributes.get("connection")

if given is None and config.config_file_name is not None:
    # Only from the command line: inside the app, logging belongs to the server.
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL for the settings' database instead."""
    engine = make_engine(get_settings().database_url)
    context.configure(
        url=engine.url,
        dialect_name=engine.dialect.name,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=engine.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif given is not None:
    run(given)
else:
    engine = make_engine(get_settings().database_url)
    try:
        with engine.connect() as connection:
            run(connection)
    finally:
        engine.dispose()
