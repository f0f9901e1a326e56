"""Generating monthly bulletins as background jobs: the county's (kept, and printed to PDF in the photo
store), and every station's for a month (their PDFs in one ZIP in the photo store)."""
import io
import zipfile

from server.job.service import Result, handler
from server.rhythm import bulletin
from server.rhythm.export import bulletin_pdf
from server.rhythm.models import Bulletin


@handler("bulletin")
def bulletin_job(job, user, progress) -> Result:
    """params {month: "YYYY-MM"}: compute and keep the county's bulletin (county admins), then its PDF;
    steps done / 2. The bulletin and its PDF are committed together when the job finishes."""
    month = job.params["month"]
    progress(0, 2)
    record = bulletin.generate(user, month)
    job.done = 1
    data = bulletin_pdf(record)
    return Result(data, f"{month[:4]}年{int(month[5:])}月放心消费工作通报.pdf", "application/pdf",
                  {"bulletin_id": record.id})


@handler("bulletin_stations")
def station_bulletins_job(job, user, progress) -> Result:
    """params {month: "YYYY-MM"}: every station's bulletin of the county admin's county for the month, each
    a PDF (the bulletin page printed, as the county's), in one ZIP named by station; progress = stations
    done / total. Nothing is kept in the database: the file is the result. A station that fails fails the
    job with the reason (server.job.service), and a retry makes them all again."""
    month = job.params["month"]
    stations = bulletin.check_generate_stations(user, month)
    progress(0, len(stations))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i, st in enumerate(stations):
            record = Bulletin(month=month, data=bulletin.compute_station(user, st.id, month))
            z.writestr(f"{i + 1:02d}-{st.name}-{month}月度通报.pdf", bulletin_pdf(record))
            progress(i + 1)
    out.seek(0)
    return Result(out, f"{month[:4]}年{int(month[5:])}月各所（分局）放心消费工作通报.zip", "application/zip",
                  {"stations": len(stations)})
