"""Two app instances on one PostgreSQL, as behind a load balancer: both start at once (and
migrate at once, safely), what one creates the other reads, PDFs included, byte for byte, and
both serve concurrent requests through their connection pools.

The instances are real uvicorn processes on free loopback ports; the database is a fresh
schema of the local PostgreSQL (search_path on the URL), dropped afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.db import make_engine
from tests.conftest import BASE_ANSWERS, emptied_redis, fresh_postgres_schema
from tests.servers import GENEROUS_LIMITS, Server, start, stop, wait_healthy

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def instances(postgres_url: str) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Two instances started at once over a fresh schema, shared by the tests that only read
    and write assessments of their own (a start is about 20 s of a loaded 2-core machine)."""
    with fresh_postgres_schema(postgres_url, "tunewise_scale") as url:
        yield from _two_instances(url)


def _two_instances(url: str) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    env = {
        "DATABASE_URL": url,
        "TUNEWISE_DB_POOL_SIZE": "4",
        "TUNEWISE_DB_MAX_OVERFLOW": "4",
        **GENEROUS_LIMITS,
    }

    def ready(server: Server) -> None:
        wait_healthy(server)
        wait_healthy(server, "/readyz")

    with _pair(env, timeout_s=60, ready=ready) as clients:
        shared = make_engine(url)  # the same search_path as the instances
        try:
            with shared.connect() as conn:
                versions = conn.execute(text("SELECT count(*) FROM alembic_version"))
                assert versions.scalar_one() == 1
        finally:
            shared.dispose()
        yield clients


@contextmanager
def _pair(
    env: dict[str, str], *, timeout_s: float, ready: Callable[[Server], None]
) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Two instances started at once, a client to each once `ready` has passed for both, and
    both stopped afterwards."""
    servers = [start("app.main:app", env), start("app.main:app", env)]
    try:
        for server in servers:
            ready(server)
        with (
            httpx.Client(base_url=servers[0].base, timeout=timeout_s) as a,
            httpx.Client(base_url=servers[1].base, timeout=timeout_s) as b,
        ):
            yield a, b
    finally:
        for server in servers:
            stop(server)


def create(client: httpx.Client, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/assessments", json={"answers": BASE_ANSWERS, **extra})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_what_one_instance_creates_the_other_reads(
    instances: tuple[httpx.Client, httpx.Client],
) -> None:
    a, b = instances
    created = [
        create(a, title=f"Made on A, number {n}", context={"monthly_requests": 1000 * (n + 1)})
        for n in range(3)
    ]
    for made in created:
        path = made["links"]["self"]
        on_a, on_b = a.get(path), b.get(path)
        assert on_b.status_code == 200
        assert on_b.content == on_a.content
        assert on_b.json()["result"] == made["result"]
        assert on_b.json()["title"] == made["title"]
        page = b.get(made["links"]["html"])
        assert page.status_code == 200
        assert made["title"] in page.text


def test_reports_are_the_same_bytes_from_either_instance(
    instances: tuple[httpx.Client, httpx.Client],
) -> None:
    a, b = instances
    first, second = create(a, title="Report first on B"), create(a, title="Report first on A")
    # One rendered by B and then served by A, the other the other way round.
    from_b = b.get(first["links"]["report"])
    from_a = a.get(first["links"]["report"])
    assert from_b.status_code == from_a.status_code == 200
    assert from_b.headers["content-type"] == "application/pdf"
    assert from_a.content == from_b.content
    assert from_a.headers["etag"] == from_b.headers["etag"]
    letter_a = a.get(second["links"]["report"], params={"paper": "letter"})
    letter_b = b.get(second["links"]["report"], params={"paper": "letter"})
    assert letter_a.status_code == letter_b.status_code == 200
    assert letter_a.content == letter_b.content
    assert letter_a.content.startswith(b"%PDF-")
    assert letter_a.content != from_a.content


def test_both_instances_serve_concurrent_requests(
    instances: tuple[httpx.Client, httpx.Client],
) -> None:
    a, b = instances
    made = create(a)
    paths = [made["links"]["self"], made["links"]["html"], "/readyz"]

    def fetch(n: int) -> int:
        client = (a, b)[n % 2]
        return client.get(paths[n % len(paths)]).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(fetch, range(40)))
    assert statuses == [200] * 40


STARTUP_S = 300
"""Importing the app (WeasyPrint, matplotlib) took 80 s on the shared 2-core machine under
load; a start is not what these tests measure."""
FINANCE = {"id": "finance-portal", "team": "finance", "key": "finance-secret-key-01"}
OPS = {"id": "ops-portal", "team": "ops", "key": "ops-secret-key-000001"}


def _auth(key: dict[str, str]) -> dict[str, str]:
    return {"authorization": f"Bearer {key['key']}"}


@pytest.fixture(scope="module")
def team_servers(postgres_url: str) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Two instances over one PostgreSQL schema and one Redis, with two teams' keys, the
    default limits (30 saves, 20 renders a minute) and the render ahead on; started once for
    the module's team tests (a start is about 20 s of a loaded 2-core machine)."""
    redis_url = emptied_redis()
    with fresh_postgres_schema(postgres_url, "tunewise_scale") as schema_url:
        env = {
            "DATABASE_URL": schema_url,
            "TUNEWISE_API_KEYS": json.dumps([FINANCE, OPS]),
            "TUNEWISE_RATE_LIMIT_STORAGE": redis_url,
            "TUNEWISE_REPORT_PRERENDER": "true",
            "TUNEWISE_REPORT_WORKERS": "1",
            "TUNEWISE_REPORT_TIMEOUT_S": "240",  # a render took over 30 s on the loaded machine
        }

        def ready(server: Server) -> None:
            wait_healthy(server, "/readyz", timeout_s=STARTUP_S)

        with _pair(env, timeout_s=120, ready=ready) as clients:
            yield clients


@pytest.fixture
def team_instances(
    team_servers: tuple[httpx.Client, httpx.Client], redis_url: str
) -> tuple[httpx.Client, httpx.Client]:
    """The team instances with every limit's budget whole: `redis_url` empties the database
    their limits count in, so each test starts a fresh minute for every key."""
    assert redis_url
    return team_servers


def test_two_teams_on_two_instances_read_only_their_own_assessments(
    team_instances: tuple[httpx.Client, httpx.Client],
) -> None:
    a, b = team_instances
    body = {"answers": BASE_ANSWERS}
    finance = a.post("/api/v1/assessments", json=body, headers=_auth(FINANCE)).json()
    ops = b.post("/api/v1/assessments", json=body, headers=_auth(OPS)).json()
    for client in (a, b):
        for mine, theirs, key in ((finance, ops, FINANCE), (ops, finance, OPS)):
            assert client.get(mine["links"]["self"], headers=_auth(key)).status_code == 200
            assert client.get(theirs["links"]["self"], headers=_auth(key)).status_code == 404
            assert client.get(theirs["links"]["report"], headers=_auth(key)).status_code == 404
    shared = a.patch(finance["links"]["self"], json={"shared": True}, headers=_auth(FINANCE))
    assert shared.status_code == 200
    assert b.get(finance["links"]["self"], headers=_auth(OPS)).status_code == 200


def test_limits_count_per_key_across_instances_and_saves_spare_the_render_budget(
    team_instances: tuple[httpx.Client, httpx.Client],
) -> None:
    a, b = team_instances
    body = {"answers": BASE_ANSWERS}
    made = []
    for n in range(30):  # the whole minute's budget of saves, spread over both instances
        saved = (a, b)[n % 2].post(
            "/api/v1/assessments", json={**body, "title": f"Case {n}"}, headers=_auth(FINANCE)
        )
        assert saved.status_code == 201, saved.text
        assert saved.headers["ratelimit-policy"] == '"assessments";q=30;w=60'
        assert saved.headers["ratelimit"].startswith(f'"assessments";r={29 - n};')
        made.append(saved.json())
    refused = b.post("/api/v1/assessments", json=body, headers=_auth(FINANCE))
    assert refused.status_code == 429
    assert refused.headers["ratelimit"].startswith('"assessments";r=0;')
    # The other team's key has its own budget, on either instance.
    assert a.post("/api/v1/assessments", json=body, headers=_auth(OPS)).status_code == 201
    # 30 saves rendered ahead (or dropped past the queue) took nothing from the render budget:
    # the first render this client causes leaves 19 of 20.
    letter = a.get(made[0]["links"]["report"], params={"paper": "letter"}, headers=_auth(FINANCE))
    assert letter.status_code == 200
    assert letter.headers["ratelimit"].startswith('"reports";r=19;')
    for saved in made[1:6]:  # and the downloads the issue saw refused are served
        pdf = b.get(saved["links"]["report"], headers=_auth(FINANCE))
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF-")
