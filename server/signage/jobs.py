"""A station's batch of signs as a background job: one PDF in the photo store, each sign counted as
printed only once the whole file is there (server.job.service runs it)."""
import tempfile

from server.account.service import require_admin
from server.job.service import Result, handler
from server.signage import printing, service
from server.signage.models import SIGN_TITLES
from server.station.service import get_station


def batch_name(station, year: int, type: str | None) -> str:
    """The PDF's download name, e.g. 五云所-2023年度标识-全部.pdf."""
    return f"{station.name}-{year}年度标识-{SIGN_TITLES[type] if type else '全部'}.pdf"


@handler("sign_batch")
def sign_batch(job, user, progress) -> Result:
    """params {station_id, year, type|None}: render every sign in force, page by page, reporting signs
    done/total; then count a print of each (打印, then 补打) in the transaction that finishes the job."""
    require_admin(user)
    p = job.params
    station = get_station(user, p["station_id"])
    specs = printing.batch_specs(station.id, p["year"], p.get("type"))
    if not specs:
        from server.core.errors import Invalid
        raise Invalid("没有可打印的标识")
    progress(0, len(specs))
    out = tempfile.TemporaryFile()  # ~0.25 MB a sign: on disk, not in memory, until it is stored
    for n, chunk in enumerate(printing.pdf_chunks(specs), start=1):  # a chunk a page, then the trailer
        out.write(chunk)
        progress(min(n, len(specs)))
    out.seek(0)
    service.record_prints(user, [spec.serial for spec in specs])
    return Result(out, batch_name(station, p["year"], p.get("type")), "application/pdf", {"signs": len(specs)})
