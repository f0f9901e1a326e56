"""Signs and their history (being built)."""
