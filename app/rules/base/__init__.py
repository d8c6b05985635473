"""What every part of the rules reads: approaches, settings, the rule catalogue and its
thresholds, the price of a method's runs and its cost curve, the facts and the musts.

The lowest layer: it imports no other part of `app.rules`.
"""
