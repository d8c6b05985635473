"""Unknown query parameters are refused, as unknown body fields are.

A misspelt or hoped-for parameter (`?rules_version=1.5.0`, `?papr=letter`) was ignored, so the
caller got an answer to a question it did not ask. A router's dependency compares the query
with the parameters its route declares and answers 422 with one error per unknown name, at
`/query/<name>`, with the same code as an unknown body field (`extra_forbidden`).
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute


def declared_query(dependant: Dependant) -> set[str]:
    """The query parameters a route reads, its dependencies' included."""
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= declared_query(sub)
    return names


async def refuse_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    known = declared_query(route.dependant) if isinstance(route, APIRoute) else set()
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in known]
    if not unknown:
        return
    accepts = ", ".join(sorted(known)) or "no query parameters"
    message = f"This query parameter is not recognised; this address accepts {accepts}."
    raise RequestValidationError(
        [
            {"type": "extra_forbidden", "loc": ("query", name), "msg": message, "input": None}
            for name in unknown
        ]
    )


KNOWN_QUERY_ONLY = Depends(refuse_unknown_query)
"""For an API router's `dependencies`."""
