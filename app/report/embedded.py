"""Reading a PDF's attachments with pypdf, within the caps of app.report.upload_limits.

It runs in the upload worker (app.report.upload_worker), never in the server: the server
checks the raw bytes (`precheck`) and hands the file over. See upload_limits for why the
walk counts a node's entries before resolving any and never searches for a missing object.
"""

from __future__ import annotations

from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from app.report.upload_limits import MAX_NAME_ENTRIES, MAX_OBJECTS, MAX_TREE_DEPTH, UploadRefused


def check_cross_references(reader: PdfReader) -> None:
    """Refuse a cross-reference table past the cap (counted, nothing resolved)."""
    listed = sum(len(entries) for entries in reader.xref.values()) + len(reader.xref_objStm)
    if listed > MAX_OBJECTS:
        raise UploadRefused(f"the PDF lists more than {MAX_OBJECTS:,} objects")


def _resolve(reader: PdfReader, value: Any) -> Any:
    """The object behind a reference, if the cross-reference table holds it; else refused."""
    if not isinstance(value, IndirectObject):
        return value
    held = value.idnum in reader.xref.get(value.generation, {}) or (
        value.generation == 0 and value.idnum in reader.xref_objStm
    )
    if not held:
        raise UploadRefused("the PDF refers to objects it does not hold")
    return value.get_object()


def _entry(dictionary: DictionaryObject, key: str) -> Any:
    """An entry as written, a reference left unresolved (pypdf's [] would resolve it)."""
    return dict.get(dictionary, key)


def _dictionary(reader: PdfReader, value: Any) -> DictionaryObject | None:
    found = _resolve(reader, value)
    return found if isinstance(found, DictionaryObject) else None


def _array(reader: PdfReader, value: Any) -> list[Any]:
    found = _resolve(reader, value)
    return list(found) if isinstance(found, ArrayObject) else []


def _file_specs(reader: PdfReader, tree: DictionaryObject, name: str) -> list[Any]:
    """The file specifications filed under `name`, each node's entries counted before use."""
    found: list[Any] = []
    budget = MAX_NAME_ENTRIES
    pending: list[tuple[DictionaryObject, int]] = [(tree, 0)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_TREE_DEPTH:
            raise UploadRefused(f"the PDF's attachment list is nested over {MAX_TREE_DEPTH} deep")
        pairs = _array(reader, _entry(node, "/Names"))
        kids = _array(reader, _entry(node, "/Kids"))
        budget -= len(pairs) // 2 + len(kids)
        if budget < 0:
            raise UploadRefused(f"the PDF lists more than {MAX_NAME_ENTRIES} attachments")
        for key, spec in zip(pairs[::2], pairs[1::2], strict=False):
            if str(_resolve(reader, key)) == name:
                found.append(spec)
        for kid in kids:
            child = _dictionary(reader, kid)
            if child is not None:
                pending.append((child, depth + 1))
    return found


def embedded_files(reader: PdfReader, name: str) -> list[bytes]:
    """The contents of every attachment called `name`, read within the caps."""
    check_cross_references(reader)
    root = _dictionary(reader, _entry(reader.trailer, "/Root"))
    names = _dictionary(reader, _entry(root, "/Names")) if root is not None else None
    tree = _dictionary(reader, _entry(names, "/EmbeddedFiles")) if names is not None else None
    if tree is None:
        return []
    contents = []
    for spec in _file_specs(reader, tree, name):
        specified = _dictionary(reader, spec)
        files = _dictionary(reader, _entry(specified, "/EF")) if specified is not None else None
        content = (_entry(files, "/F") or _entry(files, "/UF")) if files is not None else None
        stream = _resolve(reader, content)
        if not isinstance(stream, StreamObject):
            raise UploadRefused(f"the PDF's {name} attachment has no content")
        contents.append(stream.get_data())
    return contents
