"""Third-party and provincial assessment findings: imported, demanded of their units, followed until closed."""
