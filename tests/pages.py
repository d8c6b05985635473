"""A checker every page test uses: the basics a rendered page must get right."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page(HTMLParser):
    h1: list[str] = field(default_factory=list)
    title: str = ""
    ids: list[str] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    inputs: list[dict[str, str]] = field(default_factory=list)
    scripts: list[dict[str, str]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    _in: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "label" and "for" in a:
            self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.inputs.append(a)
        if tag == "script":
            self.scripts.append(a)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("h1", "title"):
            self._in.append(tag)
            if tag == "h1":
                self.h1.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            self._in.remove(tag)

    def handle_data(self, data: str) -> None:
        if "title" in self._in:
            self.title += data
        if "h1" in self._in:
            self.h1[-1] += data


def check_page(html: str) -> Page:
    """One h1, a title that starts with it, labelled inputs, unique ids, no inline script."""
    page = Page()
    page.feed(html)
    headings = [" ".join(h.split()) for h in page.h1 if h.strip()]
    assert len(headings) == 1, headings
    title = " ".join(page.title.split()).removeprefix("Error: ")
    assert title.startswith(headings[0]), (title, headings[0])
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates, duplicates
    for field_attrs in page.inputs:
        labelled = field_attrs.get("id") in page.label_for or "aria-label" in field_attrs
        assert labelled, field_attrs
    for script in page.scripts:
        assert script.get("src") or script.get("type") == "application/json", script
    return page
