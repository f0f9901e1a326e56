"""Generating a monthly bulletin as a background job: kept, and printed to PDF in the photo store."""
from server.job.service import Result, handler
from server.rhythm import bulletin
from server.rhythm.export import bulletin_pdf


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
