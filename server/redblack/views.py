"""/red-black: the published 红黑榜 for consumers (no login, no JavaScript), earlier lists, and a list's PDF."""
from flask import Blueprint, Response, abort, render_template

from server.public.views import CSP
from server.redblack import service
from server.redblack.models import SIDES
from server.report.pdf import MissingFont, html_to_pdf

bp = Blueprint("redblack", __name__)


def _html(body: str) -> Response:
    resp = Response(body, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = "public, max-age=60"
    resp.headers["Vary"] = "Cookie"  # the 大字 switch
    return resp


def _page(rb):
    lists = service.published()
    return _html(render_template("public/red_black.html", rb=rb, lists=lists, sides=SIDES,
                                 labels=service.criterion_labels()))


@bp.get("/red-black")
def index():
    """The latest published list, and every earlier one by its period."""
    lists = service.published()
    return _page(lists[0] if lists else None)


@bp.get("/red-black/<int:list_id>")
def one(list_id: int):
    """One published list: period, units with the criteria that put them there, the approving office."""
    rb = service.published_list(list_id)
    if rb is None:
        abort(404)
    return _page(rb)


@bp.get("/red-black/<int:list_id>.pdf")
def pdf(list_id: int):
    """The published list as an A4 PDF for notice boards and the press."""
    rb = service.published_list(list_id)
    if rb is None:
        abort(404)
    html = render_template("public/red_black_print.html", rb=rb, sides=SIDES, labels=service.criterion_labels())
    try:
        data = html_to_pdf(html)
    except MissingFont as err:
        return Response(err.message, status=503, mimetype="text/plain")
    resp = Response(data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f"inline; filename=red-black-{rb.id}.pdf"
    return resp
