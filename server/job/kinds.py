"""Every kind of job's handler, imported in one place so a worker knows them all."""
import server.signage.jobs  # noqa: F401
