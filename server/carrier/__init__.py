"""Carriers (载体): trusted streets and districts, trusted villages, village liaison stations."""
