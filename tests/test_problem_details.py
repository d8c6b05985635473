"""Every status of every operation, provoked and validated against /openapi.json by
openapi-core; every error a problem (RFC 9457) with pointers and codes.

One test provokes, for each operation, each status its schema documents (a refused Host, a
missing key, a cross-site post, a body past the limit, a body not JSON, an unknown query
parameter, an unknown id, a rate limit, a busy or absent database, a server error, a cached
report) and checks that what it saw is exactly what the schema documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from starlette.middleware import Middleware
from starlette.types import Receive, Scope, Send

from app.config import Settings
from app.http.compute import RecommendationsBusyError
from app.main import create_app
from app.problems import PROBLEM_JSON, invalid_request, problem_document, validation_errors
from app.questions import RecommendationRequest
from app.rules.result import Recommendation
from tests.conftest import BASE_ANSWERS
from tests.openapi_check import CheckedClient, SchemaCheck

KEY = {"authorization": "Bearer team-key"}
REQUEST = {"answers": BASE_ANSWERS}
ESTIMATE = {"method": "lora", "base_model": "llama-3.1-8b"}
JSON_POSTS = {
    "/api/v1/recommendations": REQUEST,
    "/api/v1/estimates/training": ESTIMATE,
    "/api/v1/assessments": REQUEST,
    "/api/v1/recommendations:batch": {"requests": [REQUEST]},
}
GETS = ("/healthz", "/readyz", "/api/v1/questions", "/api/v1/models", "/api/v1/gpus")
CATALOGUES = ("/api/v1/questions", "/api/v1/models", "/api/v1/gpus", "/api/v1/rules")


@contextmanager
def serving(settings: Settings, check: SchemaCheck | None = None) -> Iterator[CheckedClient]:
    with CheckedClient(create_app(settings), check) as client:
        yield client


def _settings(tmp_path: Path, name: str, **overrides: Any) -> Settings:
    url = f"sqlite:///{tmp_path / name}.sqlite3"
    return Settings(database_url=url, log_requests=False, **overrides)


class Busy:
    """Recommendation slots that are all taken."""

    async def run(self, *_: Any) -> Recommendation:
        raise RecommendationsBusyError(3)

    def compute(self, _: RecommendationRequest) -> Recommendation:
        raise RecommendationsBusyError(3)


def _failing(app: FastAPI) -> FastAPI:
    """The app with a bug inside every middleware that answers: every request raises."""

    class Bug:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                raise RuntimeError("a bug")
            await self.inner(scope, receive, send)

    app.user_middleware.append(Middleware(Bug))
    return app


def _every_operation(
    client: CheckedClient, assessment: str, pdf: bytes, **kwargs: Any
) -> list[int]:
    """One request to each operation; their statuses."""
    report = f"/api/v1/assessments/{assessment}/report.pdf"
    answers = [client.get(path, **kwargs) for path in (*GETS, "/api/v1/rules")]
    answers += [client.post(path, json=body, **kwargs) for path, body in JSON_POSTS.items()]
    answers += [
        client.get(f"/api/v1/assessments/{assessment}", **kwargs),
        client.get(report, **kwargs),
        client.get(f"/api/v1/assessments/{assessment}/recipe", **kwargs),
        client.patch(f"/api/v1/assessments/{assessment}", json={"shared": False}, **kwargs),
        client.post(
            "/api/v1/assessments/import",
            content=pdf,
            **{
                **kwargs,
                "headers": {**kwargs.get("headers", {}), "content-type": "application/pdf"},
            },
        ),
    ]
    return [a.status_code for a in answers]


def _refusals_of_a_keyed_app(client: CheckedClient, assessment: str, pdf: bytes) -> None:
    """A Host not served, an unknown query parameter, no key, a body too large or not JSON,
    an unknown id, a body with problems, every recommendation slot taken."""
    refused_host = _every_operation(client, assessment, pdf, headers={"host": "evil.example"})
    assert set(refused_host) == {400}
    unknown_query = _every_operation(client, assessment, pdf, params={"rules_version": "1.5"})
    assert unknown_query == [200, 200, *[422] * 13]
    no_key = _every_operation(client, assessment, pdf, headers={"authorization": "Basic x"})
    assert no_key == [200, 200, *[401] * 13]
    stale = _every_operation(client, assessment, pdf, headers={"tunewise-rules-version": "0.0.0"})
    assert set(stale) == {412}
    share = f"/api/v1/assessments/{assessment}"
    assert (
        client.patch(share, content=b"{}", headers={"content-type": "text/plain"}).status_code
        == 415
    )
    assert client.patch("/api/v1/assessments/nope", json={"shared": True}).status_code == 404
    assert client.patch(share, json={"shared": True}).status_code == 200
    other = {"authorization": "Bearer other-team-key"}
    assert client.patch(share, json={"shared": False}, headers=other).status_code == 403
    for path in (*JSON_POSTS, "/api/v1/assessments/import"):
        assert client.post(path, content=b"x" * 2_000_000).status_code == 413
    text = {"content-type": "text/plain"}
    for path in JSON_POSTS:
        assert client.post(path, content=b"{}", headers=text).status_code == 415
    for path in (
        "/api/v1/assessments/nope",
        "/api/v1/assessments/nope/report.pdf",
        "/api/v1/assessments/nope/recipe",
    ):
        assert client.get(path).status_code == 404
    for path in ("/api/v1/recommendations", "/api/v1/assessments"):
        assert client.post(path, json={"answers": {}}).status_code == 422
    client.app.state.recommendation_slots = Busy()  # type: ignore[attr-defined]
    assert client.post("/api/v1/recommendations", json=_other(1)).status_code == 503
    batch = {"requests": [_other(3)]}
    assert client.post("/api/v1/recommendations:batch", json=batch).status_code == 503


def _limits(tmp_path: Path, check: SchemaCheck, assessment: str, pdf: bytes) -> None:
    """429, with Retry-After, wherever a limit counts."""
    limits = {f"rate_limit_{w}": "0/minute" for w in ("assessments", "reports", "recommendations")}
    with serving(_settings(tmp_path, "limited", **limits), check) as client:
        made = client.post("/api/v1/assessments", json=REQUEST)
        assert made.status_code == 429
        assert int(made.headers["retry-after"]) >= 1
        assert client.post("/api/v1/recommendations", json=_other(2)).status_code == 429
        batch = {"requests": [_other(4)]}
        assert client.post("/api/v1/recommendations:batch", json=batch).status_code == 429
        assert client.post("/api/v1/assessments/import", content=pdf).status_code == 429
    with serving(_settings(tmp_path, "main", **limits), check) as client:  # where it is saved
        letter = client.get(f"/api/v1/assessments/{assessment}/report.pdf?paper=letter")
        assert letter.status_code == 429  # not yet rendered: a render is counted


def test_every_status_of_every_operation_is_documented_and_provoked(tmp_path: Path) -> None:
    main = _settings(
        tmp_path,
        "main",
        api_keys=["team-key", "other-team-key"],
        allowed_hosts=["testserver"],
        cors_origins=["https://portal.example"],
    )
    with serving(main) as client:
        check = client.schema_check
        client.headers.update(KEY)
        made = client.post("/api/v1/assessments", json=REQUEST)
        assert made.status_code == 201
        assessment = made.json()["id"]
        first = client.get(f"/api/v1/assessments/{assessment}/report.pdf")
        assert first.headers["content-type"] == "application/pdf"
        pdf = first.content
        assert set(_every_operation(client, assessment, pdf)) == {200, 201}
        etag = {"if-none-match": first.headers["etag"]}
        assert (
            client.get(f"/api/v1/assessments/{assessment}/report.pdf", headers=etag).status_code
            == 304
        )
        _refusals_of_a_keyed_app(client, assessment, pdf)

    cross_site = {"origin": "https://elsewhere.example", "sec-fetch-site": "cross-site"}
    with serving(_settings(tmp_path, "open"), check) as client:
        for path, body in JSON_POSTS.items():
            assert client.post(path, json=body, headers=cross_site).status_code == 403
        imported = client.post("/api/v1/assessments/import", content=pdf, headers=cross_site)
        assert imported.status_code == 403

    _limits(tmp_path, check, assessment, pdf)

    down = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", log_requests=False)
    with serving(down, check) as client:
        statuses = _every_operation(client, assessment, pdf)
        assert statuses == [200, 503, *[200] * 6, 503, 200, *[503] * 5], statuses
        assert int(client.get("/readyz").headers["retry-after"]) >= 1

    with CheckedClient(_failing(create_app(main)), check, raise_server_exceptions=False) as client:
        client.headers.update(KEY)
        assert set(_every_operation(client, assessment, pdf)) == {500}

    assert check.seen == check.documented(), (
        f"documented, never provoked: {sorted(check.documented() - check.seen)}; "
        f"provoked, not documented: {sorted(check.seen - check.documented())}"
    )


def _other(n: int) -> dict[str, Any]:
    """A request no earlier test asked (the answer cache would answer it for free)."""
    return {"answers": {**BASE_ANSWERS, "labelled_examples": 5000 + n}}


@pytest.fixture
def checked(tmp_path: Path) -> Iterator[CheckedClient]:
    with serving(_settings(tmp_path, "checked", cors_origins=["https://portal.example"])) as c:
        yield c


def test_an_error_is_a_problem_with_pointers_and_codes(checked: CheckedClient) -> None:
    body = {
        "answers": {**BASE_ANSWERS, "objective": "facts", "colour": "red"},
        "context": {"base_model": "llama-3.1-8b", "model_size_b": 8},
    }
    response = checked.post(
        "/api/v1/recommendations", json=body, headers={"x-request-id": "trace-me-422"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["type"] == "urn:tunewise:problem:invalid-request"
    assert problem["status"] == 422
    assert problem["instance"] == "urn:tunewise:request:trace-me-422"
    assert problem["request_id"] == "trace-me-422"
    found = {e["pointer"]: e["code"] for e in problem["errors"]}
    assert found == {
        "/answers/objective": "enum",
        "/answers/colour": "extra_forbidden",
        "/context/model_size_b": "model_source_conflict",  # a cross-field check: the field
    }
    assert {e["field"] for e in problem["errors"]} == {  # API 0.5's dotted fields, kept
        "answers.objective",
        "answers.colour",
        "context.model_size_b",
    }


@pytest.mark.parametrize(
    ("body", "pointer", "code"),
    [
        ({"method": "lora"}, "/base_model", "model_source_missing"),
        (
            {"method": "lora", "base_model": "llama-3.1-8b", "model_size_b": 8},
            "/model_size_b",
            "model_source_conflict",
        ),
        ({"method": "lora", "base_model": "no-such-model"}, "/base_model", "unknown_model"),
        ({"method": "lora", "model_size_b": True}, "/model_size_b", "number_not_boolean"),
    ],
)
def test_a_cross_field_error_points_at_the_field_to_fix(
    checked: CheckedClient, body: dict[str, Any], pointer: str, code: str
) -> None:
    [error] = checked.post("/api/v1/estimates/training", json=body).json()["errors"]
    assert (error["pointer"], error["code"]) == (pointer, code)


def test_an_unsure_answer_that_is_not_the_default_points_at_the_answer(
    checked: CheckedClient,
) -> None:
    body = {"answers": BASE_ANSWERS, "unsure": ["budget_usd"]}
    [error] = checked.post("/api/v1/recommendations", json=body).json()["errors"]
    assert (error["pointer"], error["code"]) == ("/answers/budget_usd", "unsure_not_default")
    twice = {"answers": {**BASE_ANSWERS, "budget_usd": 5000}, "unsure": ["budget_usd"] * 2}
    [error] = checked.post("/api/v1/recommendations", json=twice).json()["errors"]
    assert (error["pointer"], error["code"]) == ("/unsure/1", "unsure_repeated")


def test_unknown_query_parameters_are_refused_like_unknown_fields(checked: CheckedClient) -> None:
    response = checked.post(
        "/api/v1/recommendations?include=chart&rules_version=1.5.0", json=REQUEST
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["pointer"] == "/query/rules_version"
    assert error["code"] == "extra_forbidden"
    assert "accepts include" in error["message"]
    assert checked.post("/api/v1/recommendations?include=chart", json=REQUEST).status_code == 200


def test_the_plain_text_refusals_are_problems(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, "hosts", allowed_hosts=["testserver"], cors_origins=["https://portal.example"]
    )
    with serving(settings) as client:
        host = client.get("/api/v1/questions", headers={"host": "evil.example"})
        assert host.headers["content-type"] == PROBLEM_JSON
        assert host.json()["errors"][0]["pointer"] == "/header/host"
        assert host.headers["x-request-id"] in host.json()["instance"]
        preflight = client.options(
            "/api/v1/recommendations",
            headers={"origin": "https://evil.example", "access-control-request-method": "PUT"},
        )
        assert preflight.status_code == 400
        assert preflight.headers["content-type"] == PROBLEM_JSON
        codes = [e["code"] for e in preflight.json()["errors"]]
        assert codes == ["cors_origin_refused", "cors_method_refused"]
        allowed = client.options(
            "/api/v1/recommendations",
            headers={"origin": "https://portal.example", "access-control-request-method": "POST"},
        )
        assert allowed.status_code == 200  # the middleware's own success stays as it was
        assert allowed.headers["access-control-allow-origin"] == "https://portal.example"


def test_every_problem_type_has_one_title(checked: CheckedClient) -> None:
    """A title names the type, never the occurrence: two 404s of different causes agree."""
    unknown_path = checked.get("/api/v1/nothing-here").json()
    unknown_id = checked.get("/api/v1/assessments/nope").json()
    assert unknown_path["type"] == unknown_id["type"] == "urn:tunewise:problem:not-found"
    assert unknown_path["title"] == unknown_id["title"]
    assert unknown_path["detail"] != unknown_id["detail"]


def test_pointers_escape_as_rfc_6901_says() -> None:
    """A field named with / or ~ (an unknown one a caller sent) stays one reference token."""
    errors = [{"type": "extra_forbidden", "loc": ("body", "answers", "a/b~c"), "msg": "x"}]
    [entry] = validation_errors(errors)
    assert entry.pointer == "/answers/a~1b~0c"
    assert entry.field == "answers.a/b~c"


def test_a_body_validated_outside_http_gets_the_same_problem() -> None:
    """What a command line or batch line would write for a body it could not read: the same
    pointers, with no request part in front."""
    try:
        RecommendationRequest.model_validate({"answers": {**BASE_ANSWERS, "objective": "x"}})
    except ValidationError as exc:
        built = invalid_request(exc.errors(), located=False)
    else:
        pytest.fail("the request validated")
    document = problem_document(built)
    assert document["status"] == 422
    assert "instance" not in document  # no request, no request id
    assert [e["pointer"] for e in document["errors"]] == ["/answers/objective"]
