"""A background job's page: its progress (refreshing itself while it runs), its file, or why it failed."""
from flask import Response, g, redirect, render_template, send_file, url_for

from server.admin.bp import bp
from server.core.errors import NotFound
from server.job import service as jobs

# The job page refreshes with <meta http-equiv="refresh">: no script at all, and none may run.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
REFRESH_SECONDS = 2


@bp.get("/jobs")
def job_list():
    """The newest jobs the user may see, each with where it stands."""
    resp = Response(render_template("admin/jobs.html", rows=jobs.recent(g.user)))
    resp.headers["Content-Security-Policy"] = CSP
    return resp


@bp.get("/jobs/<int:job_id>")
def job_page(job_id: int):
    """Where a job stands: 排队中 / 进行中 with a progress bar, 已完成 with its file, 失败 with the reason."""
    job = jobs.get(g.user, job_id)
    resp = Response(render_template("admin/job.html", job=job, refresh=None if job.finished else REFRESH_SECONDS))
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/jobs/<int:job_id>/file")
def job_file(job_id: int):
    """The file a finished job made, streamed from the photo store."""
    job = jobs.get(g.user, job_id)
    if job.status != "done" or not job.result_key:
        raise NotFound("该任务没有可下载的文件")
    from server.photo.storage import current_storage
    # send_file streams a file object and writes the Chinese name as RFC 5987 filename*.
    resp = send_file(current_storage().open(job.result_key), mimetype=job.result_type, as_attachment=True,
                     download_name=job.result_name or f"job-{job.id}")
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.post("/jobs/<int:job_id>/retry")
def job_retry(job_id: int):
    """Start a failed job again; its page is the new job's."""
    job = jobs.retry(g.user, job_id)
    return redirect(url_for("admin.job_page", job_id=job.id), 303)
