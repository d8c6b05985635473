"""A browser's own recent assessments, kept in a signed cookie, never a list of everyone's.

Assessment ids are unguessable, so a listing of everyone's newest assessments (titles, links)
would undo them: budgets and project names are sensitive on an intranet. Instead each browser
keeps, in one cookie, the ids of the assessments it made, opened or imported, newest first,
at most KEEP of them; the pages read the store for those ids only. It works without
JavaScript. The cookie is signed (itsdangerous, with the app's secret key) so a tampered one
is ignored; it holds nothing but ids the browser already had, and is HttpOnly.

A team that wants a shared listing turns it on (TUNEWISE_SHARED_LISTING=true); then the pages
show the store's newest assessments, as before issue 15.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

from fastapi import Request, Response
from itsdangerous import BadData, URLSafeSerializer

from app.assessments.store import ID_PATTERN, AssessmentStore, StoredAssessment
from app.config import MIN_SECRET_KEY_BYTES, Settings

log = logging.getLogger(__name__)

COOKIE = "tunewise_recent"
KEEP = 20
"""Ids kept per browser: about 1 KB of cookie, well under the 4 KB browsers allow."""
MAX_AGE_S = 365 * 24 * 3600
SALT = "tunewise.recent-assessments"
"""Keeps these signatures from being valid for any other use of the same key."""


def signing_key(settings: Settings) -> str:
    """The configured key, or one generated once into `secret_key_file` and read back.

    A key generated per process would make every restart (and every other instance) reject
    the cookies, so the generated key is written to a file next to the database: right for
    `make run` and one container with a volume. Several instances must share TUNEWISE_SECRET_KEY.
    """
    if settings.secret_key is not None:  # its length is checked by Settings
        return settings.secret_key.get_secret_value()
    path = settings.secret_key_file
    if not path.exists():
        _write_once(path, secrets.token_urlsafe(32))
    return _read_key_file(path)


class SigningKeyError(ValueError):
    """The key file cannot sign anything safely: the app refuses to start."""


def _read_key_file(path: Path) -> str:
    """The key in `path`; refused when shorter than MIN_SECRET_KEY_BYTES (an empty file would
    sign with "", and anyone could forge the cookie), with a warning when other users may
    read or change the file."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except UnicodeDecodeError as exc:
        raise SigningKeyError(f"{path} (TUNEWISE_SECRET_KEY_FILE) is not text") from exc
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        raise SigningKeyError(
            f"{path} (TUNEWISE_SECRET_KEY_FILE) holds a key of {len(key.encode())} bytes; at "
            f"least {MIN_SECRET_KEY_BYTES} are needed: delete the file to have one generated, "
            "or set TUNEWISE_SECRET_KEY"
        )
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning(
            "%s (TUNEWISE_SECRET_KEY_FILE) has mode %04o: other users may read the key that "
            "signs the recent-assessments cookie; chmod 600 it",
            path,
            mode,
        )
    return key


def _write_once(path: Path, key: str) -> None:
    """Write the key to a private temporary file, then link it into place: two processes
    starting at once both end up reading the same, complete key."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # private, as the database's
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key + "\n")
        with contextlib.suppress(FileExistsError):  # another process won: its key is the one
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)


class RecentAssessments:
    """Reads and writes one app's recent-assessments cookie, and lists what it holds."""

    def __init__(self, key: str, *, shared: bool) -> None:
        self._serializer = URLSafeSerializer(key, salt=SALT)
        self.shared = shared

    def ids(self, request: Request) -> list[str]:
        """The ids in the request's cookie, newest first; none when absent or tampered with."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return []
        try:
            found = self._serializer.loads(raw)
        except BadData:
            return []
        if not isinstance(found, list):
            return []
        return [i for i in found if isinstance(i, str) and ID_PATTERN.fullmatch(i)][:KEEP]

    def remember(self, request: Request, response: Response, assessment_id: str) -> None:
        """Put `assessment_id` first in the browser's list (made, opened or imported)."""
        ids = [assessment_id, *(i for i in self.ids(request) if i != assessment_id)][:KEEP]
        response.set_cookie(
            COOKIE,
            self._serializer.dumps(ids),
            max_age=MAX_AGE_S,
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )

    def listing(
        self, request: Request, store: AssessmentStore, limit: int
    ) -> list[StoredAssessment]:
        """What a page lists: this browser's own, or everyone's newest when shared."""
        if self.shared:
            return store.recent(limit)
        return store.many(self.ids(request)[:limit])


def recent_of(request: Request) -> RecentAssessments:
    found: RecentAssessments = request.app.state.recent
    return found
