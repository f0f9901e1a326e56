"""Accounts, roles, login and device tokens."""
