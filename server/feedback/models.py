"""Evaluations and complaints (being built)."""
