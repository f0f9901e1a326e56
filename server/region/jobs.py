"""The roll-up export as a background job of a city or province account: an XLSX in the photo store."""
from server.job.service import Result, handler
from server.region import service
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
