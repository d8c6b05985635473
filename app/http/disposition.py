"""The PDF's file name: the title and the paper size, in a header every browser can read.

HTTP headers are Latin-1 on the wire (Starlette encodes them so), and a title may be any
Unicode text: "Привет", "Ωmega ß", "日本語". So the name travels twice (RFC 6266 with RFC 5987):
`filename*=UTF-8''…`, percent-encoded, carries the title as written, and `filename="…"`, plain
ASCII, is the fallback for clients that do not read the first. Both are pure ASCII, so building
the header can never fail after the report has been rendered and cached.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

SLUG_MAX = 60
"""Characters of the title kept in the name: enough to tell reports apart in a folder."""
FALLBACK_SLUG = "report"
"""The name's middle when nothing of the title survives: `tunewise-report-a4.pdf`."""

_RUNS = re.compile(r"-{2,}")


def _slug(title: str, *, ascii_only: bool) -> str:
    """Lower-case letters and digits of the title, anything else one hyphen; never empty.

    The ASCII form first decomposes accented letters (é → e) and drops what has no ASCII
    spelling; a title written wholly outside Latin letters falls back to "report".
    """
    text = unicodedata.normalize("NFKD" if ascii_only else "NFC", title).lower()
    if ascii_only:
        text = text.encode("ascii", "ignore").decode("ascii")
    kept = "".join(c if c.isalnum() else "-" for c in text)
    slug = _RUNS.sub("-", kept).strip("-")[:SLUG_MAX].strip("-")
    return slug or FALLBACK_SLUG


def report_filename(
    title: str, paper: str, *, ascii_only: bool = False, recalculated: bool = False
) -> str:
    """`tunewise-<title>-<paper>.pdf`, so the A4 and Letter downloads do not overwrite each
    other in a downloads folder; a recalculated view's report says so before the paper size."""
    variant = "-recalculated" if recalculated else ""
    return f"tunewise-{_slug(title, ascii_only=ascii_only)}{variant}-{paper}.pdf"


def content_disposition(title: str, paper: str, *, recalculated: bool = False) -> str:
    """`attachment` with an ASCII `filename` and the UTF-8 `filename*` (RFC 6266, 5987)."""
    fallback = report_filename(title, paper, ascii_only=True, recalculated=recalculated)
    encoded = quote(report_filename(title, paper, recalculated=recalculated), safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
