"""Confirming a unit import as a background job (server.job.service runs it)."""
from server.job.service import Result, handler
from server.unit import importer


@handler("unit_import")
def unit_import(job, user, progress) -> Result:
    """params {batch_id}: create every unit of the confirmed preview in one transaction, all or nothing
    (so its progress shows only at the end: rows done / total)."""
    count = importer.confirm_import(user, job.params["batch_id"])
    return Result(summary={"units": count})
