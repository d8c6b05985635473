"""The decision engine: a catalogue of cited rules turning nine answers into a recommendation.

Split by what each part decides, in layers; a module imports only from its own layer or one
below it, never up (tests/test_architecture.py fails otherwise). Lowest first:

1. `base`: what every part reads: the five approaches, the plan's settings, the rule catalogue
   and its thresholds, the price of a method's runs and its cost curve, the facts derived from
   the answers and their musts.
2. `result`: the typed, frozen values `recommend()` returns and the API documents.
3. `decision`: the scoring and choosing: conditions, constraints, the engine, the
   counterfactuals, latency against the target, the plan and the confidence.
4. `economics`: what each option costs and which one pays: the cost block, the combination,
   the managed option, the options and the payback, energy, the cost and plan summaries.
5. `proposal`: the review of a team's proposal, costed with the same model.
6. `recommend` (this package's one module): the entry point that assembles them.

The data (`data/*.toml`) stays here, read through `importlib.resources` from `app.rules`.
"""
