"""A server's app keeps what it loaded at start-up out of the collector's full passes
(app/long_lived.py); an app a test builds freezes nothing. The storm in
tests/test_recommendation_storm.py is the behaviour this serves: `/healthz` fast while new
inputs fill the engine's caches."""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def test_only_a_server_app_freezes_what_it_loaded(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'frozen.sqlite3'}")
    gc.unfreeze()
    try:
        with TestClient(create_app(settings)):
            assert gc.get_freeze_count() == 0
        with TestClient(create_app(settings, serving=True)):
            assert gc.get_freeze_count() > 50_000  # the modules, validators and catalogues
    finally:
        gc.unfreeze()
