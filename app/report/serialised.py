"""Each PDF object serialised once when WeasyPrint writes the report.

With `pdf_identifier` (the report's identifier is a hash of its content), pydyf serialises
every object twice: once to write it and once more to hash all of them, and serialising a
stream compresses it again at zlib level 9. That second pass is about a twentieth of a
render. The finisher below runs after WeasyPrint has built the document, just before pydyf
writes it, and replaces each object with its bytes, made once; the written bytes are the same.
"""

from __future__ import annotations

from typing import Any


class _Serialised:
    """A pydyf object whose serialisation is already made: what `pydyf.PDF.write` reads of an
    object (its number, generation, free flag, whether it goes in the object stream, its
    bytes) and the offset it sets."""

    __slots__ = ("_data", "compressible", "free", "generation", "number", "offset")

    def __init__(self, obj: Any) -> None:
        self.number: int = obj.number
        self.generation: int = obj.generation
        self.free: str = obj.free
        self.offset: int = obj.offset
        self.compressible: bool = obj.compressible
        self._data: bytes = obj.data

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def indirect(self) -> bytes:
        return f"{self.number} {self.generation} obj\n".encode() + self._data + b"\nendobj"

    @property
    def reference(self) -> bytes:
        return f"{self.number} {self.generation} R".encode()


def serialise_once(_document: Any, pdf: Any) -> None:
    """A WeasyPrint `finisher`: every object in use, serialised now, once (a free object has
    no bytes, and pydyf skips it)."""
    pdf.objects[:] = [obj if obj.free == "f" else _Serialised(obj) for obj in pdf.objects]
