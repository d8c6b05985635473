"""Who is calling the API: named bearer keys, each with a team and scopes.

Keys come from TUNEWISE_API_KEYS and TUNEWISE_API_KEYS_FILE (the same JSON list in a file).
A plain string in the list is today's form and keeps working: it becomes a key with both
scopes whose id, and team, is `key-` and the first 12 hex digits of its SHA-256, so logs and
rate limits can name it without printing the secret, and each plain key is a team of its own.

A request that passed ApiKeyGuard carries its key in `scope["state"]["api_key"]`
(`caller_of(request)`): rate limits count per key id, new assessments record the key id and
team, and reads through the API are checked against the team.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter
from starlette.requests import HTTPConnection

from app.assessments.store import Owner
from app.config import NamedKey, Settings

READ = "read"
WRITE = "write"
_KEY_LIST = TypeAdapter(list[str | NamedKey])


@dataclass(frozen=True)
class ApiKey:
    """A key as the app uses it: the secret's bytes never leave this object."""

    id: str
    team: str
    scopes: frozenset[str]
    secret: bytes

    def may(self, scope: str) -> bool:
        return scope in self.scopes


def plain_key_id(secret: str) -> str:
    """The id (and team) of a plain key: stable, short, and not the secret."""
    return "key-" + hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]


def _one(entry: str | NamedKey) -> ApiKey:
    if isinstance(entry, str):
        ident = plain_key_id(entry)
        return ApiKey(ident, ident, frozenset({READ, WRITE}), entry.encode("utf-8"))
    secret = entry.key.get_secret_value().encode("utf-8")
    return ApiKey(entry.id, entry.team, frozenset(entry.scopes), secret)


def load_keys(settings: Settings) -> tuple[ApiKey, ...]:
    """Every configured key; ValueError (at start-up) for a duplicate id or secret."""
    entries: list[str | NamedKey] = [k for k in settings.api_keys if k]
    if settings.api_keys_file is not None:
        raw: Any = json.loads(settings.api_keys_file.read_text(encoding="utf-8"))
        entries += [k for k in _KEY_LIST.validate_python(raw) if k]
    keys = tuple(_one(entry) for entry in entries)
    _refuse_duplicates(keys)
    return keys


def _refuse_duplicates(keys: Iterable[ApiKey]) -> None:
    ids: set[str] = set()
    secrets: set[bytes] = set()
    for key in keys:
        if key.id in ids:
            raise ValueError(f"API key id {key.id!r} is configured twice")
        if key.secret in secrets:
            raise ValueError(f"API key {key.id!r} has the same secret as another key")
        ids.add(key.id)
        secrets.add(key.secret)


def find_key(keys: Iterable[ApiKey], token: bytes) -> ApiKey | None:
    """The key whose secret is `token`, comparing against every key, always: the time taken
    says nothing about which one matched."""
    found = None
    for key in keys:
        if hmac.compare_digest(token, key.secret):
            found = key
    return found


def caller_of(connection: HTTPConnection | Mapping[str, Any]) -> ApiKey | None:
    """The key this request was made with (None: keys are off, or a browser page)."""
    scope = connection.scope if isinstance(connection, HTTPConnection) else connection
    key = scope.get("state", {}).get("api_key")
    return key if isinstance(key, ApiKey) else None


def owner_of(connection: HTTPConnection) -> Owner | None:
    """What a new assessment records about who made it (None: no key)."""
    key = caller_of(connection)
    return None if key is None else Owner(key.id, key.team)


def team_of(connection: HTTPConnection) -> str | None:
    """The caller's team, for the read check (None: keys are off, so everything is readable)."""
    key = caller_of(connection)
    return None if key is None else key.team
