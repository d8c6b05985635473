"""Tunewise: a deterministic decision wizard for customising a large language model."""
