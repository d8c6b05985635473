"""The report's pages as WeasyPrint laid them out, read as a reader sees them: how full each
page is, whether a table row was cut across two pages, whether a heading was left at the foot
of a page without what it heads.

Reads `app.report.render.layout()`'s document: each page's box tree, with positions in CSS px.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from weasyprint.formatting_structure import boxes  # type: ignore[import-untyped]

HEADINGS = frozenset({"h1", "h2", "h3", "h4"})


@dataclass(frozen=True)
class Ink:
    """A line of text, an image or a rule on a page: where it ends, and what holds it."""

    bottom: float
    heading: str | None
    """The tag of the heading the line belongs to, when it belongs to one."""


def _inks(box: Any, heading: str | None = None) -> Iterator[Ink]:
    tag = getattr(box, "element_tag", None)
    if tag in HEADINGS:
        heading = tag
    if isinstance(box, boxes.MarginBox):
        return  # the running header and footer are on every page, however full
    if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
        yield Ink(box.position_y + box.height, heading)
        return
    for child in getattr(box, "children", ()):
        yield from _inks(child, heading)


def _content_area(page: Any) -> tuple[float, float]:
    box = page._page_box  # WeasyPrint keeps the laid-out tree here
    top = box.content_box_y()
    return top, top + box.height


def fill(document: Any) -> list[float]:
    """Each page's fill: how far down its content area the last line or image reaches (0 to 1)."""
    fills = []
    for page in document.pages:
        top, bottom = _content_area(page)
        inks = list(_inks(page._page_box))
        lowest = max((i.bottom for i in inks), default=top)
        fills.append(round((lowest - top) / (bottom - top), 3))
    return fills


def headings_left_at_the_foot(document: Any) -> list[int]:
    """The pages (from 1) whose last line is a heading: the heading is parted from its text."""
    found = []
    for number, page in enumerate(document.pages[:-1], 1):
        inks = list(_inks(page._page_box))
        if inks and max(inks, key=lambda i: i.bottom).heading is not None:
            found.append(number)
    return found


def _body_rows(box: Any) -> Iterator[Any]:
    if isinstance(box, boxes.TableRowGroupBox) and (box.is_header or box.is_footer):
        return  # a table's header row repeats on each page it spans, as it should
    if isinstance(box, boxes.TableRowBox):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _body_rows(child)


def rows_cut_across_pages(document: Any) -> list[str]:
    """The start of each table row that lies on two pages."""
    pages_of: dict[int, set[int]] = {}
    text_of: dict[int, str] = {}
    for number, page in enumerate(document.pages, 1):
        for row in _body_rows(page._page_box):
            key = id(row.element)
            pages_of.setdefault(key, set()).add(number)
            text_of.setdefault(key, "".join(row.element.itertext())[:60])
    return [text_of[k] for k, pages in pages_of.items() if len(pages) > 1]
