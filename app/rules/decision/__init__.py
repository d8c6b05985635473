"""The scoring and choosing: the rules' conditions and constraints, the engine, the
counterfactuals, the latency rules, the plan and the confidence.

Reads `base` and `result`; never the economics, the proposal review or `recommend`.
"""
