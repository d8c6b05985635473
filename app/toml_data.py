"""The shipped TOML data files, parsed once per content and kept beside them, as bytecode is.

Why: the engine's data (rules, constants, the model and GPU catalogues, prices) is some 150 KB
of TOML, and tomllib takes about a tenth of `python -m app recommend`'s start to parse it, on
every run. The documents hold tables, arrays, strings, numbers and booleans only, which marshal
writes and reads back in well under a millisecond. The parsed document is kept in the data
folder's `__pycache__`, one file per data file, with a hash of the text it was parsed from: an
edited file is parsed afresh. It is written only where Python writes bytecode (not under
PYTHONDONTWRITEBYTECODE), atomically, and a cache that cannot be read or written costs only
the parse. Each call returns a fresh document, as tomllib does, so a caller may change it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

_FORMAT = f"{sys.version_info[0]}.{sys.version_info[1]} marshal {marshal.version}".encode()


def _key(data: bytes) -> str:
    return hashlib.sha256(_FORMAT + b"\0" + data).hexdigest()


def load(path: Path) -> dict[str, Any]:
    """The TOML file at `path`, as tomllib.loads gives it."""
    data = path.read_bytes()
    key = _key(data)
    cache = path.parent / "__pycache__" / f"{path.name}.marshal"
    try:
        stored_key, doc = marshal.loads(cache.read_bytes())  # noqa: S302  # as trusted as a .pyc
    except (OSError, EOFError, ValueError, TypeError):
        pass
    else:
        if stored_key == key and isinstance(doc, dict):
            return doc
    import tomllib  # noqa: PLC0415  # on a miss only: its import compiles a dozen patterns

    doc = tomllib.loads(data.decode("utf-8"))
    if not sys.dont_write_bytecode:
        _store(cache, key, doc)
    return doc


def _store(cache: Path, key: str, doc: dict[str, Any]) -> None:
    try:
        cache.parent.mkdir(exist_ok=True)
        partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        partial.write_bytes(marshal.dumps((key, doc)))
        partial.replace(cache)
    except (OSError, ValueError):  # read-only install, or a value marshal cannot write
        return


def warm(root: Path) -> int:
    """Parse and keep every data file under `root` (an image build runs this once, as it
    compiles the bytecode, since the running image writes neither); how many it read."""
    paths = sorted(root.glob("**/data/*.toml"))
    for path in paths:
        load(path)
    return len(paths)


if __name__ == "__main__":
    sys.dont_write_bytecode = False  # this run exists to write them
    sys.stdout.write(f"kept {warm(Path(__file__).parent)} parsed data files\n")
