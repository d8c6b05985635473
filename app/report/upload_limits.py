r"""What an uploaded PDF may hold, checked before the work that grows with it.

pypdf forgives broken files: an object missing from the cross-reference table is searched for
through the whole file, once per reference. A 186 KB upload whose embedded-files name tree
pointed at 10,000 missing objects took 47 s that way (issue 15), so the work grew with the
file's size times its references. A Tunewise report holds about 125 objects, a few hundred
references and a name tree of one entry; the caps below leave real reports ample room and
refuse crafted ones before anything that grows with them runs:

- `precheck` reads the raw bytes only, once, and stops counting at the cap: the objects and
  references the file shows, the object count its trailers declare, and encryption (no
  Tunewise report is encrypted, and pypdf would need a library we don't ship to read AES).
  It runs in the server process on bytes anyone may send, so every scan is linear in them:
  a pattern never backtracks into a run it has already read (issue 21: `\d+\s+\d+\s+obj`
  cost the square of a run of digits, 40,000 of them stalled the server for 12 to 30 s,
  since `re` holds the interpreter lock throughout), and no byte is read by more than one
  trailer's window.
- `embedded_files` (app.report.embedded, in the upload worker: pypdf stays out of the server)
  walks the EmbeddedFiles name tree itself, counting a node's entries before resolving any,
  and resolves only objects the cross-reference table holds: a missing one is refused, never
  searched for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_OBJECTS = 2_000
"""Objects a file may show, declare in a trailer or list in its cross-reference table."""
MAX_REFERENCES = 8_000
"""References (`12 0 R`) a file may show outside compressed streams."""
MAX_NAME_ENTRIES = 64
"""Entries and kids, all nodes together, of the embedded-files name tree."""
MAX_TREE_DEPTH = 8
"""Levels of that name tree; a balanced tree of 64 entries needs two."""

_NUMBER_PAIR = rb"(?<![0-9])[0-9]++\s++[0-9]++\s++"
r"""`12 0 `, matched in time linear in the bytes: it starts only where a number starts (never
inside a run of digits, as a bare `\d+` would, once per digit), and its possessive runs never
give back what they took, so a near-miss fails at once instead of retrying shorter splits."""
_OBJECT = re.compile(_NUMBER_PAIR + rb"obj\b")
_REFERENCE = re.compile(_NUMBER_PAIR + rb"R\b")
_MAYBE_REFERENCE = re.compile(rb"R(?![A-Za-z0-9_])")
"""Every reference matches this (and more does): a literal first, so it scans fast."""
_SIZE = re.compile(rb"/Size\s++([0-9]{1,12})")
_ENCRYPT = re.compile(rb"/Encrypt\b")
_WINDOW = 4096
"""How far from a trailer keyword its dictionary may reach (it is a few hundred bytes)."""


class UploadRefused(ValueError):  # noqa: N818  # a refusal, said to the person who uploaded
    """The upload is past a cap, or not what a Tunewise report is; the message says which."""


def _more_than(cap: int, pattern: re.Pattern[bytes], data: bytes, upper_bound: int) -> bool:
    """Whether `pattern` occurs more than `cap` times. `upper_bound`, a count that is never
    lower (found by a faster scan), settles most files without the slower exact count, which
    stops at cap + 1."""
    if upper_bound <= cap:
        return False
    return any(seen > cap for seen, _ in enumerate(pattern.finditer(data), start=1))


def _trailers(pdf: bytes) -> Iterator[bytes]:
    """Each trailer dictionary, roughly: from `trailer` to `startxref`, or from the `obj` that
    opens a cross-reference stream to its `stream` keyword (never into a neighbour, whose
    /Size may be an attachment's size in bytes).

    Windows never overlap: a keyword inside the previous window was read with it, and the
    next search starts where that window ended. So a body made of keywords (a megabyte of
    `trailer`) is read once, not once per keyword times the window.
    """
    for key, opening, closing in ((b"trailer", None, b"startxref"), (b"/XRef", b"obj", b"stream")):
        read_to = 0
        at = pdf.find(key)
        while at != -1:
            start = at
            if opening is not None:
                start = max(pdf.rfind(opening, max(read_to, at - _WINDOW), at), read_to)
            end = pdf.find(closing, at, at + _WINDOW)
            read_to = end if end != -1 else min(len(pdf), at + _WINDOW)
            yield pdf[start:read_to]
            at = pdf.find(key, max(read_to, at + len(key)))


def precheck(pdf: bytes) -> None:
    """Refuse, from the raw bytes alone and in time linear in them, a file past the caps.

    A few milliseconds a megabyte: every scan but the exact counts is a literal search, and
    those run only when the fast count is past the cap.
    """
    if _more_than(MAX_OBJECTS, _OBJECT, pdf, pdf.count(b"obj") - pdf.count(b"endobj")):
        raise UploadRefused(f"the PDF holds more than {MAX_OBJECTS:,} objects")
    maybe_references = len(_MAYBE_REFERENCE.findall(pdf))
    if _more_than(MAX_REFERENCES, _REFERENCE, pdf, maybe_references):
        raise UploadRefused(f"the PDF holds more than {MAX_REFERENCES:,} references")
    for window in _trailers(pdf):
        for size in _SIZE.finditer(window):
            if int(size.group(1)) > MAX_OBJECTS:
                raise UploadRefused(f"the PDF declares more than {MAX_OBJECTS:,} objects")
        if _ENCRYPT.search(window):
            raise UploadRefused("the PDF is encrypted, and Tunewise reports never are")
