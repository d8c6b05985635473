"""A server process's long-lived objects, kept out of the collector's full passes.

Why: a started server holds some 250,000 objects that live as long as it does (modules,
pydantic's validators, the catalogues, the routes). Python's collector walks every one of them
in each full pass, holding the interpreter while it does: under a storm of new inputs those
passes stalled `/healthz` for 100 to 300 ms at a time. `gc.freeze()` moves what exists at the
end of start-up to a generation the collector never walks; what is made later (requests,
cached figures) is collected as before. Done once per process, by the server's own app only,
so a test process that builds many apps never freezes what its tests leave behind.
"""

from __future__ import annotations

import gc

from app.cost_model.catalogue import load_catalogue
from app.rules.base.catalogue import load_rules


def keep_out_of_collections() -> None:
    """Load the catalogues a first recommendation would, collect once, then freeze the rest."""
    load_catalogue()
    load_rules()
    gc.collect()
    gc.freeze()
