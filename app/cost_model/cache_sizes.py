"""How many entries the engine's caches of one request's figures keep.

Why: a figure that depends on a request's dataset size or budget is reused only within that
recommendation (its counterfactual probes ask for the same sizes and budgets again) and by an
identical request soon after. Kept by the thousand, such entries are hundreds of thousands of
objects that live as long as the server, and every full pass of Python's collector walks them
all while holding the interpreter: a server that had answered a few hundred new inputs stalled
`/healthz` for 250 to 350 ms at a time. These sizes keep a few recommendations' worth. Caches
of per-shape figures (a GPU's replica, a model's layout) keep their own, larger bounds.
"""

from __future__ import annotations

PER_REQUEST = 512
"""Plans, programme costs, ranges and series of one request: a recommendation adds at most
about 90 to any one of these caches."""

PER_REQUEST_RUNS = 2048
"""Training estimates and their cost lines: a recommendation for a 405B model prices about 360
runs (every layout on every GPU kind it probes)."""
