"""What a title may be: one line of plain, visible text, the same for the API, the wizard and
the import.

A title is shown in lists, pages, PDFs and file names, so it must read as what it is. It is
refused by Unicode category, not by a list of characters that grows with each finding:

- Cc control characters (C0, DEL, C1): terminals and logs act on them;
- Cf format characters of the Basic Multilingual Plane: invisible marks (zero-width space,
  word joiner, the byte order mark, the right-to-left and Arabic letter marks, soft hyphen)
  and the bidi embeddings, overrides and isolates that make a title in a list read as
  something else; except the zero-width joiner and non-joiner, which Persian, the Indic
  scripts and emoji sequences need. Those past the BMP are the format controls of historic
  scripts and music notation and the tag characters of subdivision flags, which a title may
  hold;
- Cs lone surrogates, which no UTF-8 text holds;
- Zl and Zp, the line and paragraph separators: a title is one line.

And it must show something: a title made only of spaces, or of letters and symbols that print
nothing (the Hangul fillers, the blank Braille pattern), is refused too (issue 21, F12).
"""

from __future__ import annotations

import unicodedata
from functools import cache

DEFAULT_TITLE = "Untitled assessment"
TITLE_MAX = 200

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
BMP_END = 0xFFFF
"""Every Cc, Cs, Zl and Zp character lies below it, and the Cf ones that hide or reorder text."""
JOINERS = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner (Cf): part of how some scripts and emoji are written."""
PRINTS_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Letters and a symbol that render as blank: Hangul choseong and jungseong fillers, the
Hangul filler and its halfwidth form, and the blank Braille pattern."""

NOT_PLAIN_TEXT = "the title must be one line of plain text, without control characters or marks"
NOTHING_VISIBLE = "the title must have some visible text"


def _refused(ch: str) -> bool:
    return (
        ord(ch) <= BMP_END and unicodedata.category(ch) in REFUSED_CATEGORIES and ch not in JOINERS
    )


def _visible(ch: str) -> bool:
    return not ch.isspace() and ch not in PRINTS_NOTHING and ch not in JOINERS


def title_problem(title: str) -> str | None:
    """What is wrong with a (stripped) title, for the API, the wizard and the import alike."""
    if len(title) > TITLE_MAX:
        return f"Enter a title of {TITLE_MAX} characters or fewer"
    if any(_refused(ch) for ch in title):
        return NOT_PLAIN_TEXT
    if not any(_visible(ch) for ch in title):
        return NOTHING_VISIBLE
    return None


def _class_body(chars: list[int]) -> str:
    """A regex character class body for these BMP code points, as ranges of `\\uXXXX`
    (which Python's `re` and ECMAScript read alike)."""
    parts: list[str] = []
    start = previous = chars[0]
    for cp in [*chars[1:], -1]:
        if cp == previous + 1:
            previous = cp
            continue
        parts.append(f"\\u{start:04x}" + ("" if start == previous else f"-\\u{previous:04x}"))
        start = previous = cp
    return "".join(parts)


def _lone(cp: int) -> bool:
    """A surrogate code point: no text holds one, and regex engines that read only Unicode
    scalar values (Rust's, which schema validators use) refuse a pattern that names one, so
    the pattern leaves them out; JSON's `\\ud800` escapes can still send one, and the rule
    refuses it."""
    return SURROGATES[0] <= cp <= SURROGATES[1]


SURROGATES = (0xD800, 0xDFFF)


@cache
def title_pattern() -> str:
    """The same rules as a JSON Schema pattern, for the API's documentation and the tools
    that generate requests from it: built from this Python's Unicode tables when the schema
    is first made (a few tens of milliseconds), so it never disagrees with title_problem
    (lone surrogates aside: see _lone)."""
    refused = _class_body([cp for cp in range(BMP_END + 1) if _refused(chr(cp)) and not _lone(cp)])
    blank = _class_body(sorted({*map(ord, PRINTS_NOTHING), *map(ord, JOINERS)}))
    return rf"^[^{refused}]*[^\s{refused}{blank}][^{refused}]*$"
