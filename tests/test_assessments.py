"""Saved assessments: the API, the SQL store and the migrations, on SQLite and PostgreSQL.

Each PostgreSQL test gets a schema of its own (search_path set on the connection URL), made
empty and dropped afterwards, so the migrations always start from a clean database and
nothing is left behind for other tests.
"""

from __future__ import annotations

import re
import secrets
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text

from app.assessments.sql import Base, SqlAssessmentStore
from app.canonical import canonical_json, json_bytes
from app.config import Settings
from app.db import alembic_config, make_engine, upgrade_schema
from app.main import create_app
from app.questions import RecommendationRequest
from app.rules.recommend import recommend
from app.rules.result import Recommendation
from tests.conftest import BASE_ANSWERS, fresh_postgres_schema

URL_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{43,}")
NOT_FOUND = [
    {
        "pointer": "/path/assessment_id",
        "code": "assessment_not_found",
        "field": "id",
        "message": "No assessment with this id.",
    }
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """An empty database: a throwaway SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'assessments.sqlite3'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    with fresh_postgres_schema(base, "tunewise_test") as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> SqlAssessmentStore:
    return SqlAssessmentStore(engine)


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url))) as c:
        yield c


def create(api: TestClient, **extra: Any) -> Any:
    return api.post("/api/v1/assessments", json={"answers": BASE_ANSWERS, **extra})


@cache
def _unsure_result() -> Recommendation:
    unsure = ("labelled_examples", "budget_usd")
    answers = {k: v for k, v in BASE_ANSWERS.items() if k not in unsure}
    body = {
        "answers": answers,
        "context": {"tenants": 2},
        "unsure": ["labelled_examples", "budget_usd"],
    }
    return recommend(RecommendationRequest.model_validate(body))


def a_result(input_hash: str = "0" * 64) -> Recommendation:
    """A real recommendation with versions a test can recognise when it reads them back."""
    return _unsure_result().model_copy(
        update={
            "input_hash": input_hash,
            "rules_version": "r1",
            "cost_model_version": "c1",
            "prices_as_of": "2026-11-10",
        }
    )


# The API


def test_create_then_read_back_intact(api: TestClient) -> None:
    context = {"tenants": 3, "base_model": "llama-3.1-8b"}
    created = create(api, context=context, title="  Support bot tone  ")
    assert created.status_code == 201
    body = created.json()
    assert created.headers["location"] == f"/api/v1/assessments/{body['id']}"
    assert body["title"] == "Support bot tone"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["created_at"])
    assert body["links"] == {
        "self": f"/api/v1/assessments/{body['id']}",
        "html": f"/assessments/{body['id']}",
        "report": f"/api/v1/assessments/{body['id']}/report.pdf",
    }
    assert body["input_hash"] == body["result"]["input_hash"]

    read = api.get(body["links"]["self"])
    assert read.status_code == 200
    saved = read.json()
    assert canonical_json(saved["result"]) == canonical_json(body["result"])
    assert saved["answers"] == BASE_ANSWERS
    assert saved["context"]["tenants"] == 3
    assert saved["context"]["base_model"] == "llama-3.1-8b"
    assert saved["context"]["monthly_requests"] == 50_000  # defaults are kept with it
    assert saved["unsure"] == []
    for key in ("id", "title", "created_at", "input_hash", "links"):
        assert saved[key] == body[key]
    for key in ("rules_version", "cost_model_version", "prices_as_of"):
        assert saved[key] == body["result"][key]
    assert read.content == api.get(body["links"]["self"]).content  # canonical bytes

    # the stored inputs reproduce the stored recommendation through the stateless endpoint
    again = api.post(
        "/api/v1/recommendations", json={"answers": saved["answers"], "context": saved["context"]}
    )
    assert again.content == json_bytes({**saved["result"], "result_hash": saved["result_hash"]})


def test_unsure_answers_are_kept_and_reproduce(api: TestClient) -> None:
    answers = {k: v for k, v in BASE_ANSWERS.items() if k != "budget_usd"}
    body = api.post(
        "/api/v1/assessments", json={"answers": answers, "unsure": ["budget_usd"]}
    ).json()
    saved = api.get(body["links"]["self"]).json()
    assert saved["unsure"] == ["budget_usd"]
    assert saved["answers"]["budget_usd"] == 5000
    again = api.post(
        "/api/v1/recommendations",
        json={"answers": saved["answers"], "context": saved["context"], "unsure": saved["unsure"]},
    )
    assert again.content == json_bytes({**saved["result"], "result_hash": saved["result_hash"]})


def test_ids_are_unguessable_and_distinct(api: TestClient) -> None:
    first, second = create(api).json()["id"], create(api).json()["id"]
    assert URL_SAFE_ID.fullmatch(first)
    assert URL_SAFE_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "assessment_id", ["A" * 43, "short", "not an id!", "x" * 65, "%C3%A9t%C3%A9", "..%2F.."]
)
def test_unknown_or_malformed_ids_are_404(api: TestClient, assessment_id: str) -> None:
    response = api.get(f"/api/v1/assessments/{assessment_id}")
    assert response.status_code == 404
    if "%2F" not in assessment_id:  # a slash makes it another path, answered by the router
        assert response.json()["errors"] == NOT_FOUND


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("", "at least 1 character"),
        ("    ", "at least 1 character"),
        ("a" * 201, "at most 200 characters"),
        ("two\nlines", "control characters"),
        ("nul\x00byte", "control characters"),
        (None, "valid string"),
    ],
)
def test_bad_titles_are_refused(api: TestClient, title: str | None, problem: str) -> None:
    response = create(api, title=title)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "title"
    assert problem in error["message"]


def test_titles_are_kept_as_text(api: TestClient) -> None:
    assert create(api).json()["title"] == "Untitled assessment"
    longest = "é" * 200
    assert create(api, title=longest).json()["title"] == longest
    html = "<script>alert('x')</script> & <b>bold</b>"
    created = create(api, title=html).json()
    assert api.get(created["links"]["self"]).json()["title"] == html


def test_the_body_is_validated_like_a_recommendation(api: TestClient) -> None:
    response = create(api, context={"gpus": "a100-80gb"}, colour="blue")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"context.gpus", "colour"}


def test_openapi_describes_the_assessment_endpoints(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/assessments"]
    assert "404" in paths["/api/v1/assessments/{assessment_id}"]["get"]["responses"]


def test_an_unreachable_database_is_a_503_not_a_500() -> None:
    settings = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings)) as c:
        response = create(c)
    assert response.status_code == 503
    assert response.json()["errors"][0]["field"] == "database"


# The store


def test_created_at_is_utc_whole_seconds(store: SqlAssessmentStore) -> None:
    made = store.create(title="t", result=a_result(), assessment_id="fixed-id")
    assert made.id == "fixed-id"
    assert made.created_at.tzinfo is not None
    assert made.created_at.utcoffset() == timedelta(0)
    assert made.created_at.microsecond == 0
    paris = timezone(timedelta(hours=1))
    given = datetime(2026, 11, 23, 10, 30, 15, 999_999, tzinfo=paris)
    other = store.create(title="t", result=a_result(), created_at=given)
    read = store.get(other.id)
    assert read is not None
    assert read.created_at == datetime(2026, 11, 23, 9, 30, 15, tzinfo=UTC)
    assert read.created_at.tzinfo == UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        store.create(
            title="t",
            result=a_result(),
            created_at=datetime(2026, 1, 1),  # noqa: DTZ001
        )


def test_the_store_reads_back_what_it_wrote(store: SqlAssessmentStore) -> None:
    result = a_result("ab" * 32)
    made = store.create(
        title="<i>x</i>",
        result=result,
    )
    read = store.get(made.id)
    assert read == made
    assert read.result == result
    assert read.unsure == ("labelled_examples", "budget_usd")
    assert read.request_body["unsure"] == ["labelled_examples", "budget_usd"]
    assert (read.input_hash, read.rules_version, read.cost_model_version, read.prices_as_of) == (
        "ab" * 32,
        "r1",
        "c1",
        "2026-11-10",
    )
    assert store.get("no-such-id") is None


def test_recent_is_newest_first_with_ties_in_id_order(store: SqlAssessmentStore) -> None:
    t0 = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
    plan = [("c", t0), ("a", t0 + timedelta(hours=1)), ("b", t0 + timedelta(hours=1))]
    plan += [("z", t0 - timedelta(days=1)), ("m", t0 + timedelta(days=2))]
    for assessment_id, moment in plan:
        store.create(
            title=assessment_id,
            result=a_result(),
            created_at=moment,
            assessment_id=assessment_id,
        )
    assert [a.id for a in store.recent()] == ["m", "a", "b", "c", "z"]
    assert [a.id for a in store.recent(limit=2)] == ["m", "a"]


def test_many_reads_the_ids_asked_in_the_order_asked(store: SqlAssessmentStore) -> None:
    """A browser's own list: only its ids, its order, unknown or repeated ids skipped."""
    for assessment_id in ("a", "b", "c"):
        store.create(title=assessment_id, result=a_result(), assessment_id=assessment_id)
    assert [a.id for a in store.many(["c", "gone", "a", "c"])] == ["c", "a"]
    assert store.many([]) == []


def test_report_cache_put_get_replace(store: SqlAssessmentStore) -> None:
    assert store.cached_report("k1") is None
    pdf = b"%PDF-1.7\n\x00\xff" + bytes(range(256)) * 100
    store.store_report("k1", pdf)
    assert store.cached_report("k1") == pdf
    store.store_report("k1", b"%PDF-newer")
    assert store.cached_report("k1") == b"%PDF-newer"
    assert store.cached_report("k2") is None


# The schema


def test_the_schema_is_at_head_and_matches_the_models(engine: Engine) -> None:
    config = alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() == head
        assert compare_metadata(context, Base.metadata) == []
        config.attributes["connection"] = conn
        command.check(config)  # what `alembic check` runs: no new upgrade operations
    tables = set(inspect(engine).get_table_names())
    assert {"assessments", "report_cache", "alembic_version"} <= tables
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("assessments")}
    assert {"ix_assessments_input_hash", "ix_assessments_created_at"} <= indexes


def test_upgrading_twice_changes_nothing(engine: Engine, store: SqlAssessmentStore) -> None:
    made = store.create(title="t", result=a_result())
    upgrade_schema(engine)
    assert store.get(made.id) == made


def test_the_migrations_go_down_and_up_again(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert not {"assessments", "report_cache"} & set(inspect(engine).get_table_names())
    upgrade_schema(engine)
    assert {"assessments", "report_cache"} <= set(inspect(engine).get_table_names())


def test_the_sqlite_file_and_its_folder_are_private(tmp_path: Path) -> None:
    """Before issue 21 the database, which holds every assessment, was made 0644 (the umask's
    default) beside the 0600 key, in a 0755 folder."""
    database = tmp_path / "var" / "tunewise.sqlite3"
    with TestClient(create_app(Settings(database_url=f"sqlite:///{database}"))) as c:
        assert c.post("/api/v1/assessments", json={"answers": BASE_ANSWERS}).status_code == 201
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
    assert [p.name for p in database.parent.iterdir()] == [database.name]
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


@pytest.mark.postgres
def test_concurrent_start_ups_migrate_once(postgres_url: str) -> None:
    schema = f"tunewise_test_{secrets.token_hex(6)}"
    admin = make_engine(postgres_url)
    url = f"{postgres_url}?options=-csearch_path%3D{schema}"
    engines = [make_engine(url) for _ in range(3)]
    barrier = threading.Barrier(len(engines))
    failures: list[BaseException] = []

    def start(engine: Engine) -> None:
        try:
            barrier.wait(timeout=10)
            upgrade_schema(engine)
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            failures.append(exc)

    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        threads = [threading.Thread(target=start, args=(e,)) for e in engines]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert failures == []
        with engines[0].connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert versions == [(head,)]
    finally:
        for e in engines:
            e.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.parametrize(
    "path",
    [
        "/assessments/{id}",
        "/assessments/{id}/rerun",
        "/assessments/{id}/report.pdf",
        "/api/v1/assessments/{id}",
        "/api/v1/assessments/{id}/report.pdf",
    ],
)
@pytest.mark.parametrize(
    "bad",
    ["%00", "a%00b", "%C3%A9t%C3%A9", "x" * 65],
    ids=["NUL", "NUL inside", "é", "65 characters"],
)
def test_an_id_of_the_wrong_form_is_404_on_every_route(
    api: TestClient, path: str, bad: str
) -> None:
    """Issue 21, F5: a NUL byte in an id was a 500 on PostgreSQL (DataError); the store now
    answers None for an id no Tunewise id could be, before any query."""
    response = api.get(path.format(id=bad))
    assert response.status_code == 404, response.text


def test_the_store_asks_nothing_for_an_id_of_the_wrong_form(store: SqlAssessmentStore) -> None:
    kept = store.create(
        title="t", result=recommend(RecommendationRequest.model_validate({"answers": BASE_ANSWERS}))
    )
    assert store.get("a\x00b") is None
    assert [a.id for a in store.many(["\x00", kept.id, "é"])] == [kept.id]
