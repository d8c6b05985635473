"""Abuse and operations: size limits, rate limits (per process and shared through Redis), API
keys, CORS, trusted hosts, framing, request ids, metrics, and the security floor of the lock."""

from __future__ import annotations

import json
import logging
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import Settings
from app.logs import JsonFormatter
from app.main import create_app
from tests.conftest import BASE_ANSWERS

ROOT = Path(__file__).resolve().parents[1]


def _app(settings: Settings, **overrides: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=overrides)))


def test_a_six_megabyte_body_gets_413(client: TestClient) -> None:
    body = b'{"answers": "' + b"x" * 6_000_000 + b'"}'
    response = client.post(
        "/api/v1/recommendations", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_assessment_creation_is_rate_limited_per_client(settings: Settings) -> None:
    with _app(settings, rate_limit_assessments="2/minute") as c:
        body = {"answers": BASE_ANSWERS}
        codes = [c.post("/api/v1/assessments", json=body).status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        # a header the client sets itself does not buy a fresh bucket
        spoofed = c.post("/api/v1/assessments", json=body, headers={"x-forwarded-for": "10.9.8.7"})
        assert spoofed.status_code == 429
        assert int(spoofed.headers["retry-after"]) >= 1
        assert spoofed.json()["errors"][0]["field"] == "rate"


def test_report_renders_are_rate_limited_but_cached_downloads_are_not(
    settings: Settings,
) -> None:
    with _app(settings, rate_limit_reports="1/minute") as c:
        first = c.post("/api/v1/assessments", json={"answers": BASE_ANSWERS}).json()["id"]
        second = c.post("/api/v1/assessments", json={"answers": BASE_ANSWERS}).json()["id"]
        assert c.get(f"/api/v1/assessments/{first}/report.pdf").status_code == 200
        assert c.get(f"/api/v1/assessments/{first}/report.pdf").status_code == 200
        assert c.get(f"/api/v1/assessments/{second}/report.pdf?paper=letter").status_code == 429


def test_rate_limits_are_shared_between_instances_through_redis(
    settings: Settings, redis_url: str
) -> None:
    shared = {"rate_limit_assessments": "2/minute", "rate_limit_storage": redis_url}
    body = {"answers": BASE_ANSWERS}
    with _app(settings, **shared) as a, _app(settings, **shared) as b:
        assert a.post("/api/v1/assessments", json=body).status_code == 201
        assert b.post("/api/v1/assessments", json=body).status_code == 201
        assert a.post("/api/v1/assessments", json=body).status_code == 429
        assert b.post("/api/v1/assessments", json=body).status_code == 429


def test_an_unreachable_limit_store_fails_open(settings: Settings) -> None:
    with _app(settings, rate_limit_storage="redis://127.0.0.1:1/0") as c:
        response = c.post("/api/v1/assessments", json={"answers": BASE_ANSWERS})
    assert response.status_code == 201


@pytest.fixture
def keyed(settings: Settings) -> Iterator[TestClient]:
    with _app(settings, api_keys=["s3cret-key-one", "s3cret-key-two"]) as c:
        yield c


def test_api_keys_guard_the_api_when_configured(keyed: TestClient) -> None:
    assert keyed.get("/api/v1/questions").status_code == 401
    wrong = keyed.get("/api/v1/questions", headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    ok = keyed.get("/api/v1/questions", headers={"authorization": "Bearer s3cret-key-two"})
    assert ok.status_code == 200


def test_the_browser_pages_work_without_a_key(keyed: TestClient) -> None:
    store = keyed.app.state.store  # type: ignore[attr-defined]
    from app.questions import RecommendationRequest  # noqa: PLC0415
    from app.rules.recommend import recommend  # noqa: PLC0415

    req = RecommendationRequest.model_validate({"answers": BASE_ANSWERS})
    stored = store.create(title="Keyed", result=recommend(req))
    assert keyed.get("/").status_code == 200
    assert keyed.get(f"/assessments/{stored.id}").status_code == 200
    recalculated = keyed.get(f"/assessments/{stored.id}?horizon_months=12")
    assert recalculated.status_code == 200
    assert "Cumulative cost over 12 months" in recalculated.text
    bad = keyed.get(f"/assessments/{stored.id}?horizon_months=0")
    assert bad.status_code == 422


def test_cors_allows_only_configured_origins(settings: Settings) -> None:
    with _app(settings, cors_origins=["https://portal.intranet"]) as c:
        allowed = c.options(
            "/api/v1/recommendations",
            headers={
                "origin": "https://portal.intranet",
                "access-control-request-method": "POST",
            },
        )
        assert allowed.headers["access-control-allow-origin"] == "https://portal.intranet"
        other = c.get("/api/v1/questions", headers={"origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


def test_untrusted_hosts_are_refused(settings: Settings) -> None:
    with _app(settings, allowed_hosts=["tunewise.internal"]) as c:
        assert c.get("/healthz", headers={"host": "evil.example"}).status_code == 400
        assert c.get("/healthz", headers={"host": "tunewise.internal"}).status_code == 200


@pytest.mark.parametrize("variable", ["TUNEWISE_ALLOWED_HOSTS", "TUNEWISE_TRUSTED_HOSTS"])
def test_allowed_hosts_are_read_by_either_name(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, '["tunewise.internal"]')
    assert Settings().allowed_hosts == ["tunewise.internal"]
    assert Settings(allowed_hosts=["in.code"]).allowed_hosts == ["in.code"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/assessments/"),
        ("POST", "/api/v1/recommendations/"),
        ("GET", "/api/v1/questions/"),
    ],
)
def test_a_trailing_slash_is_not_redirected_to_the_host_a_client_names(
    client: TestClient, method: str, path: str
) -> None:
    """Before issue 21, with the default allowed hosts (*), POST /api/v1/assessments/ with
    Host: evil.example answered 307 to http://evil.example/api/v1/assessments."""
    response = client.request(
        method,
        path,
        json={"answers": BASE_ANSWERS},
        headers={"host": "evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 404
    assert "location" not in response.headers
    assert response.json()["errors"][0]["field"] == "path"


def test_a_page_with_a_trailing_slash_is_the_not_found_page(client: TestClient) -> None:
    response = client.get("/method/", headers={"host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 404
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")


def test_framing_is_set_by_configuration(client: TestClient, settings: Settings) -> None:
    assert "frame-ancestors 'none'" in client.get("/").headers["content-security-policy"]
    assert client.get("/").headers["x-frame-options"] == "DENY"
    with _app(settings, frame_ancestors="https://portal.intranet") as c:
        headers = c.get("/").headers
        assert "frame-ancestors https://portal.intranet" in headers["content-security-policy"]
        assert "x-frame-options" not in headers


def test_every_response_has_a_request_id_and_a_log_line(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with _app(settings, log_requests=True) as client, caplog.at_level(logging.INFO):
        logger = client.app.state.request_log  # type: ignore[attr-defined]
        logger.addHandler(caplog.handler)
        given = client.get("/healthz", headers={"x-request-id": "abc123-request"})
        fresh = client.get("/healthz")
    assert given.headers["x-request-id"] == "abc123-request"
    assert len(fresh.headers["x-request-id"]) == 32
    formatter = JsonFormatter()
    lines = [
        json.loads(formatter.format(r)) for r in caplog.records if r.name == "tunewise.requests"
    ]
    assert {"request_id": "abc123-request", "route": "/healthz", "status": 200}.items() <= (
        lines[0].items()
    )


def test_metrics_count_requests_by_route_template(settings: Settings) -> None:
    with _app(settings, metrics="public") as client:
        client.get("/wizard/objective")
        client.get("/assessments/nope")
        text = client.get("/metrics").text
    assert 'route="/wizard/{slug}"' in text
    assert 'route="/assessments/{assessment_id}"' in text
    assert "tunewise_report_render_seconds" in text


def test_made_up_methods_and_paths_never_become_new_metric_labels(settings: Settings) -> None:
    """Each label value is a time series kept for the life of the process: 3,000 invented
    methods grew the exposition from 27 KB to 5.4 MB."""
    with _app(settings, metrics="public") as client:
        client.request("BREW", "/healthz")
        client.get("/no/such/page/1")
        before = len(client.get("/metrics").content)
        for i in range(200):
            client.request(f"INVENTED{i}", "/healthz")
            client.get(f"/no/such/page/{i}")
        text = client.get("/metrics").text
    assert "INVENTED" not in text
    assert "/no/such/page" not in text
    assert 'method="other",route="/healthz",status="405"' in text
    assert 'route="unmatched"' in text
    assert len(text) < before + 2_000  # counts went up; no series was added


def test_metrics_are_not_public_unless_configured(settings: Settings) -> None:
    with _app(settings) as default:
        assert default.get("/metrics").status_code == 404
    keys = ["s3cret-key-one"]
    with _app(settings, metrics="api_keys", api_keys=keys) as keyed:
        assert keyed.get("/metrics").status_code == 401
        ok = keyed.get("/metrics", headers={"authorization": "Bearer s3cret-key-one"})
        assert ok.status_code == 200
        assert "tunewise_http_requests_total" in ok.text
    with _app(settings, metrics="public") as public:
        assert public.get("/metrics").status_code == 200
    with pytest.raises(ValidationError, match="TUNEWISE_API_KEYS"):
        Settings(metrics="api_keys")


CROSS_SITE = {"origin": "https://portal.intranet", "sec-fetch-site": "cross-site"}


def test_an_allowed_origin_may_post_to_the_api_but_not_to_the_wizard(
    settings: Settings,
) -> None:
    with _app(settings, cors_origins=["https://portal.intranet"]) as c:
        body = {"answers": BASE_ANSWERS}
        allowed = c.post("/api/v1/recommendations", json=body, headers=CROSS_SITE)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://portal.intranet"
        other = {**CROSS_SITE, "origin": "https://elsewhere.example"}
        assert c.post("/api/v1/recommendations", json=body, headers=other).status_code == 403
        form = c.post("/wizard/objective", data={"objective": "behaviour"}, headers=CROSS_SITE)
        assert form.status_code == 403


def test_a_call_with_an_api_key_is_never_taken_for_a_forged_form(settings: Settings) -> None:
    with _app(settings, api_keys=["s3cret-key-one"]) as c:
        headers = {**CROSS_SITE, "authorization": "Bearer s3cret-key-one"}
        answer = c.post("/api/v1/recommendations", json={"answers": BASE_ANSWERS}, headers=headers)
        assert answer.status_code == 200


SECURITY_FLOOR = {
    "weasyprint": "70.0",  # CVE-2026-55073
    "starlette": "0.49.1",  # CVE-2025-62727
    "python-multipart": "0.0.31",  # CVE-2026-53540 and earlier
    "h11": "0.16.0",  # CVE-2025-43859
    "jinja2": "3.1.6",  # CVE-2025-27516
}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


@pytest.mark.parametrize(("package", "floor"), sorted(SECURITY_FLOOR.items()))
def test_the_lock_stays_at_or_above_the_security_fixes(package: str, floor: str) -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {p["name"]: p["version"] for p in lock["package"]}
    assert _version(locked[package]) >= _version(floor), f"{package} {locked[package]} < {floor}"


def test_each_app_owns_its_request_log(settings: Settings) -> None:
    """Building apps installs nothing global: one that logs and one that doesn't coexist."""
    before = list(logging.getLogger("tunewise.requests").handlers)
    with _app(settings, log_requests=True) as on, _app(settings, log_requests=False) as off:
        assert on.app.state.request_log is not None  # type: ignore[attr-defined]
        assert off.app.state.request_log is None  # type: ignore[attr-defined]
    assert logging.getLogger("tunewise.requests").handlers == before


def test_importing_the_app_module_builds_no_app() -> None:
    import app.main  # noqa: PLC0415

    assert app.main._default_app.cache_info().currsize == 0


@pytest.mark.parametrize("title", ["a\u202eexe.fdp", "tab\there", "c1\u0085x", "x\u2066y"])
def test_a_title_with_control_or_direction_characters_is_refused(
    client: TestClient, title: str
) -> None:
    """A right-to-left override (U+202E) before "exe.fdp" makes a title read "pdf.exe" in a list."""
    body = {"answers": BASE_ANSWERS, "title": title}
    response = client.post("/api/v1/assessments", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "title"


def test_unreadable_bodies_and_wrong_methods_name_what_is_wrong(client: TestClient) -> None:
    bad_json = client.post(
        "/api/v1/recommendations",
        content=b'{"answers": ',
        headers={"content-type": "application/json"},
    )
    assert bad_json.status_code == 422
    detail = bad_json.json()["errors"][0]
    assert detail["field"] == "body"  # not the character offset
    assert detail["message"].startswith("The body is not valid JSON")
    assert "line 1, column 13" in detail["message"]
    garbled = client.post(
        "/api/v1/recommendations", content=b"\xe9\x1d", headers={"content-type": "application/json"}
    )
    assert garbled.status_code == 400
    assert garbled.json()["errors"][0]["field"] == "body"
    wrong = client.delete("/api/v1/recommendations")
    assert wrong.status_code == 405
    assert wrong.json()["errors"][0] == {
        "pointer": "",
        "code": "method_not_allowed",
        "field": "method",
        "message": "This address does not accept DELETE; it accepts POST.",
    }


def test_the_import_documents_its_body_and_its_errors(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/assessments/import"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/pdf", "multipart/form-data"}
    assert {"201", "400", "413", "422", "429"} <= set(operation["responses"])
