"""/directory: the public list of trusted units in force — no login, no JavaScript, no session, cacheable;
and /directory/print: one township's list on A4 for a notice board."""
import hashlib

from flask import Blueprint, Response, abort, render_template, request, url_for
from marshmallow import ValidationError

from schemas.directory import DirectoryQuerySchema
from server.core.clock import today
from server.directory import service
from server.public.views import CSP

bp = Blueprint("directory", __name__)
_QUERY = DirectoryQuerySchema()
# Public facts that change a few times a day: any cache may keep a page a minute, then ask again (a 304
# while unchanged). The same for everyone: no cookie read except the 大字 switch, named in Vary.
CACHING = "public, max-age=60"


def parse(args) -> tuple[service.Filters, dict]:
    """(filters, {field: [Chinese message]}) from a query string; empty fields are "all"."""
    raw = {k: v.strip() for k, v in args.items() if k in _QUERY.fields and v.strip()}
    try:
        return service.Filters(**_QUERY.load(raw)), {}
    except ValidationError as err:
        good = {k: v for k, v in raw.items() if k not in err.messages}
        return service.Filters(**_QUERY.load(good)), err.messages


def _send(html: str, status: int = 200) -> Response:
    resp = Response(html, status=status, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["Cache-Control"] = CACHING if status == 200 else "no-cache"
    resp.headers["Vary"] = "Cookie"  # the 大字 switch
    if status == 200:
        resp.set_etag(hashlib.sha256(html.encode()).hexdigest()[:32], weak=True)
        resp = resp.make_conditional(request)
    return resp


def link(f: service.Filters, **changes) -> str:
    """The directory's address for these filters with some changed (None drops one); page 1 unless given."""
    args = {k: getattr(f, k) for k in ("q", "county_id", "station_id", "type", "tag", "carrier_id")}
    args.update({"page": None, **changes})
    return url_for("directory.index", **{k: v for k, v in args.items() if v not in (None, "", 1)})


@bp.get("/directory")
def index():
    """Search by name, address or industry; filter by township, type, tag, carrier; 20 a page by name."""
    f, errors = parse(request.args)
    entries, has_next = service.search(f, service.PAGE_SIZE)
    html = render_template("public/directory.html", f=f, errors=errors, entries=entries, has_next=has_next,
                           choices=service.choices(f), link=link)
    return _send(html, 422 if errors else 200)


@bp.get("/directory/print")
def township():
    """Every unit in force of one township (station), by name, laid out for A4."""
    f, errors = parse(request.args)
    if errors or f.station_id is None:
        abort(404)
    station, entries = service.township_list(f.station_id)
    if station is None:
        abort(404)
    return _send(render_template("public/directory_print.html", station=station, entries=entries,
                                 today=today()))
