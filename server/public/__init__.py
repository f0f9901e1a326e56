"""Public pages, no login: what a consumer sees after scanning a sign."""
