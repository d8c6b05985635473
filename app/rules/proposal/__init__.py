"""The review of a team's proposal: its catalogue of anti-patterns, their checks, its costing
side by side with the recommendation, and the verdict.

Reads `base`, `result`, `decision` and `economics`; never `recommend`.
"""
