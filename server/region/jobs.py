"""The roll-up's jobs of a city or province account: its export (an XLSX in the photo store) and its
refresh (a dated snapshot the /region/ page reads, region.snapshot)."""
from server.job.service import Result, handler
from server.region import service, snapshot
from server.region.export import rollup_xlsx


@handler("rollup_export")
def rollup_export_job(job, user, progress) -> Result:
    """params {year}: the roll-up of the counties the user oversees (region.service.overview) as XLSX;
    progress = counties written / total."""
    year = int(job.params["year"])
    board = service.overview(user, year)
    progress(0, len(board["counties"]))
    data = rollup_xlsx(board, service.region_name(user), progress)
    return Result(data, f"{year}年度放心消费建设进度汇总（{service.region_name(user)}）.xlsx",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  {"counties": len(board["counties"])})


@handler(snapshot.KIND)
def rollup_snapshot_job(job, user, progress) -> Result:
    """params {year}: a new snapshot of the roll-up of the user's city or province (region.snapshot.make);
    progress 0/1 → 1/1. Summary {snapshot_id, counties}."""
    progress(0, 1)
    snap = snapshot.make(user.region_id, int(job.params["year"]), job_id=job.id)
    progress(1)
    return Result(summary={"snapshot_id": snap.id, "counties": len(snap.data["counties"])})
