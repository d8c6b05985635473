"""The versions an answer depends on, said on every response and checkable by the client.

An answer is a function of its input and four versions: the API's (the shape of the JSON),
the rules' (what is recommended), the cost model's (how figures are computed) and the price
data's date. Every response names them in headers (`HEADERS`); a client that pinned them may
send the same headers with the values it expects, and any that differ get 412 Precondition
Failed with the current ones, before any work is done, so a cache keyed on them is never
filled with answers of another version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.cost_model import COST_MODEL_VERSION
from app.cost_model.prices import prices_as_of
from app.rules.base.catalogue import load_rules

API_VERSION = "0.6.0"
"""The API's own version (also /openapi.json's `info.version`)."""


@dataclass(frozen=True)
class Versions:
    api: str
    rules: str
    cost_model: str
    prices: str

    def headers(self) -> tuple[tuple[str, str], ...]:
        """(header name, value) for each version, in the order of HEADERS."""
        return tuple((name, getattr(self, field)) for field, name in HEADERS.items())


HEADERS: Mapping[str, str] = {
    "api": "Tunewise-API-Version",
    "rules": "Tunewise-Rules-Version",
    "cost_model": "Tunewise-Cost-Model-Version",
    "prices": "Tunewise-Prices-As-Of",
}
"""Each version's header, on every response and accepted on requests as an expectation."""


def current_versions() -> Versions:
    """Now: prices_as_of changes while prices update live, so it is read each time."""
    return Versions(API_VERSION, load_rules().version, COST_MODEL_VERSION, prices_as_of())


def mismatches(expected: Mapping[str, str], current: Versions) -> dict[str, tuple[str, str]]:
    """{header: (sent, current)} for each expected version that is not the current one.
    `expected` maps lower-case header names to the values a request sent."""
    differ = {}
    for field, name in HEADERS.items():
        sent = expected.get(name.lower())
        now = getattr(current, field)
        if sent is not None and sent.strip() != now:
            differ[name] = (sent.strip(), now)
    return differ
