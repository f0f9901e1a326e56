"""The public directory of trusted units whose sign is in force."""
