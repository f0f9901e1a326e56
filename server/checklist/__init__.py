"""Checklist templates ("1+X"): the base 八有八无 plus industry items, versioned."""
