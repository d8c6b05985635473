"""Shared fixtures: an app on a throwaway SQLite file, the shared spec files, PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

os.environ.setdefault("TUNEWISE_LOG_REQUESTS", "false")  # tests read logs through caplog
# A saved assessment's report renders ahead in a worker (about a second of CPU each); most tests
# save assessments they never download, so it is off here and on in test_report_prerender.py.
os.environ.setdefault("TUNEWISE_REPORT_PRERENDER", "false")
# Apps built here sign the recent-assessments cookie with this, rather than generating a key
# file under ./var; test_recent_assessments.py checks the generated key on its own file.
os.environ.setdefault("TUNEWISE_SECRET_KEY", "tests-only-signing-key-of-at-least-32-bytes")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "spec"
POSTGRES_URL = os.environ.get(
    "TUNEWISE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def shared_spec(name: str) -> dict[str, Any]:
    """A file of ../shared/spec, or a skip when the project is cloned alone (CI always has it)."""
    path = SHARED / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing under CI")
        pytest.skip(f"{path} is absent: clone the project beside shared/ to run this check")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'tunewise.sqlite3'}")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The local PostgreSQL; skipped on a laptop without it, a failure under CI=true."""
    import psycopg  # noqa: PLC0415

    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(plain, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI and unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {plain}: {exc}")
    return POSTGRES_URL


BASE_ANSWERS: dict[str, Any] = {
    "objective": "behaviour",
    "domain_vocabulary": "specialised",
    "output_consistency": "consistent_tone",
    "labelled_examples": 5000,
    "data_freshness": "monthly",
    "citations_required": False,
    "latency_p99_ms": 2000,
    "ml_capability": 4,
    "budget_usd": 10000,
}


def _redis_url() -> str:
    """Database 7 of the local Redis, or the next ones under pytest-xdist: each worker empties
    a database of its own, so one worker's flush never wipes the limits another is counting."""
    url = os.environ.get("TUNEWISE_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    base, _, database = url.rpartition("/")
    if not (worker.isdigit() and database.isdigit()):
        return url
    return f"{base}/{int(database) + int(worker)}"


REDIS_URL = _redis_url()


@pytest.fixture
def redis_url() -> str:
    """The local Redis (a database of its own, emptied); skipped without it, failed under CI."""
    return emptied_redis()


def emptied_redis() -> str:
    """`redis_url`'s work, for a fixture of a wider scope that needs Redis before its servers
    start: the URL of this worker's database, emptied, or a skip (a failure under CI)."""
    import redis  # noqa: PLC0415

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI and unreachable: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    finally:
        client.close()
    return REDIS_URL


@contextmanager
def fresh_postgres_schema(base_url: str, prefix: str) -> Iterator[str]:
    """A URL whose search_path is a new, empty schema, dropped afterwards: PostgreSQL tests
    migrate from nothing without touching each other or the public schema."""
    from sqlalchemy import text  # noqa: PLC0415

    from app.db import make_engine  # noqa: PLC0415

    schema = f"{prefix}_{secrets.token_hex(6)}"
    admin = make_engine(base_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield f"{base_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop
    running in the main thread for the whole session, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


TOOL_CACHES = ("__pycache__/", ".pytest_cache/", ".hypothesis/")
"""What Python, pytest and hypothesis keep beside the code by design, ignored by .gitignore:
not the project's output, so not counted as a test run writing into the tree."""


def tree_entries() -> set[str] | None:
    """The working tree's changes and untracked or ignored entries, as `git status` lists them
    (an ignored folder once, whole), less the tool caches; None outside a git checkout."""
    try:
        listed = subprocess.run(
            ["git", "status", "--porcelain", "--ignored=matching"],  # noqa: S607  # git on PATH
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {line for line in listed.splitlines() if not line.endswith(TOOL_CACHES)}


@pytest.fixture(scope="session", autouse=True)
def _reports_shared_between_workers(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Under pytest-xdist, a folder of this run that every worker sees (the parent of each
    worker's own temporary folder), for the reports the workers lay out
    (tests/rendered_reports.py): one worker's render is the other's too."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # Imported here: it imports the report's layout (WeasyPrint), which the worker's test
        # modules have imported at collection already.
        from tests.rendered_reports import share_between_workers  # noqa: PLC0415

        folder = tmp_path_factory.getbasetemp().parent / "rendered-reports"
        folder.mkdir(exist_ok=True)
        share_between_workers(folder)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `long` (tens of seconds each) go first. pytest-xdist's worksteal hands each
    worker a block of the collection in order and steals from the ends, so a long test late in
    the collection ran alone at the end: the 20 s load run kept one worker busy for 26 s after
    the other had finished. Started first, the long tests overlap the other worker's block.
    A run also stops where a test is marked serial in a way `make serial-lane` would not see."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)  # stable: order kept
    stray = _serial_out_of_sight(items)
    if stray:
        raise pytest.UsageError(
            f"marked serial without the words {SERIAL_MARK!r} in their file, so `make "
            f"serial-lane` (which collects only the files that hold them) would skip them: "
            + ", ".join(stray)
        )


SERIAL_MARK = "pytest.mark.serial"
"""What `make serial-lane` looks for (grep) to find the files it collects: collecting every test
module costs about 9 s, the four that hold serial tests about 2."""


def _serial_out_of_sight(items: list[pytest.Item]) -> list[str]:
    """Tests marked serial in a file that does not spell the mark out (the parallel lane
    deselects them, and the serial lane would not collect their file)."""
    files = {item.path for item in items if item.get_closest_marker("serial")}
    hidden = {path for path in files if SERIAL_MARK not in path.read_text(encoding="utf-8")}
    return sorted(item.nodeid for item in items if item.path in hidden)


_TREE_BEFORE: dict[str, set[str]] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under CI, what the tree holds before the run, to compare with after it."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # under pytest-xdist the controller checks the tree once, for every worker
    before = tree_entries() if os.environ.get("CI") == "true" else None
    if before is not None:
        _TREE_BEFORE["entries"] = before


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under CI, a run that left a file in the tree (or changed one) fails, naming it: what a
    test writes goes under a temporary folder (tmp_path), never beside the code."""
    before = _TREE_BEFORE.pop("entries", None)
    after = tree_entries() if before is not None else None
    if before is None or after is None or not after - before:
        return
    left = "\n".join(f"  {line}" for line in sorted(after - before))
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"\nThis test run left these in the working tree:\n{left}", red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
