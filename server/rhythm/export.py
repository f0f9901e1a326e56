"""A kept bulletin as XLSX and as PDF (the page's template, printed)."""
import io

from flask import render_template
from openpyxl import Workbook
from openpyxl.styles import Font

from server.core.tables import text_row
from server.rhythm.view import bars, bulletin_rows


def bulletin_xlsx(b) -> bytes:
    """One sheet per part of the bulletin."""
    wb = Workbook()
    bold = Font(bold=True)
    for n, (title, head, rows) in enumerate(bulletin_rows(b.data)):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = title[:31]
        ws.append([f"{b.month} 放心消费工作月度通报 · {title}"])
        ws["A1"].font = bold
        ws.append(head)
        for cell in ws[2]:
            cell.font = bold
        for row in rows:
            ws.append(text_row(ws, row))  # station and unit names are typed by people
        for col, width in zip("ABCDEFGHIJ", (16, 12, 12, 12, 12, 12, 12, 12, 12, 12)):
            ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bulletin_pdf(b) -> bytes:
    """The bulletin page rendered for print, with its bar charts, as PDF."""
    from server.report.pdf import html_to_pdf
    return html_to_pdf(render_template("admin/bulletin.html", b=b, printing=True,
                                       parts=bulletin_rows(b.data), bars=bars(b.data)))
