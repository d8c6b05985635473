"""The database engine, built from the settings when the app starts (never at import), and
the schema migrations the app runs on it at start-up."""

from __future__ import annotations

import contextlib
import os
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

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
        if parsed.database not in (None, "", ":memory:") and not parsed.database.startswith(
            "file:"
        ):
            create_private_file(Path(parsed.database))
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


def create_private_file(path: Path) -> None:
    """Create the SQLite file mode 0600, and its folder 0700 when we make it, before SQLite
    opens it: the file holds every assessment, and SQLite would create it with the umask's
    0644 (its journal and WAL files take the database file's mode). An existing file or
    folder is left as it is."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


@cache
def head_revision() -> str | None:
    """The newest migration's revision id (read once from migrations/)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_problem(engine: Engine, metadata: MetaData) -> str | None:
    """What is wrong with the database's schema, in a few words, or None when it is at head
    and every table of `metadata` answers a query naming all its columns. The revision alone
    would miss a table dropped by hand; the tables alone, a migration not yet run."""
    with engine.connect() as conn:
        try:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except SQLAlchemyError:
            return "no migration recorded"
        head = head_revision()
        if list(found) != [head]:
            return f"at revision {', '.join(found) or 'none'}, not {head}"
        for table in metadata.sorted_tables:
            try:
                conn.execute(select(table).limit(0))
            except SQLAlchemyError:
                return f"table {table.name} is missing or incomplete"
            finally:
                conn.rollback()  # PostgreSQL: a failed statement ends the transaction
    return None


def alembic_config() -> Config:
    """Alembic's configuration without alembic.ini (which is for the command line)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade_schema(engine: Engine) -> None:
    """`alembic upgrade head` on this engine, all of it in one transaction or none of it.

    PostgreSQL: DDL is transactional, and an advisory lock makes concurrent start-ups safe.
    SQLite supports transactional DDL too, but Python's sqlite3 driver commits before each
    CREATE or ALTER by itself: left alone, a start killed mid-migration kept the first tables
    and no revision, and every later start failed on "table already exists". So the driver's
    own transaction handling is switched off for this connection (SQLAlchemy's AUTOCOMMIT
    level, restored when the connection goes back to the pool) and the transaction is ours:
    BEGIN IMMEDIATE, which also makes a second process starting on the same file wait for the
    first one's COMMIT, as the advisory lock does on PostgreSQL.
    """
    config = alembic_config()
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            _upgrade_sqlite(conn.execution_options(isolation_level="AUTOCOMMIT"), config)
            return
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


def _upgrade_sqlite(conn: Connection, config: Config) -> None:
    """The migrations between our own BEGIN IMMEDIATE and COMMIT (ROLLBACK on any error)."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        config.attributes["connection"] = conn  # in a transaction: Alembic opens none itself
        command.upgrade(config, "head")
    except BaseException:
        with contextlib.suppress(OperationalError):  # SQLite may have rolled back already
            conn.exec_driver_sql("ROLLBACK")
        raise
    conn.exec_driver_sql("COMMIT")
    conn.commit()  # ends SQLAlchemy's own record of the transaction; the driver has no more
