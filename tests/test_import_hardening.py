"""Issue 15, the report import: one upload must not freeze the server, crafted files are
refused at once with one log line, and what the input hash doesn't cover is not trusted.

The hostile files are built in tests/crafted_pdfs.py. Most tests give the app an UploadReader
whose pool is threads and whose parse the test controls (the seams it offers), so they can
see whether the parse was asked and hold it while other requests run; two use the real
worker processes.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.assessments.store import StoredAssessment
from app.config import Settings
from app.main import create_app
from app.questions import RecommendationRequest
from app.questions.proposal import MAX_PROPOSAL_GPUS
from app.report.attachment import attachment_document, read_attachment
from app.report.upload_limits import MAX_NAME_ENTRIES, UploadRefused
from app.report.upload_worker import UploadReader
from app.rules.recommend import recommend
from app.services.titles import TITLE_MAX
from tests import crafted_pdfs
from tests.conftest import BASE_ANSWERS

PDF = {"content-type": "application/pdf"}
ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1/assessments/import"


def _thread_reader(parse: Callable[[bytes], dict[str, Any]], **options: Any) -> UploadReader:
    return UploadReader(parse=parse, pool=lambda: ThreadPoolExecutor(max_workers=2), **options)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def _import(client: TestClient, pdf: bytes) -> Any:
    return client.post(API, content=pdf, headers=PDF)


# --- The caps: refused before the work that grows with the file ---------------------------


@pytest.fixture
def objects_read(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every object pypdf resolves; more than 50 fails the test at once (the old reader
    resolved each of 10,000 missing ones, searching the whole file for each)."""
    seen: list[Any] = []
    original = PdfReader.get_object

    def counting(self: PdfReader, reference: Any) -> Any:
        seen.append(reference)
        if len(seen) > 50:
            pytest.fail("pypdf resolved more than 50 objects of a crafted upload")
        return original(self, reference)

    monkeypatch.setattr(PdfReader, "get_object", counting)
    return seen


def test_10000_missing_attachments_are_refused_before_pypdf_reads_an_object(
    objects_read: list[Any],
) -> None:
    with pytest.raises(UploadRefused, match="references"):
        read_attachment(crafted_pdfs.missing_attachments(10_000))
    assert objects_read == []


def test_a_name_tree_past_its_cap_is_refused_having_read_only_its_path(
    objects_read: list[Any],
) -> None:
    with pytest.raises(UploadRefused, match=f"more than {MAX_NAME_ENTRIES} attachments"):
        read_attachment(crafted_pdfs.missing_attachments(MAX_NAME_ENTRIES + 1))
    assert len(objects_read) <= 3  # the catalog, the tree; none of its entries


def test_a_missing_object_is_refused_not_searched_for(objects_read: list[Any]) -> None:
    with pytest.raises(UploadRefused, match="does not hold"):
        read_attachment(crafted_pdfs.missing_kid())
    assert len(objects_read) <= 2


def test_a_crafted_upload_is_refused_without_asking_a_worker_and_logged_once(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    asked: list[bytes] = []

    def parse(pdf: bytes) -> dict[str, Any]:
        asked.append(pdf)
        return read_attachment(pdf)

    app.state.upload_reader = _thread_reader(parse)
    with TestClient(app) as client, caplog.at_level(logging.INFO):
        caplog.clear()
        response = _import(client, crafted_pdfs.missing_attachments(10_000))
    assert response.status_code == 422
    assert "more than 8,000 references" in response.json()["errors"][0]["message"]
    assert asked == []
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in warnings] == ["app.http.imports"], caplog.text
    assert "import refused (422" in warnings[0].getMessage()


# --- Off the event loop, bounded ---------------------------------------------------------


class HeldParse:
    """A parse that signals it started and waits until the test lets it go."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, pdf: bytes) -> dict[str, Any]:
        self.started.set()
        self.release.wait(timeout=30)
        return read_attachment(pdf)


def test_healthz_answers_while_an_upload_is_being_read(app: FastAPI) -> None:
    held = HeldParse()
    app.state.upload_reader = _thread_reader(held)
    answers: list[int] = []
    with TestClient(app) as client:
        upload = threading.Thread(
            target=lambda: answers.append(_import(client, crafted_pdfs.tunewise_pdf()).status_code)
        )
        upload.start()
        try:
            assert held.started.wait(timeout=30), "the upload was never handed to the reader"
            assert client.get("/healthz").status_code == 200
            assert client.get("/assessments").status_code == 200
            assert answers == []  # the upload is still being read
        finally:
            held.release.set()
            upload.join(timeout=30)
    assert answers == [201]


def test_when_every_reader_is_taken_the_next_upload_gets_503_with_retry_after(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    held = HeldParse()
    app.state.upload_reader = _thread_reader(held, workers=1, waiting=0)
    with TestClient(app) as client:
        first = threading.Thread(target=lambda: _import(client, crafted_pdfs.tunewise_pdf()))
        first.start()
        try:
            assert held.started.wait(timeout=30)
            caplog.clear()
            busy = _import(client, crafted_pdfs.tunewise_pdf())
            page = client.post(
                "/assessments/import",
                files={"file": ("r.pdf", crafted_pdfs.tunewise_pdf(), "application/pdf")},
            )
        finally:
            held.release.set()
            first.join(timeout=30)
    assert busy.status_code == 503
    assert busy.headers["retry-after"].isdigit()
    assert busy.json()["errors"][0]["field"] == "file"
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "try again shortly" in page.text
    assert len([r for r in caplog.records if r.name == "app.http.imports"]) == 2


SLOW = b"%slow\n"


def sleepy_parse(pdf: bytes) -> dict[str, Any]:
    """For a real worker process: a file ending in SLOW takes longer than any deadline."""
    if pdf.endswith(SLOW):
        time.sleep(120)
    return read_attachment(pdf)


def test_a_read_past_its_deadline_is_stopped_and_refused(app: FastAPI) -> None:
    reader = UploadReader(timeout_s=1.0, parse=sleepy_parse)
    app.state.upload_reader = reader
    with TestClient(app) as client:
        response = _import(client, crafted_pdfs.tunewise_pdf() + SLOW)
        assert response.status_code == 422
        assert "took longer than" in response.json()["errors"][0]["message"]
        assert reader.busy == 0
        reader.timeout_s = 60  # room for the new worker to start on a busy machine
        again = _import(client, crafted_pdfs.tunewise_pdf())
        assert again.status_code == 201, again.text  # read by a new worker


def test_worker_processes_keep_pypdfs_warnings_out_of_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """A report whose startxref points nowhere still reopens (pypdf repairs it), and the
    repair's warnings, written by pypdf in the worker, reach neither the log nor stderr."""
    pdf = crafted_pdfs.tunewise_pdf()
    head, _, tail = pdf.rpartition(b"startxref\n")
    broken = head + b"startxref\n" + b"9" + tail
    caplog.clear()
    response = _import(client, broken)
    assert response.status_code == 201, response.text
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert "startxref" not in capfd.readouterr().err


SERVER_THAT_READS_ONE_UPLOAD = """
import asyncio, pathlib, sys, time
from app.report.upload_worker import UploadReader
from app.rules.recommend import recommend
from tests import crafted_pdfs
from tests.conftest import BASE_ANSWERS
reader = UploadReader()
asyncio.run(reader.read(crafted_pdfs.tunewise_pdf()))
me = pathlib.Path("/proc/self/task")
children = {c for t in me.iterdir() for c in (t / "children").read_text().split()}
print(" ".join(sorted(children)), flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    return "State:\tZ" not in status


def test_upload_workers_exit_when_their_server_is_killed() -> None:
    with subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", SERVER_THAT_READS_ONE_UPLOAD],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    ) as server:
        try:
            assert server.stdout is not None
            workers = [int(pid) for pid in server.stdout.readline().split()]
            assert workers, "the upload was read without a worker process"
        finally:
            server.kill()
            server.wait(timeout=30)
    for _ in range(200):  # the watch looks twice a second; give a busy machine 20 s
        if not any(_running(pid) for pid in workers):
            break
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers)


# --- Malformed files are 422, not 500 ----------------------------------------------------


def _nested(levels: int) -> Any:
    value: Any = "a100-80gb"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("pdf", "message"),
    [
        (crafted_pdfs.encrypted(crafted_pdfs.tunewise_pdf()), "encrypted"),
        (crafted_pdfs.deeply_nested(), "nested too deeply"),
        (crafted_pdfs.tunewise_pdf(context={"gpu": _nested(40)}), "nested too deeply"),
    ],
    ids=["aes-256 trailer", "json 100,000 deep", "a context value 40 deep"],
)
def test_malformed_reports_are_422_with_a_message(
    client: TestClient, pdf: bytes, message: str
) -> None:
    response = _import(client, pdf)
    assert response.status_code == 422
    assert message in response.json()["errors"][0]["message"]


# --- What the hash does not cover --------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    ["nul\x00title", "escape\x1b[31m", "evil\u202etxt.exe", "x" * (TITLE_MAX + 1)],
    ids=["NUL", "ESC", "U+202E", "201 characters"],
)
def test_imported_titles_meet_the_rules_of_new_ones(client: TestClient, title: str) -> None:
    response = _import(client, crafted_pdfs.tunewise_pdf(title=title))
    assert response.status_code == 422
    assert "title" in response.json()["errors"][0]["message"]
    page = client.post(
        "/assessments/import",
        files={"file": ("r.pdf", crafted_pdfs.tunewise_pdf(title=title), "application/pdf")},
    )
    assert page.status_code == 422
    assert "\x00" not in page.text
    assert "\x1b" not in page.text


def test_an_imported_title_is_trimmed_and_a_blank_one_is_untitled(client: TestClient) -> None:
    kept = _import(client, crafted_pdfs.tunewise_pdf(title="  Q3 support bot  "))
    assert kept.json()["title"] == "Q3 support bot"
    blank = _import(client, crafted_pdfs.tunewise_pdf(title="   "))
    assert blank.json()["title"] == "Untitled assessment"


def test_an_import_is_dated_by_the_server_not_by_the_file(client: TestClient) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    response = _import(client, crafted_pdfs.tunewise_pdf(created_at="9999-12-31T23:59:59Z"))
    assert response.status_code == 201, response.text
    created = datetime.fromisoformat(response.json()["created_at"])
    assert before <= created <= datetime.now(UTC)


def test_an_altered_report_is_refused_before_any_recommendation(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 21, F2: the input hash is checked first, so an altered file costs no engine time
    (and no error the engine might raise on what it carries)."""

    def never(*_: Any) -> Any:
        pytest.fail("an altered report was recommended for")

    monkeypatch.setattr("app.services.assessments.recommend", never)
    changed = {**BASE_ANSWERS, "budget_usd": 123}
    response = _import(client, crafted_pdfs.tunewise_pdf(answers=changed))
    assert response.status_code == 422
    assert "altered" in response.json()["errors"][0]["message"]


def test_a_report_carrying_the_largest_proposal_reopens(client: TestClient) -> None:
    """Issue 21, F2: 64 GPUs on a 1,000B model was a 500 on import too."""
    body = {
        "answers": BASE_ANSWERS,
        "proposal": {"approach": "lora", "model_size_b": 1000, "gpu_count": MAX_PROPOSAL_GPUS},
    }
    stored = StoredAssessment.of(
        recommend(RecommendationRequest.model_validate(body)),
        assessment_id="crafted",
        title="Largest proposal",
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    document = json.dumps(attachment_document(stored)).encode()
    response = _import(client, crafted_pdfs.pdf_with_attachment(document))
    assert response.status_code == 201, response.text


# --- The browser's import is rate-limited like the API's, and says so as a page ----------


def test_the_browser_import_is_rate_limited_with_a_page(tmp_path: Any) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'limited.sqlite3'}", rate_limit_assessments="2/minute"
    )
    with TestClient(create_app(settings)) as client:
        upload = {"file": ("r.pdf", crafted_pdfs.tunewise_pdf(), "application/pdf")}
        answers = [
            client.post("/assessments/import", files=upload, follow_redirects=False)
            for _ in range(3)
        ]
        api = _import(client, crafted_pdfs.tunewise_pdf())
    assert [a.status_code for a in answers] == [303, 303, 429]
    refused = answers[-1]
    assert refused.headers["content-type"].startswith("text/html")
    assert refused.headers["retry-after"].isdigit()
    assert "Too many assessments from this address" in refused.text
    assert "There is a problem" in refused.text
    assert api.status_code == 429  # one limit for both ways in
    assert api.json()["errors"][0]["field"] == "rate"


def test_the_openapi_documents_the_busy_answer(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"][API]["post"]
    assert "503" in operation["responses"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert "400" in operation["responses"]
