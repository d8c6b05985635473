"""schemathesis against /openapi.json: no server error, and every response fits the schema.

Bounded (a few examples per operation) so it stays a few seconds in `make test`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from app.config import Settings
from app.main import create_app

_DB = Path(tempfile.mkdtemp(prefix="tunewise-schema-")) / "tunewise.sqlite3"
APP = create_app(Settings(database_url=f"sqlite:///{_DB}", log_requests=False))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_schema(case: Any) -> None:
    response = case.call()
    case.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
