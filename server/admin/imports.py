"""Import units from a spreadsheet (preview, then confirm all or nothing), the template, and export."""
import io

from flask import g, redirect, render_template, request, send_file, url_for
from openpyxl import Workbook
from openpyxl.styles import Font

from server.admin.bp import bp
from server.core.bounds import to_int
from server.admin.dashboard import chosen_year
from server.core.errors import DomainError
from server.dashboard.service import default_year
from server.job import service as jobs
from server.unit import importer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str):
    """An XLSX download; Flask writes an ASCII fallback and the RFC 5987 filename* for Chinese names."""
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=filename)


@bp.route("/units/import", methods=["GET", "POST"])
def unit_import():
    """Upload a file: it is checked row by row and shown for confirmation; nothing is imported yet."""
    year = default_year(g.user)
    if request.method == "POST":
        year = request.form.get("year", type=to_int) or year
        upload = request.files.get("file")
        if not upload or not upload.filename:
            return render_template("admin/import.html", year=year, error="请选择要上传的文件"), 422
        if not 2000 <= year <= 2100:
            return render_template("admin/import.html", year=year, error="年份应在2000到2100之间"), 422
        try:
            batch = importer.preview_import(g.user, upload.filename, upload.read(), year)
        except DomainError as err:
            return render_template("admin/import.html", year=year, error=err.message), err.status
        return redirect(url_for("admin.unit_import_preview", batch_id=batch.id), 303)
    return render_template("admin/import.html", year=year, error=None)


@bp.get("/units/import/<int:batch_id>")
def unit_import_preview(batch_id: int):
    """The checked file: every bad row with its reasons, and how many rows are good."""
    batch = importer.get_batch(g.user, batch_id)
    return render_template("admin/import_preview.html", batch=batch, error=None)


@bp.post("/units/import/<int:batch_id>/confirm")
def unit_import_confirm(batch_id: int):
    """Import every row of a problem-free preview in one go, as a job; to its page."""
    try:
        batch = importer.queue_confirm(g.user, batch_id)
    except DomainError as err:
        batch = importer.get_batch(g.user, batch_id)
        return render_template("admin/import_preview.html", batch=batch, error=err.message), err.status
    job = jobs.start(g.user, "unit_import", {"batch_id": batch.id, "label": f"{batch.filename}（{len(batch.rows)} 行）"},
                     station_id=g.user.station_id, total=len(batch.rows))
    return redirect(url_for("admin.job_page", job_id=job.id), 303)


@bp.get("/units/import/template.xlsx")
def unit_import_template():
    """An empty workbook with the import columns as headings."""
    wb = Workbook()
    ws = wb.active
    ws.title = "单位"
    ws.append([label for _, label in importer.COLUMNS])
    for i, cell in enumerate(ws[1], start=1):
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = 24 if i <= 3 else 16
    out = io.BytesIO()
    wb.save(out)
    return xlsx_response(out.getvalue(), "放心消费单位导入模板.xlsx")


@bp.get("/units/export.xlsx")
def unit_export():
    """Every unit the user may see, with its stage in the year."""
    year = chosen_year(request.args)
    return xlsx_response(importer.export_units(g.user, year), f"放心消费单位-{year}.xlsx")
