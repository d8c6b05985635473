"""Each browser lists only its own recent assessments; everyone's is an opt-in setting.

Before issue 15 the start page listed the 5 newest assessments and /assessments the 50
newest, titles and links, to anyone: that undid the unguessable ids. Two browsers are two
cookie jars on the same app here (`TestClient(app)` shares the app's state, not its cookies).
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import Request, Response
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer
from pydantic import SecretStr, ValidationError

from app.config import Settings
from app.main import create_app
from app.report.render import render_pdf
from app.web.recent import (
    COOKIE,
    KEEP,
    SALT,
    RecentAssessments,
    SigningKeyError,
    signing_key,
)
from tests.conftest import BASE_ANSWERS
from tests.pages import check_page
from tests.wizard import finish, walk

PRIVATE_TITLE = "Merger budget for Project Falcon"


def _browsers(settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    with TestClient(create_app(settings)) as mine:
        yield mine, TestClient(mine.app)


@pytest.fixture
def browsers(settings: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    yield from _browsers(settings)


def _listed(client: TestClient) -> tuple[str, str]:
    start, listing = client.get("/"), client.get("/assessments")
    check_page(start.text)
    check_page(listing.text)
    return start.text, listing.text


def _api_create(client: TestClient, title: str) -> str:
    made = client.post("/api/v1/assessments", json={"answers": BASE_ANSWERS, "title": title})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_another_browser_never_sees_my_assessments(
    browsers: tuple[TestClient, TestClient],
) -> None:
    mine, theirs = browsers
    location = finish(mine, walk(mine), title=PRIVATE_TITLE)
    api_made = _api_create(theirs, "Made through the API")
    for page in _listed(mine):
        assert PRIVATE_TITLE in page
        assert location in page
        assert "Made through the API" not in page
    for page in _listed(theirs):
        assert PRIVATE_TITLE not in page
        assert location not in page
        assert api_made not in page, "an API client has no browser list"


def test_opening_a_shared_link_lists_it_in_that_browser(
    browsers: tuple[TestClient, TestClient],
) -> None:
    mine, theirs = browsers
    location = finish(mine, walk(mine), title=PRIVATE_TITLE)
    assert theirs.get(location).status_code == 200
    start, listing = _listed(theirs)
    assert PRIVATE_TITLE in start
    assert PRIVATE_TITLE in listing


def test_a_reopened_report_is_listed_in_the_browser_that_uploaded_it(
    browsers: tuple[TestClient, TestClient],
) -> None:
    mine, theirs = browsers
    made = _api_create(mine, PRIVATE_TITLE)
    pdf = render_pdf(mine.app.state.store.get(made), "a4")  # type: ignore[attr-defined]
    uploaded = theirs.post(
        "/assessments/import",
        files={"file": ("report.pdf", pdf, "application/pdf")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    assert uploaded.headers["location"] in _listed(theirs)[1]
    assert PRIVATE_TITLE not in _listed(mine)[1]


def test_the_shared_listing_is_opt_in(tmp_path: Path) -> None:
    shared = Settings(database_url=f"sqlite:///{tmp_path / 's.sqlite3'}", shared_listing=True)
    for mine, theirs in _browsers(shared):
        finish(mine, walk(mine), title=PRIVATE_TITLE)
        for page in _listed(theirs):
            assert PRIVATE_TITLE in page
            assert "everyone using this Tunewise" in page


def test_a_tampered_or_foreign_cookie_is_ignored(
    browsers: tuple[TestClient, TestClient],
) -> None:
    mine, theirs = browsers
    made = _api_create(mine, PRIVATE_TITLE)
    assert mine.get(f"/assessments/{made}").status_code == 200
    genuine = mine.cookies[COOKIE]
    payload, signature = genuine.rsplit(".", 1)
    forged = {
        "bad signature": f"{payload}.{signature[::-1]}",
        "no signature": payload,
        "signed with another key": URLSafeSerializer("guessed", salt=SALT).dumps([made]),
        "signed for another purpose": URLSafeSerializer("tests-only-signing-key").dumps([made]),
        "not a list": URLSafeSerializer("tests-only-signing-key", salt=SALT).dumps({"a": made}),
        "garbage": "%%%",
    }
    for why, value in forged.items():
        theirs.cookies.set(COOKIE, value)
        assert PRIVATE_TITLE not in _listed(theirs)[1], why
    theirs.cookies.set(COOKIE, genuine)
    assert PRIVATE_TITLE in _listed(theirs)[1], "the genuine cookie stops working"


def test_the_cookie_is_private_to_the_browser(browsers: tuple[TestClient, TestClient]) -> None:
    mine, _ = browsers
    made = _api_create(mine, PRIVATE_TITLE)
    header = mine.get(f"/assessments/{made}").headers["set-cookie"].lower()
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "path=/" in header


# The list itself: newest first, each id once, at most KEEP, whatever the order of visits.


def _request(cookie: str | None) -> Request:
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())] if cookie else []
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": headers,
        "scheme": "http",
        "server": ("tunewise.test", 80),
        "query_string": b"",
    }
    return Request(scope)


def _cookie_of(response: Response) -> str:
    header = response.headers["set-cookie"]
    return header.split(";", 1)[0].split("=", 1)[1].strip('"')


@given(st.lists(st.sampled_from([f"id{n:02d}" for n in range(30)]), min_size=1, max_size=60))
def test_the_list_keeps_the_newest_distinct_ids_first(visits: list[str]) -> None:
    recent = RecentAssessments("k", shared=False)
    cookie: str | None = None
    for assessment_id in visits:
        response = Response()
        recent.remember(_request(cookie), response, assessment_id)
        cookie = _cookie_of(response)
    expected = list(dict.fromkeys(reversed(visits)))[:KEEP]
    assert recent.ids(_request(cookie)) == expected
    assert len(cookie or "") < 3000, "the cookie must stay well under browsers' 4 KB"


# The signing key: configured, or generated once and kept.


def test_a_generated_key_is_kept_in_a_private_file_and_reused(tmp_path: Path) -> None:
    key_file = tmp_path / "var" / "secret_key"
    settings = Settings(secret_key=None, secret_key_file=key_file)
    first = signing_key(settings)
    assert len(first) >= 40
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert signing_key(settings) == first, "a restart would forget every browser's list"
    assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]


def test_a_configured_key_wins_and_writes_nothing(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    shared = "shared-by-all-instances-" + "k" * 16
    settings = Settings(secret_key=SecretStr(shared), secret_key_file=key_file)
    assert signing_key(settings) == shared
    assert not key_file.exists()


@pytest.mark.parametrize("short", ["", "k", "   ", "k" * 31], ids=len)
def test_an_empty_or_short_configured_key_is_refused_naming_the_setting(
    short: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before issue 21, TUNEWISE_SECRET_KEY= signed with "": anyone could forge the cookie."""
    monkeypatch.setenv("TUNEWISE_SECRET_KEY", short)
    with pytest.raises(ValidationError, match="TUNEWISE_SECRET_KEY must be at least 32 bytes"):
        Settings()
    with pytest.raises(ValidationError, match="TUNEWISE_SECRET_KEY"):
        Settings(secret_key=SecretStr(short))


@pytest.mark.parametrize("short", ["", "\n", "k" * 31], ids=len)
def test_an_empty_or_short_key_file_is_refused_at_start_up(tmp_path: Path, short: str) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(short, encoding="ascii")
    key_file.chmod(0o600)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        secret_key=None,
        secret_key_file=key_file,
    )
    with pytest.raises(SigningKeyError, match="TUNEWISE_SECRET_KEY_FILE"):
        signing_key(settings)
    with pytest.raises(SigningKeyError, match="at least 32 are needed"):
        create_app(settings)


def test_a_key_file_other_users_can_read_is_used_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text("a-long-enough-key-in-a-world-readable-file\n", encoding="ascii")
    key_file.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="app.web.recent"):
        key = signing_key(Settings(secret_key=None, secret_key_file=key_file))
    assert key == "a-long-enough-key-in-a-world-readable-file"
    assert "mode 0644" in caplog.text
    assert "chmod 600" in caplog.text
    caplog.clear()
    key_file.chmod(0o600)
    with caplog.at_level(logging.WARNING, logger="app.web.recent"):
        signing_key(Settings(secret_key=None, secret_key_file=key_file))
    assert caplog.text == ""
