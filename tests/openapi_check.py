"""Every response a test provokes, validated by openapi-core against the app's /openapi.json.

`CheckedClient` is a TestClient whose every answer to an operation of the schema is validated
(status, content type, headers, body) before the test sees it, and recorded as
(operationId, status), so a test can also say which statuses it has seen for which operation.
Answers to addresses the schema does not describe (the pages, a method a path does not take)
are not operations, and pass unchecked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_core import Config, OpenAPI
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.testing import MockRequest, MockResponse

from app.problems import PROBLEM_JSON


def _text(data: bytes | str, **_parameters: str) -> str:
    return data if isinstance(data, str) else data.decode("utf-8")


@cache
def _validator(schema_json: str) -> OpenAPI:
    """openapi-core's validator of a schema, built once per schema a test run meets (about
    1.4 s each here; the apps of most tests publish the same schema)."""
    # A binary body (the PDF, the recipe files) is a string of octets to the schema
    # (`format: binary`):
    # openapi-core's 3.1 validator checks a str, so its bytes are read one char per octet.
    # It reads application/json only, not the +json suffix of problem details.
    readers: dict[str, Callable[[bytes], Any]] = {
        "application/pdf": lambda data: data.decode("latin-1"),
        # The recipe files are text, typed as binary attachments like the PDF.
        "text/x-python": _text,
        "application/yaml": _text,
        PROBLEM_JSON: json.loads,
    }
    config = Config(extra_media_type_deserializers=readers)
    return OpenAPI.from_dict(json.loads(schema_json), config=config)


class SchemaCheck:
    """openapi-core's response validation of one schema, and what it has seen."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.api = _validator(json.dumps(schema, sort_keys=True))
        self.seen: set[tuple[str, str]] = set()

    def operation_id(self, path_pattern: str, method: str) -> str:
        return str(self.schema["paths"][path_pattern][method]["operationId"])

    def check(self, response: Any) -> None:  # the TestClient's httpx response
        """Raise when the answer is not what the schema says; record it when it is."""
        url = response.request.url
        request = MockRequest(
            f"{url.scheme}://{url.netloc.decode()}",
            response.request.method,
            url.path,
            args=dict(url.params),
            headers=dict(response.request.headers),
            content_type=response.request.headers.get("content-type", ""),
        )
        answer = MockResponse(
            response.content,
            response.status_code,
            headers=dict(response.headers),
            content_type=response.headers.get("content-type", ""),
        )
        try:
            self.api.validate_response(request, answer)
        except (PathNotFound, OperationNotFound):
            return  # not an operation of the API: a page, or a method a path does not take
        pattern = self._pattern(url.path, response.request.method.lower())
        self.seen.add(
            (self.operation_id(pattern, response.request.method.lower()), str(answer.status_code))
        )

    def _pattern(self, path: str, method: str) -> str:
        for pattern, item in self.schema["paths"].items():
            if method not in item:
                continue
            parts, wanted = pattern.split("/"), path.split("/")
            if len(parts) == len(wanted) and all(
                p == w or (p.startswith("{") and p.endswith("}"))
                for p, w in zip(parts, wanted, strict=True)
            ):
                return str(pattern)
        raise PathNotFound(path)

    def documented(self) -> set[tuple[str, str]]:
        """(operationId, status) for every status every operation documents."""
        return {
            (operation["operationId"], status)
            for item in self.schema["paths"].values()
            for operation in item.values()
            for status in operation["responses"]
        }


class CheckedClient(TestClient):
    """A TestClient whose answers are validated against the app's own schema."""

    def __init__(self, app: FastAPI, check: SchemaCheck | None = None, **options: Any) -> None:
        super().__init__(app, **options)
        self.schema_check = check or SchemaCheck(app.openapi())

    def request(self, *args: Any, **kwargs: Any) -> Any:
        response = super().request(*args, **kwargs)
        self.schema_check.check(response)
        return response
