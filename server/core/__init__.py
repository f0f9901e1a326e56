"""Helpers every domain may use: time, errors, the acting user, the audit log, codes."""
