"""Every kind of job's handler, imported in one place so a worker knows them all."""
import server.region.jobs  # noqa: F401
import server.rhythm.jobs  # noqa: F401
import server.signage.jobs  # noqa: F401
import server.unit.jobs  # noqa: F401
