"""The supervision rhythm pages: daily patrol, weekly look-back, monthly bulletins, holiday calendar."""
from datetime import date, timedelta

from flask import Response, flash, g, redirect, render_template, request, url_for

from server.admin.bp import bp
from server.core.bounds import to_int
from server.admin.helpers import form_day, require_county
from server.core.clock import today
from server.core.errors import DomainError
from server.job import service as jobs
from server.dashboard import chart
from server.rhythm import bulletin, lookback, patrol
from server.rhythm.export import bulletin_pdf, bulletin_xlsx
from server.rhythm.view import bars, bulletin_rows
from server.station.service import list_stations
from server.workday import service as workdays
from server.workday.parse import parse_days


def _day(value, default: date) -> date:
    return form_day(value, default)


def _station_id() -> int | None:
    sid = request.values.get("station_id", type=to_int)
    return sid or g.user.station_id or (list_stations(g.user)[0].id if list_stations(g.user) else None)


@bp.get("/patrol")
def patrol_page():
    """Today's patrol list for a station; for the county also who patrolled on which day."""
    day = _day(request.args.get("day"), today())
    listing = patrol.daily_list(g.user, _station_id(), day)
    overview = patrol.county_overview(g.user, day - timedelta(days=13), day) if g.user.is_county else None
    return render_template("admin/patrol.html", listing=listing, overview=overview, day=day,
                           stations=list_stations(g.user))


@bp.post("/patrol/mark")
def patrol_mark():
    """Mark one patrol item handled."""
    day, sid = _day(request.form.get("day"), today()), _station_id()
    try:
        patrol.mark_handled(g.user, sid, day, request.form.get("key", ""), request.form.get("note", ""))
        flash("已标记为已处理", "ok")
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("admin.patrol_page", day=day.isoformat(), station_id=sid))


@bp.post("/patrol/done")
def patrol_done():
    """Mark the day's patrol done."""
    day, sid = _day(request.form.get("day"), today()), _station_id()
    try:
        patrol.complete_day(g.user, sid, day, request.form.get("note", ""))
        flash("今日网上巡查已完成", "ok")
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("admin.patrol_page", day=day.isoformat(), station_id=sid))


@bp.route("/lookback", methods=["GET", "POST"])
def lookback_page():
    """Run this week's look-back for a station and read the past ones."""
    sid, monday = _station_id(), lookback.week_of(today())
    if request.method == "POST":
        try:
            record = lookback.run_lookback(g.user, sid, _day(request.form.get("week_start"), monday))
            flash(f"回头看完成：新建复查任务{len(record.summary['task_ids'])}个", "ok")
        except DomainError as err:
            flash(err.message, "error")
        return redirect(url_for("admin.lookback_page", station_id=sid))
    rows = lookback.past_runs(g.user, sid) if sid else []
    return render_template("admin/lookback.html", rows=rows, monday=monday, station_id=sid,
                           stations=list_stations(g.user))


@bp.route("/bulletins", methods=["GET", "POST"])
def bulletins():
    """Generate a month's bulletin (county admins) and list the kept ones."""
    month = request.values.get("month") or (today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    if request.method == "POST":
        try:
            bulletin.check_generate(g.user, month)
        except DomainError as err:
            flash(err.message, "error")
        else:
            job = jobs.start(g.user, "bulletin", {"month": month, "label": f"{month} 月度通报"}, total=2)
            return redirect(url_for("admin.job_page", job_id=job.id), 303)
    return render_template("admin/bulletins.html", rows=bulletin.kept(g.user), month=month)


@bp.post("/bulletins/stations")
def station_bulletins():
    """Start the job that makes every station's bulletin of a month (county admins): its page shows the
    stations done and gives the ZIP of PDFs."""
    month = request.form.get("month") or ""
    try:
        stations = bulletin.check_generate_stations(g.user, month)
    except DomainError as err:
        if err.status != 422:
            raise
        flash(err.message, "error")
        return redirect(url_for("admin.bulletins", month=month)), 303
    job = jobs.start(g.user, "bulletin_stations", {"month": month, "label": f"{month} 各所月度通报"},
                     total=len(stations))
    return redirect(url_for("admin.job_page", job_id=job.id), 303)


@bp.get("/bulletins/<int:bulletin_id>")
def bulletin_view(bulletin_id: int):
    """A kept bulletin as a page."""
    b = bulletin.get(g.user, bulletin_id)
    return render_template("admin/bulletin.html", b=b, printing=False, parts=bulletin_rows(b.data), bars=bars(b.data),
                           charts=chart.charts(b.data.get("pace")))


@bp.get("/bulletins/<int:bulletin_id>.pdf")
def bulletin_pdf_view(bulletin_id: int):
    """A kept bulletin as a printable PDF with charts."""
    b = bulletin.get(g.user, bulletin_id)
    return Response(bulletin_pdf(b), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=bulletin-{b.month}.pdf"})


@bp.get("/bulletins/<int:bulletin_id>.xlsx")
def bulletin_xlsx_view(bulletin_id: int):
    """A kept bulletin as XLSX."""
    b = bulletin.get(g.user, bulletin_id)
    return Response(bulletin_xlsx(b), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=bulletin-{b.month}.xlsx"})


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_page():
    """The years whose holidays are known; a county admin enters next year's State Council notice."""
    require_county()
    errors = {}
    if request.method == "POST":
        try:
            year = to_int(request.form.get("year", "0"))
            if not 2000 <= year <= 2100:
                raise ValueError("year")
            holidays, errs1 = parse_days(request.form.get("holidays", ""))
            extra, errs2 = parse_days(request.form.get("workdays", ""))
            if errs1 or errs2:
                errors = {"days": errs1 + errs2}
            else:
                changed = workdays.set_year(g.user, year, holidays, extra)
                flash(f"已保存{year}年节假日安排" + (f"；已按新日历重算{changed}件投诉举报的期限" if changed else ""), "ok")
                return redirect(url_for("admin.calendar_page"))
        except ValueError:
            errors = {"days": ["年份不正确"]}
        except DomainError as err:
            errors = {"days": [err.message]}
    return render_template("admin/calendar.html", years=workdays.known_years(), errors=errors,
                           form=request.form), (422 if errors else 200)
