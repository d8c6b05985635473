"""The load and soak run (`tests.load.run`) and its locust scenario (`locustfile.py`)."""

from __future__ import annotations

from pathlib import Path


def locustfile_path() -> Path:
    """The scenario file, for locust's `-f` (never imported here: gevent patches on import)."""
    return Path(__file__).with_name("locustfile.py")
