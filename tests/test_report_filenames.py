"""The PDF's file name: title and paper size, downloadable whatever script the title is in.

A title outside Latin-1 used to be a 500 on both download routes, for good: the render was
cached before the header failed to encode. Now the name travels as RFC 5987 `filename*`
(UTF-8, percent-encoded) beside an ASCII `filename` fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.http.disposition import content_disposition, report_filename
from app.main import create_app
from tests.conftest import BASE_ANSWERS

HEADER = re.compile(
    r"attachment; filename=\"(?P<plain>[\x20-\x21\x23-\x7e]+)\"; "
    r"filename\*=UTF-8''(?P<encoded>[A-Za-z0-9%!#$&+.^_`|~-]+)\Z"
)
"""RFC 6266: a quoted ASCII fallback, then an RFC 5987 ext-value of attr-chars only."""


def parsed(header: str) -> tuple[str, str]:
    """(the ASCII fallback, the decoded UTF-8 name); fails when the header is malformed."""
    match = HEADER.match(header)
    assert match, header
    return match["plain"], unquote(match["encoded"], encoding="utf-8", errors="strict")


TITLES = [
    ("Привет", "привет", "report"),
    ("Ωmega ß", "ωmega-ß", "mega"),
    ("日本語", "日本語", "report"),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("names") / "tunewise.sqlite3"
    with TestClient(create_app(Settings(database_url=f"sqlite:///{db}"))) as c:
        yield c


@pytest.mark.parametrize(("title", "slug", "ascii_slug"), TITLES)
@pytest.mark.parametrize(
    "route", ["/api/v1/assessments/{id}/report.pdf", "/assessments/{id}/report.pdf"]
)
def test_a_title_outside_latin_1_downloads_on_both_routes(
    client: TestClient, route: str, title: str, slug: str, ascii_slug: str
) -> None:
    created = client.post("/api/v1/assessments", json={"answers": BASE_ANSWERS, "title": title})
    assert created.status_code == 201, created.text
    response = client.get(route.format(id=created.json()["id"]))
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF")
    plain, name = parsed(response.headers["content-disposition"])
    assert name == f"tunewise-{slug}-a4.pdf"
    assert plain == f"tunewise-{ascii_slug}-a4.pdf"


def test_a4_and_letter_downloads_have_different_names(client: TestClient) -> None:
    body = {"answers": BASE_ANSWERS, "title": "Support bot: tone & format"}
    assessment_id = client.post("/api/v1/assessments", json=body).json()["id"]
    names = {
        paper: parsed(
            client.get(f"/assessments/{assessment_id}/report.pdf?paper={paper}").headers[
                "content-disposition"
            ]
        )
        for paper in ("a4", "letter")
    }
    assert names["a4"] == ("tunewise-support-bot-tone-format-a4.pdf",) * 2
    assert names["letter"] == ("tunewise-support-bot-tone-format-letter.pdf",) * 2


@pytest.mark.parametrize(
    ("title", "unicode_name", "ascii_name"),
    [
        ("Café crème", "tunewise-café-crème-a4.pdf", "tunewise-cafe-creme-a4.pdf"),
        ("!!!", "tunewise-report-a4.pdf", "tunewise-report-a4.pdf"),
        ("", "tunewise-report-a4.pdf", "tunewise-report-a4.pdf"),
        ('a "quoted"; title\\', "tunewise-a-quoted-title-a4.pdf", "tunewise-a-quoted-title-a4.pdf"),
        ("x" * 300, f"tunewise-{'x' * 60}-a4.pdf", f"tunewise-{'x' * 60}-a4.pdf"),
    ],
)
def test_names_are_slugs_never_empty_and_capped(
    title: str, unicode_name: str, ascii_name: str
) -> None:
    assert report_filename(title, "a4") == unicode_name
    assert report_filename(title, "a4", ascii_only=True) == ascii_name
    header = content_disposition(title, "a4")
    header.encode("ascii")  # what Starlette sends as Latin-1 can always be encoded
    assert parsed(header) == (ascii_name, unicode_name)
