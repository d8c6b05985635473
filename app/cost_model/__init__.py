"""The cost model: memory, GPU-hours and dollars for every approach, pure Python.

COST_MODEL_VERSION follows the OpenFisca meaning (patch: a calculation fixed; minor: a term or
constant added; major: a figure renamed or removed); CHANGELOG.md says what changed.
"""

COST_MODEL_VERSION = "1.5.0"
