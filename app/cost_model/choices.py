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

CHOICE = "choice"
RAG = "rag:"
"""A retrieval setting of data/prices.toml's [rag] as a factor: `rag:<setting>`."""


@cache
def choices() -> frozenset[str]:
    """The names of the factors the plan chooses (see the module's docstring), from the
    constants and prices already read (parsing their TOML again costs a start its time)."""
    # Imported here: both modules import ranges.py, which imports this one.
    from app.cost_model.constants import load_constants  # noqa: PLC0415
    from app.cost_model.prices import price_data  # noqa: PLC0415

    found = {name for name, row in load_constants().table.items() if row.kind == CHOICE}
    rag = price_data()["rag"]
    assert isinstance(rag, dict)
    found |= {
        f"{RAG}{key.removesuffix('_kind')}"
        for key, kind in rag.items()
        if key.endswith("_kind") and kind == CHOICE
    }
    return frozenset(found)


def is_choice(factor: str) -> bool:
    return factor in choices()
