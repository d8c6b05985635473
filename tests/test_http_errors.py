"""Error answers: short, labelled by what they are about, with the headers every response has,
JSON for programs and the site's own page for people."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.problems import MAX_REPORTED_ERRORS
from tests.conftest import BASE_ANSWERS
from tests.pages import check_page
from tests.wizard import finish, walk

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy")


def assert_stamped(response: Any) -> None:
    """The headers every response carries, whatever its status."""
    for header in (*SECURITY_HEADERS, "x-request-id"):
        assert header in response.headers, (response.status_code, header)


def test_a_flood_of_unsure_items_is_one_short_error(client: TestClient) -> None:
    body = {"answers": BASE_ANSWERS, "unsure": ["ab"] * 120_000}  # 600 KB
    response = client.post("/api/v1/recommendations", json=body)
    assert response.status_code == 422
    assert len(response.content) < 1_000
    [error] = response.json()["errors"]
    assert error["field"] == "unsure"
    assert "At most 4 questions" in error["message"]


def test_the_schema_says_how_long_the_unsure_list_may_be(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["RecommendationRequest"]["properties"]["unsure"]["maxItems"] == 4


def test_a_flood_of_unknown_fields_is_one_error(client: TestClient) -> None:
    answers = {**BASE_ANSWERS, **{f"made_up_{i}": 1 for i in range(50_000)}}
    response = client.post("/api/v1/recommendations", json={"answers": answers})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "answers"
    assert error["message"].startswith("50000 fields are not recognised")


def test_past_fifty_errors_the_rest_are_counted_not_listed(client: TestClient) -> None:
    unknown = {f"x{i}": 1 for i in range(20)}  # at the flood limit: one error each
    body = {"answers": unknown, "context": dict(unknown), **unknown}
    response = client.post("/api/v1/recommendations", json=body)
    assert response.status_code == 422
    document = response.json()
    assert len(document["errors"]) == MAX_REPORTED_ERRORS
    total = MAX_REPORTED_ERRORS + document["errors_not_shown"]
    assert total >= 60
    assert f"first {MAX_REPORTED_ERRORS} of {total} problems" in document["detail"]


def test_invalid_json_says_where_in_the_body(client: TestClient) -> None:
    response = client.post(
        "/api/v1/recommendations",
        content=b'{\n  "answers": nine\n}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "body"
    assert error["message"].startswith("The body is not valid JSON (line 2, column 14)")


def test_a_json_body_that_is_not_utf8_says_so(client: TestClient) -> None:
    response = client.post(
        "/api/v1/recommendations",
        content=b"\x04\xff\xfe{",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["type"] == "urn:tunewise:problem:unreadable-body"
    assert response.json()["errors"] == [
        {
            "pointer": "",
            "code": "unreadable",
            "field": "body",
            "message": "The body is not UTF-8 text, so it cannot be JSON.",
        }
    ]
    paths = client.get("/openapi.json").json()["paths"]
    assert "400" in paths["/api/v1/recommendations"]["post"]["responses"]


@pytest.mark.parametrize(
    ("content_type", "said"),
    [
        ("text/plain", "this request said text/plain"),
        ("application/x-www-form-urlencoded", "said application/x-www-form-urlencoded"),
        (None, "named no type"),
    ],
)
def test_a_body_that_is_not_json_is_415(
    client: TestClient, content_type: str | None, said: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    for path in ("/api/v1/recommendations", "/api/v1/assessments", "/api/v1/estimates/training"):
        response = client.post(path, content=b'{"answers": {}}', headers=headers)
        assert response.status_code == 415, path
        [error] = response.json()["errors"]
        assert error["field"] == "content-type"
        assert "Content-Type: application/json" in error["message"]
        assert said in error["message"]


def test_json_with_a_charset_or_a_json_suffix_is_json(client: TestClient) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = client.post(
            "/api/v1/recommendations",
            content=b'{"answers": {}}',
            headers={"content-type": content_type},
        )
        assert response.status_code == 422, content_type


def test_the_openapi_documents_the_415(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "415" in paths["/api/v1/recommendations"]["post"]["responses"]
    assert "415" in paths["/api/v1/assessments"]["post"]["responses"]


def test_a_wrong_method_is_labelled_method_and_says_what_is_accepted(client: TestClient) -> None:
    response = client.put("/api/v1/recommendations", json={})
    assert response.status_code == 405
    assert response.json()["errors"] == [
        {
            "pointer": "",
            "code": "method_not_allowed",
            "field": "method",
            "message": "This address does not accept PUT; it accepts POST.",
        }
    ]
    assert_stamped(response)


def test_an_unreadable_body_is_labelled_body(client: TestClient) -> None:
    response = client.post(
        "/api/v1/assessments/import",
        content=b"--x\r\nnonsense",
        headers={"content-type": "multipart/form-data"},  # no boundary
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


def test_a_chunked_body_past_the_limit_is_413(client: TestClient) -> None:
    """No Content-Length: the limit is found while the body streams in (it was 400)."""

    def chunks() -> Iterator[bytes]:
        for _ in range(60):
            yield b"x" * 100_000

    response = client.post(
        "/api/v1/recommendations", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "body"
    assert_stamped(response)


def test_a_declared_body_past_the_limit_is_413_with_a_request_id(client: TestClient) -> None:
    response = client.post(
        "/api/v1/recommendations",
        content=b"x" * 2_000_000,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert_stamped(response)


def _failing_app(settings: Settings) -> FastAPI:
    app = create_app(settings)

    def fail() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/fail", fail)
    app.add_api_route("/fail", fail)
    return app


def test_a_server_error_carries_the_headers_and_the_request_id(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(_failing_app(settings)) as c, caplog.at_level(logging.ERROR):
        api = c.get("/api/v1/fail", headers={"x-request-id": "trace-me-500"})
        page = c.get("/fail")
    assert api.status_code == 500
    assert_stamped(api)
    assert api.headers["x-request-id"] == "trace-me-500"
    assert api.json()["errors"][0]["field"] == "server"
    assert "trace-me-500" in api.json()["errors"][0]["message"]
    assert "a bug" not in api.text  # never the exception itself
    assert any("trace-me-500" in r.getMessage() and r.exc_info for r in caplog.records)
    assert page.status_code == 500
    assert_stamped(page)
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-request-id"] in page.text
    check_page(page.text)


def test_the_wizards_429_is_a_page_and_the_apis_is_json(settings: Settings) -> None:
    overrides = {"rate_limit_assessments": "1/minute"}
    with TestClient(create_app(settings.model_copy(update=overrides))) as c:
        check_url = walk(c)
        finish(c, check_url)
        again = c.post("/wizard/deployment", data=dict(_state(check_url)))
        assert again.status_code == 429
        assert again.headers["content-type"].startswith("text/html")
        assert int(again.headers["retry-after"]) >= 1
        assert_stamped(again)
        parsed = check_page(again.text)
        assert parsed.h1 == ["Too many requests"]
        assert "try again in" in again.text
        api = c.post("/api/v1/assessments", json={"answers": BASE_ANSWERS})
        assert api.status_code == 429
        assert api.json()["errors"][0]["field"] == "rate"
        assert_stamped(api)


def _state(check_url: str) -> list[tuple[str, str]]:
    """The answers a check page's URL carries, as the deployment form posts them back."""
    from urllib.parse import parse_qsl, urlsplit  # noqa: PLC0415

    return parse_qsl(urlsplit(check_url).query)
