"""What each option costs and which one pays: the cost block, the combination, the managed
option, the options, the payback, the energy estimate and the cost and plan summaries.

Reads `base`, `result` and `decision`; never the proposal review or `recommend`.
"""
