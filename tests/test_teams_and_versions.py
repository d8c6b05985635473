"""Issue 24 in one app: teams and keys, versions to pin, ETags, the batch route, readiness.

The same behaviours across two real instances over PostgreSQL and Redis are in
tests/test_scale_out.py and tests/test_operations.py.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import Settings
from app.http.keys import plain_key_id
from app.http.versions import current_versions
from app.logs import JsonFormatter
from app.main import create_app
from tests.conftest import BASE_ANSWERS

FINANCE = {"id": "finance-portal", "team": "finance", "key": "finance-secret-key-01"}
FINANCE_READER = {
    "id": "finance-reader",
    "team": "finance",
    "key": "finance-reader-key-01",
    "scopes": ["read"],
}
OPS = {"id": "ops-portal", "team": "ops", "key": "ops-secret-key-000001"}


def bearer(key: dict[str, Any] | str) -> dict[str, str]:
    secret = key if isinstance(key, str) else key["key"]
    return {"authorization": f"Bearer {secret}"}


@pytest.fixture
def teams(settings: Settings) -> Iterator[TestClient]:
    keyed = {**settings.model_dump(), "api_keys": [FINANCE, FINANCE_READER, OPS]}
    with TestClient(create_app(Settings.model_validate(keyed))) as c:
        yield c


def create(client: TestClient, key: dict[str, Any] | str, **extra: Any) -> dict[str, Any]:
    made = client.post(
        "/api/v1/assessments", json={"answers": BASE_ANSWERS, **extra}, headers=bearer(key)
    )
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def test_an_assessment_is_read_through_the_api_by_its_teams_keys_only(
    teams: TestClient,
) -> None:
    made = create(teams, FINANCE)
    path, report = made["links"]["self"], made["links"]["report"]
    assert teams.get(path, headers=bearer(FINANCE)).status_code == 200
    assert teams.get(path, headers=bearer(FINANCE_READER)).status_code == 200  # same team
    assert teams.get(path, headers=bearer(OPS)).status_code == 404  # as if it did not exist
    assert teams.get(report, headers=bearer(OPS)).status_code == 404
    assert teams.patch(path, json={"shared": True}, headers=bearer(OPS)).status_code == 404
    # The browser's link works for whoever holds it, as before: the link is the permission.
    assert teams.get(made["links"]["html"]).status_code == 200


def test_sharing_opens_an_assessment_to_every_key_and_only_its_team_changes_that(
    teams: TestClient,
) -> None:
    shared = create(teams, FINANCE, shared=True)
    assert shared["shared"] is True
    assert teams.get(shared["links"]["self"], headers=bearer(OPS)).json()["shared"] is True
    refused = teams.patch(shared["links"]["self"], json={"shared": False}, headers=bearer(OPS))
    assert refused.status_code == 403
    private = create(teams, FINANCE)
    path = private["links"]["self"]
    opened = teams.patch(path, json={"shared": True}, headers=bearer(FINANCE))
    assert opened.status_code == 200
    assert opened.json()["shared"] is True
    assert teams.get(path, headers=bearer(OPS)).status_code == 200
    teams.patch(path, json={"shared": False}, headers=bearer(FINANCE))
    assert teams.get(path, headers=bearer(OPS)).status_code == 404


def test_a_read_only_key_reads_but_does_not_save_or_share(teams: TestClient) -> None:
    made = create(teams, FINANCE)
    saving = teams.post(
        "/api/v1/assessments", json={"answers": BASE_ANSWERS}, headers=bearer(FINANCE_READER)
    )
    assert saving.status_code == 403
    assert "write" in saving.json()["errors"][0]["message"]
    sharing = teams.patch(
        made["links"]["self"], json={"shared": True}, headers=bearer(FINANCE_READER)
    )
    assert sharing.status_code == 403
    answer = teams.post(
        "/api/v1/recommendations", json={"answers": BASE_ANSWERS}, headers=bearer(FINANCE_READER)
    )
    assert answer.status_code == 200


def test_plain_keys_keep_working_each_its_own_team(settings: Settings) -> None:
    plain = Settings.model_validate(
        {**settings.model_dump(), "api_keys": ["first-key", "other-key"]}
    )
    with TestClient(create_app(plain)) as c:
        assert c.get("/api/v1/questions").status_code == 401
        made = create(c, "first-key")
        assert c.get(made["links"]["self"], headers=bearer("first-key")).status_code == 200
        assert c.get(made["links"]["self"], headers=bearer("other-key")).status_code == 404
    assert plain_key_id("first-key") != plain_key_id("other-key")
    assert "first-key" not in plain_key_id("first-key")


def test_keys_may_come_from_a_file(settings: Settings, tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps([OPS, "a-plain-key-in-the-file"]), encoding="utf-8")
    filed = Settings.model_validate({**settings.model_dump(), "api_keys_file": keys})
    with TestClient(create_app(filed)) as c:
        assert c.get("/api/v1/questions", headers=bearer(OPS)).status_code == 200
        plain = bearer("a-plain-key-in-the-file")
        assert c.get("/api/v1/questions", headers=plain).status_code == 200
        assert c.get("/api/v1/questions", headers=bearer("nobody")).status_code == 401


def test_a_key_configured_twice_is_refused_at_start_up(settings: Settings) -> None:
    twice = Settings.model_validate({**settings.model_dump(), "api_keys": [OPS, OPS]})
    with pytest.raises(ValueError, match="configured twice"):
        create_app(twice)


def test_rate_limits_count_per_key_and_say_where_the_client_stands(settings: Settings) -> None:
    limited = Settings.model_validate(
        {**settings.model_dump(), "api_keys": [FINANCE, OPS], "rate_limit_assessments": "2/minute"}
    )
    with TestClient(create_app(limited)) as c:
        first = c.post(
            "/api/v1/assessments", json={"answers": BASE_ANSWERS}, headers=bearer(FINANCE)
        )
        assert first.headers["ratelimit-policy"] == '"assessments";q=2;w=60'
        assert first.headers["ratelimit"].startswith('"assessments";r=1;t=')
        create(c, FINANCE)
        refused = c.post(
            "/api/v1/assessments", json={"answers": BASE_ANSWERS}, headers=bearer(FINANCE)
        )
        assert refused.status_code == 429
        assert refused.headers["ratelimit"].startswith('"assessments";r=0;t=')
        assert int(refused.headers["retry-after"]) >= 1
        assert "this API key" in refused.json()["errors"][0]["message"]
        # The other team's key, from the same address, has its own budget.
        create(c, OPS)


def test_every_response_names_the_versions(client: TestClient) -> None:
    now = dict(current_versions().headers())
    for response in (
        client.get("/"),
        client.get("/api/v1/questions"),
        client.get("/api/v1/assessments/nope"),
        client.post(
            "/api/v1/recommendations", content=b"{", headers={"content-type": "application/json"}
        ),
        client.post("/api/v1/recommendations", content=b"x" * 1_000_001),
    ):
        for name, value in now.items():
            assert response.headers[name] == value, (response.status_code, name)
    assert now["Tunewise-Rules-Version"] == client.get("/api/v1/rules").json()["rules_version"]


def test_a_client_expecting_other_versions_gets_412_with_the_current_ones(
    client: TestClient,
) -> None:
    now = dict(current_versions().headers())
    pinned = client.post("/api/v1/recommendations", json={"answers": BASE_ANSWERS}, headers=now)
    assert pinned.status_code == 200
    stale = client.post(
        "/api/v1/recommendations",
        json={"answers": BASE_ANSWERS},
        headers={**now, "Tunewise-Rules-Version": "1.5.0"},
    )
    assert stale.status_code == 412
    body = stale.json()
    assert body["versions"] == now
    assert [d["field"] for d in body["errors"]] == ["header.tunewise-rules-version"]
    assert "1.5.0" in body["errors"][0]["message"]


def test_the_result_hash_is_the_same_for_a_recommendation_and_its_assessment(
    client: TestClient,
) -> None:
    body = {"answers": BASE_ANSWERS}
    answer = client.post("/api/v1/recommendations", json=body).json()
    charted = client.post("/api/v1/recommendations", json=body, params={"include": "chart"})
    made = client.post("/api/v1/assessments", json=body).json()
    stored = client.get(made["links"]["self"]).json()
    assert answer["result_hash"] == charted.json()["result_hash"]
    assert answer["result_hash"] == made["result_hash"] == stored["result_hash"]
    other = client.post(
        "/api/v1/recommendations", json={"answers": {**BASE_ANSWERS, "budget_usd": 10}}
    ).json()
    assert other["result_hash"] != answer["result_hash"]
    assert len(answer["result_hash"]) == 64


@pytest.mark.parametrize(
    "path", ["/api/v1/questions", "/api/v1/models", "/api/v1/gpus", "/api/v1/rules"]
)
def test_catalogues_have_strong_etags_compared_weakly(client: TestClient, path: str) -> None:
    first = client.get(path)
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert client.get(path).headers["etag"] == etag
    for sent in (etag, f"W/{etag}", f'"other", W/{etag}', "*"):
        again = client.get(path, headers={"if-none-match": sent})
        assert again.status_code == 304, sent
        assert again.headers["etag"] == etag
        assert again.content == b""
    assert client.get(path, headers={"if-none-match": '"other"'}).status_code == 200


def test_an_assessments_etag_changes_when_it_is_shared(teams: TestClient) -> None:
    made = create(teams, FINANCE)
    path = made["links"]["self"]
    etag = teams.get(path, headers=bearer(FINANCE)).headers["etag"]
    weak = {**bearer(FINANCE), "if-none-match": f"W/{etag}"}
    assert teams.get(path, headers=weak).status_code == 304
    teams.patch(path, json={"shared": True}, headers=bearer(FINANCE))
    changed = teams.get(path, headers=weak)
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_the_pdf_answers_304_to_a_weak_if_none_match(client: TestClient) -> None:
    made = client.post("/api/v1/assessments", json={"answers": BASE_ANSWERS}).json()
    pdf = client.get(made["links"]["report"])
    assert pdf.status_code == 200
    etag = pdf.headers["etag"]
    weak = client.get(made["links"]["report"], headers={"if-none-match": f"W/{etag}"})
    assert weak.status_code == 304
    assert weak.headers["etag"] == etag


def test_cors_exposes_the_headers_a_browser_client_reads_even_on_a_413(
    settings: Settings,
) -> None:
    origin = {"origin": "https://portal.intranet"}
    cors = Settings.model_validate({**settings.model_dump(), "cors_origins": [origin["origin"]]})
    with TestClient(create_app(cors)) as c:
        too_big = c.post(
            "/api/v1/recommendations",
            content=b"x" * 1_000_001,
            headers={**origin, "content-type": "application/json"},
        )
        made = c.post("/api/v1/assessments", json={"answers": BASE_ANSWERS}, headers=origin)
        preflight = c.options(
            "/api/v1/assessments/x",
            headers={
                **origin,
                "access-control-request-method": "PATCH",
                "access-control-request-headers": "if-none-match, tunewise-rules-version",
            },
        )
    assert too_big.status_code == 413
    assert preflight.status_code == 200
    for response in (too_big, made):
        assert response.headers["access-control-allow-origin"] == origin["origin"]
        exposed = {
            h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
        }
        assert {
            "x-request-id",
            "location",
            "etag",
            "retry-after",
            "ratelimit",
            "ratelimit-policy",
            "tunewise-api-version",
            "tunewise-rules-version",
            "tunewise-cost-model-version",
            "tunewise-prices-as-of",
        } <= exposed


def test_a_batch_answers_each_request_in_order_with_problems_in_place(
    client: TestClient,
) -> None:
    single = client.post("/api/v1/recommendations", json={"answers": BASE_ANSWERS})
    requests = [
        {"answers": BASE_ANSWERS},
        {"answers": {**BASE_ANSWERS, "objective": "nope", "budget_usd": -1}},
        "not an object",
        {"answers": {**BASE_ANSWERS, "labelled_examples": 777}},
        {"answers": BASE_ANSWERS},
    ]
    batch = client.post("/api/v1/recommendations:batch", json={"requests": requests})
    assert batch.status_code == 200
    results = batch.json()["results"]
    assert [(r["index"], r["status"]) for r in results] == [
        (0, 200),
        (1, 422),
        (2, 422),
        (3, 200),
        (4, 200),
    ]
    assert results[0]["result"] == results[4]["result"] == single.json()
    problem = results[1]["problem"]
    assert problem["status"] == 422
    assert problem["title"] == "The request has problems"
    assert problem["detail"].startswith("Request 1 of the batch")
    pointers = {e["pointer"]: e["code"] for e in problem["errors"]}
    assert pointers == {
        "/requests/1/answers/objective": "enum",
        "/requests/1/answers/budget_usd": "greater_than_equal",
    }
    assert results[2]["problem"]["errors"][0]["pointer"] == "/requests/2"
    assert results[3]["result"]["answers"]["labelled_examples"] == 777


def test_a_batch_past_its_documented_size_is_refused(settings: Settings) -> None:
    small = Settings.model_validate({**settings.model_dump(), "batch_max_requests": 2})
    with TestClient(create_app(small)) as c:
        body = {"requests": [{"answers": BASE_ANSWERS}] * 3}
        refused = c.post("/api/v1/recommendations:batch", json=body)
    assert refused.status_code == 422
    assert "at most 2" in refused.json()["errors"][0]["message"]


def test_a_batch_counts_each_new_recommendation_against_the_limit(settings: Settings) -> None:
    limited = Settings.model_validate(
        {**settings.model_dump(), "rate_limit_recommendations": "3/minute"}
    )
    with TestClient(create_app(limited)) as c:
        body = {
            "requests": [{"answers": {**BASE_ANSWERS, "labelled_examples": n}} for n in (11, 12)]
        }
        first = c.post("/api/v1/recommendations:batch", json=body)
        assert first.headers["ratelimit"].startswith('"recommendations";r=1;')
        again = c.post("/api/v1/recommendations:batch", json=body)  # cached: free
        assert again.status_code == 200
        more = {
            "requests": [{"answers": {**BASE_ANSWERS, "labelled_examples": n}} for n in (13, 14)]
        }
        assert c.post("/api/v1/recommendations:batch", json=more).status_code == 429


def test_readiness_says_which_part_is_down(client: TestClient) -> None:
    assert client.get("/readyz").status_code == 200
    client.app.state.drain.start()  # type: ignore[attr-defined]
    draining = client.get("/readyz")
    assert draining.status_code == 503
    assert draining.json()["down"] == ["draining"]
    assert draining.headers["retry-after"].isdigit()
    assert client.get("/healthz").status_code == 200


def test_readiness_fails_when_a_table_is_dropped(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE report_cache"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["schema"]
    assert "report_cache" in response.json()["schema"]


def test_readiness_fails_when_redis_does_not_answer(settings: Settings) -> None:
    closed = Settings.model_validate(
        {**settings.model_dump(), "rate_limit_storage": "redis://127.0.0.1:1"}
    )
    with TestClient(create_app(closed)) as c:
        response = c.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["redis"]


def _fail(assessment_id: str) -> None:
    raise RuntimeError(f"failed on {assessment_id}")


def test_a_log_record_is_one_json_line_with_its_traceback_and_no_assessment_id() -> None:
    assessment_id = "A" * 20 + "b-_" + "c" * 20  # 43 URL-safe characters
    try:
        _fail(assessment_id)
    except RuntimeError:
        record = logging.LogRecord(
            "app.test", logging.ERROR, __file__, 1, "rendering %s", (assessment_id,), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "error"
    assert parsed["timestamp"].endswith("+00:00")
    assert "Traceback" in parsed["exc_info"]
    assert {"request_id", "key_id"} <= parsed.keys()
    assert assessment_id not in line
    assert parsed["message"].startswith("rendering <id:")
