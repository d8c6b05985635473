"""WeasyPrint's URL fetcher for reports: deny by default.

A report may load `data:` URLs and the files of the app's own packaged directories, nothing
else: no network, no redirects, no file outside those directories (symlinks and `..` are
resolved before the check). A refused URL stops the render instead of leaving a gap in the
document, since nothing in a report should ever ask for one.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import (  # type: ignore[import-untyped]  # WeasyPrint ships no types
    FatalURLFetchingError,
    URLFetcher,
    URLFetcherResponse,
)

MAX_FILE_BYTES = 4_000_000
"""The packaged fonts are under 1 MB each; anything larger is not one of ours."""


class BlockedURLError(FatalURLFetchingError):  # type: ignore[misc]
    """A report asked for a URL outside what the fetcher allows."""


class ReportFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `data:` URLs and files under `allowed_dirs`; records every URL it is asked for."""

    def __init__(self, allowed_dirs: Iterable[Path]) -> None:
        super().__init__(timeout=1, allowed_protocols={"data", "file"}, allow_redirects=False)
        self.allowed_dirs = tuple(Path(d).resolve(strict=True) for d in allowed_dirs)
        self.requested: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        self.requested.append(url)
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            response: URLFetcherResponse = super().fetch(url, headers)
            return response
        if scheme == "file":
            return self._packaged_file(url)
        raise BlockedURLError(f"the report may not fetch {url!r}")

    def _packaged_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.query:
            raise BlockedURLError(f"the report may not fetch {url!r}")
        try:
            path = Path(unquote(parts.path)).resolve(strict=True)
        except OSError as exc:
            raise BlockedURLError(f"the report may not fetch {url!r}") from exc
        inside = any(path.is_relative_to(root) for root in self.allowed_dirs)
        if not inside or not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            raise BlockedURLError(f"the report may not fetch {url!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )
