"""Inspections (visits on site): answers, photos, signature, conclusion, rectifications."""
