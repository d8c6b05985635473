"""Saved assessments: a recommendation stored with its inputs, versions and creation time."""
