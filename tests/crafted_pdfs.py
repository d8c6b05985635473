"""Uploads for the import's tests and its load storm: Tunewise-shaped PDFs, and hostile ones.

The hostile files are the ones of issue 15, written byte by byte (pypdf's writer won't refer
to objects that do not exist): an embedded-files name tree pointing at thousands of missing
objects, a tree whose kid is missing, a trailer declaring AES-256 encryption.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

from pypdf import PdfWriter

from app.assessments.store import StoredAssessment
from app.questions import RecommendationRequest
from app.report.attachment import ATTACHMENT_NAME, attachment_document
from app.rules.recommend import recommend
from tests.conftest import BASE_ANSWERS

AES_256 = (
    b"/Encrypt << /Filter /Standard /V 5 /R 6 /Length 256 /P -4"
    b" /CF << /StdCF << /CFM /AESV3 /AuthEvent /DocOpen /Length 32 >> >>"
    b" /StmF /StdCF /StrF /StdCF /O <" + b"00" * 48 + b"> /U <" + b"00" * 48 + b">"
    b" /OE <" + b"00" * 32 + b"> /UE <" + b"00" * 32 + b"> /Perms <" + b"00" * 16 + b"> >>"
)
"""An encryption dictionary pypdf can only check with the `cryptography` package (a 500 in
the import before issue 15, as that package is not installed)."""


def raw_pdf(objects: dict[int, bytes], *, trailer: bytes = b"") -> bytes:
    """A PDF of these numbered objects with a correct cross-reference table; object 1 is the
    catalog. Numbers missing from `objects` are free entries: references to them dangle."""
    out = bytearray(b"%PDF-1.7\n")
    offsets: dict[int, int] = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    size = max(objects) + 1
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        if number in offsets:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        trailer,
        table,
    )
    return bytes(out)


def _with_tree(tree: bytes) -> bytes:
    return raw_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
            2: b"<< /Type /Pages /Kids [] /Count 0 >>",
            3: tree,
        }
    )


def missing_attachments(entries: int) -> bytes:
    """A name tree of `entries` attachments, each a reference to an object the file lacks
    (10,000 took pypdf 47 s in issue 15: each missing object searched the whole file)."""
    pairs = b" ".join(b"(f%05d) %d 0 R" % (n, 1000 + n) for n in range(entries))
    return _with_tree(b"<< /Names [ " + pairs + b" ] >>")


def missing_kid() -> bytes:
    """A name tree whose only kid is an object the file lacks."""
    return _with_tree(b"<< /Kids [ 50 0 R ] >>")


def pdf_with_attachment(data: bytes, name: str = ATTACHMENT_NAME) -> bytes:
    """A one-page PDF carrying `data` as an attachment, written by pypdf."""
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_attachment(name, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def report_document(**changes: Any) -> dict[str, Any]:
    """What a Tunewise report of the base answers embeds, with some fields changed."""
    result = recommend(RecommendationRequest.model_validate({"answers": BASE_ANSWERS}))
    stored = StoredAssessment.of(
        result,
        assessment_id="crafted",
        title="Imported assessment",
        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    return {**attachment_document(stored), **changes}


def tunewise_pdf(**changes: Any) -> bytes:
    """A PDF that reopens as an assessment (its inputs reproduce its hash); `changes` alter
    what the hash does not cover (title, created_at) or break what it does."""
    return pdf_with_attachment(json.dumps(report_document(**changes)).encode())


def encrypted(pdf: bytes) -> bytes:
    """`pdf` with its trailer declaring AES-256 encryption."""
    return pdf.replace(b"trailer\n<<", b"trailer\n<< " + AES_256, 1)


def deeply_nested(levels: int = 100_000) -> bytes:
    """A PDF whose attachment is JSON nested `levels` deep (a RecursionError, a 500, before)."""
    return pdf_with_attachment(b"[" * levels + b"]" * levels)


# --- Bodies aimed at the byte checks themselves (issue 21, F1) -----------------------------
# The checks before parsing run over the raw body in the server process. A pattern that
# backtracks over a run of digits or blanks costs the square of the run's length, and holds
# the interpreter lock while it does: each body here is past the fast counts (more than
# 2,000 `obj`, 8,000 `R`, many trailers) so the exact scans run, then gives them one long run.

_PAST_THE_CAPS = b"obj " * 2_001 + b"R " * 8_001


def digit_run(size: int) -> bytes:
    """The issue's body: past the object count, then digits to `size` bytes (48 KB of them
    stalled the server 12 to 30 s)."""
    return _PAST_THE_CAPS + b"1" * max(0, size - len(_PAST_THE_CAPS))


def digits_and_blanks(size: int) -> bytes:
    """Two digit runs with blanks between, so each part of `N N obj` matches but `obj`."""
    run = max(0, size - len(_PAST_THE_CAPS)) // 3
    return _PAST_THE_CAPS + b"1" * run + b" " * run + b"2" * run


def blank_run(size: int) -> bytes:
    """One digit, then blanks to `size`: the space between the numbers, made long."""
    return _PAST_THE_CAPS + b"1" + b" " * max(0, size - len(_PAST_THE_CAPS) - 1)


def many_trailers(size: int) -> bytes:
    """`trailer` over and over, each opening a window that never reaches `startxref`."""
    return b"trailer /Size " * (size // 14)


def many_sizes(size: int) -> bytes:
    """One trailer whose window is all `/Size` keywords followed by blanks."""
    return b"trailer" + b"/Size" + b" " * max(0, size - 12)


ADVERSARIAL_BODIES = {
    "digit run": digit_run,
    "digits and blanks": digits_and_blanks,
    "blank run": blank_run,
    "many trailers": many_trailers,
    "many sizes": many_sizes,
}
"""Each makes a body of the size asked for, aimed at the byte checks (tests/test_import_*)."""
