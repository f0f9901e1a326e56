"""操作记录: the audit trail — search by person, record, kind of change and period; export to XLSX."""
from flask import Response, g, render_template, request

from schemas.audit import AuditQuerySchema
from server.admin.bp import bp
from server.admin.helpers import parse_form
from server.audit import service
from server.core.clock import today
from server.core.errors import Invalid
from server.core.tables import xlsx_bytes

HEADER = ["时间（北京时间）", "操作人", "设备", "操作", "记录类型", "记录编号", "变更内容"]


def _filters():
    data, errors = parse_form(AuditQuerySchema(), request.args)
    return data, errors


@bp.get("/audit")
def audit():
    """The audit trail of what the users in the admin's scope did, newest first, 50 a page."""
    filters, errors = _filters()
    entries, total = [], 0
    if not errors:
        try:
            entries, total = service.search(g.user, filters, filters.get("page", 1))
        except Invalid as err:
            errors = err.fields
    status = 422 if errors else 200
    return render_template("admin/audit.html", entries=entries, total=total, page=filters.get("page", 1),
                           per_page=service.PER_PAGE, errors=errors, values=request.args,
                           entities=service.entity_choices()), status


@bp.get("/audit.xlsx")
def audit_export():
    """The same search as XLSX (at most 10 000 rows)."""
    filters, errors = _filters()
    if errors:
        return audit()
    rows = service.export_rows(g.user, filters)
    resp = Response(xlsx_bytes("操作记录", HEADER, rows),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp.headers["Content-Disposition"] = (f"attachment; filename=audit-{today().isoformat()}.xlsx; "
                                           f"filename*=UTF-8''%E6%93%8D%E4%BD%9C%E8%AE%B0%E5%BD%95-{today().isoformat()}.xlsx")
    return resp
