"""The audit trail for people: search the audit log and say each change in words."""
