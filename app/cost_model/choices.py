"""Which factors are the plan's own choices rather than uncertainty.

How much retrieved context goes into each prompt, or which vector store holds the corpus, is
not something the estimate is unsure of: the plan states it (its expected value) and the
reader can change it. Such a factor keeps its band, and a range still reports what it would
move as a driver ("it depends on the retrieved context"), but it is not part of the P10 to
P90 interval (ranges.py). The data marks it: `kind = "choice"` on a constant of
data/constants.toml, `<setting>_kind = "choice"` on a retrieval setting of data/prices.toml's
[rag]. Everything else with a band is uncertain.
"""

from __future__ import annotations

from functools import cache

from app.cost_model.catalogue import read_data

CHOICE = "choice"
RAG = "rag:"
"""A retrieval setting of data/prices.toml's [rag] as a factor: `rag:<setting>`."""


@cache
def choices() -> frozenset[str]:
    """The names of the factors the plan chooses (see the module's docstring)."""
    found = {
        name
        for name, row in read_data("constants.toml").items()
        if isinstance(row, dict) and row.get("kind") == CHOICE
    }
    rag = read_data("prices.toml")["rag"]
    found |= {
        f"{RAG}{key.removesuffix('_kind')}"
        for key, kind in rag.items()
        if key.endswith("_kind") and kind == CHOICE
    }
    return frozenset(found)


def is_choice(factor: str) -> bool:
    return factor in choices()
